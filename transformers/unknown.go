package transformers

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// KeyValue is a JSON key a Go type has no field for, with its path
// ("Source[0].Foo") and its raw value.
type KeyValue struct {
	Path string
	Raw  json.RawMessage
}

// UnknownKeys lists the keys of the JSON object raw (and of the objects
// nested in it, as far as t describes them) that the struct type t has no
// field for. Keys match field names the way encoding/json matches them:
// case-insensitively. raw that does not match t's shape yields nothing;
// decoding reports that.
func UnknownKeys(raw []byte, t reflect.Type) []KeyValue {
	var out []KeyValue
	unknownKeys(raw, t, "", &out)
	return out
}

func unknownKeys(raw []byte, t reflect.Type, path string, out *[]KeyValue) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := fields[strings.ToLower(k)]
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !ok {
				*out = append(*out, KeyValue{Path: p, Raw: obj[k]})
				continue
			}
			unknownKeys(obj[k], f, p, out)
		}
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Struct {
			return
		}
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return
		}
		for i, e := range elems {
			unknownKeys(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

// fieldCache holds jsonFields per type.
var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the lowercase JSON names of t's fields to their types;
// types with their own JSON decoding count as leaves.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		ft := f.Type
		if reflect.PointerTo(ft).Implements(unmarshalerType) {
			ft = reflect.TypeFor[json.RawMessage]()
		}
		m[strings.ToLower(name)] = ft
	}
	fieldCache.Store(t, m)
	return m
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
