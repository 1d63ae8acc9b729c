// Package redis is the Redis list collector: it takes raw data from a
// Redis list and turns every item into a report whose raw is the item.
//
// IntelMQ has no Redis collector; its Redis output (LPUSH onto
// redis_queue) is the natural producer, so this collector takes that
// output's parameter names and reads the list from the other end (RPOP
// side): items come out in the order they were pushed.
//
// Delivery is at least once. Each item is moved atomically (BLMOVE, Redis
// 6.2 or later) into an in-progress list, emitted, and removed from the
// in-progress list only once topology.Flush returned, i.e. once the
// reports are in intelstream's broker. When the collector starts (and
// after a Redis failure) it moves what the in-progress list still holds
// back to the queue, in order, so that a crash between emitting and
// flushing delivers those items again rather than losing them. The
// in-progress list belongs to one collector: two collectors of one queue
// need two in-progress lists.
package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "redis-collector"

// Spec is the node spec of the Redis list collector.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindCollector,
	Doc: "Takes items from a Redis list (the other end of IntelMQ's Redis output: LPUSH in, taken from the right): one report per non-empty item (raw). " +
		"Items are moved (BLMOVE, Redis >= 6.2) into an in-progress list and removed from it once their reports are acknowledged by intelstream's broker; " +
		"on start, leftovers of the in-progress list go back to the queue (at least once).",
	Params: slices.Concat([]topology.Param{
		{Name: "redis_server_ip", Type: topology.ParamString, Default: "127.0.0.1", Doc: "The Redis server's host."},
		{Name: "redis_server_port", Type: topology.ParamInt, Default: 6379, Doc: "The Redis server's port."},
		{Name: "redis_db", Type: topology.ParamInt, Default: 2, Doc: "The database number (IntelMQ's Redis output default: 2)."},
		{Name: "redis_password", Type: topology.ParamString, Doc: "The password (AUTH), if any."},
		{Name: "redis_username", Type: topology.ParamString, Doc: "The ACL user name (Redis 6), with redis_password."},
		{Name: "redis_queue", Type: topology.ParamString, Required: true, Doc: "The list to take items from."},
		{Name: "redis_inprogress_queue", Type: topology.ParamString, Doc: "The in-progress list of this collector (default: redis_queue + \":intelstream-in-progress\")."},
		{Name: "redis_timeout", Type: topology.ParamInt, Default: 5000, Doc: "Connection and socket timeout in milliseconds (as IntelMQ's Redis output)."},
		{Name: "redis_ssl", Type: topology.ParamBool, Default: false, Doc: "Connect with TLS."},
		{Name: "batch_size", Type: topology.ParamInt, Default: 100, Doc: "The most items emitted before one Flush and removal from the in-progress list."},
		{Name: "reconnect_delay", Type: topology.ParamDuration, Default: "1s", Doc: "The wait after a Redis failure; doubled after each further one, up to reconnect_max_delay."},
		{Name: "reconnect_max_delay", Type: topology.ParamDuration, Default: "1m", Doc: "The longest wait after a Redis failure."},
	}, feed.Params()),
	Produces: feed.Produces,
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector takes items of a Redis list into reports.
type Collector struct {
	opts            *goredis.Options
	queue, progress string
	batch           int
	delay, maxDelay time.Duration
	// wait is how long one BLMOVE blocks (so that Run sees ctx end).
	wait      time.Duration
	feed      *feed.Fields
	log       *slog.Logger
	customLog bool
	now       func() time.Time
}

