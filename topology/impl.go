package topology

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/transport"
)

// nodeImpl is the typed loop of one node kind.
type nodeImpl interface {
	run(ctx context.Context, rt *nodeRuntime) error
}

// decode reads a wire-format record into a new T.
func decode[T Record](ctx context.Context, rt *nodeRuntime, b []byte) (*T, error) {
	v := new(T)
	return v, decodeInto(ctx, rt, b, v)
}

// decodeInto reads a wire-format record into v, replacing what v held.
func decodeInto[T Record](ctx context.Context, rt *nodeRuntime, b []byte, v *T) error {
	switch p := any(v).(type) {
	case *dho.Event:
		return rt.serde.DecodeEvent(ctx, b, p)
	case *dho.Report:
		return rt.serde.DecodeReport(ctx, b, p)
	case *dho.Digest:
		return rt.serde.DecodeDigest(ctx, b, p)
	}
	return nil
}

// encode writes v in the wire format with the schema id of output port
// port. The buffer starts at the size of the node's last output (plus a
// quarter), so that an output usually needs one allocation and no copies.
func encode[T Record](rt *nodeRuntime, v *T, port int) []byte {
	id := rt.ids[port]
	var b []byte
	switch p := any(v).(type) {
	case *dho.Event:
		// An event gets its id when it is first produced; it keeps it on
		// every later hop.
		p.EnsureID()
		b = schemas.AppendEvent(rt.encodeBuf(512), id, p)
	case *dho.Report:
		b = schemas.AppendReport(rt.encodeBuf(512), id, p)
	case *dho.Digest:
		// A digest gets its id when it is first produced, as events do.
		if p.ID == "" {
			p.ID = dho.NewID()
		}
		b = schemas.AppendDigest(rt.encodeBuf(512*(1+len(p.Events))), id, p)
	default:
		panic("topology: unknown record type")
	}
	rt.encodeSize.Store(int64(len(b)))
	return b
}

// encodeBuf returns an empty buffer for the node's next output: room for
// the last output's size and a quarter more, at least min.
func (rt *nodeRuntime) encodeBuf(min int) []byte {
	n := int(rt.encodeSize.Load())
	return make([]byte, 0, max(n+n/4, min))
}

// keyOf returns the key of an output record: the node's KeyBy, or by
// default the input's key; records without an input (collectors) and
// parser outputs get a key of their own (feed name, source IP) so that
// related records share a partition.
func keyOf[T Record](rt *nodeRuntime, v *T, inKey []byte, fresh bool) []byte {
	if fn, ok := rt.n.opts.key.(func(*T) []byte); ok {
		return fn(v)
	}
	if !fresh && inKey != nil {
		return inKey
	}
	switch p := any(v).(type) {
	case *dho.Event:
		if len(p.Source.IP) > 0 {
			return []byte(p.Source.IP[0])
		}
		if p.ID != "" {
			return []byte(p.ID)
		}
	case *dho.Report:
		if p.Feed.Name != "" {
			return []byte(p.Feed.Name)
		}
	case *dho.Digest:
		if p.Recipient != "" {
			return []byte(p.Recipient)
		}
	}
	return nil
}

type sourceImpl[T Record] struct{ c Collector[T] }

