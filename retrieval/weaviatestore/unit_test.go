package weaviatestore

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestTransient(t *testing.T) {
	for err, want := range map[error]bool{
		fmt.Errorf("batch objects: %w", status.Error(codes.DeadlineExceeded, "x")): true,
		status.Error(codes.Unavailable, "node down"):                               true,
		fmt.Errorf("batch objects: %w", status.Error(codes.InvalidArgument, "x")):  false,
		errors.New("plain"): false,
	} {
		if got := transient(err); got != want {
			t.Errorf("transient(%v) = %v, want %v", err, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("https://user:sekrit@weaviate.example:8080/x"); got != "https://weaviate.example:8080/x" {
		t.Errorf("Redact = %q", got)
	}
}
