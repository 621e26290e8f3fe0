package slack

import (
	"fmt"
	"sync/atomic"

	"github.com/VictoriaMetrics/metrics"
)

// answerBuckets are the upper bounds (seconds) of the answer-latency
// histogram: an extractive answer takes milliseconds, an LLM answer
// seconds, the answer timeout is two minutes.
var answerBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120}

func init() {
	// # HELP and # TYPE lines, so Prometheus and its text parser see the
	// histogram as one histogram family (le buckets, _sum, _count).
	metrics.ExposeMetadata(true)
}

// metricSet holds the adapter's Prometheus metrics in its own metrics.Set
// (not the process-global one), so several servers, and tests, never share
// counters. Label values come from fixed sets, never from user input.
//
// Histograms are metrics.PrometheusHistogram: classic Prometheus buckets
// with an le label (cumulative, +Inf last), so histogram_quantile works in
// a plain Prometheus — not VictoriaMetrics' vmrange buckets.
type metricSet struct {
	set *metrics.Set

	badSignature  *metrics.Counter
	duplicates    *metrics.Counter
	rateLimited   *metrics.Counter
	deniedChannel *metrics.Counter
	apiRetries    *metrics.Counter
	shares        *metrics.Counter
	contextViews  *metrics.Counter
	fallbacks     *metrics.Counter
	answerSeconds *metrics.PrometheusHistogram
	inflight      atomic.Int64
}

func newMetricSet() *metricSet {
	s := metrics.NewSet()
	m := &metricSet{
		set:           s,
		badSignature:  s.NewCounter(`newsdesk_slack_bad_signature_total`),
		duplicates:    s.NewCounter(`newsdesk_slack_duplicates_total`),
		rateLimited:   s.NewCounter(`newsdesk_slack_rate_limited_total`),
		deniedChannel: s.NewCounter(`newsdesk_slack_denied_channel_total`),
		apiRetries:    s.NewCounter(`newsdesk_slack_api_retries_total`),
		shares:        s.NewCounter(`newsdesk_slack_shares_total`),
		contextViews:  s.NewCounter(`newsdesk_slack_context_views_total`),
		fallbacks:     s.NewCounter(`newsdesk_slack_answer_fallbacks_total`),
		answerSeconds: s.NewPrometheusHistogramExt(`newsdesk_slack_answer_duration_seconds`, answerBuckets),
	}
	s.NewGauge(`newsdesk_slack_inflight_answers`, func() float64 { return float64(m.inflight.Load()) })
	return m
}

// request counts an incoming Slack request by kind (events, commands,
// interactions, socket envelope types).
func (m *metricSet) request(kind string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_requests_total{kind=%q}`, kind)).Inc()
}

// question counts questions by surface: mention, dm, thread, slash.
func (m *metricSet) question(surface string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_questions_total{surface=%q}`, surface)).Inc()
}

// answer counts answers by outcome: answered, abstained (delivered in
// full), partly_delivered, delivery_failed (no message reached Slack),
// error, timeout, cancelled (no answer; an apology was attempted).
func (m *metricSet) answer(outcome string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_answers_total{outcome=%q}`, outcome)).Inc()
}

// rejected counts Slack HTTP requests refused before their signature was
// checked: busy (too many bodies being read, 503), too_large (413).
func (m *metricSet) rejected(reason string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_http_rejected_total{reason=%q}`, reason)).Inc()
}

// apiError counts failed Slack Web API calls by method.
func (m *metricSet) apiError(method string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_api_errors_total{method=%q}`, method)).Inc()
}

func (m *metricSet) feedback(vote string) {
	m.set.GetOrCreateCounter(fmt.Sprintf(`newsdesk_slack_feedback_total{vote=%q}`, vote)).Inc()
}