func (s sourceImpl[T]) run(ctx context.Context, rt *nodeRuntime) error {
	if dir := rt.collectorStateDir; dir != "" {
		ctx = context.WithValue(ctx, stateDirKey{}, dir)
	}
	emit := func(v *T) error {
		if !rt.waitResumed(ctx) { // paused by a Controller
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rt.produce(ctx, 0, keyOf(rt, v, nil, true), encode(rt, v, 0), nil)
		return nil
	}
	flush := func(fctx context.Context) error {
		if err := rt.producer.Flush(fctx); err != nil {
			return err
		}
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return rt.produceErr
	}
	err := s.c.Run(context.WithValue(ctx, flushKey{}, flush), emit)
	if ferr := rt.finish(nil); ferr != nil {
		return ferr
	}
	if err != nil && ctx.Err() == nil {
		return err
	}
	// A collector that is done leaves the node idle, not the topology.
	<-ctx.Done()
	return nil
}

// encodedOut is an output encoded for the producer.
type encodedOut struct{ key, value []byte }

type mapImpl[In, Out Record] struct {
	p Processor[In, Out]
	b BatchProcessor[In, Out]
}

func (m mapImpl[In, Out]) run(ctx context.Context, rt *nodeRuntime) error {
	fresh := typeName[In]() != typeName[Out]()
	var outs []*Out
	collect := func(o *Out) { outs = append(outs, o) }
	// One input value for the whole loop: a record is decoded into it,
	// processed, and its outputs encoded before the next one comes, so a
	// Processor must copy what it keeps beyond Process (see Processor).
	in := new(In)
	var cur *transport.Record
	// A batch, once polled, is processed to the end even when the node is
	// asked to stop (ctx done), so that it can be committed: work is ctx
	// without its cancellation. Only waiting (polling, retry backoff)
	// watches ctx.
	work := context.WithoutCancel(ctx)
	pctx := rt.withFailer(work, &cur)
	ticker, _ := m.p.(Ticker[Out])
	var lastTick time.Time
	// A Recycler's outputs are encoded as they are emitted and handed back
	// at once, so that it reuses one output after another, and a report's
	// events wait for their commit as Avro rather than as events.
	var ready []encodedOut
	if recycler, ok := m.p.(Recycler[Out]); ok {
		collect = func(o *Out) {
			ready = append(ready, encodedOut{keyOf(rt, o, cur.Key, fresh), encode(rt, o, 0)})
			if any(o) != any(in) { // a processor that broke the rule loses nothing
				recycler.Recycle(o)
			}
		}
	}
	if rt.state != nil {
		pctx = context.WithValue(context.WithValue(pctx, stateKey{}, rt.state), inputKey{}, &cur)
	}
	if len(rt.n.sideOutputs()) > 0 {
		pctx = rt.withDiverter(pctx, &cur)
	}
	for {
		recs, ok, err := rt.poll(ctx)
		if err != nil || !ok {
			return err
		}
		if rt.state != nil {
			if err := rt.state.sync(work); err != nil {
				return err
			}
		}
		if m.b != nil {
			for chunk := range slices.Chunk(recs, rt.batchSize) {
				if stopping := m.runBatch(ctx, rt, chunk, fresh); stopping {
					return nil
				}
			}
		} else {
			for _, r := range recs {
				var start time.Time
				if len(rt.hooks.processed) > 0 {
					start = time.Now()
				}
				cur = r
				if rt.state != nil {
					if err := rt.state.enter(work, r.Partition); err != nil {
						return err
					}
				}
				if err := decodeInto(work, rt, r.Value, in); err != nil {
					rt.dead(work, r, fmt.Errorf("decoding: %w", err))
					continue
				}
				err := rt.retry(ctx, func() error {
					outs, ready = outs[:0], ready[:0]
					return m.p.Process(pctx, in, collect)
				})
				if errors.Is(err, errStopping) {
					return nil // uncommitted: the batch comes again
				}
				if err != nil {
					rt.dead(work, r, err)
					continue
				}
				for _, o := range outs {
					rt.produce(work, 0, keyOf(rt, o, r.Key, fresh), encode(rt, o, 0), nil)
				}
				for _, e := range ready {
					rt.produce(work, 0, e.key, e.value, nil)
				}
				for _, h := range rt.hooks.processed {
					h.OnRecordProcessed(rt.n.name, r, len(outs)+len(ready), time.Since(start))
				}
				clear(ready) // the producer holds them now
			}
		}
		if ticker != nil && time.Since(lastTick) >= rt.tick {
			lastTick = time.Now()
			cur = nil // Tick has no input record
			if err := m.tick(ctx, pctx, rt, ticker, lastTick); err != nil {
				return err
			}
		}
		if err := rt.finish(recs); err != nil {
			return err
		}
	}
}

// tick calls the processor's Tick for every partition the node owns and
// produces what it emits.
func (m mapImpl[In, Out]) tick(ctx, pctx context.Context, rt *nodeRuntime, ticker Ticker[Out], now time.Time) error {
	for _, p := range rt.state.partitions() {
		if err := rt.state.enter(pctx, p); err != nil {
			return err
		}
		var outs []*Out
		err := rt.retry(ctx, func() error {
			outs = outs[:0]
			return ticker.Tick(pctx, now, func(o *Out) { outs = append(outs, o) })
		})
		if errors.Is(err, errStopping) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tick of partition %d: %w", p, err)
		}
		for _, o := range outs {
			rt.produce(pctx, 0, keyOf[Out](rt, o, nil, true), encode(rt, o, 0), nil)
		}
	}
	return nil
}

