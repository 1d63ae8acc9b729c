package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
)

func init() { addCommand(newCheckCmd) }

// The Nagios plugin states and their exit codes.
const (
	stateOK = iota
	stateWarning
	stateCritical
	stateUnknown
)

var stateNames = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}

// exitCode makes the command exit with a code without printing an error:
// the plugin already printed its status line.
type exitCode int

func (e exitCode) Error() string { return "" }

// ExitCode is the process's exit code (see main).
func (e exitCode) ExitCode() int { return int(e) }

// nagiosRange is a threshold in the Nagios plugin range syntax: "10" alerts
// outside 0..10, "10:" below 10, "~:10" above 10, "10:20" outside 10..20,
// "@10:20" inside 10..20 (ends included).
type nagiosRange struct {
	lo, hi float64
	inside bool
	text   string
}

func parseRange(s string) (*nagiosRange, error) {
	if s == "" {
		return nil, nil
	}
	r := &nagiosRange{lo: 0, hi: math.Inf(1), text: s}
	body := s
	if strings.HasPrefix(body, "@") {
		r.inside, body = true, body[1:]
	}
	num := func(part string) (float64, error) {
		f, err := strconv.ParseFloat(part, 64)
		if err != nil || math.IsNaN(f) {
			return 0, fmt.Errorf("range %q: %q is not a number", s, part)
		}
		return f, nil
	}
	var err error
	if lo, hi, ok := strings.Cut(body, ":"); ok {
		if lo == "" && hi == "" {
			return nil, fmt.Errorf("range %q: no start and no end", s)
		}
		switch lo {
		case "~":
			r.lo = math.Inf(-1)
		case "":
		default:
			if r.lo, err = num(lo); err != nil {
				return nil, err
			}
		}
		if hi != "" {
			if r.hi, err = num(hi); err != nil {
				return nil, err
			}
		}
	} else if r.hi, err = num(body); err != nil {
		return nil, err
	}
	if r.lo > r.hi {
		return nil, fmt.Errorf("range %q: start is above end", s)
	}
	return r, nil
}

// alert says whether v raises the alert of the range.
func (r *nagiosRange) alert(v float64) bool {
	if r == nil {
		return false
	}
	in := v >= r.lo && v <= r.hi
	return in == r.inside
}

func (r *nagiosRange) String() string {
	if r == nil {
		return ""
	}
	return r.text
}

// checkResult is what a check found: per-item values and the messages of
// those that raised an alert.
type checkResult struct {
	name     string // LAG, METRICS, READY
	state    int
	messages []string
	perf     []string
	summary  string
}

func (c *checkResult) raise(state int, msg string) {
	// CRITICAL outranks WARNING, WARNING outranks UNKNOWN.
	rank := [...]int{stateOK: 0, stateUnknown: 1, stateWarning: 2, stateCritical: 3}
	if rank[state] > rank[c.state] {
		c.state = state
	}
	c.messages = append(c.messages, msg)
}

