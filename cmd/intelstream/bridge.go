package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/internal/runner"
	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/amqp"
	"github.com/intelstream/intelstream/transport/intelmqjson"
	"github.com/intelstream/intelstream/transport/intelmqredis"
)

func init() { addCommand(newBridgeCmd) }

// endpoint is one side of a bridge: a transport and the topic on it.
type endpoint struct {
	kind  string // kafka, intelmq-redis, amqp
	topic string
	url   string // the broker's address, without the queue parameter
}

// parseEndpoint reads kafka:TOPIC, intelmq-redis://HOST:PORT/DB?queue=Q
// or amqp://USER:PASSWORD@HOST:PORT/VHOST?queue=Q.
func parseEndpoint(s string) (endpoint, error) {
	if topic, ok := strings.CutPrefix(s, "kafka:"); ok {
		if topic == "" {
			return endpoint{}, fmt.Errorf("endpoint %q: want kafka:TOPIC", s)
		}
		return endpoint{kind: "kafka", topic: topic}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return endpoint{}, fmt.Errorf("endpoint %q: %w", s, err)
	}
	q := u.Query()
	queue := q.Get("queue")
	q.Del("queue")
	u.RawQuery = q.Encode()
	switch u.Scheme {
	case "intelmq-redis", "intelmq-rediss":
		u.Scheme = strings.TrimPrefix(u.Scheme, "intelmq-")
	case "amqp", "amqps":
	default:
		return endpoint{}, fmt.Errorf("endpoint %q: want kafka:TOPIC, intelmq-redis://HOST:PORT/DB?queue=QUEUE or amqp://USER:PASSWORD@HOST:PORT/VHOST?queue=QUEUE", s)
	}
	if queue == "" {
		return endpoint{}, fmt.Errorf("endpoint %q: the queue parameter is missing (?queue=BOT-ID-queue)", s)
	}
	kind := "amqp"
	if u.Scheme == "redis" || u.Scheme == "rediss" {
		kind = "intelmq-redis"
	}
	return endpoint{kind: kind, topic: queue, url: u.String()}, nil
}

