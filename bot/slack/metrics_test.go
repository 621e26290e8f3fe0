package slack

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsPrometheusFormat parses /metrics with Prometheus's own text
// parser: the answer latency is a histogram with le buckets (so
// histogram_quantile works in a plain Prometheus), and the documented
// series are there.
func TestMetricsPrometheusFormat(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AnswererMode = "llm" }) // the fake answers in extractive mode: a fallback
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> question"), nil)
	h.idle()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(h.metrics()))
	if err != nil {
		t.Fatalf("Prometheus text parser: %v\n%s", err, h.metrics())
	}
	hist := fams["newsdesk_slack_answer_duration_seconds"]
	if hist == nil || hist.GetType() != dto.MetricType_HISTOGRAM || len(hist.Metric) != 1 {
		t.Fatalf("answer latency is not a histogram: %v", hist)
	}
	hm := hist.Metric[0].GetHistogram()
	if hm.GetSampleCount() != 1 || len(hm.Bucket) < 5 {
		t.Fatalf("histogram = %v", hm)
	}
	last := hm.Bucket[len(hm.Bucket)-1]
	if last.GetCumulativeCount() != 1 {
		t.Errorf("buckets are not cumulative: %v", hm.Bucket)
	}
	if m := h.metrics(); !strings.Contains(m, `newsdesk_slack_answer_duration_seconds_bucket{le="0.05"}`) || strings.Contains(m, "vmrange") {
		t.Errorf("no le buckets:\n%s", m)
	}
	for name, want := range map[string]float64{
		"newsdesk_slack_answer_fallbacks_total": 1,
		"newsdesk_index_articles":               3,
		"newsdesk_slack_inflight_answers":       0,
	} {
		f := fams[name]
		if f == nil || len(f.Metric) != 1 {
			t.Errorf("no %s", name)
			continue
		}
		got := f.Metric[0].GetCounter().GetValue() + f.Metric[0].GetGauge().GetValue()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if f := fams["newsdesk_slack_answers_total"]; f == nil || f.GetType() != dto.MetricType_COUNTER {
		t.Errorf("answers_total is not a counter: %v", f)
	}
}
