package slack

import (
	"strings"
	"testing"
)

func TestPlaceholderDeletedWhenUpdateFails(t *testing.T) {
	h := newHarness(t, nil)
	h.api.fail["chat.update"] = "cant_update_message"
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.idle()
	posts := h.api.Calls("chat.postMessage")
	if len(posts) != 2 || !strings.HasPrefix(posts[0].text(), "Searching") || !strings.Contains(posts[1].allText(t), "[1] “The bridge reopened") {
		t.Fatalf("want the placeholder then the answer posted; got %d posts", len(posts))
	}
	if posts[1].Form.Get("thread_ts") != "100.000001" {
		t.Errorf("answer not in the thread: %v", posts[1].Form)
	}
	del := h.api.Calls("chat.delete")
	if len(del) != 1 || del[0].Form.Get("channel") != "C1" || del[0].Form.Get("ts") != "1700000000.000002" || del[0].At < posts[1].At {
		t.Fatalf("placeholder not deleted after the answer was posted: %+v", del)
	}
	if m := h.metrics(); !strings.Contains(m, `newsdesk_slack_answers_total{outcome="answered"} 1`) {
		t.Errorf("answer not counted as answered:\n%s", m)
	}
}

func TestPlaceholderEmptiedWhenDeleteFails(t *testing.T) {
	h := newHarness(t, nil)
	h.api.fail["chat.update"] = "cant_update_message"
	h.api.fail["chat.delete"] = "cant_delete_message"
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.idle()
	ups := h.api.Failed("chat.update")
	if len(ups) != 2 || ups[1].Form.Get("ts") != "1700000000.000002" || strings.Contains(ups[1].allText(t), "Searching") {
		t.Errorf("want a second attempt to edit the placeholder's text away; got %d", len(ups))
	}
	if !strings.Contains(h.logs.String(), "placeholder left behind") {
		t.Errorf("a placeholder left behind is not logged:\n%s", h.logs)
	}
}

func TestUndeliveredAnswerNotCountedAsAnswered(t *testing.T) {
	h := newHarness(t, nil)
	h.api.fail["chat.postMessage"] = "not_in_channel"
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.idle()
	if n := len(h.api.Failed("chat.postMessage")); n != 2 {
		t.Errorf("%d post attempts, want 2 (placeholder, answer)", n)
	}
	m := h.metrics()
	if strings.Contains(m, `outcome="answered"`) || !strings.Contains(m, `newsdesk_slack_answers_total{outcome="delivery_failed"} 1`) {
		t.Errorf("want outcome delivery_failed, not answered:\n%s", m)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "answer not delivered") || strings.Contains(logs, "slack: answered") {
		t.Errorf("logs claim an answer:\n%s", logs)
	}
	if _, known := h.srv.convs.Get("C1/100.000001"); known {
		t.Error("an undelivered answer was remembered as a turn of the thread")
	}
}

func TestUndeliveredSlashAnswerNotCountedAsAnswered(t *testing.T) {
	h := newHarness(t, nil)
	h.api.fail["response_url"] = "expired_url"
	h.api.fail["chat.postEphemeral"] = "channel_not_found"
	rec := h.post("/slack/commands", "application/x-www-form-urlencoded",
		"command=%2Fask&text=what+happened&user_id=U1&channel_id=C1&trigger_id=tr1&response_url="+h.api.responseURL(1), nil)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	h.idle()
	m := h.metrics()
	if strings.Contains(m, `outcome="answered"`) || !strings.Contains(m, `newsdesk_slack_answers_total{outcome="delivery_failed"} 1`) {
		t.Errorf("want outcome delivery_failed, not answered:\n%s", m)
	}
}

func TestPartlyDeliveredOutcome(t *testing.T) {
	cases := []struct {
		delivered, total int
		abstained        bool
		want             string
	}{
		{0, 1, false, "delivery_failed"},
		{0, 2, true, "delivery_failed"},
		{1, 2, false, "partly_delivered"},
		{2, 2, false, "answered"},
		{1, 1, true, "abstained"},
	}
	for _, c := range cases {
		a := sampleAnswer()
		a.Abstained = c.abstained
		if got := deliveredOutcome(a, c.delivered, c.total); got != c.want {
			t.Errorf("deliveredOutcome(%d of %d, abstained %v) = %q, want %q", c.delivered, c.total, c.abstained, got, c.want)
		}
	}
}
