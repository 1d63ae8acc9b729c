package transformers

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Decoder converts one foreign JSON record into a DHO event.
type Decoder func(raw []byte, opts ...Option) (*dho.Event, Losses, error)

// Encoder appends one DHO event to dst as one foreign JSON document
// (without a newline).
type Encoder func(dst []byte, e *dho.Event, opts ...Option) ([]byte, Losses, error)

// ParserNode is a parser node: it splits a report into JSON records
// (Records), converts each into a DHO event with decode and emits it. A
// record that cannot be converted (or, in strict mode, would lose
// something) goes to the node's dead-letter topic with the reason and the
// other records go on; a report that is no JSON array at all fails as a
// whole. Each event gets the report's feed fields, time.observation and
// rtir_id where the record did not give them, and the record itself as
// raw, as IntelMQ's parsers do.
func ParserNode(format string, decode Decoder, strict bool) topology.ProcessorFunc[dho.Report, dho.Event] {
	var opts []Option
	if strict {
		opts = append(opts, Strict())
	}
	return func(ctx context.Context, r *dho.Report, emit func(*dho.Event)) error {
		recs, err := Records(r.Raw)
		if err != nil {
			return fmt.Errorf("%s: %w", format, err)
		}
		for _, rec := range recs {
			e, losses, err := decode(rec.Raw, opts...)
			if err != nil {
				topology.Fail(ctx, rec.Raw, fmt.Errorf("%s record %d: %w", format, rec.Line, err))
				continue
			}
			if len(losses) > 0 {
				topology.Logger(ctx).Debug("conversion lost values", "format", format, "record", rec.Line, "losses", losses.String())
			}
			Inherit(e, r)
			e.Raw = append([]byte(nil), rec.Raw...)
			emit(e)
		}
		return nil
	}
}

// Inherit copies the report fields a parser copies into its events
// (feed.*, rtir_id, time.observation) into e where e does not have them.
func Inherit(e *dho.Event, r *dho.Report) {
	r.Range(func(name string, v any) bool {
		if name == "raw" || e.Has(name) {
			return true
		}
		switch name {
		case "feed.accuracy", "feed.code", "feed.documentation", "feed.name", "feed.provider", "feed.url", "rtir_id", "time.observation":
			_ = e.Set(name, v) // the report's values are valid already
		}
		return true
	})
}

// FileOutput writes events as foreign JSON lines to a file (or a caller's
// writer), fsyncing the file before a batch counts as written: the runtime
// commits the batch's offsets only after Write returned. An event that
// cannot be converted (or, in strict mode, would lose something) fails on
// its own (a *topology.PartialError names it) and the rest of the batch is
// written.
type FileOutput struct {
	spec   topology.Spec
	encode Encoder
	opts   []Option
	mu     sync.Mutex
	w      io.Writer
	f      *os.File
	buf    []byte
}

// OpenFileOutput opens path for appending ("-" or "" for standard output).
func OpenFileOutput(spec topology.Spec, path string, encode Encoder, strict bool) (*FileOutput, error) {
	o := &FileOutput{spec: spec, encode: encode, w: os.Stdout}
	if strict {
		o.opts = []Option{Strict()}
	}
	if path != "-" && path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, &topology.ParamError{Node: spec.Name, Param: "path", Err: err}
		}
		o.w, o.f = f, f
	}
	return o, nil
}

// NewFileOutputWriter returns an output that writes to w (for tests and
// embedding); it does not sync.
func NewFileOutputWriter(spec topology.Spec, w io.Writer, encode Encoder, strict bool) *FileOutput {
	o := &FileOutput{spec: spec, encode: encode, w: w}
	if strict {
		o.opts = []Option{Strict()}
	}
	return o
}

// Spec returns the node spec.
func (o *FileOutput) Spec() topology.Spec { return o.spec }

// Write converts and appends the batch, then syncs the file.
func (o *FileOutput) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = o.buf[:0]
	var failed map[int]error
	for i, e := range batch {
		start := len(o.buf)
		var err error
		var losses Losses
		o.buf, losses, err = o.encode(o.buf, e, o.opts...)
		if err != nil {
			o.buf = o.buf[:start]
			if failed == nil {
				failed = map[int]error{}
			}
			failed[i] = err
			continue
		}
		if len(losses) > 0 {
			topology.Logger(ctx).Debug("conversion lost values", "node", o.spec.Name, "id", e.ID, "losses", losses.String())
		}
		o.buf = append(o.buf, '\n')
	}
	if len(o.buf) > 0 {
		if _, err := o.w.Write(o.buf); err != nil {
			return topology.Transient(err)
		}
		if o.f != nil {
			if err := o.f.Sync(); err != nil {
				return topology.Transient(err)
			}
		}
	}
	if failed != nil {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}

// Close closes the file.
func (o *FileOutput) Close() error {
	if o.f != nil {
		return o.f.Close()
	}
	return nil
}
