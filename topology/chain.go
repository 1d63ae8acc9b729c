package topology

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"
)

// Then chains two processors into one node: what first emits is processed
// by second at once, in the same node, so the pair costs one hop (one
// topic, one encode and decode, one commit) instead of two. A parser, the
// taxonomy expert and a deduplicator fused this way need markedly less CPU
// per event than three nodes (see docs/scaling.md); the price is that the
// parts scale, restart and are observed together. Chain more with
// Then(Then(a, b), c).
//
// The chain keeps what its parts declare: their tables (names must differ
// between the parts), side outputs, Tick (first's ticked outputs go through
// second), Reload, Close, and a spec whose fields are first's requirements
// plus what second needs beyond first's products. Every record first emits
// for one input has that input's InputOffset: a processor that tells
// replays by it (the deduplicator) takes two equal events from one input
// record for a replay, so behind a parser it lets repeats within one report
// pass (repeats across reports are dropped).
func Then[A, B, C Record](first Processor[A, B], second Processor[B, C]) Processor[A, C] {
	return &chained[A, B, C]{first: first, second: second}
}

type chained[A, B, C Record] struct {
	first  Processor[A, B]
	second Processor[B, C]
}

// Process runs first on in and second on each of first's outputs.
func (c *chained[A, B, C]) Process(ctx context.Context, in *A, emit func(*C)) error {
	var err error
	ferr := c.first.Process(ctx, in, func(b *B) {
		if err == nil {
			err = c.second.Process(ctx, b, emit)
		}
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// Tables returns both parts' tables.
func (c *chained[A, B, C]) Tables() []TableRef {
	var out []TableRef
	for _, p := range []any{c.first, c.second} {
		if s, ok := p.(Stateful); ok {
			out = append(out, s.Tables()...)
		}
	}
	return out
}

// SideOutputs returns both parts' side outputs.
func (c *chained[A, B, C]) SideOutputs() []string {
	var out []string
	for _, p := range []any{c.first, c.second} {
		if s, ok := p.(SideOutputs); ok {
			for _, name := range s.SideOutputs() {
				if !slices.Contains(out, name) {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

// Tick ticks both parts; what first emits on its tick goes through second.
func (c *chained[A, B, C]) Tick(ctx context.Context, now time.Time, emit func(*C)) error {
	if t, ok := c.first.(Ticker[B]); ok {
		var err error
		terr := t.Tick(ctx, now, func(b *B) {
			if err == nil {
				err = c.second.Process(ctx, b, emit)
			}
		})
		if terr != nil {
			return terr
		}
		if err != nil {
			return err
		}
	}
	if t, ok := c.second.(Ticker[C]); ok {
		return t.Tick(ctx, now, emit)
	}
	return nil
}

// Reload reloads the parts that can.
func (c *chained[A, B, C]) Reload(ctx context.Context) error {
	var errs []error
	for _, p := range []any{c.first, c.second} {
		if r, ok := p.(Reloader); ok {
			errs = append(errs, r.Reload(ctx))
		}
	}
	return errors.Join(errs...)
}

// Close closes the parts that hold resources.
func (c *chained[A, B, C]) Close() error {
	var errs []error
	for _, p := range []any{c.first, c.second} {
		if cl, ok := p.(io.Closer); ok {
			errs = append(errs, cl.Close())
		}
	}
	return errors.Join(errs...)
}

// Spec describes the chain: the first part's kind (a parser chain stays a
// parser), the parts' names joined by "+", first's requirements plus what
// second needs that first does not produce, and both parts' products.
func (c *chained[A, B, C]) Spec() Spec {
	var fs, ss Spec
	if s, ok := c.first.(Specced); ok {
		fs = s.Spec()
	}
	if s, ok := c.second.(Specced); ok {
		ss = s.Spec()
	}
	kind := fs.Kind
	if kind == "" {
		kind = defaultKind[A, C]()
	}
	spec := Spec{Name: fs.Name + "+" + ss.Name, Kind: kind, Doc: "a chain of " + fs.Name + " and " + ss.Name + " in one node",
		Requires: slices.Clone(fs.Requires), Produces: slices.Clone(fs.Produces)}
	for _, f := range ss.Requires {
		if !slices.Contains(fs.Produces, f) && !slices.Contains(spec.Requires, f) {
			spec.Requires = append(spec.Requires, f)
		}
	}
	for _, f := range ss.Produces {
		if !slices.Contains(spec.Produces, f) {
			spec.Produces = append(spec.Produces, f)
		}
	}
	return spec
}
