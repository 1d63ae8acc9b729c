// Package file is the file output: events as JSON lines, in IntelMQ's flat
// form (what IntelMQ's file output writes) or DHO's, to a file or stdout;
// files rotate by size or age and may be gzip or zstd compressed (each
// batch one complete compressed member, so the file is readable, with
// zcat or zstdcat, after every batch). A path holding {group} writes one
// file per event group (the grouping expert's group field).
package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "file-output"

// Spec is the node spec of the file output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Appends events as JSON lines to a file (or stdout), synced to disk after every batch; rotates by size or age, gzip or zstd compressed.",
	IntelMQ: "intelmq.bots.outputs.file.output",
	Params: []topology.Param{
		{Name: "path", Type: topology.ParamString, Default: "-", IntelMQ: "file", Doc: "File to append to; - for standard output. {group} in the path makes one file per event group (the group field, with characters other than letters, digits, '.', '-' and '_' as '_'; events without a group go to \"ungrouped\")."},
		{Name: "format", Type: topology.ParamString, Default: "intelmq", Enum: []string{"intelmq", "dho"}, Doc: "Flat form: intelmq (what IntelMQ bots read) or dho (every DHO field under its own name)."},
		{Name: "with_type", Type: topology.ParamBool, Default: false, Doc: "Write the __type key, as IntelMQ's pipeline messages carry it."},
		{Name: "rotate_size", Type: topology.ParamInt, Default: 0, Doc: "Rotate the file before it would grow past this many bytes (as written, compressed or not); 0 never."},
		{Name: "rotate_interval", Type: topology.ParamDuration, Default: "0s", Doc: "Rotate the file once it is this old (e.g. 24h); 0 never."},
		{Name: "compress", Type: topology.ParamString, Default: "none", Enum: []string{"none", "gzip", "zstd"}, Doc: "Compress the lines: each batch becomes one gzip member or zstd frame."},
		{Name: "max_files", Type: topology.ParamInt, Default: 0, Doc: "Keep at most this many rotated files, deleting the oldest; 0 keeps all."},
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

	path   string
	comp   compressor // nil for none
	rot    rotation
	size   int64     // bytes in the open file
	opened time.Time // when the open file was started
	now    func() time.Time
	zbuf   bytes.Buffer

	// One file per group when the path has {group}: template is the
	// path, groups the open files, used the order they were last used.
	template string
	params   topology.Params
	groups   map[string]*Output
	used     []string
}

// maxOpenGroups bounds the group files open at once; the least recently
// used is closed (and reopened for appending when its group comes again).
const maxOpenGroups = 128

// New opens the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	opts := dho.FlatOptions{OmitType: !p.Bool("with_type")}
	if p.String("format") == "dho" {
		opts.Mode = dho.FlatDHO
	}
	o := &Output{opts: opts, now: time.Now, comp: newCompressor(p.String("compress")),
		rot: rotation{size: p.Int("rotate_size"), every: p.Duration("rotate_interval"), keep: int(p.Int("max_files"))}}
	switch {
	case o.rot.size < 0:
		return nil, bad("rotate_size", fmt.Errorf("%d is negative", o.rot.size))
	case o.rot.every < 0:
		return nil, bad("rotate_interval", fmt.Errorf("%s is negative", o.rot.every))
	case o.rot.keep < 0:
		return nil, bad("max_files", fmt.Errorf("%d is negative", o.rot.keep))
	}
	path := p.String("path")
	if path == "-" || path == "" {
		if o.rot.enabled() {
			return nil, bad("path", errors.New("standard output cannot rotate; give a file"))
		}
		o.w = os.Stdout
		return o, nil
	}
	if strings.Contains(path, "{group}") {
		o.template, o.params, o.groups = path, p, map[string]*Output{}
		return o, nil
	}
	o.path = path
	if err := o.open(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return o, nil
}

// open opens (or creates) the file at o.path for appending.
func (o *Output) open() error {
	f, err := os.OpenFile(o.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	o.f, o.w, o.size, o.opened = f, f, st.Size(), o.now()
	return nil
}

// NewWriter returns an output that writes to w (for tests and embedding).
func NewWriter(w io.Writer, opts dho.FlatOptions) *Output {
	return &Output{w: w, opts: opts, now: time.Now}
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Write appends the batch (rotating the file first when it is due) and,
// for a file, syncs it: the runtime commits the batch's offsets only after
// Write returned.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.template != "" {
		return o.writeGroups(ctx, batch)
	}
	o.buf = o.buf[:0]
	for _, e := range batch {
		o.buf = e.AppendFlat(o.buf, o.opts)
		o.buf = append(o.buf, '\n')
	}
	data := o.buf
	if o.comp != nil {
		o.zbuf.Reset()
		if err := o.comp.compress(&o.zbuf, o.buf); err != nil {
			return err
		}
		data = o.zbuf.Bytes()
	}
	if o.f != nil && o.rot.due(o.size, int64(len(data)), o.opened, o.now()) {
		if err := o.rotate(); err != nil {
			return topology.Transient(err)
		}
	}
	if o.f == nil && o.path != "" { // a failed rotation left no file open
		if err := o.open(); err != nil {
			return topology.Transient(err)
		}
	}
	if _, err := o.w.Write(data); err != nil {
		return topology.Transient(err)
	}
	o.size += int64(len(data))
	if o.f != nil {
		if err := o.f.Sync(); err != nil {
			return topology.Transient(err)
		}
	}
	return nil
}

// writeGroups writes each group's events to the group's file.
func (o *Output) writeGroups(ctx context.Context, batch []*dho.Event) error {
	byGroup := map[string][]*dho.Event{}
	var order []string
	for _, e := range batch {
		g := groupFileName(e.Group)
		if byGroup[g] == nil {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], e)
	}
	for _, g := range order {
		sub, err := o.group(g)
		if err != nil {
			return err
		}
		if err := sub.Write(ctx, byGroup[g]); err != nil {
			return err
		}
	}
	return nil
}

// group returns the open output of group g, opening it (and closing the
// least recently used beyond maxOpenGroups).
func (o *Output) group(g string) (*Output, error) {
	if i := slices.Index(o.used, g); i >= 0 {
		o.used = append(slices.Delete(o.used, i, i+1), g)
		return o.groups[g], nil
	}
	p := maps.Clone(o.params)
	p["path"] = strings.ReplaceAll(o.template, "{group}", g)
	sub, err := New(p)
	if err != nil {
		return nil, topology.Transient(err)
	}
	sub.now = o.now
	o.groups[g], o.used = sub, append(o.used, g)
	if len(o.used) > maxOpenGroups {
		old := o.used[0]
		o.used = o.used[1:]
		err := o.groups[old].Close()
		delete(o.groups, old)
		if err != nil {
			return nil, topology.Transient(err)
		}
	}
	return sub, nil
}

// groupFileName is a group as a file name part: letters, digits, '.', '-'
// and '_' kept, anything else '_'; "ungrouped" for none.
func groupFileName(g string) string {
	if g == "" {
		return "ungrouped"
	}
	b := []byte(g)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "." && s != ".." {
		return s
	}
	return "_"
}

// Close closes the file (or the group files).
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.template != "" {
		var errs []error
		for g, sub := range o.groups {
			errs = append(errs, sub.Close())
			delete(o.groups, g)
		}
		o.used = nil
		return errors.Join(errs...)
	}
	if o.f != nil {
		err := o.f.Close()
		o.f = nil
		return err
	}
	return nil
}
