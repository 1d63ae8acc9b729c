package parsers

import (
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/internal/pyjson"
)

// The raw field of an event holds the input it was made from, so that a
// reader can check the parser's work and an event can be parsed again.
// IntelMQ writes it differently for each kind of feed; these encoders write
// it the same way, so that raw compares equal between IntelMQ and us.

// AppendCSVRow appends fields as one row the way Python's csv.writer writes
// it with dialect d and line terminator lineEnd: with QuoteAll every field
// is quoted, otherwise only fields holding the delimiter, the quote or a
// character of lineEnd; quotes are doubled; a row of one empty field is
// written as "" so that it is not read back as a blank line.
func AppendCSVRow(dst []byte, fields []string, d CSVDialect, lineEnd string) []byte {
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, d.Delimiter)
		}
		quote := d.Quote != 0 && (d.QuoteAll || (len(fields) == 1 && f == "") || needsQuote(f, d, lineEnd))
		if !quote {
			dst = append(dst, f...)
			continue
		}
		dst = append(dst, d.Quote)
		for j := 0; j < len(f); j++ {
			if f[j] == d.Quote {
				dst = append(dst, d.Quote)
			}
			dst = append(dst, f[j])
		}
		dst = append(dst, d.Quote)
	}
	return append(dst, lineEnd...)
}

// needsQuote reports whether f holds the delimiter, the quote or a byte of
// the line ending, in one pass.
func needsQuote(f string, d CSVDialect, lineEnd string) bool {
	for i := 0; i < len(lineEnd); i++ {
		if lineEnd[i] >= ' ' { // not the usual control characters
			return strings.IndexByte(f, d.Delimiter) >= 0 || strings.IndexByte(f, d.Quote) >= 0 || strings.ContainsAny(f, lineEnd)
		}
	}
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == d.Delimiter || c == d.Quote:
			return true
		case c == '\r' || c == '\n' || c < ' ':
			if strings.IndexByte(lineEnd, c) >= 0 {
				return true
			}
		}
	}
	return false
}

// CSVRaw is the raw field IntelMQ's dictionary-CSV parsers write for one
// row: the header written by csv.DictWriter (AppendCSVRow of the column
// names) followed by the row's own text, stripped of white space at both
// ends. Make one per report, then call Row for each record.
type CSVRaw struct {
	header []byte
}

// NewCSVRaw prepares the raw encoder for a report with the given columns,
// dialect and line ending (CSVReader.LineEnding).
func NewCSVRaw(columns []string, d CSVDialect, lineEnd string) *CSVRaw {
	return &CSVRaw{header: AppendCSVRow(nil, columns, d, lineEnd)}
}

// Row returns the raw data of the record whose input text is text.
//
// IntelMQ puts the last physical line of the record there; for a record
// whose quoted field spans lines that loses the lines before, so we keep
// the whole record. Every record on one line (nearly all) gives IntelMQ's
// bytes.
func (c *CSVRaw) Row(text []byte) []byte {
	out := make([]byte, 0, len(c.header)+len(text))
	out = append(out, c.header...)
	out = append(out, text...)
	start, end := PyStrip(out)
	return out[start:end]
}

// AppendPyJSON appends the JSON document doc the way Python writes it after
// reading it: json.dumps(json.loads(doc)) with the options' flavour (set
// EnsureASCII for a bare json.dumps). Object members keep their order; a
// repeated key keeps its first place and its last value, as a Python dict
// does; numbers are written as Python's int and float write them. IntelMQ's
// JSON parsers write raw this way for each element of a feed.
func AppendPyJSON(dst []byte, doc string, o pyjson.Options) ([]byte, error) {
	d := pyjson.NewDecoder(doc)
	v, err := readOrdered(d)
	if err != nil {
		return dst, err
	}
	if err := d.End(); err != nil {
		return dst, err
	}
	return appendOrdered(dst, v, &o)
}

// ordered is a JSON value with object members in input order.
type ordered struct {
	kind  pyjson.Kind
	text  string // string value, or number text
	isInt bool
	elems []ordered
	keys  []string
}

func readOrdered(d *pyjson.Decoder) (ordered, error) {
	k := d.Kind()
	v := ordered{kind: k}
	var err error
	switch k {
	case pyjson.Null:
		err = d.Null()
	case pyjson.True, pyjson.False:
		_, err = d.Bool()
	case pyjson.Number:
		v.text, v.isInt, err = d.Number()
	case pyjson.String:
		v.text, err = d.String()
	case pyjson.Array:
		if err = d.BeginArray(); err != nil {
			return v, err
		}
		for {
			ok, err := d.NextElem()
			if err != nil {
				return v, err
			}
			if !ok {
				break
			}
			e, err := readOrdered(d)
			if err != nil {
				return v, err
			}
			v.elems = append(v.elems, e)
		}
	case pyjson.Object:
		if err = d.BeginObject(); err != nil {
			return v, err
		}
		for {
			key, ok, err := d.NextMember()
			if err != nil {
				return v, err
			}
			if !ok {
				break
			}
			e, err := readOrdered(d)
			if err != nil {
				return v, err
			}
			if i := indexOf(v.keys, key); i >= 0 {
				v.elems[i] = e
				continue
			}
			v.keys = append(v.keys, key)
			v.elems = append(v.elems, e)
		}
	default:
		_, err = d.Value() // reports the syntax error
	}
	return v, err
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func appendOrdered(dst []byte, v ordered, o *pyjson.Options) ([]byte, error) {
	sep, kv := ", ", ": "
	if o.Compact {
		sep, kv = ",", ":"
	}
	switch v.kind {
	case pyjson.Null:
		return pyjson.AppendNull(dst), nil
	case pyjson.True:
		return pyjson.AppendBool(dst, true), nil
	case pyjson.False:
		return pyjson.AppendBool(dst, false), nil
	case pyjson.String:
		return pyjson.AppendString(dst, v.text, o.EnsureASCII), nil
	case pyjson.Number:
		if v.isInt {
			return appendPyInt(dst, v.text), nil
		}
		f, _ := strconv.ParseFloat(v.text, 64)
		switch v.text {
		case "NaN", "Infinity", "-Infinity":
			if o.DisallowNaN {
				return pyjson.AppendFloatStrict(dst, f)
			}
			return append(dst, v.text...), nil
		}
		if o.DisallowNaN {
			return pyjson.AppendFloatStrict(dst, f)
		}
		return pyjson.AppendFloat(dst, f), nil
	case pyjson.Array:
		dst = append(dst, '[')
		for i, e := range v.elems {
			if i > 0 {
				dst = append(dst, sep...)
			}
			var err error
			if dst, err = appendOrdered(dst, e, o); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case pyjson.Object:
		dst = append(dst, '{')
		for i, e := range v.elems {
			if i > 0 {
				dst = append(dst, sep...)
			}
			dst = pyjson.AppendString(dst, v.keys[i], o.EnsureASCII)
			dst = append(dst, kv...)
			var err error
			if dst, err = appendOrdered(dst, e, o); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return dst, nil
}

// appendPyInt writes a JSON integer as Python's int prints it: the same
// digits, except that "-0" is 0.
func appendPyInt(dst []byte, text string) []byte {
	if text == "-0" {
		return append(dst, '0')
	}
	return append(dst, text...)
}
