// Package logging makes the command's slog loggers: text or JSON lines to
// standard error, a file or syslog (the local daemon, or RFC 5424 over UDP
// or TCP), with a Control that changes the level and the destination while
// the process runs (the control API's job).
//
//	log, ctl, err := logging.New(logging.Options{Format: "json", Output: "syslog://127.0.0.1:514"})
//	...
//	ctl.SetLevel(slog.LevelDebug)
//	err = ctl.SetOutput("file:/var/log/intelstream/parse.log")
package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Options configure New.
type Options struct {
	// Format is "text" (default) or "json".
	Format string
	// Output is where lines go (see SetOutput): "stderr" (default),
	// "stdout", "file:PATH", "syslog", "syslog://HOST:PORT" (UDP),
	// "syslog+tcp://HOST:PORT" or "syslog+unix://PATH".
	Output string
	// Level is the initial level (default info).
	Level slog.Level
	// Stderr replaces the process's standard error (tests, cobra's
	// ErrOrStderr).
	Stderr io.Writer
	// AppName names the program in syslog messages (default
	// "intelstream").
	AppName string
}

// Control changes a logger's level and destination at run time. It is
// safe for concurrent use.
type Control struct {
	opts  Options
	level slog.LevelVar
	mu    sync.Mutex // serializes SetOutput and Close
	cur   atomic.Pointer[output]
	gen   atomic.Uint64
}

// output is one destination with the handler that formats for it.
type output struct {
	name    string
	h       slog.Handler
	gen     uint64
	w       *destWriter
	leveled bool // the writer needs each record's level (syslog)
}

// New returns a logger writing as opts say and its Control.
func New(opts Options) (*slog.Logger, *Control, error) {
	if opts.Format == "" {
		opts.Format = "text"
	}
	if opts.Format != "text" && opts.Format != "json" {
		return nil, nil, fmt.Errorf("log format %q: want text or json", opts.Format)
	}
	if opts.Output == "" {
		opts.Output = "stderr"
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.AppName == "" {
		opts.AppName = "intelstream"
	}
	c := &Control{opts: opts}
	c.level.Set(opts.Level)
	if err := c.SetOutput(opts.Output); err != nil {
		return nil, nil, err
	}
	return slog.New(&handler{c: c}), c, nil
}

// SetLevel sets the lowest level logged.
func (c *Control) SetLevel(l slog.Level) { c.level.Set(l) }

// Level returns the lowest level logged.
func (c *Control) Level() slog.Level { return c.level.Level() }

// Output returns the current destination, as SetOutput took it.
func (c *Control) Output() string { return c.cur.Load().name }

// SetOutput sends the following lines to dest: "stderr", "stdout",
// "file:PATH" (appended to), "syslog" (the local daemon, via log/syslog),
// "syslog://HOST:PORT" (RFC 5424 over UDP), "syslog+tcp://HOST:PORT"
// (RFC 5424, octet-counted frames, RFC 6587) or "syslog+unix://PATH" (RFC
// 5424 datagrams on a Unix socket). The old destination is closed once the
// new one is open; on error the old one stays.
func (c *Control) SetOutput(dest string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, leveled, err := c.open(dest)
	if err != nil {
		return err
	}
	hopts := &slog.HandlerOptions{Level: &c.level}
	if leveled {
		// Syslog stamps its own time and severity.
		hopts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
	}
	var h slog.Handler
	if c.opts.Format == "json" {
		h = slog.NewJSONHandler(w, hopts)
	} else {
		h = slog.NewTextHandler(w, hopts)
	}
	out := &output{name: dest, h: h, gen: c.gen.Add(1), w: w, leveled: leveled}
	old := c.cur.Swap(out)
	if old != nil {
		return old.w.close()
	}
	return nil
}

// Close closes the destination (a file or a syslog connection); later
// lines are dropped.
func (c *Control) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if out := c.cur.Load(); out != nil {
		return out.w.close()
	}
	return nil
}

// open opens a destination.
func (c *Control) open(dest string) (*destWriter, bool, error) {
	switch {
	case dest == "stderr":
		return &destWriter{w: c.opts.Stderr}, false, nil
	case dest == "stdout":
		return &destWriter{w: os.Stdout}, false, nil
	case strings.HasPrefix(dest, "file:"):
		path := strings.TrimPrefix(dest, "file:")
		if path == "" {
			return nil, false, errors.New("log output file: no path (file:PATH)")
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, false, fmt.Errorf("log output: %w", err)
		}
		return &destWriter{w: f, closer: f}, false, nil
	case dest == "syslog" || strings.HasPrefix(dest, "syslog://") || strings.HasPrefix(dest, "syslog+"):
		s, err := dialSyslog(dest, c.opts.AppName)
		if err != nil {
			return nil, false, fmt.Errorf("log output %s: %w", dest, err)
		}
		return &destWriter{w: s, closer: s, leveled: s}, true, nil
	}
	return nil, false, fmt.Errorf("log output %q: want stderr, stdout, file:PATH, syslog, syslog://HOST:PORT, syslog+tcp://HOST:PORT or syslog+unix://PATH", dest)
}

// destWriter guards a destination's writer, so that a line written while
// the destination is being replaced goes out whole or not at all.
type destWriter struct {
	mu      sync.Mutex
	w       io.Writer
	closer  io.Closer
	leveled interface{ setLevel(slog.Level) }
	closed  bool
}

// Write is called by the slog handler inside handle, under d's lock.
func (d *destWriter) Write(p []byte) (int, error) { return d.w.Write(p) }

func (d *destWriter) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.closer == nil {
		d.closed = true
		return nil
	}
	d.closed = true
	return d.closer.Close()
}

// handle formats r with h, which writes to d, under d's lock; it reports
// false when d was closed (replaced) meanwhile.
func (d *destWriter) handle(ctx context.Context, h slog.Handler, r slog.Record) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false, nil
	}
	if d.leveled != nil {
		d.leveled.setLevel(r.Level)
	}
	return true, h.Handle(ctx, r)
}

// handler is the logger's handler: it formats with the Control's current
// output, replaying its own attributes and groups onto it when the output
// changed.
type handler struct {
	c     *Control
	ops   []op // WithAttrs and WithGroup calls, in order
	cache atomic.Pointer[output]
}

type op struct {
	group string
	attrs []slog.Attr
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.c.level.Level() }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	for {
		out := h.c.cur.Load()
		d := h.derive(out)
		written, err := d.w.handle(ctx, d.h, r)
		if written || h.c.cur.Load() == out {
			// Written, or dropped after Close.
			return err
		}
		// The output was replaced while this record waited: write it to
		// the new one.
	}
}

// derive returns out's handler with h's attributes and groups.
func (h *handler) derive(out *output) *output {
	derived := h.cache.Load()
	if derived == nil || derived.gen != out.gen {
		dh := out.h
		for _, o := range h.ops {
			if o.group != "" {
				dh = dh.WithGroup(o.group)
			} else {
				dh = dh.WithAttrs(o.attrs)
			}
		}
		derived = &output{name: out.name, h: dh, gen: out.gen, w: out.w, leveled: out.leveled}
		h.cache.Store(derived)
	}
	return derived
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &handler{c: h.c, ops: append(h.ops[:len(h.ops):len(h.ops)], op{attrs: attrs})}
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{c: h.c, ops: append(h.ops[:len(h.ops):len(h.ops)], op{group: name})}
}