func newBridgeCmd() *cobra.Command {
	var (
		cf        clusterFlags
		from, to  string
		group     string
		untilIdle time.Duration
		batch     int
	)
	cmd := &cobra.Command{
		Use:   "bridge --from ENDPOINT --to ENDPOINT",
		Short: "Move IntelMQ messages between IntelMQ's Redis or AMQP queues and Kafka topics",
		Long: `Move messages from one endpoint to another, at least once: a batch is
taken, sent, acknowledged by the destination and only then committed at
the source. Endpoints:

  kafka:TOPIC                                   DHO Avro records in the registry's wire format (--brokers, --registry)
  intelmq-redis://HOST:PORT/DB?queue=QUEUE      IntelMQ's Redis pipeline (IntelMQ uses DB 2; rediss for TLS)
  amqp://USER:PASSWORD@HOST:PORT/VHOST?queue=QUEUE   IntelMQ's AMQP pipeline (RabbitMQ)

An IntelMQ queue holds IntelMQ's JSON messages ("__type" Event or Report).
Between an IntelMQ queue and Kafka every message is decoded, sanitized and
written as DHO Avro (and back); a message that cannot be read stops the
bridge with an error naming the field, and stays in the source queue.
Between two IntelMQ queues messages are copied as they are. Reading from
an IntelMQ queue works as an IntelMQ bot: the message moves into
QUEUE-internal until the destination has it.`,
		Example: `  intelstream bridge --from 'intelmq-redis://127.0.0.1:6379/2?queue=taxonomy-expert-queue' --to kafka:events --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081
  intelstream bridge --from kafka:events --to 'intelmq-redis://127.0.0.1:6379/2?queue=file-output-queue' --brokers ... --registry ...
  intelstream bridge --from 'amqp://guest:guest@127.0.0.1:5672/?queue=deduplicator-expert-queue' --to kafka:events --brokers ... --registry ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := parseEndpoint(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			dst, err := parseEndpoint(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			if group == "" {
				group = "intelstream-bridge." + dst.topic
			}
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			var env *runner.Env
			if src.kind == "kafka" || dst.kind == "kafka" {
				if cf.brokers == "" {
					return errors.New("a kafka endpoint needs --brokers and --registry (an embedded broker would lose the data when the bridge stops)")
				}
				if env, err = cf.connect(ctx, log); err != nil {
					return err
				}
				defer env.Close()
			}
			open := func(e endpoint) (transport.Transport, error) {
				var codec intelmqjson.Codec
				if env != nil {
					codec = intelmqjson.NewAvro(env.Registry)
				}
				switch e.kind {
				case "kafka":
					return env.Transport, nil
				case "intelmq-redis":
					var opts []intelmqredis.Option
					if codec != nil {
						opts = append(opts, intelmqredis.WithCodec(codec))
					}
					return intelmqredis.Dial(ctx, e.url, append(opts, intelmqredis.Logger(log))...)
				default:
					var opts []amqp.Option
					if codec != nil {
						opts = append(opts, amqp.WithCodec(codec))
					}
					return amqp.Dial(e.url, append(opts, amqp.Logger(log))...)
				}
			}
			in, err := open(src)
			if err != nil {
				return err
			}
			if src.kind != "kafka" {
				defer in.Close()
			}
			out, err := open(dst)
			if err != nil {
				return err
			}
			if dst.kind != "kafka" {
				defer out.Close()
			}
			if dst.kind == "kafka" {
				if err := out.CreateTopics(ctx, transport.TopicSpec{Name: dst.topic, Partitions: max(cf.partitions, 1), ReplicationFactor: -1}); err != nil {
					return err
				}
			}
			n, err := bridge(ctx, in, out, src.topic, dst.topic, group, batch, untilIdle)
			fmt.Fprintf(cmd.OutOrStdout(), "%d messages moved from %s to %s\n", n, src.topic, dst.topic)
			return err
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&from, "from", "", "the source endpoint")
	cmd.Flags().StringVar(&to, "to", "", "the destination endpoint")
	cmd.Flags().StringVar(&group, "group", "", "the consumer group at the source (default intelstream-bridge.DESTINATION)")
	cmd.Flags().IntVar(&batch, "batch", 500, "messages moved per batch")
	cmd.Flags().DurationVar(&untilIdle, "until-idle", 0, "stop once no message came for this long (0: run until SIGINT or SIGTERM)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// bridge moves records from topic from on in to topic to on out until ctx
// ends (or nothing came for idle, when idle > 0), and returns how many it
// moved. Each batch is committed at the source only once out acknowledged
// all of it.
func bridge(ctx context.Context, in, out transport.Transport, from, to, group string, batch int, idle time.Duration) (int, error) {
	c, err := in.NewConsumer(transport.ConsumerOptions{Group: group, Topics: []string{from}, MaxPollRecords: batch})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	p, err := out.NewProducer(transport.ProducerOptions{ID: group, MaxBuffered: max(batch, 1)})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	moved := 0
	for {
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if idle > 0 {
			pollCtx, cancel = context.WithTimeout(ctx, idle)
		}
		recs, err := c.Poll(pollCtx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return moved, nil // stopped
			}
			if idle > 0 && errors.Is(err, context.DeadlineExceeded) {
				return moved, nil
			}
			return moved, err
		}
		for _, r := range recs {
			if h, ok := r.Header(intelmqjson.ErrorHeader); ok {
				return moved, fmt.Errorf("a message on %s cannot be read (it stays there): %s", from, h)
			}
		}
		errs := make(chan error, len(recs))
		for _, r := range recs {
			p.Produce(ctx, &transport.Record{Topic: to, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}, func(_ *transport.Record, err error) { errs <- err })
		}
		if err := p.Flush(ctx); err != nil {
			return moved, err
		}
		for range recs {
			if err := <-errs; err != nil {
				return moved, fmt.Errorf("sending to %s: %w", to, err)
			}
		}
		if err := c.Commit(ctx, recs); err != nil {
			return moved, err
		}
		moved += len(recs)
	}
}
