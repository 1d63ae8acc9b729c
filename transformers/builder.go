package transformers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
)

// Builder builds a DHO event from a foreign record, collecting what DHO
// refuses as losses named by the record's key paths.
type Builder struct {
	Event  *dho.Event
	Losses Losses
}

// NewBuilder starts an empty event.
func NewBuilder() Builder { return Builder{Event: &dho.Event{}} }

// Set stores v in the DHO field name (nothing for "" and nil), reporting
// the foreign key path lost with DHO's reason when DHO refuses it.
func (b *Builder) Set(path, name string, v any) bool {
	if v == "" || v == nil {
		return false
	}
	if err := b.Event.Set(name, v); err != nil {
		b.Losses.AddValue(path, fmt.Sprint(v), "is refused by DHO: "+reason(err))
		return false
	}
	return true
}

// Add appends v to the multi-valued DHO field name.
func (b *Builder) Add(path, name string, v any) {
	if err := b.Event.Append(name, v); err != nil {
		b.Losses.AddValue(path, fmt.Sprint(v), "is refused by DHO: "+reason(err))
	}
}

// Once sets a single-valued field from one of several foreign values (the
// AS numbers of several addresses, say): the first is taken, a later one
// that differs is lost.
func (b *Builder) Once(path, name string, v any) {
	if cur, ok := b.Event.Get(name); ok {
		if fmt.Sprint(cur) != fmt.Sprint(v) {
			b.Losses.AddValue(path, fmt.Sprint(v), "differs from the first value; DHO's "+name+" holds one")
		}
		return
	}
	b.Set(path, name, v)
}

// Keep stores a foreign value x (anything that marshals to JSON) in
// extra.<name>, keeping its JSON kinds.
func (b *Builder) Keep(path, name string, x any) {
	v, err := ValueOfGo(x)
	if err == nil {
		err = b.Event.Set("extra."+name, v)
	}
	if err != nil {
		b.Losses.Add(path, "cannot be kept in extra."+name+": "+reason(err))
	}
}

func reason(err error) string {
	if fe, ok := err.(*dho.FieldError); ok && fe.Err != nil {
		return fe.Err.Error()
	}
	return err.Error()
}

// Unmapped reports every field of e that a conversion into format has no
// place for: the fields not in mapped and the extra values whose names
// extra does not accept.
func Unmapped(e *dho.Event, format string, mapped map[string]bool, extra func(name string) bool) Losses {
	var ls Losses
	e.Range(func(name string, _ any) bool {
		k, isExtra := strings.CutPrefix(name, "extra.")
		if isExtra && !extra(k) || !isExtra && !mapped[name] {
			ls.Add(name, format+" has no place for it")
		}
		return true
	})
	return ls
}

// AppendJSONLine appends v as compact JSON without HTML escaping and
// without a newline.
func AppendJSONLine(dst []byte, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}

// appender is a foreign record that writes itself as JSON.
type appender interface {
	AppendJSON(dst []byte) ([]byte, error)
}

// Encode converts e with from and appends the result as JSON: a format's
// Encoder.
func Encode[M appender](dst []byte, e *dho.Event, from func(*dho.Event, ...Option) (M, Losses, error), opts ...Option) ([]byte, Losses, error) {
	m, losses, err := from(e, opts...)
	if err != nil {
		return dst, losses, err
	}
	dst, err = m.AppendJSON(dst)
	return dst, losses, err
}

// Decode reads a foreign record with decode and converts it with to: a
// format's Decoder.
func Decode[M any](raw []byte, decode func([]byte) (M, error), to func(M, ...Option) (*dho.Event, Losses, error), opts ...Option) (*dho.Event, Losses, error) {
	m, err := decode(raw)
	if err != nil {
		return nil, nil, err
	}
	return to(m, opts...)
}