// New returns a collector from validated parameters.
func New(p topology.Params) (*Collector, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	c := &Collector{
		queue: p.String("redis_queue"), progress: p.String("redis_inprogress_queue"),
		batch: int(p.Int("batch_size")), delay: p.Duration("reconnect_delay"), maxDelay: p.Duration("reconnect_max_delay"),
		wait: time.Second, now: time.Now, log: slog.Default().With("node", Name),
	}
	host := strings.TrimSpace(p.String("redis_server_ip"))
	if host == "" || strings.ContainsAny(host, "/ ") {
		return nil, bad("redis_server_ip", fmt.Errorf("%q is not a host", host))
	}
	port := p.Int("redis_server_port")
	if port < 1 || port > 65535 {
		return nil, bad("redis_server_port", fmt.Errorf("%d is not a port", port))
	}
	db := p.Int("redis_db")
	if db < 0 {
		return nil, bad("redis_db", fmt.Errorf("%d is negative", db))
	}
	if c.queue == "" {
		return nil, bad("redis_queue", errors.New("empty"))
	}
	if c.progress == "" {
		c.progress = c.queue + ":intelstream-in-progress"
	}
	if c.progress == c.queue {
		return nil, bad("redis_inprogress_queue", errors.New("the same list as redis_queue"))
	}
	timeout := time.Duration(p.Int("redis_timeout")) * time.Millisecond
	if timeout <= 0 {
		return nil, bad("redis_timeout", fmt.Errorf("%d is not positive", p.Int("redis_timeout")))
	}
	if c.batch < 1 {
		return nil, bad("batch_size", fmt.Errorf("%d is not positive", c.batch))
	}
	if c.delay <= 0 {
		return nil, bad("reconnect_delay", fmt.Errorf("%v is not positive", c.delay))
	}
	c.maxDelay = max(c.maxDelay, c.delay)
	c.opts = &goredis.Options{
		Addr:         net.JoinHostPort(host, strconv.FormatInt(port, 10)),
		Username:     p.String("redis_username"),
		Password:     p.String("redis_password"),
		DB:           int(db),
		DialTimeout:  timeout,
		ReadTimeout:  timeout,
		WriteTimeout: timeout,
		MaxRetries:   -1, // Run retries, after moving leftovers back
		PoolSize:     1,
		// Run retries with its own backoff.
		DialerRetries: 1,
	}
	if p.Bool("redis_ssl") {
		c.opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	}
	var err error
	if c.feed, err = feed.New(Name, p); err != nil {
		return nil, err
	}
	return c, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", Name)
	c.customLog = true
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return Spec }

// emitError carries an error of emit or Flush, which ends Run.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }

// Run takes items until ctx ends (nil) or emit fails (its error). Redis
// failures are logged and retried with backoff.
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx) // it names the node already
	}
	cl := goredis.NewClient(c.opts)
	defer cl.Close()
	delay := c.delay
	for {
		n, err := c.session(ctx, cl, emit)
		if ctx.Err() != nil {
			return nil
		}
		var ee *emitError
		if errors.As(err, &ee) {
			return ee.err
		}
		if n > 0 {
			delay = c.delay
		}
		c.log.Warn("Redis failed, retrying", "addr", c.opts.Addr, "queue", c.queue, "err", err, "items", n, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, c.maxDelay)
	}
}

// session moves the leftovers of the in-progress list back, then takes
// batches until ctx ends or something fails. It returns the number of
// items done (flushed and removed).
func (c *Collector) session(ctx context.Context, cl *goredis.Client, emit func(*dho.Report) error) (int, error) {
	if n, err := c.restore(ctx, cl); err != nil {
		return 0, err
	} else if n > 0 {
		c.log.Info("items of an earlier run put back into the queue", "queue", c.queue, "in_progress", c.progress, "items", n)
	}
	c.log.Info("reading list", "addr", c.opts.Addr, "db", c.opts.DB, "queue", c.queue)
	done := 0
	for {
		// Block for the first item of a batch, then take what is there.
		item, err := cl.BLMove(ctx, c.queue, c.progress, "RIGHT", "LEFT", c.wait).Result()
		if ctx.Err() != nil {
			return done, nil
		}
		if errors.Is(err, goredis.Nil) {
			continue
		}
		if err != nil {
			return done, err
		}
		k := 0
		for {
			k++
			if item != "" {
				r, err := c.feed.Report([]byte(item), c.now())
				if err == nil {
					err = emit(r)
				}
				if err != nil {
					return done, &emitError{err}
				}
			}
			if k >= c.batch {
				break
			}
			item, err = cl.LMove(ctx, c.queue, c.progress, "RIGHT", "LEFT").Result()
			if errors.Is(err, goredis.Nil) {
				break
			}
			if err != nil {
				return done, err
			}
		}
		if ctx.Err() != nil {
			return done, nil // stopping: the batch is put back on the next start
		}
		if err := topology.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return done, nil
			}
			return done, &emitError{fmt.Errorf("%s: flush: %w", Name, err)}
		}
		// The batch is the k oldest items, at the right end.
		if err := cl.LTrim(ctx, c.progress, 0, int64(-k-1)).Err(); err != nil {
			return done, err
		}
		done += k
	}
}

// restore moves the in-progress list back to the queue's right end,
// oldest item last, so that the items come out again in their order.
func (c *Collector) restore(ctx context.Context, cl *goredis.Client) (int, error) {
	n := 0
	for {
		err := cl.LMove(ctx, c.progress, c.queue, "LEFT", "RIGHT").Err()
		if errors.Is(err, goredis.Nil) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