// judge compares a value with the thresholds, records its perfdata and
// raises the state it calls for.
func (c *checkResult) judge(label string, v float64, unit string, warn, crit *nagiosRange) {
	c.perf = append(c.perf, fmt.Sprintf("'%s'=%s%s;%s;%s", strings.ReplaceAll(label, "'", "_"), formatNum(v), unit, warn, crit))
	switch {
	case crit.alert(v):
		c.raise(stateCritical, fmt.Sprintf("%s %s%s (critical %s)", label, formatNum(v), unit, crit))
	case warn.alert(v):
		c.raise(stateWarning, fmt.Sprintf("%s %s%s (warning %s)", label, formatNum(v), unit, warn))
	}
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// print writes the plugin's line and returns the exit code as an error
// (nil for OK).
func (c *checkResult) print(w io.Writer) error {
	text := c.summary
	if len(c.messages) > 0 {
		text = strings.Join(c.messages, ", ")
	}
	line := fmt.Sprintf("%s %s - %s", c.name, stateNames[c.state], text)
	if len(c.perf) > 0 {
		line += " | " + strings.Join(c.perf, " ")
	}
	fmt.Fprintln(w, line)
	if c.state == stateOK {
		return nil
	}
	return exitCode(c.state)
}

// unknown prints an UNKNOWN line for a check that could not run.
func unknown(w io.Writer, name string, err error) error {
	fmt.Fprintf(w, "%s UNKNOWN - %v\n", name, err)
	return exitCode(stateUnknown)
}

// thresholds are the --warning and --critical flags of a check.
type thresholds struct{ warning, critical string }

func (t *thresholds) add(cmd *cobra.Command, what string) {
	cmd.Flags().StringVarP(&t.warning, "warning", "w", "", "WARNING when "+what+" is outside this Nagios range (10, 10:, ~:10, 10:20, @10:20)")
	cmd.Flags().StringVarP(&t.critical, "critical", "c", "", "CRITICAL when "+what+" is outside this Nagios range")
}

func (t *thresholds) parse() (warn, crit *nagiosRange, err error) {
	if warn, err = parseRange(t.warning); err != nil {
		return nil, nil, fmt.Errorf("--warning: %w", err)
	}
	if crit, err = parseRange(t.critical); err != nil {
		return nil, nil, fmt.Errorf("--critical: %w", err)
	}
	return warn, crit, nil
}

func newCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Nagios/check_mk plugins: consumer lag, a node's metrics, readiness",
		Long: `Each check prints one line, "NAME STATE - summary | perfdata", and exits
0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN), as Nagios, Icinga and
check_mk expect. Thresholds use Nagios's range syntax: 10 (alert outside
0..10), 10: (below 10), ~:10 (above 10), 10:20, @10:20 (inside).`,
	}
	cmd.AddCommand(newCheckLagCmd(), newCheckMetricsCmd(), newCheckReadyCmd())
	for _, c := range cmd.Commands() {
		name := strings.ToUpper(c.Name())
		c.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
			return unknown(c.OutOrStdout(), name, err)
		})
		maxArgs := 0
		if c.Name() == "lag" {
			maxArgs = 1 // the topology
		}
		c.Args = func(c *cobra.Command, args []string) error {
			if len(args) > maxArgs {
				return unknown(c.OutOrStdout(), name, fmt.Errorf("unexpected arguments: %s", strings.Join(args[maxArgs:], " ")))
			}
			return nil
		}
	}
	return cmd
}

func newCheckLagCmd() *cobra.Command {
	var (
		th         thresholds
		cf         clusterFlags
		configPath string
		nodes      []string
		sets       []string
		timeout    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "lag [TOPOLOGY | -f FILE] --brokers HOST:PORT",
		Short: "Check the consumer lag of a topology's nodes (records not yet committed)",
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			warn, crit, err := th.parse()
			if err != nil {
				return unknown(w, "LAG", err)
			}
			if cf.brokers == "" {
				return unknown(w, "LAG", errors.New("give --brokers"))
			}
			t, _, err := loadTopology(configPath, args, sets)
			if err != nil {
				return unknown(w, "LAG", err)
			}
			groups, err := consumerGroups(t, nodes)
			if err != nil {
				return unknown(w, "LAG", err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			tr, err := runner.Transport(cf.config(slog.New(slog.DiscardHandler)))
			if err != nil {
				return unknown(w, "LAG", err)
			}
			defer tr.Close()
			lags, err := groupLags(ctx, tr.Admin(), groups)
			if err != nil {
				return unknown(w, "LAG", err)
			}
			res := &checkResult{name: "LAG"}
			var total int64
			for _, g := range groups {
				res.judge(g.group, float64(lags[g.group]), "", warn, crit)
				total += lags[g.group]
			}
			res.summary = fmt.Sprintf("%d records behind in %d consumer groups of %s", total, len(groups), t.Name())
			return res.print(w)
		},
	}
	th.add(cmd, "a node's lag")
	f := cmd.Flags()
	f.StringVar(&cf.brokers, "brokers", os.Getenv("INTELSTREAM_BROKERS"), "Kafka bootstrap brokers, comma separated ($INTELSTREAM_BROKERS)")
	cf.addSecurity(cmd)
	f.StringVarP(&configPath, "file", "f", "", "the topology of this YAML topology file")
	f.StringArrayVar(&nodes, "node", nil, "check only this node (repeatable)")
	f.StringArrayVar(&sets, "set", nil, "a topology parameter NAME=VALUE, or NODE.PARAM=VALUE with -f")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "give up (UNKNOWN) after this long")
	return cmd
}

// nodeGroup is a consuming node's consumer group and input topics.
type nodeGroup struct {
	group  string
	topics []string
}

