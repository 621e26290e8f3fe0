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
	if len(posts) != 2 || !strings.HasPrefix(posts[0].text(), "Searching") || !strings.Contains(posts[1].allText(t), "> The bridge reopened") {
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

