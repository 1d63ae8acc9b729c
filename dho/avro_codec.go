package dho

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
)

// Avro binary encoding of Events and Reports, driven by the field table.
//
// Records have no framing in Avro's binary encoding, so a record is the
// sequence of its leaves in schema order: the encoder walks a flat list of
// fields compiled once from the schema tree. The decoder is compiled per
// writer schema: for the current schema it reads every leaf straight into the
// struct; for another schema (an older or newer DHO version, or a schema a
// platform registered) it resolves the writer's fields against ours by dotted
// name, as Avro's schema resolution does: fields we lack are skipped, fields
// the writer lacks stay unset, numbers are promoted (int → long → double),
// string and bytes convert. Schemas are parsed with hamba/avro.
//
// Avro decoding does not sanitize (the schema already typed the values, and
// speed matters on every hop); call Validate on data from untrusted writers.

// avroLeaves are the fields in Avro binary order, per record kind.
var (
	avroLeavesOnce sync.Once
	avroLeaves     [2][]*Field
	currentReaders [2]*AvroDecoder
	avroInitErr    error
)

func initAvro() {
	avroLeavesOnce.Do(func() {
		for k := range recs {
			kind := recKind(k)
			var walk func(n *avroNode)
			walk = func(n *avroNode) {
				for _, c := range n.children {
					if c.f != nil {
						avroLeaves[kind] = append(avroLeaves[kind], c.f)
					} else {
						walk(c)
					}
				}
			}
			walk(avroTree(recs[kind].fields))
			d, err := newAvroDecoder(kind, avroSchema(kind, ""))
			if err != nil {
				avroInitErr = err
				return
			}
			currentReaders[kind] = d
		}
	})
	if avroInitErr != nil {
		panic("dho: current Avro schema: " + avroInitErr.Error())
	}
}

// AppendAvro appends e in Avro binary encoding with the current schema
// (AvroSchema("")): no framing, no schema id; see package schemas for the
// registry wire format.
func (e *Event) AppendAvro(dst []byte) []byte { return e.view().appendAvro(dst) }

// AppendAvro appends r in Avro binary encoding with the current schema.
func (r *Report) AppendAvro(dst []byte) []byte { return r.view().appendAvro(dst) }

// UnmarshalAvro replaces e with the event in data, written with the current
// schema. Use an AvroDecoder for data written with another schema.
func (e *Event) UnmarshalAvro(data []byte) error {
	initAvro()
	*e = Event{}
	return e.view().decodeAvro(data)
}

// UnmarshalAvro replaces r with the report in data, written with the
// current schema.
func (r *Report) UnmarshalAvro(data []byte) error {
	initAvro()
	*r = Report{}
	return r.view().decodeAvro(data)
}

// decodeAvro reads data written with the current schema: the mirror of
// appendAvro, one switch per leaf (the compiled AvroDecoder handles other
// writer schemas).
func (w view) decodeAvro(data []byte) error {
	r := &avroReader{s: string(data)}
	if err := w.readAvro(r); err != nil {
		return fmt.Errorf("avro %s: %w", strings.ToLower(recs[w.kind].typeName), err)
	}
	if r.i != len(r.s) {
		return fmt.Errorf("avro %s: %d bytes left after the record", strings.ToLower(recs[w.kind].typeName), len(r.s)-r.i)
	}
	return nil
}

