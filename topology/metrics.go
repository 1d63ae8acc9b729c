package topology

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intelstream/intelstream/transport"
)

// Metrics is the hook that counts what every node does, in Prometheus
// metrics labelled by topology and node:
//
//	intelstream_records_received_total   records fetched
//	intelstream_records_produced_total   records acknowledged by the broker
//	intelstream_records_failed_total     records sent to the dead-letter topic
//	intelstream_records_committed_total  records whose offsets were committed
//	intelstream_processing_seconds       time to process one record
//	intelstream_node_up                  1 while the node runs
//	intelstream_consumer_lag_records     records of the node's input not yet committed
type Metrics struct {
	topology  string
	received  *prometheus.CounterVec
	produced  *prometheus.CounterVec
	failed    *prometheus.CounterVec
	committed *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	up        *prometheus.GaugeVec
	lag       *prometheus.GaugeVec
}

// NewMetrics registers the metrics of topology t with reg.
func NewMetrics(t *Topology, reg prometheus.Registerer) (*Metrics, error) {
	labels := []string{"topology", "node"}
	m := &Metrics{
		topology:  t.name,
		received:  prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "intelstream", Name: "records_received_total", Help: "Records fetched by the node."}, labels),
		produced:  prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "intelstream", Name: "records_produced_total", Help: "Records the node produced that the broker acknowledged."}, labels),
		failed:    prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "intelstream", Name: "records_failed_total", Help: "Records the node sent to its dead-letter topic."}, labels),
		committed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "intelstream", Name: "records_committed_total", Help: "Records whose offsets the node committed."}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "intelstream", Name: "processing_seconds", Help: "Time to process one record.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 12)}, labels),
		up:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "intelstream", Name: "node_up", Help: "1 while the node runs."}, labels),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "intelstream", Name: "consumer_lag_records", Help: "Records of the node's input topics its group has not committed."}, labels),
	}
	for _, c := range []prometheus.Collector{m.received, m.produced, m.failed, m.committed, m.latency, m.up, m.lag} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// OnNodeStarted implements HookNodeStarted.
func (m *Metrics) OnNodeStarted(node string) { m.up.WithLabelValues(m.topology, node).Set(1) }

// OnNodeStopped implements HookNodeStopped.
func (m *Metrics) OnNodeStopped(node string, _ error) { m.up.WithLabelValues(m.topology, node).Set(0) }

// OnRecordReceived implements HookRecordReceived.
func (m *Metrics) OnRecordReceived(node string, _ *transport.Record) {
	m.received.WithLabelValues(m.topology, node).Inc()
}

// OnRecordProcessed implements HookRecordProcessed.
func (m *Metrics) OnRecordProcessed(node string, _ *transport.Record, _ int, took time.Duration) {
	m.latency.WithLabelValues(m.topology, node).Observe(took.Seconds())
}

// OnRecordProduced implements HookRecordProduced.
func (m *Metrics) OnRecordProduced(node string, _ *transport.Record) {
	m.produced.WithLabelValues(m.topology, node).Inc()
}

// OnRecordFailed implements HookRecordFailed.
func (m *Metrics) OnRecordFailed(node string, _ *transport.Record, _ error) {
	m.failed.WithLabelValues(m.topology, node).Inc()
}

// OnCommitted implements HookCommitted.
func (m *Metrics) OnCommitted(node string, n int) {
	m.committed.WithLabelValues(m.topology, node).Add(float64(n))
}

// OnLag implements HookLag.
func (m *Metrics) OnLag(node string, lag int64) {
	m.lag.WithLabelValues(m.topology, node).Set(float64(lag))
}