// consumerGroups returns the groups of the topology's consuming nodes (or
// of the named ones).
func consumerGroups(t *topology.Topology, only []string) ([]nodeGroup, error) {
	var out []nodeGroup
	found := map[string]bool{}
	for _, n := range t.Describe().Nodes {
		if n.ConsumerGroup == "" || len(n.InputTopics) == 0 {
			continue
		}
		if len(only) > 0 && !slices.Contains(only, n.Name) {
			continue
		}
		found[n.Name] = true
		out = append(out, nodeGroup{group: n.ConsumerGroup, topics: n.InputTopics})
	}
	for _, n := range only {
		if !found[n] {
			return nil, fmt.Errorf("topology %s has no consuming node %q", t.Name(), n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("topology %s has no consuming nodes", t.Name())
	}
	return out, nil
}

// groupLags computes each group's lag on its input topics: the end offset
// minus the committed offset of every partition, or minus the start offset
// where the group never committed (so a group that never ran shows its
// whole backlog).
func groupLags(ctx context.Context, adm *kadm.Client, groups []nodeGroup) (map[string]int64, error) {
	var topics []string
	for _, g := range groups {
		topics = append(topics, g.topics...)
	}
	slices.Sort(topics)
	topics = slices.Compact(topics)
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("end offsets: %w", err)
	}
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("start offsets: %w", err)
	}
	out := map[string]int64{}
	for _, g := range groups {
		committed, err := adm.FetchOffsets(ctx, g.group)
		if errors.Is(err, kerr.GroupIDNotFound) {
			committed, err = nil, nil // a group that never committed
		}
		if err != nil {
			return nil, fmt.Errorf("offsets of group %s: %w", g.group, err)
		}
		var lag int64
		for _, topic := range g.topics {
			parts, ok := ends[topic]
			if !ok {
				return nil, fmt.Errorf("topic %s does not exist", topic)
			}
			for p, end := range parts {
				if errors.Is(end.Err, kerr.UnknownTopicOrPartition) {
					return nil, fmt.Errorf("topic %s does not exist", topic)
				}
				if end.Err != nil {
					return nil, fmt.Errorf("end offset of %s/%d: %w", topic, p, end.Err)
				}
				from := starts[topic][p].Offset
				if c, ok := committed.Lookup(topic, p); ok && c.Err == nil && c.At >= 0 {
					from = c.At
				}
				if end.Offset > from {
					lag += end.Offset - from
				}
			}
		}
		out[g.group] = lag
	}
	return out, nil
}

