// Package csv is IntelMQ's generic CSV parser: every row of a CSV report
// becomes one event, its columns mapped to fields by the columns
// parameter. It registers itself as "csv" and as IntelMQ's
// intelmq.bots.parsers.generic.parser_csv, with IntelMQ's parameters (see
// FromParams).
package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/internal/pyjson"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/topology"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "csv"
	IntelMQModule = "intelmq.bots.parsers.generic.parser_csv"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
	parsers.AddExamples(Name, topology.Example{
		Name:   "columns to fields, a header skipped",
		Params: map[string]any{"columns": "time.source, source.ip, source.port, __IGNORE__", "skip_header": true, "type": "scanner"},
		Raw:    "time,ip,port,note\n2026-11-24 10:00:00,192.0.2.1,23,telnet\n",
		Output: []map[string]any{{"time.source": "2026-11-24T10:00:00+00:00", "source.ip": "192.0.2.1", "source.port": 23, "classification.type": "scanner"}},
	})
}

// Config configures a Parser; the fields are IntelMQ's parameters (see
// FromParams for their meaning).
type Config struct {
	// Columns names the field of each column; "__IGNORE__" or "" skips a
	// column, "a|b" tries a, then b.
	Columns []string
	// ColumnsRequired says for each column whether a row whose value fits
	// none of its fields fails; nil means every column is required.
	ColumnsRequired []bool
	// ColumnRegexSearch replaces the value of a field by the first match
	// of the expression (Go syntax), or by nothing when it does not match.
	ColumnRegexSearch map[string]string
	// ComposeFields sets fields from a Python format text of the row's
	// columns ("http://{0}{1}").
	ComposeFields map[string]string
	// DataType decodes the values of the named fields; the only type is
	// "json".
	DataType map[string]string
	// DefaultURLProtocol is put before URLs without "://".
	DefaultURLProtocol string
	// Delimiter separates the columns (one ASCII character).
	Delimiter string
	// FilterType ("whitelist" or "blacklist") keeps only, or drops, the
	// rows that contain FilterText.
	FilterType, FilterText string
	// SkipHeader is the number of lines to skip; they are kept in raw.
	SkipHeader int
	// TimeFormat is IntelMQ's time format of time.source and
	// time.destination ("" is fuzzy).
	TimeFormat string
	// Type is the classification.type of every event that has none.
	Type string
	// TypeTranslation maps the feed's values in a classification.type
	// column to classification types.
	TypeTranslation map[string]string
}

// Parser is the generic CSV parser. It is safe for concurrent use.
type Parser struct {
	dialect     parsers.CSVDialect
	columns     []column
	compose     []composed
	urlProtocol string
	filter      filterMode
	filterText  string
	skipHeader  int
	timeFormat  *sanitize.TimeFormat
	epochMillis bool
	typ         string
	translate   map[string]string
}

type filterMode uint8

const (
	filterNone filterMode = iota
	filterKeep
	filterDrop
)

type column struct {
	keys     []key
	required bool
}

type keyKind uint8

const (
	kindPlain keyKind = iota
	kindIgnore
	kindTime
	kindURL
	kindType
)

type key struct {
	name  string
	kind  keyKind
	regex *regexp.Regexp
	json  bool
	// once says no other column, compose field or report field can set
	// the field, so that adding needs no look whether it is set.
	once bool
	// ref is the field, looked up once (hasRef is false for extra names).
	ref    dho.FieldRef
	hasRef bool
}

type composed struct {
	name string
	tmpl template
}

// New returns a parser configured by c, or an error wrapping
// parsers.ErrParameter that names the bad parameter.
func New(c Config) (*Parser, error) {
	if c.Delimiter == "" {
		c.Delimiter = ","
	}
	return compile(c)
}

// checkEvery is how many rows go by between looks at the context.
const checkEvery = 1024