// runBatch processes one polled batch with a BatchProcessor; it reports
// whether the node is stopping (the batch then stays uncommitted).
func (m mapImpl[In, Out]) runBatch(ctx context.Context, rt *nodeRuntime, recs []*transport.Record, fresh bool) (stopping bool) {
	work := context.WithoutCancel(ctx)
	ins := make([]*In, 0, len(recs))
	kept := make([]*transport.Record, 0, len(recs))
	for _, r := range recs {
		in, err := decode[In](work, rt, r.Value)
		if err != nil {
			rt.dead(work, r, fmt.Errorf("decoding: %w", err))
			continue
		}
		ins, kept = append(ins, in), append(kept, r)
	}
	if len(ins) == 0 {
		return false
	}
	var outs []*Out
	err := rt.retry(ctx, func() error {
		outs = outs[:0]
		return m.b.ProcessBatch(work, ins, func(o *Out) { outs = append(outs, o) })
	})
	if errors.Is(err, errStopping) {
		return true
	}
	if err != nil {
		for _, r := range kept {
			rt.dead(work, r, err)
		}
		return false
	}
	for _, o := range outs {
		rt.produce(work, 0, keyOf[Out](rt, o, nil, true), encode(rt, o, 0), nil)
	}
	return false
}

type routeImpl[T Record] struct{ routes []Route[T] }

func (ri routeImpl[T]) run(ctx context.Context, rt *nodeRuntime) error {
	work := context.WithoutCancel(ctx) // see mapImpl.run
	in := new(T)
	for {
		recs, ok, err := rt.poll(ctx)
		if err != nil || !ok {
			return err
		}
		for _, r := range recs {
			if err := decodeInto(work, rt, r.Value, in); err != nil {
				rt.dead(work, r, fmt.Errorf("decoding: %w", err))
				continue
			}
			port := len(ri.routes) // default
			for i, route := range ri.routes {
				if route.Match(in) {
					port = i
					break
				}
			}
			// Re-encoded rather than passed on as it came: the input may
			// have been written with another schema than the output's.
			rt.produce(work, port, r.Key, encode(rt, in, port), r.Headers)
		}
		if err := rt.finish(recs); err != nil {
			return err
		}
	}
}

type sinkImpl[T Record] struct{ o Output[T] }

func (s sinkImpl[T]) run(ctx context.Context, rt *nodeRuntime) error {
	for {
		recs, ok, err := rt.poll(ctx)
		if err != nil || !ok {
			return err
		}
		values := make([]T, len(recs)) // one allocation per poll
		for chunk := range slices.Chunk(recs, rt.batchSize) {
			if stopping := s.write(ctx, rt, chunk, values[:len(chunk)]); stopping {
				return nil // uncommitted: the records come again
			}
			values = values[len(chunk):]
		}
		if err := rt.finish(recs); err != nil {
			return err
		}
	}
}

// write decodes recs into values and writes them as one batch; failures go
// to the dead-letter topic. It reports whether the node is stopping.
func (s sinkImpl[T]) write(ctx context.Context, rt *nodeRuntime, recs []*transport.Record, values []T) (stopping bool) {
	work := context.WithoutCancel(ctx)
	batch := make([]*T, 0, len(recs))
	kept := make([]*transport.Record, 0, len(recs))
	for i, r := range recs {
		if err := decodeInto(work, rt, r.Value, &values[i]); err != nil {
			rt.dead(work, r, fmt.Errorf("decoding: %w", err))
			continue
		}
		batch, kept = append(batch, &values[i]), append(kept, r)
	}
	if len(batch) == 0 {
		return false
	}
	start := time.Now()
	err := rt.retry(ctx, func() error { return s.o.Write(work, batch) })
	if errors.Is(err, errStopping) {
		return true
	}
	var perr *PartialError
	if errors.As(err, &perr) {
		for i, ferr := range perr.Failed {
			if i >= 0 && i < len(kept) {
				rt.dead(work, kept[i], ferr)
			}
		}
	} else if err != nil {
		for _, r := range kept {
			rt.dead(work, r, err)
		}
	}
	for _, r := range kept {
		for _, h := range rt.hooks.processed {
			h.OnRecordProcessed(rt.n.name, r, 0, time.Since(start))
		}
	}
	return false
}

func (s sourceImpl[T]) processor() any { return s.c }
func (s sinkImpl[T]) processor() any   { return s.o }
func (m mapImpl[In, Out]) processor() any {
	if m.b != nil {
		return m.b
	}
	return m.p
}