// readAvro reads one record of the current schema from r, which may hold
// more after it (a digest's events).
func (w view) readAvro(r *avroReader) error {
	for _, f := range avroLeaves[w.kind] {
		if err := readLeaf(r, w.at(f), f); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// readLeaf reads one leaf of the current schema into p.
func readLeaf(r *avroReader, p slotPtr, f *Field) error {
	switch f.st {
	case stStrings, stInts:
		for {
			n, err := r.count()
			if err != nil || n == 0 {
				return err
			}
			for ; n > 0; n-- {
				if f.st == stStrings {
					v, err := r.str()
					if err != nil {
						return err
					}
					*p.strs() = append(*p.strs(), v)
				} else {
					v, err := r.long()
					if err != nil {
						return err
					}
					*p.is() = append(*p.is(), v)
				}
			}
		}
	case stExtra:
		x, err := readExtraMap(r)
		*p.extra() = x
		return err
	}
	branch, err := r.long()
	if err != nil {
		return err
	}
	switch branch {
	case 0:
		return nil // null
	case 1:
	default:
		return fmt.Errorf("union branch %d of 2", branch)
	}
	switch f.st {
	case stString:
		v, err := r.str()
		*p.str() = v
		return err
	case stInt:
		v, err := r.long()
		*p.i() = &v
		return err
	case stFloat:
		v, err := r.double()
		*p.f() = &v
		return err
	case stBool:
		v, err := r.boolean()
		*p.b() = &v
		return err
	case stTime:
		v, err := r.long()
		t := time.UnixMicro(v).UTC()
		*p.t() = &t
		return err
	case stBytes:
		v, err := r.str()
		if v != "" { // empty data is no data
			*p.raw() = []byte(v)
		}
		return err
	}
	return fmt.Errorf("no Avro reader for %s", f.Name)
}

// readExtraMap reads extra: a map of ExtraValue records.
func readExtraMap(r *avroReader) (Extra, error) {
	var x Extra
	for {
		n, err := r.count()
		if err != nil || n == 0 {
			return x, err
		}
		if x == nil {
			x = make(Extra, n)
		}
		for ; n > 0; n-- {
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			v, err := readExtraValue(r)
			if err != nil {
				return nil, err
			}
			x[k] = v
		}
	}
}

func (w view) appendAvro(dst []byte) []byte {
	initAvro()
	for _, f := range avroLeaves[w.kind] {
		p := w.at(f)
		switch f.st {
		case stString:
			if s := *p.str(); s != "" {
				dst = append(dst, 2) // union branch 1
				dst = appendAvroString(dst, s)
			} else {
				dst = append(dst, 0)
			}
		case stStrings:
			if vs := *p.strs(); len(vs) > 0 {
				dst = binary.AppendVarint(dst, int64(len(vs)))
				for _, s := range vs {
					dst = appendAvroString(dst, s)
				}
			}
			dst = append(dst, 0)
		case stInt:
			if n := *p.i(); n != nil {
				dst = append(dst, 2)
				dst = binary.AppendVarint(dst, *n)
			} else {
				dst = append(dst, 0)
			}
		case stInts:
			if vs := *p.is(); len(vs) > 0 {
				dst = binary.AppendVarint(dst, int64(len(vs)))
				for _, n := range vs {
					dst = binary.AppendVarint(dst, n)
				}
			}
			dst = append(dst, 0)
		case stFloat:
			if x := *p.f(); x != nil {
				dst = append(dst, 2)
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(*x))
			} else {
				dst = append(dst, 0)
			}
		case stBool:
			if b := *p.b(); b != nil {
				dst = append(dst, 2)
				dst = appendAvroBool(dst, *b)
			} else {
				dst = append(dst, 0)
			}
		case stTime:
			if t := *p.t(); t != nil {
				dst = append(dst, 2)
				dst = binary.AppendVarint(dst, t.UnixMicro())
			} else {
				dst = append(dst, 0)
			}
		case stBytes:
			if b := *p.raw(); b != nil {
				dst = append(dst, 2)
				dst = binary.AppendVarint(dst, int64(len(b)))
				dst = append(dst, b...)
			} else {
				dst = append(dst, 0)
			}
		case stExtra:
			x := *p.extra()
			if len(x) > 0 {
				dst = binary.AppendVarint(dst, int64(len(x)))
				for _, k := range x.Keys() {
					dst = appendAvroString(dst, k)
					dst = x[k].appendAvro(dst)
				}
			}
			dst = append(dst, 0)
		}
	}
	return dst
}

func appendAvroString(dst []byte, s string) []byte {
	dst = binary.AppendVarint(dst, int64(len(s)))
	return append(dst, s...)
}

func appendAvroBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// appendAvro writes an ExtraValue record: its union branch and payload.
func (v Value) appendAvro(dst []byte) []byte {
	switch v.kind {
	case KindNull:
		return binary.AppendVarint(dst, xNull)
	case KindBool:
		return appendAvroBool(binary.AppendVarint(dst, xBool), v.num == 1)
	case KindInt:
		if v.str != "" {
			return appendAvroString(binary.AppendVarint(dst, xBigInt), v.str)
		}
		return binary.AppendVarint(binary.AppendVarint(dst, xLong), int64(v.num))
	case KindFloat:
		return binary.LittleEndian.AppendUint64(binary.AppendVarint(dst, xDouble), v.num)
	case KindString:
		return appendAvroString(binary.AppendVarint(dst, xString), v.str)
	case KindList:
		dst = binary.AppendVarint(dst, xArray)
		if len(v.items()) > 0 {
			dst = binary.AppendVarint(dst, int64(len(v.items())))
			for _, e := range v.items() {
				dst = e.appendAvro(dst)
			}
		}
		return append(dst, 0)
	case KindObject:
		dst = binary.AppendVarint(dst, xMap)
		if len(v.members()) > 0 {
			dst = binary.AppendVarint(dst, int64(len(v.members())))
			for _, k := range sortedKeys(v.members()) {
				dst = appendAvroString(dst, k)
				dst = v.members()[k].appendAvro(dst)
			}
		}
		return append(dst, 0)
	}
	return dst
}

// avroReader reads Avro binary data from a string, so that decoded strings
// are substrings of one copy of the input and cost no allocation.
type avroReader struct {
	s string
	i int
}

var errAvroShort = errors.New("avro: data ends early")

func (r *avroReader) long() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.i >= len(r.s) {
			return 0, errAvroShort
		}
		b := r.s[r.i]
		r.i++
		u |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, errors.New("avro: varint longer than 64 bits")
}