// Parse parses one report.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text, lines := clean(report.Raw)
	lineEnd := lineEnding(text)

	// Header lines are skipped as lines, not CSV records, and kept for
	// raw without their line ending.
	var prefix []byte
	for i := 0; i < p.skipHeader; i++ {
		if len(text) == 0 {
			return fmt.Errorf("skip_header is %d, the report has only %d line(s) after comments and blank lines", p.skipHeader, i)
		}
		line, rest := cutLine(text)
		prefix = append(prefix, strings.TrimRight(string(line), "\r\n")...)
		prefix = append(prefix, lineEnd...)
		text = rest
	}
	first := p.skipHeader // index of text's first line among the cleaned lines

	r := parsers.NewCSVReader(text, p.dialect)
	var row []string
	var joined []byte
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		line := lines.original(first + rec.Line - 1)
		if err != nil {
			fail(parsers.Failure{Line: line, Raw: append(append([]byte(nil), prefix...), rec.Text...), Err: err})
			continue
		}
		if len(rec.Fields) == 0 {
			continue // a blank line
		}
		if p.filter != filterNone {
			joined = joined[:0]
			for i, f := range rec.Fields {
				if i > 0 {
					joined = append(joined, p.dialect.Delimiter)
				}
				joined = append(joined, f...)
			}
			if strings.Contains(string(joined), p.filterText) != (p.filter == filterKeep) {
				continue
			}
		}
		row = rec.Fields
		raw := parsers.AppendCSVRow(append(make([]byte, 0, len(prefix)+len(rec.Text)+8), prefix...), row, parsers.ExcelDialect, lineEnd)
		ev, err := p.event(report, row, raw)
		if err != nil {
			fail(parsers.Failure{Line: line, Raw: raw, Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
}

// event maps one row, as IntelMQ's parse_line does.
func (p *Parser) event(report *dho.Report, row []string, raw []byte) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for i, col := range p.columns {
		if i >= len(row) {
			break // IntelMQ zips columns and row: missing columns are no error
		}
		if err := p.column(ev, &col, row[i]); err != nil {
			return nil, err
		}
	}
	for _, c := range p.compose {
		v, err := c.tmpl.format(row)
		if err != nil {
			return nil, fmt.Errorf("compose_fields %s: %w", c.name, err)
		}
		if _, err := parsers.Add(ev, c.name, v, parsers.Refuse); err != nil {
			return nil, err
		}
	}
	ev.Raw = raw
	if p.typ != "" {
		if _, err := parsers.Add(ev, "classification.type", p.typ, parsers.Keep); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// errNoMatch is the reason a value that fits none of a required column's
// fields fails its row.
var errNoMatch = errors.New("the value fits none of the column's fields")

// column adds the value of one column: to its first field that takes it.
// An empty value is no value; a value refused by every field fails the
// row only when the column is required.
func (p *Parser) column(ev *dho.Event, col *column, text string) error {
	// The value is text (s, while isText) until a key makes it something
	// else (v), so that text, the usual case, is never boxed.
	s, isText := text, true
	var v any
	value := func() any {
		if isText {
			return s
		}
		return v
	}
	setValue := func(x any) {
		if str, ok := x.(string); ok {
			s, isText = str, true
			return
		}
		v, isText = x, false
	}
	var last string
	var lastErr error
	for ki := range col.keys {
		k := &col.keys[ki]
		last = k.name
		if isText && s == "" {
			return nil
		}
		if k.regex != nil {
			if !isText {
				return fmt.Errorf("%s: column_regex_search on a value that is no text: %v", k.name, v)
			}
			if loc := k.regex.FindStringIndex(s); loc != nil {
				s = s[loc[0]:loc[1]]
			} else {
				setValue(nil)
			}
		}
		if k.kind == kindIgnore {
			return nil
		}
		if k.json {
			if !isText {
				return fmt.Errorf("%s: data_type json on a value that is no text: %v", k.name, v)
			}
			jv, err := pyjson.Unmarshal(s)
			if err != nil {
				return fmt.Errorf("%s: data_type json: %w", k.name, err)
			}
			setValue(fromJSON(jv))
		}
		switch k.kind {
		case kindTime:
			if !isText {
				return fmt.Errorf("%s: %v is no time", k.name, v)
			}
			t, err := p.convertTime(s)
			if err != nil {
				return &dho.FieldError{Field: k.name, Value: s, Err: err}
			}
			if t == nil {
				setValue(nil)
			} else {
				setValue(*t)
			}
		case kindURL:
			if !isText || s == "" {
				continue
			}
			if !strings.Contains(s, "://") {
				s = p.urlProtocol + s
			}
		case kindType:
			from := ""
			if isText {
				from = s
			}
			if to, ok := p.translate[from]; ok {
				s, isText = to, true
			} else if p.typ == "" {
				continue // untranslated, and no type to fall back on
			}
		}
		// Added or ignored ends the column, as does an existing field
		// (an error); a refused value tries the next field.
		var err error
		switch {
		case k.hasRef && isText:
			_, err = parsers.AddTextRef(ev, k.ref, s, k.once)
		case k.hasRef:
			_, err = parsers.AddRef(ev, k.ref, v, k.once)
		case k.once:
			_, err = parsers.AddUnset(ev, k.name, value())
		default:
			_, err = parsers.Add(ev, k.name, value(), parsers.Refuse)
		}
		if err == nil || errors.Is(err, parsers.ErrKeyExists) || errors.Is(err, dho.ErrUnknownField) {
			return err
		}
		lastErr = err
	}
	if col.required {
		if lastErr != nil && len(col.keys) == 1 {
			return lastErr
		}
		reason := fmt.Errorf("%w: %q", errNoMatch, value())
		if lastErr != nil {
			reason = fmt.Errorf("%w: %q (%v)", errNoMatch, value(), lastErr)
		}
		return &dho.FieldError{Field: last, Value: fmt.Sprint(value()), Err: reason}
	}
	return nil
}

// convertTime converts a time with the time format. IntelMQ's epoch_millis
// gives nothing (an ignored value) for integers of other lengths than 10,
// 12 and 13 digits; so do we.
func (p *Parser) convertTime(s string) (*time.Time, error) {
	t, err := p.timeFormat.Convert(s)
	if err != nil {
		if p.epochMillis && isInteger(s) {
			return nil, nil
		}
		return nil, err
	}
	return &t, nil
}

func isInteger(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '_' {
			return false
		}
	}
	return true
}

// fromJSON turns pyjson's big integers into dho values, which events hold.
func fromJSON(v any) any {
	switch v := v.(type) {
	case pyjson.BigInt:
		if b, err := dho.BigInt(string(v)); err == nil {
			return b
		}
		return string(v)
	case []any:
		for i, e := range v {
			v[i] = fromJSON(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = fromJSON(e)
		}
	}
	return v
}
