package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"

	_ "github.com/intelstream/intelstream/examples/idea-export/ideaexport" // the IDEA export topology
	_ "github.com/intelstream/intelstream/examples/quickstart/quickstart"  // the quickstart topology
	"github.com/intelstream/intelstream/internal/logging"
	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/topology/config"
	"github.com/intelstream/intelstream/transport"
)

// clusterFlags say where topologies run.
type clusterFlags struct {
	brokers, registry           string
	saslMech, saslUser, saslPwd string
	tlsCA, tlsCert, tlsKey      string
	tlsInsecure                 bool
	partitions                  int32
	hooks                       []kgo.Hook
	clientHooks                 func(string) []kgo.Hook
}

func (f *clusterFlags) add(cmd *cobra.Command) {
	p := cmd.Flags()
	p.StringVar(&f.brokers, "brokers", os.Getenv("INTELSTREAM_BROKERS"), "Kafka bootstrap brokers, comma separated; none starts an embedded broker and registry ($INTELSTREAM_BROKERS)")
	p.StringVar(&f.registry, "registry", os.Getenv("INTELSTREAM_REGISTRY"), "schema registry URL, with --brokers ($INTELSTREAM_REGISTRY)")
	f.addSecurity(cmd)
	p.Int32Var(&f.partitions, "partitions", 3, "partitions of the topics the run creates")
}

// addSecurity adds the flags of the connection's TLS and SASL.
func (f *clusterFlags) addSecurity(cmd *cobra.Command) {
	p := cmd.Flags()
	p.StringVar(&f.saslMech, "sasl-mechanism", "", "SASL mechanism: plain, scram-sha-256 or scram-sha-512")
	p.StringVar(&f.saslUser, "sasl-user", os.Getenv("INTELSTREAM_SASL_USER"), "SASL user ($INTELSTREAM_SASL_USER)")
	p.StringVar(&f.saslPwd, "sasl-password", os.Getenv("INTELSTREAM_SASL_PASSWORD"), "SASL password ($INTELSTREAM_SASL_PASSWORD)")
	p.StringVar(&f.tlsCA, "tls-ca", "", "PEM file of the CA(s) to trust for TLS to the brokers and the registry")
	p.StringVar(&f.tlsCert, "tls-cert", "", "PEM client certificate for TLS")
	p.StringVar(&f.tlsKey, "tls-key", "", "PEM client key for TLS")
	p.BoolVar(&f.tlsInsecure, "tls-insecure", false, "use TLS without verifying certificates (tests only)")
}

// config is the runner's configuration of the flags.
func (f *clusterFlags) config(log *slog.Logger) runner.Config {
	var brokers []string
	if f.brokers != "" {
		brokers = strings.Split(f.brokers, ",")
	}
	return runner.Config{Brokers: brokers, Registry: f.registry, SASLMechanism: f.saslMech,
		SASLUser: f.saslUser, SASLPassword: f.saslPwd, TLSCA: f.tlsCA, TLSCert: f.tlsCert, TLSKey: f.tlsKey,
		TLSInsecure: f.tlsInsecure, Partitions: f.partitions, Logger: log, Hooks: f.hooks, ClientHooks: f.clientHooks}
}

func (f *clusterFlags) connect(ctx context.Context, log *slog.Logger) (*runner.Env, error) {
	return runner.Connect(ctx, f.config(log))
}

// connectExisting connects to given brokers only: tools that inspect
// topics have nothing to look at in a fresh embedded broker.
func (f *clusterFlags) connectExisting(ctx context.Context) (*runner.Env, error) {
	if f.brokers == "" {
		return nil, errors.New("give --brokers and --registry (an embedded broker of another process keeps its data in its memory)")
	}
	return f.connect(ctx, slog.New(slog.DiscardHandler))
}

// parseSets turns NAME=VALUE flags into a map.
func parseSets(sets []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want NAME=VALUE", s)
		}
		out[k] = v
	}
	return out, nil
}

