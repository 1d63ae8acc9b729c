package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The schemas are written with their keys in a chosen order ("$schema",
// "$id", "title" first; fields in registry order), which encoding/json's maps
// cannot keep, and without HTML escaping, so that patterns stay readable
// ("<" not "\u003c"). object and writeJSON do that.

// member is one key of an object.
type member struct {
	key string
	val any
}

// object is a JSON object that keeps its keys in insertion order.
type object []member

// set appends a key; the generator never sets a key twice.
func (o *object) set(key string, val any) {
	*o = append(*o, member{key, val})
}

// writeJSON appends v compactly: object, []any, []string, string, bool,
// int, int64 and nil.
func writeJSON(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case *object:
		writeJSON(buf, *v)
	case object:
		buf.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, m.key)
			buf.WriteByte(':')
			writeJSON(buf, m.val)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, e)
		}
		buf.WriteByte(']')
	case []string:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, v)
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case int:
		buf.WriteString(strconv.Itoa(v))
	case int64:
		buf.WriteString(strconv.FormatInt(v, 10))
	default:
		panic(fmt.Sprintf("jsonschema: cannot write %T", v))
	}
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode adds a newline
}

// marshalIndent writes v indented by two spaces, with a final newline.
func marshalIndent(v any) []byte {
	var compact, out bytes.Buffer
	writeJSON(&compact, v)
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		panic("jsonschema: generated invalid JSON: " + err.Error())
	}
	out.WriteByte('\n')
	return out.Bytes()
}