func (r *avroReader) count() (int64, error) {
	n, err := r.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		// A negative block count is followed by the block's size in bytes.
		n = -n
		if _, err := r.long(); err != nil {
			return 0, err
		}
	}
	if n > int64(len(r.s)-r.i) {
		return 0, fmt.Errorf("avro: block of %d items in %d bytes", n, len(r.s)-r.i)
	}
	return n, nil
}

func (r *avroReader) str() (string, error) {
	n, err := r.long()
	if err != nil {
		return "", err
	}
	if n < 0 || n > int64(len(r.s)-r.i) {
		return "", fmt.Errorf("avro: string of %d bytes with %d left", n, len(r.s)-r.i)
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s, nil
}

func (r *avroReader) fixed(n int) (string, error) {
	if n > len(r.s)-r.i {
		return "", errAvroShort
	}
	s := r.s[r.i : r.i+n]
	r.i += n
	return s, nil
}

func (r *avroReader) double() (float64, error) {
	s, err := r.fixed(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64([]byte(s))), nil
}

func (r *avroReader) float() (float64, error) {
	s, err := r.fixed(4)
	if err != nil {
		return 0, err
	}
	return float64(math.Float32frombits(binary.LittleEndian.Uint32([]byte(s)))), nil
}

func (r *avroReader) boolean() (bool, error) {
	s, err := r.fixed(1)
	if err != nil {
		return false, err
	}
	switch s[0] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("avro: boolean byte %d", s[0])
}

// AvroDecoder reads Events (or Reports) written with one writer schema into
// the current structs, resolving the writer's fields by dotted name. It is
// safe for concurrent use.
type AvroDecoder struct {
	kind recKind
	ops  []avroOp
}

// avroOp reads one leaf of the writer's schema: into a field, or past it.
type avroOp struct {
	name string
	read func(r *avroReader, v view) error
}

// NewEventAvroDecoder compiles a decoder for Events written with the Avro
// schema writerSchema. It fails when a field the writer has cannot be read
// into the same field of ours (e.g. a string where we keep a number).
func NewEventAvroDecoder(writerSchema string) (*AvroDecoder, error) {
	return newAvroDecoder(recEvent, writerSchema)
}

// NewReportAvroDecoder compiles a decoder for Reports written with writerSchema.
func NewReportAvroDecoder(writerSchema string) (*AvroDecoder, error) {
	return newAvroDecoder(recReport, writerSchema)
}

func newAvroDecoder(kind recKind, writerSchema string) (*AvroDecoder, error) {
	s, err := avro.ParseWithCache(writerSchema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("writer schema: %w", err)
	}
	rec, ok := derefSchema(s).(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("writer schema is a %s, not a record", s.Type())
	}
	d := &AvroDecoder{kind: kind}
	if err := d.compileRecord(rec, ""); err != nil {
		return nil, err
	}
	return d, nil
}

func derefSchema(s avro.Schema) avro.Schema {
	if ref, ok := s.(*avro.RefSchema); ok {
		return ref.Schema()
	}
	return s
}

func (d *AvroDecoder) compileRecord(rec *avro.RecordSchema, prefix string) error {
	for _, wf := range rec.Fields() {
		name := prefix + wf.Name()
		ws := derefSchema(wf.Type())
		if sub, ok := ws.(*avro.RecordSchema); ok {
			if err := d.compileRecord(sub, name+"."); err != nil {
				return err
			}
			continue
		}
		f := recs[d.kind].byName[name]
		if f == nil {
			skip, err := compileSkip(ws, 0)
			if err != nil {
				return fmt.Errorf("writer field %s: %w", name, err)
			}
			d.ops = append(d.ops, avroOp{name: name, read: func(r *avroReader, _ view) error { return skip(r) }})
			continue
		}
		read, err := compileField(ws, f)
		if err != nil {
			return fmt.Errorf("writer field %s: %w", name, err)
		}
		d.ops = append(d.ops, avroOp{name: name, read: read})
	}
	return nil
}

// DecodeEvent replaces e with the event in data.
func (d *AvroDecoder) DecodeEvent(data []byte, e *Event) error {
	if d.kind != recEvent {
		return errors.New("avro: this decoder reads reports, not events")
	}
	*e = Event{}
	return d.decode(data, e.view())
}

// DecodeReport replaces r with the report in data.
func (d *AvroDecoder) DecodeReport(data []byte, r *Report) error {
	if d.kind != recReport {
		return errors.New("avro: this decoder reads events, not reports")
	}
	*r = Report{}
	return d.decode(data, r.view())
}

func (d *AvroDecoder) decode(data []byte, v view) error {
	r := &avroReader{s: string(data)}
	for _, op := range d.ops {
		if err := op.read(r, v); err != nil {
			return fmt.Errorf("avro %s: %s: %w", strings.ToLower(recs[d.kind].typeName), op.name, err)
		}
	}
	if r.i != len(r.s) {
		return fmt.Errorf("avro %s: %d bytes left after the record", strings.ToLower(recs[d.kind].typeName), len(r.s)-r.i)
	}
	return nil
}

// valueReader reads one writer value and stores it (appending for
// multi-valued fields).
type valueReader func(r *avroReader, p slotPtr) error

// compileField compiles the reader of a leaf the writer and we both have.
func compileField(ws avro.Schema, f *Field) (func(*avroReader, view) error, error) {
	if f.st == stExtra {
		read, err := compileExtraMap(ws)
		if err != nil {
			return nil, err
		}
		return func(r *avroReader, v view) error {
			x, err := read(r)
			if err != nil {
				return err
			}
			*v.at(f).extra() = x
			return nil
		}, nil
	}
	read, err := compileLeaf(ws, f, true)
	if err != nil {
		return nil, err
	}
	return func(r *avroReader, v view) error { return read(r, v.at(f)) }, nil
}

// compileLeaf compiles the reader of a writer type into field f. top allows
// an array (a multi-valued field's list) at this level.
func compileLeaf(ws avro.Schema, f *Field, top bool) (valueReader, error) {
	switch s := ws.(type) {
	case *avro.UnionSchema:
		branches := make([]valueReader, len(s.Types()))
		for i, b := range s.Types() {
			b = derefSchema(b)
			if b.Type() == avro.Null {
				continue
			}
			br, err := compileLeaf(b, f, false)
			if err != nil {
				return nil, err
			}
			branches[i] = br
		}
		return func(r *avroReader, p slotPtr) error {
			idx, err := r.long()
			if err != nil {
				return err
			}
			if idx < 0 || idx >= int64(len(branches)) {
				return fmt.Errorf("union branch %d of %d", idx, len(branches))
			}
			if branches[idx] == nil {
				return nil // null
			}
			return branches[idx](r, p)
		}, nil
	case *avro.ArraySchema:
		if !top || !f.Multi {
			return nil, fmt.Errorf("a list cannot be read into %s, which holds one value", f.Name)
		}
		item, err := compileLeaf(derefSchema(s.Items()), f, false)
		if err != nil {
			return nil, err
		}
		return func(r *avroReader, p slotPtr) error {
			for {
				n, err := r.count()
				if err != nil || n == 0 {
					return err
				}
				for ; n > 0; n-- {
					if err := item(r, p); err != nil {
						return err
					}
				}
			}
		}, nil
	case *avro.PrimitiveSchema:
		return compilePrimitive(s, f)
	}
	return nil, fmt.Errorf("a %s cannot be read into %s (%s)", ws.Type(), f.Name, f.Type)
}

func compilePrimitive(s *avro.PrimitiveSchema, f *Field) (valueReader, error) {
	logical := ""
	if l := s.Logical(); l != nil {
		logical = string(l.Type())
	}
	cannot := fmt.Errorf("a %s cannot be read into %s (%s)", s.Type(), f.Name, f.Type)
	switch f.st {
	case stString, stStrings:
		if s.Type() != avro.String && s.Type() != avro.Bytes {
			return nil, cannot
		}
		return func(r *avroReader, p slotPtr) error {
			v, err := r.str()
			if err != nil {
				return err
			}
			if f.st == stString {
				*p.str() = v
			} else {
				*p.strs() = append(*p.strs(), v)
			}
			return nil
		}, nil
	case stBytes:
		if s.Type() != avro.String && s.Type() != avro.Bytes {
			return nil, cannot
		}
		return func(r *avroReader, p slotPtr) error {
			v, err := r.str()
			if v != "" { // empty data is no data
				*p.raw() = []byte(v)
			}
			return err
		}, nil
	case stInt, stInts:
		if (s.Type() != avro.Long && s.Type() != avro.Int) || logical != "" {
			return nil, cannot
		}
		return func(r *avroReader, p slotPtr) error {
			n, err := r.long()
			if err != nil {
				return err
			}
			if f.st == stInt {
				*p.i() = &n
			} else {
				*p.is() = append(*p.is(), n)
			}
			return nil
		}, nil
	case stFloat:
		switch s.Type() {
		case avro.Double, avro.Float, avro.Long, avro.Int:
		default:
			return nil, cannot
		}
		typ := s.Type()
		return func(r *avroReader, p slotPtr) error {
			var x float64
			var err error
			switch typ {
			case avro.Double:
				x, err = r.double()
			case avro.Float:
				x, err = r.float()
			default:
				var n int64
				n, err = r.long()
				x = float64(n)
			}
			*p.f() = &x
			return err
		}, nil
	case stBool:
		if s.Type() != avro.Boolean {
			return nil, cannot
		}
		return func(r *avroReader, p slotPtr) error {
			b, err := r.boolean()
			*p.b() = &b
			return err
		}, nil
	case stTime:
		if s.Type() != avro.Long || (logical != "timestamp-micros" && logical != "timestamp-millis") {
			return nil, fmt.Errorf("%s needs a long with logical type timestamp-micros or timestamp-millis, not %s %s", f.Name, s.Type(), logical)
		}
		millis := logical == "timestamp-millis"
		return func(r *avroReader, p slotPtr) error {
			n, err := r.long()
			var t time.Time
			if millis {
				t = time.UnixMilli(n).UTC()
			} else {
				t = time.UnixMicro(n).UTC()
			}
			*p.t() = &t
			return err
		}, nil
	}
	return nil, cannot
}

// compileExtraMap compiles the reader of extra: a map whose values are
// ExtraValue records (a record with one union field).
func compileExtraMap(ws avro.Schema) (func(*avroReader) (Extra, error), error) {
	m, ok := ws.(*avro.MapSchema)
	if !ok {
		return nil, fmt.Errorf("extra must be a map, not a %s", ws.Type())
	}
	if _, err := compileExtraValue(derefSchema(m.Values())); err != nil {
		return nil, err
	}
	return readExtraMap, nil
}

// compileExtraValue checks that the writer's ExtraValue has our shape; the
// reader itself is written by hand because the type is recursive.
func compileExtraValue(ws avro.Schema) (func(*avroReader) (Value, error), error) {
	rec, ok := ws.(*avro.RecordSchema)
	if !ok || len(rec.Fields()) != 1 {
		return nil, fmt.Errorf("extra values must be ExtraValue records")
	}
	u, ok := derefSchema(rec.Fields()[0].Type()).(*avro.UnionSchema)
	want := []avro.Type{avro.Null, avro.Boolean, avro.Long, avro.Double, avro.String, avro.Array, avro.Map, avro.Record}
	if !ok || len(u.Types()) != len(want) {
		return nil, fmt.Errorf("extra values must be ExtraValue records with the union %v", want)
	}
	for i, t := range u.Types() {
		if derefSchema(t).Type() != want[i] {
			return nil, fmt.Errorf("ExtraValue union branch %d is %s, want %s", i, derefSchema(t).Type(), want[i])
		}
	}
	return readExtraValue, nil
}

const maxAvroDepth = 512

func readExtraValue(r *avroReader) (Value, error) { return readExtraValueDepth(r, 0) }

func readExtraValueDepth(r *avroReader, depth int) (Value, error) {
	if depth > maxAvroDepth {
		return Value{}, fmt.Errorf("extra value nested deeper than %d levels", maxAvroDepth)
	}
	idx, err := r.long()
	if err != nil {
		return Value{}, err
	}
	switch idx {
	case xNull:
		return Null(), nil
	case xBool:
		b, err := r.boolean()
		return Bool(b), err
	case xLong:
		n, err := r.long()
		return Int(n), err
	case xDouble:
		x, err := r.double()
		return Float(x), err
	case xString:
		s, err := r.str()
		return String(s), err
	case xBigInt:
		s, err := r.str()
		if err != nil {
			return Value{}, err
		}
		return BigInt(s)
	case xArray:
		list := []Value{}
		for {
			n, err := r.count()
			if err != nil {
				return Value{}, err
			}
			if n == 0 {
				return List(list...), nil
			}
			for ; n > 0; n-- {
				v, err := readExtraValueDepth(r, depth+1)
				if err != nil {
					return Value{}, err
				}
				list = append(list, v)
			}
		}
	case xMap:
		m := map[string]Value{}
		for {
			n, err := r.count()
			if err != nil {
				return Value{}, err
			}
			if n == 0 {
				return Object(m), nil
			}
			for ; n > 0; n-- {
				k, err := r.str()
				if err != nil {
					return Value{}, err
				}
				v, err := readExtraValueDepth(r, depth+1)
				if err != nil {
					return Value{}, err
				}
				m[k] = v
			}
		}
	}
	return Value{}, fmt.Errorf("ExtraValue union branch %d", idx)
}

// compileSkip compiles a skipper for a writer value we do not keep.
func compileSkip(ws avro.Schema, depth int) (func(*avroReader) error, error) {
	if depth > maxAvroDepth {
		return nil, errors.New("schema nested too deep")
	}
	ws = derefSchema(ws)
	switch s := ws.(type) {
	case *avro.NullSchema:
		return func(*avroReader) error { return nil }, nil
	case *avro.PrimitiveSchema:
		switch s.Type() {
		case avro.Null:
			return func(*avroReader) error { return nil }, nil
		case avro.Boolean:
			return func(r *avroReader) error { _, err := r.fixed(1); return err }, nil
		case avro.Int, avro.Long:
			return func(r *avroReader) error { _, err := r.long(); return err }, nil
		case avro.Float:
			return func(r *avroReader) error { _, err := r.fixed(4); return err }, nil
		case avro.Double:
			return func(r *avroReader) error { _, err := r.fixed(8); return err }, nil
		case avro.String, avro.Bytes:
			return func(r *avroReader) error { _, err := r.str(); return err }, nil
		}
	case *avro.FixedSchema:
		size := s.Size()
		return func(r *avroReader) error { _, err := r.fixed(size); return err }, nil
	case *avro.EnumSchema:
		return func(r *avroReader) error { _, err := r.long(); return err }, nil
	case *avro.UnionSchema:
		// Branches are compiled lazily: a union may refer to a record
		// that contains it (recursive types).
		return func(r *avroReader) error {
			idx, err := r.long()
			if err != nil {
				return err
			}
			if idx < 0 || idx >= int64(len(s.Types())) {
				return fmt.Errorf("union branch %d of %d", idx, len(s.Types()))
			}
			skip, err := compileSkip(s.Types()[idx], depth+1)
			if err != nil {
				return err
			}
			return skip(r)
		}, nil
	case *avro.ArraySchema, *avro.MapSchema:
		isMap := ws.Type() == avro.Map
		var inner avro.Schema
		if a, ok := s.(*avro.ArraySchema); ok {
			inner = a.Items()
		} else {
			inner = s.(*avro.MapSchema).Values()
		}
		return func(r *avroReader) error {
			skip, err := compileSkip(inner, depth+1)
			if err != nil {
				return err
			}
			for {
				n, err := r.count()
				if err != nil || n == 0 {
					return err
				}
				for ; n > 0; n-- {
					if isMap {
						if _, err := r.str(); err != nil {
							return err
						}
					}
					if err := skip(r); err != nil {
						return err
					}
				}
			}
		}, nil
	case *avro.RecordSchema:
		return func(r *avroReader) error {
			for _, f := range s.Fields() {
				skip, err := compileSkip(f.Type(), depth+1)
				if err != nil {
					return err
				}
				if err := skip(r); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("cannot skip a %s", ws.Type())
}
