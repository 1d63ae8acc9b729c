// Package redis is the Redis list output, IntelMQ compatible: events as
// IntelMQ JSON (flat or hierarchical, with or without __type) pushed with
// LPUSH onto a list, where an IntelMQ bot, or anything reading the list
// from its right end, takes them.
package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "redis-output"

// Spec is the node spec of the Redis output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Pushes events as IntelMQ JSON onto a Redis list (LPUSH, a batch in one command), as IntelMQ's Redis output does.",
	IntelMQ: "intelmq.bots.outputs.redis.output",
	Params: []topology.Param{
		{Name: "redis_server_ip", Type: topology.ParamString, Default: "127.0.0.1", Doc: "Redis host."},
		{Name: "redis_server_port", Type: topology.ParamInt, Default: 6379, Doc: "Redis port."},
		{Name: "redis_db", Type: topology.ParamInt, Default: 2, Doc: "Database number."},
		{Name: "redis_password", Type: topology.ParamString, Default: "", Doc: "Password; empty for none."},
		{Name: "redis_queue", Type: topology.ParamString, Required: true, Doc: "The list to push onto."},
		{Name: "redis_timeout", Type: topology.ParamInt, Default: 5000, Doc: "Connect, read and write timeout in milliseconds."},
		{Name: "hierarchical_output", Type: topology.ParamBool, Default: false, Doc: "Nest the JSON by its dots ({\"source\": {\"ip\": ...}})."},
		{Name: "with_type", Type: topology.ParamBool, Default: true, Doc: "Write the __type key (\"Event\"), as IntelMQ's pipeline messages carry it."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output pushes events onto a Redis list.
type Output struct {
	client       *goredis.Client
	queue        string
	opts         dho.FlatOptions
	hierarchical bool
}

// New builds the output from validated parameters; it connects lazily.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	host := strings.TrimSpace(p.String("redis_server_ip"))
	if host == "" || strings.ContainsAny(host, "/ ") {
		return nil, bad("redis_server_ip", fmt.Errorf("%q is not a host", host))
	}
	port := p.Int("redis_server_port")
	if port < 1 || port > 65535 {
		return nil, bad("redis_server_port", fmt.Errorf("%d is not a port", port))
	}
	if db := p.Int("redis_db"); db < 0 {
		return nil, bad("redis_db", fmt.Errorf("%d is negative", db))
	}
	if p.String("redis_queue") == "" {
		return nil, bad("redis_queue", errors.New("empty"))
	}
	timeout := time.Duration(p.Int("redis_timeout")) * time.Millisecond
	if timeout <= 0 {
		return nil, bad("redis_timeout", fmt.Errorf("%d is not positive", p.Int("redis_timeout")))
	}
	client := goredis.NewClient(&goredis.Options{
		Addr: net.JoinHostPort(host, strconv.FormatInt(port, 10)), DB: int(p.Int("redis_db")), Password: p.String("redis_password"),
		DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout, MaxRetries: -1, // the runtime retries
	})
	return &Output{client: client, queue: p.String("redis_queue"), opts: dho.FlatOptions{OmitType: !p.Bool("with_type")}, hierarchical: p.Bool("hierarchical_output")}, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close closes the connections.
func (o *Output) Close() error { return o.client.Close() }

// Write pushes the batch in one LPUSH (atomic: all or none), in batch
// order, so a reader popping from the right gets them in order.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	values := make([]any, len(batch))
	for i, e := range batch {
		b := e.AppendFlat(nil, o.opts)
		if o.hierarchical {
			var err error
			if b, err = outkit.Nest(b); err != nil {
				return err
			}
		}
		values[i] = b
	}
	if err := o.client.LPush(ctx, o.queue, values...).Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var rerr goredis.Error
		if errors.As(err, &rerr) && !strings.HasPrefix(rerr.Error(), "LOADING") && !strings.HasPrefix(rerr.Error(), "BUSY") &&
			!strings.HasPrefix(rerr.Error(), "MASTERDOWN") && !strings.HasPrefix(rerr.Error(), "TRYAGAIN") && !strings.HasPrefix(rerr.Error(), "OOM") {
			return err // WRONGTYPE, NOAUTH, ...: no retry mends them
		}
		return topology.Transient(err)
	}
	return nil
}

var _ topology.Output[dho.Event] = (*Output)(nil)