func newCheckMetricsCmd() *cobra.Command {
	var (
		th       thresholds
		url      string
		metric   string
		nodes    []string
		interval time.Duration
		timeout  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "metrics --url http://HOST:PORT/metrics",
		Short: "Check a running node's Prometheus metrics: error ratio, records processed, lag, throughput",
		Long: `Scrape the Prometheus endpoint of intelstream run --metrics-addr and judge,
per node, one of:

  error-ratio  records sent to the dead-letter topic per record received, in %
  processed    records committed (with --interval: during the interval)
  rate         records committed per second during --interval (data freshness:
               --critical 0.1: alerts when a node has stopped moving data)
  lag          the node's consumer lag as the node last measured it

A node whose intelstream_node_up is 0 is CRITICAL whatever the metric. With
--interval the endpoint is scraped twice and counters are judged on their
change, so old errors do not alert forever.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			warn, crit, err := th.parse()
			if err != nil {
				return unknown(w, "METRICS", err)
			}
			if url == "" {
				return unknown(w, "METRICS", errors.New("give --url"))
			}
			if !slices.Contains([]string{"error-ratio", "processed", "rate", "lag"}, metric) {
				return unknown(w, "METRICS", fmt.Errorf("--metric %q: want error-ratio, processed, rate or lag", metric))
			}
			if metric == "rate" && interval <= 0 {
				return unknown(w, "METRICS", errors.New("--metric rate needs --interval"))
			}
			client := &http.Client{Timeout: timeout}
			before, err := scrapeNodes(cmd.Context(), client, url)
			if err != nil {
				return unknown(w, "METRICS", err)
			}
			after := before
			if interval > 0 {
				select {
				case <-time.After(interval):
				case <-cmd.Context().Done():
					return unknown(w, "METRICS", cmd.Context().Err())
				}
				if after, err = scrapeNodes(cmd.Context(), client, url); err != nil {
					return unknown(w, "METRICS", err)
				}
			} else {
				before = map[string]nodeMetrics{}
			}
			res := &checkResult{name: "METRICS"}
			names := make([]string, 0, len(after))
			for n := range after {
				if len(nodes) == 0 || slices.Contains(nodes, strings.SplitN(n, ".", 2)[1]) || slices.Contains(nodes, n) {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			if len(names) == 0 {
				return unknown(w, "METRICS", fmt.Errorf("no intelstream node metrics at %s (nodes %v)", url, nodes))
			}
			var received, failed, committed float64
			for _, n := range names {
				a, b := after[n], before[n]
				if a.up == 0 {
					res.raise(stateCritical, n+" is down")
				}
				dr, df, dc := a.received-b.received, a.failed-b.failed, a.committed-b.committed
				received, failed, committed = received+dr, failed+df, committed+dc
				switch metric {
				case "error-ratio":
					ratio := 0.0
					if dr > 0 {
						ratio = math.Round(df/dr*100*1000) / 1000
					}
					res.judge(n+" errors", ratio, "%", warn, crit)
				case "processed":
					res.judge(n+" processed", dc, "c", warn, crit)
				case "rate":
					res.judge(n+" rate", math.Round(dc/interval.Seconds()*1000)/1000, "", warn, crit)
				case "lag":
					res.judge(n+" lag", a.lag, "", warn, crit)
				}
			}
			res.summary = fmt.Sprintf("%d nodes: %s received, %s committed, %s failed", len(names), formatNum(received), formatNum(committed), formatNum(failed))
			if interval > 0 {
				res.summary += " in " + interval.String()
			}
			return res.print(w)
		},
	}
	th.add(cmd, "the metric")
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the node's metrics endpoint, e.g. http://127.0.0.1:9100/metrics")
	f.StringVar(&metric, "metric", "error-ratio", "error-ratio, processed, rate or lag")
	f.StringArrayVar(&nodes, "node", nil, "judge only this node (NODE or TOPOLOGY.NODE; repeatable)")
	f.DurationVar(&interval, "interval", 0, "scrape twice, this far apart, and judge the change")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "HTTP timeout (UNKNOWN when reached)")
	return cmd
}

// nodeMetrics are one node's metrics in a scrape.
type nodeMetrics struct {
	received, failed, committed, lag float64
	up                               float64
}

// scrapeNodes reads the endpoint's intelstream metrics by
// "topology.node".
func scrapeNodes(ctx context.Context, client *http.Client, url string) (map[string]nodeMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	out := map[string]nodeMetrics{}
	read := func(name string, set func(*nodeMetrics, float64)) {
		mf, ok := families[name]
		if !ok {
			return
		}
		for _, m := range mf.GetMetric() {
			var topo, node string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "topology":
					topo = l.GetValue()
				case "node":
					node = l.GetValue()
				}
			}
			if node == "" {
				continue
			}
			key := topo + "." + node
			nm := out[key]
			set(&nm, metricValue(m))
			out[key] = nm
		}
	}
	read("intelstream_records_received_total", func(n *nodeMetrics, v float64) { n.received = v })
	read("intelstream_records_failed_total", func(n *nodeMetrics, v float64) { n.failed = v })
	read("intelstream_records_committed_total", func(n *nodeMetrics, v float64) { n.committed = v })
	read("intelstream_consumer_lag_records", func(n *nodeMetrics, v float64) { n.lag = v })
	read("intelstream_node_up", func(n *nodeMetrics, v float64) { n.up = v })
	return out, nil
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

func newCheckReadyCmd() *cobra.Command {
	var (
		url     string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "ready --url http://HOST:PORT/readyz",
		Short: "Check a node's readiness endpoint: CRITICAL when not ready, UNKNOWN when unreachable",
		Long: `GET the URL: a 2xx answer is OK, any other answer CRITICAL (with the first
line of its body), no answer UNKNOWN. Suits Docker's HEALTHCHECK too:
intelstream check ready --url http://127.0.0.1:9100/readyz`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if url == "" {
				return unknown(w, "READY", errors.New("give --url"))
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return unknown(w, "READY", err)
			}
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return unknown(w, "READY", err)
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			took := time.Since(start)
			res := &checkResult{name: "READY", perf: []string{fmt.Sprintf("time=%.6fs", took.Seconds())}}
			first := strings.TrimSpace(strings.SplitN(string(body), "\n", 2)[0])
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				msg := "not ready: " + resp.Status
				if first != "" {
					msg += ": " + first
				}
				res.raise(stateCritical, msg)
			} else {
				res.summary = "ready (" + resp.Status + ")"
			}
			return res.print(w)
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the readiness endpoint, e.g. http://127.0.0.1:9100/readyz")
	f.DurationVar(&timeout, "timeout", 5*time.Second, "UNKNOWN when no answer came in this long")
	return cmd
}
