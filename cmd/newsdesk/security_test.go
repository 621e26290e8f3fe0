package main

import (
	"strings"
	"testing"
)

func TestAskJSONNeverCitesJavascriptURL(t *testing.T) {
	dir := writeCorpus(t, map[string]string{
		"bridge.json": `{"id":"bridge","title":"Harbor Bridge To Reopen","url":"javascript:alert(document.cookie)","body":` +
			`"Mayor Lena Ortiz said on Tuesday that the Harbor Bridge would reopen to traffic in March after repairs costing 14 million dollars."}`,
	})
	r := runCmd(t, nil, "", "ask", "--json", "--corpus", dir, "--index", t.TempDir(), "When will the Harbor Bridge reopen?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(strings.ToLower(r.stdout), "javascript:") {
		t.Errorf("ask --json output carries the javascript: URL: %s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"url": "newsdesk:bridge#p`) {
		t.Errorf("citation url is not the newsdesk: reference: %s", r.stdout)
	}
}
