package sieve

import (
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/intelstream/intelstream/dho"
)

// direct reads a DHO field straight from the Event struct, without
// Event.Get's name lookup and without boxing the value: it returns a
// pointer into the event (*string, *[]string, **int64 ...), which the
// evaluation functions (anyValue, listOf, timeOf) read like the value
// itself. Such a pointer is valid only until the event changes, which is
// how the read cache uses it (every change empties the cache).
type direct struct {
	off uintptr
	typ reflect.Type // of the struct field
}

// directs maps field names to their place in dho.Event. The place is found
// by reflection: a dotted name's parts are the struct's field names in
// lower case without underscores (source.as_name is Source.ASName). A
// field whose place or type does not fit is left out and read with Get.
var directs = func() map[string]direct {
	out := map[string]direct{}
	et := reflect.TypeFor[dho.Event]()
	for _, f := range dho.Fields() {
		t, off, ok := et, uintptr(0), true
		for _, part := range strings.Split(f.Name, ".") {
			sf, found := fieldByLooseName(t, part)
			if !found {
				ok = false
				break
			}
			off += sf.Offset
			t = sf.Type
		}
		if ok && goTypeOf(t) == f.GoType() {
			out[f.Name] = direct{off: off, typ: t}
		}
	}
	return out
}()

func fieldByLooseName(t reflect.Type, part string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	want := strings.ReplaceAll(part, "_", "")
	for i := range t.NumField() {
		if sf := t.Field(i); strings.ToLower(sf.Name) == want {
			return sf, true
		}
	}
	return reflect.StructField{}, false
}

var (
	rtString  = reflect.TypeFor[string]()
	rtStrings = reflect.TypeFor[[]string]()
	rtInt     = reflect.TypeFor[*int64]()
	rtInts    = reflect.TypeFor[[]int64]()
	rtFloat   = reflect.TypeFor[*float64]()
	rtBool    = reflect.TypeFor[*bool]()
	rtTime    = reflect.TypeFor[*time.Time]()
	rtBytes   = reflect.TypeFor[[]byte]()
)

// goTypeOf names t as dho.Field.GoType does.
func goTypeOf(t reflect.Type) string {
	switch t {
	case rtString:
		return "string"
	case rtStrings:
		return "[]string"
	case rtInt:
		return "*int64"
	case rtInts:
		return "[]int64"
	case rtFloat:
		return "*float64"
	case rtBool:
		return "*bool"
	case rtTime:
		return "*time.Time"
	case rtBytes:
		return "[]byte"
	}
	return ""
}

// get returns the field's value as a pointer into e (see direct), and
// whether it is set.
func (d direct) get(e *dho.Event) (any, bool) {
	p := unsafe.Add(unsafe.Pointer(e), d.off)
	switch d.typ {
	case rtString:
		s := (*string)(p)
		return s, *s != ""
	case rtStrings:
		s := (*[]string)(p)
		return s, len(*s) > 0
	case rtInt:
		s := (**int64)(p)
		return *s, *s != nil
	case rtInts:
		s := (*[]int64)(p)
		return s, len(*s) > 0
	case rtFloat:
		s := (**float64)(p)
		return *s, *s != nil
	case rtBool:
		s := (**bool)(p)
		return *s, *s != nil
	case rtTime:
		s := (**time.Time)(p)
		return *s, *s != nil
	case rtBytes:
		s := (*[]byte)(p)
		return s, len(*s) > 0
	}
	return nil, false
}

// deref turns a value from direct.get into what Event.Get returns.
func deref(v any) any {
	switch v := v.(type) {
	case *string:
		return *v
	case *[]string:
		return *v
	case *int64:
		return *v
	case *[]int64:
		return *v
	case *float64:
		return *v
	case *bool:
		return *v
	case *time.Time:
		return *v
	case *[]byte:
		return *v
	}
	return v
}
