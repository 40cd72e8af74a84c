// Package metrics holds the bot's Prometheus collectors, on a registry of
// its own so that tests and several bots in one process do not collide.
package metrics

import (
	"net/http"

	"github.com/cloud-pi-native/parcours/internal/version"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's counters and gauges.
type Metrics struct {
	Registry        *prometheus.Registry
	Questions       *prometheus.CounterVec // outcome: answered, not_found, error
	AnswerLatency   prometheus.Histogram   // seconds from receiving a post to the reply posted
	Reconnections   prometheus.Counter
	Connected       prometheus.Gauge
	IndexPages      prometheus.Gauge
	IndexSections   prometheus.Gauge
	SlashCommands   *prometheus.CounterVec // sub: the sub-command
	Feedback        *prometheus.CounterVec // verdict: useful, not_useful
	RefusedActions  *prometheus.CounterVec // reason
	DiagnosticSteps *prometheus.CounterVec // kind: question, result, notice
	Welcomes        prometheus.Counter
	RateLimited     prometheus.Counter // messages refused by the per-user limit
	// BuildInfo is 1, labelled with the running build's version, commit,
	// build date and Go version: a dashboard shows which version runs.
	BuildInfo *prometheus.GaugeVec
	// Leader is 1 on the replica that reads Mattermost's events (the lease
	// holder with PostgreSQL; the only one with bbolt), 0 on a standby.
	Leader prometheus.Gauge
}

// New creates and registers the collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcours_questions_total", Help: "Questions received, by outcome.",
		}, []string{"outcome"}),
		AnswerLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "parcours_answer_seconds",
			Help:    "Time from receiving a question to the reply being posted.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		Reconnections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcours_mattermost_reconnections_total", Help: "WebSocket reconnections to Mattermost.",
		}),
		Leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcours_leader", Help: "1 on the replica that reads Mattermost's events and answers messages (the lease holder), 0 on a standby.",
		}),
		Connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcours_mattermost_connected", Help: "1 while the WebSocket to Mattermost is up.",
		}),
		IndexPages: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcours_index_pages", Help: "Knowledge pages in the search index.",
		}),
		IndexSections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcours_index_sections", Help: "Knowledge sections in the search index.",
		}),
		SlashCommands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcours_slash_commands_total", Help: "/parcours invocations, by sub-command.",
		}, []string{"sub"}),
		Feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcours_feedback_total", Help: "Answer feedback clicks, by verdict.",
		}, []string{"verdict"}),
		RefusedActions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcours_refused_requests_total", Help: "Slash commands and button clicks refused, by reason.",
		}, []string{"reason"}),
		DiagnosticSteps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcours_diagnostic_steps_total", Help: "Diagnostic steps shown, by kind (question, result, notice).",
		}, []string{"kind"}),
		RateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcours_rate_limited_total", Help: "Messages and slash commands not answered because their author exceeded the per-user limit.",
		}),
		Welcomes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcours_welcomes_total", Help: "Welcome messages sent to newcomers.",
		}),
		BuildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parcours_build_info", Help: "Always 1; the labels say which build runs.",
		}, []string{"version", "commit", "date", "goversion"}),
	}
	v := version.Get()
	m.BuildInfo.WithLabelValues(v.Version, v.Commit, v.Date, v.Go).Set(1)
	m.Registry.MustRegister(m.BuildInfo, m.Questions, m.AnswerLatency, m.Reconnections, m.Connected, m.Leader, m.IndexPages,
		m.IndexSections, m.SlashCommands, m.Feedback, m.RefusedActions, m.DiagnosticSteps, m.Welcomes, m.RateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
