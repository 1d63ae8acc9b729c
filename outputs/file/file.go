// Package file is the file output: events as JSON lines, in IntelMQ's flat
// form (what IntelMQ's file output writes) or DHO's, to a file or stdout.
package file

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "file-output"

// Spec is the node spec of the file output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Appends events as JSON lines to a file (or stdout), synced to disk after every batch.",
	IntelMQ: "intelmq.bots.outputs.file.output",
	Params: []topology.Param{
		{Name: "path", Type: topology.ParamString, Default: "-", IntelMQ: "file", Doc: "File to append to; - for standard output."},
		{Name: "format", Type: topology.ParamString, Default: "intelmq", Enum: []string{"intelmq", "dho"}, Doc: "Flat form: intelmq (what IntelMQ bots read) or dho (every DHO field under its own name)."},
		{Name: "with_type", Type: topology.ParamBool, Default: false, Doc: "Write the __type key, as IntelMQ's pipeline messages carry it."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output writes JSON lines.
type Output struct {
	mu   sync.Mutex
	w    io.Writer
	f    *os.File // nil for stdout or a caller's writer
	opts dho.FlatOptions
	buf  []byte
}

// New opens the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	opts := dho.FlatOptions{OmitType: !p.Bool("with_type")}
	if p.String("format") == "dho" {
		opts.Mode = dho.FlatDHO
	}
	if path := p.String("path"); path != "-" && path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Name, err)
		}
		return &Output{w: f, f: f, opts: opts}, nil
	}
	return &Output{w: os.Stdout, opts: opts}, nil
}

// NewWriter returns an output that writes to w (for tests and embedding).
func NewWriter(w io.Writer, opts dho.FlatOptions) *Output { return &Output{w: w, opts: opts} }

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Write appends the batch and, for a file, syncs it: the runtime commits
// the batch's offsets only after Write returned.
func (o *Output) Write(_ context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = o.buf[:0]
	for _, e := range batch {
		o.buf = e.AppendFlat(o.buf, o.opts)
		o.buf = append(o.buf, '\n')
	}
	if _, err := o.w.Write(o.buf); err != nil {
		return topology.Transient(err)
	}
	if o.f != nil {
		if err := o.f.Sync(); err != nil {
			return topology.Transient(err)
		}
	}
	return nil
}

// Close closes the file.
func (o *Output) Close() error {
	if o.f != nil {
		return o.f.Close()
	}
	return nil
}