func newRunCmd() *cobra.Command {
	var (
		cf          clusterFlags
		nodes, sets []string
		exactlyOnce bool
		metricsAddr string
		untilIdle   time.Duration
		logLevel    string
		logFormat   string
		logOutput   string
		stateDir    string
		memState    bool
		shutdown    time.Duration
		apiFlags    apiFlags
		configPath  string
	)
	cmd := &cobra.Command{
		Use:   "run [TOPOLOGY | -c FILE]",
		Short: "Run a topology, or some of its nodes (--node), on Kafka or the embedded broker",
		Long: `Run a named topology (see intelstream describe) until SIGINT or SIGTERM. On
the signal every node finishes the batch it holds, commits and leaves its
consumer group; a restart resumes from the committed offsets.

With no --brokers an embedded broker and schema registry start in this
process (data lives in memory). With --node the command runs only the named
nodes, so that each node can run in its own process or container against a
shared broker (intelstream broker runs one for a single machine).

With -c FILE the topology comes from a YAML topology file (see
examples/config); --set NODE.PARAM=VALUE overrides a node's parameter, and
the file's run settings apply where no flag is given.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: want debug, info, warn or error", logLevel)
			}
			if shutdown < 0 {
				return fmt.Errorf("--shutdown-timeout %v: want 0 or more", shutdown)
			}
			log, logControl, err := logging.New(logging.Options{Format: logFormat, Output: logOutput, Level: level, Stderr: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			defer logControl.Close()
			t, file, err := loadTopology(configPath, args, sets)
			if err != nil {
				return err
			}
			if file != nil {
				if !cmd.Flags().Changed("partitions") && file.Run.Partitions > 0 {
					cf.partitions = file.Run.Partitions
				}
				exactlyOnce = exactlyOnce || file.Run.ExactlyOnce
				memState = memState || file.Run.MemoryState
				if stateDir == "" {
					stateDir = file.Run.StateDir
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			reg := prometheus.NewRegistry()
			// The Kafka clients' own metrics: franz-go's kprom, one
			// Metrics per client (it keeps per-client state), told apart
			// by a client label.
			var clients atomic.Int64
			cf.clientHooks = func(id string) []kgo.Hook {
				label := fmt.Sprintf("%s#%d", id, clients.Add(1))
				return []kgo.Hook{kprom.NewMetrics("intelstream_kafka", kprom.Registerer(reg),
					kprom.WithStaticLabel(prometheus.Labels{"client": label}))}
			}
			env, err := cf.connect(ctx, log)
			if err != nil {
				return err
			}
			defer env.Close()
			opts := append(env.RunOptions(), topology.WithLogger(log), topology.WithPartitions(cf.partitions, 1), topology.OnlyNodes(nodes...))
			if exactlyOnce {
				opts = append(opts, topology.ExactlyOnce())
			}
			if stateDir != "" {
				opts = append(opts, topology.WithStateDir(stateDir))
			}
			if memState {
				opts = append(opts, topology.WithMemoryState())
			}
			opts = append(opts, topology.WithShutdownTimeout(shutdown))
			metrics, err := topology.NewMetrics(t, reg)
			if err != nil {
				return err
			}
			opts = append(opts, topology.WithHooks(metrics))
			apiOpts, apiClose, err := apiFlags.serve(ctx, t, env, reg, log, logControl)
			if err != nil {
				return err
			}
			defer apiClose()
			opts = append(opts, apiOpts...)
			if metricsAddr != "" {
				ln, err := net.Listen("tcp", metricsAddr)
				if err != nil {
					return fmt.Errorf("--metrics-addr: %w", err)
				}
				srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
				go func() { _ = srv.Serve(ln) }()
				defer srv.Close()
				log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
			}
			if untilIdle > 0 {
				idle := &idleHook{}
				opts = append(opts, topology.WithHooks(idle))
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
				go idle.watch(ctx, untilIdle, cancel)
			}
			err = t.Run(ctx, opts...)
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			return err
		},
	}
	cf.add(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&nodes, "node", nil, "run only this node (repeatable)")
	f.StringArrayVar(&sets, "set", nil, "a topology parameter NAME=VALUE, or NODE.PARAM=VALUE with -c (repeatable; see intelstream describe)")
	f.StringVarP(&configPath, "config", "c", "", "run the topology of this YAML topology file")
	f.BoolVar(&exactlyOnce, "exactly-once", false, "commit every node's input offsets and outputs in one Kafka transaction")
	apiFlags.add(f)
	f.StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus metrics at this address, e.g. 127.0.0.1:9100")
	f.DurationVar(&untilIdle, "until-idle", 0, "stop once records flowed and then nothing happened for this long (for demos and batch runs)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "text or json")
	f.StringVar(&logOutput, "log-output", "stderr", "stderr, stdout, file:PATH, syslog (the local daemon), syslog://HOST:PORT (RFC 5424 over UDP), syslog+tcp://HOST:PORT or syslog+unix://PATH")
	f.StringVar(&stateDir, "state-dir", os.Getenv("INTELSTREAM_STATE_DIR"), "where nodes with tables keep their local stores (default: intelstream/state in the user cache directory; $INTELSTREAM_STATE_DIR)")
	f.BoolVar(&memState, "memory-state", false, "keep tables' local stores in memory (restored from the changelogs at every start)")
	f.DurationVar(&shutdown, "shutdown-timeout", topology.DefaultShutdownTimeout, "how long a stopping node waits at most for its last batch to be acknowledged and committed (what is not comes again after a restart); 0: up to 2 minutes")
	return cmd
}

// loadTopology builds the topology of a file (configPath) or the named
// one (args[0]), with the --set values, and validates it.
func loadTopology(configPath string, args, sets []string) (*topology.Topology, *config.File, error) {
	if configPath != "" {
		if len(args) > 0 {
			return nil, nil, fmt.Errorf("give a topology name or -c FILE, not both")
		}
		var opts []config.Option
		for _, s := range sets {
			k, v, ok := strings.Cut(s, "=")
			node, param, dotted := strings.Cut(k, ".")
			if !ok || !dotted || node == "" || param == "" {
				return nil, nil, fmt.Errorf("--set %q: want NODE.PARAM=VALUE with -c", s)
			}
			opts = append(opts, config.Set(node, param, v))
		}
		f, err := config.Load(configPath, opts...)
		if err != nil {
			return nil, nil, err
		}
		return f.Topology, f, nil
	}
	if len(args) == 0 {
		return nil, nil, errors.New("give a topology name (see intelstream describe) or -c FILE")
	}
	params, err := parseSets(sets)
	if err != nil {
		return nil, nil, err
	}
	t, err := topology.Build(args[0], params)
	if err != nil {
		return nil, nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, nil, err
	}
	return t, nil, nil
}

// idleHook notices when a run has gone quiet.
type idleHook struct {
	last atomic.Int64 // unix nanos of the last activity; 0 before any
}

func (h *idleHook) OnCommitted(string, int) { h.last.Store(time.Now().UnixNano()) }

func (h *idleHook) OnRecordProduced(string, *transport.Record) { h.last.Store(time.Now().UnixNano()) }

func (h *idleHook) watch(ctx context.Context, idle time.Duration, stop func()) {
	tick := time.NewTicker(idle / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if last := h.last.Load(); last != 0 && time.Since(time.Unix(0, last)) >= idle {
				stop()
				return
			}
		}
	}
}

func newDescribeCmd() *cobra.Command {
	var format, configPath string
	var sets []string
	cmd := &cobra.Command{
		Use:   "describe [TOPOLOGY | -c FILE]",
		Short: "Show a topology as Mermaid, Graphviz DOT or JSON (no argument: list the topologies)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && configPath == "" {
				for _, d := range topology.Defined() {
					fmt.Fprintf(cmd.OutOrStdout(), "%-16s %s\n", d.Name, d.Doc)
				}
				return nil
			}
			t, _, err := loadTopology(configPath, args, sets)
			if err != nil {
				return err
			}
			d := t.Describe()
			switch format {
			case "mermaid":
				fmt.Fprint(cmd.OutOrStdout(), d.Mermaid())
			case "dot":
				fmt.Fprint(cmd.OutOrStdout(), d.DOT())
			case "json":
				fmt.Fprint(cmd.OutOrStdout(), d.JSON())
			default:
				return fmt.Errorf("--format %q: want mermaid, dot or json", format)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "mermaid", "mermaid, dot or json")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a topology parameter NAME=VALUE, or NODE.PARAM=VALUE with -c")
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "describe the topology of this YAML topology file")
	return cmd
}

func newDLQCmd() *cobra.Command {
	var cf clusterFlags
	var idle time.Duration
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Inspect and replay dead-letter topics",
	}
	list := &cobra.Command{
		Use:   "list TOPIC",
		Short: "Print the records of a dead-letter topic with their reason and origin (JSON lines)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := cf.connectExisting(cmd.Context())
			if err != nil {
				return err
			}
			defer env.Close()
			dead, err := topology.ReadDeadLetters(cmd.Context(), env.Transport, args[0], idle)
			if err != nil {
				return err
			}
			for _, d := range dead {
				if err := writeJSON(cmd.OutOrStdout(), map[string]any{
					"reason": d.Reason, "node": d.Node, "topic": d.Topic, "partition": d.Partition, "offset": d.Offset,
					"time": d.Time, "key": string(d.Record.Key), "value": d.Record.Value,
				}); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d dead letters in %s\n", len(dead), args[0])
			return nil
		},
	}
	replay := &cobra.Command{
		Use:   "replay TOPIC",
		Short: "Send the records of a dead-letter topic back to where they failed (once each)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := cf.connectExisting(cmd.Context())
			if err != nil {
				return err
			}
			defer env.Close()
			n, err := topology.ReplayDeadLetters(cmd.Context(), env.Transport, args[0], idle)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "replayed %d records from %s\n", n, args[0])
			return nil
		},
	}
	for _, c := range []*cobra.Command{list, replay} {
		cf.add(c)
		c.Flags().DurationVar(&idle, "idle", 2*time.Second, "stop reading when nothing arrived for this long")
		cmd.AddCommand(c)
	}
	return cmd
}
