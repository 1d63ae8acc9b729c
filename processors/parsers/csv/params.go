package csv

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/internal/pyjson"
	"github.com/intelstream/intelstream/processors/parsers"
)

// FromParams makes a parser from the parameters of IntelMQ's generic CSV
// parser, with IntelMQ's names and spellings:
//
//   - columns (required): a list of field names, or one text of
//     comma-separated names; "__IGNORE__" or "" skips a column, and
//     "a|b" tries field a, then b;
//   - columns_required: a list of booleans, one per column;
//   - column_regex_search: an object of field name to regular expression;
//   - compose_fields: an object of field name to a Python format text
//     ("http://{0}{1}");
//   - data_type: an object, or a JSON text of one, of field name to "json";
//   - default_url_protocol (default "http://");
//   - delimiter (default ","): one ASCII character;
//   - filter_type ("whitelist" or "blacklist") and filter_text;
//   - skip_header: true, false or a number of lines;
//   - time_format: IntelMQ's time format names (see sanitize.ParseTimeFormat);
//   - type: the classification.type of every event;
//   - type_translation: an object, or a JSON text of one, of feed type to
//     classification.type.
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	var c Config
	raw := func(name string) (any, bool) {
		if !ps.Has(name) {
			return nil, false
		}
		return params[name], true
	}

	if v, ok := raw("columns"); ok {
		switch v := v.(type) {
		case string:
			// IntelMQ splits on commas and strips each name, keeping
			// empty ones: they are columns to skip.
			for _, s := range strings.Split(v, ",") {
				c.Columns = append(c.Columns, strings.TrimSpace(s))
			}
		default:
			c.Columns = stringList(ps, "columns", v)
		}
	}
	if v, ok := raw("columns_required"); ok {
		list, isList := v.([]any)
		if !isList {
			ps.Fail("columns_required", fmt.Errorf("is %v (%T), want a list of true and false", v, v))
		}
		for _, e := range list {
			b, isBool := e.(bool)
			if !isBool {
				ps.Fail("columns_required", fmt.Errorf("item %v (%T) is not true or false", e, e))
				break
			}
			c.ColumnsRequired = append(c.ColumnsRequired, b)
		}
	}
	if v, ok := raw("column_regex_search"); ok {
		c.ColumnRegexSearch = stringMap(ps, "column_regex_search", v, false)
	}
	if v, ok := raw("compose_fields"); ok {
		c.ComposeFields = stringMap(ps, "compose_fields", v, false)
	}
	if v, ok := raw("data_type"); ok {
		c.DataType = stringMap(ps, "data_type", v, true)
	}
	if v, ok := raw("type_translation"); ok {
		c.TypeTranslation = stringMap(ps, "type_translation", v, true)
	}
	c.DefaultURLProtocol = ps.String("default_url_protocol", "http://")
	c.Delimiter = ps.String("delimiter", ",")
	c.FilterType = ps.String("filter_type", "")
	c.FilterText = ps.String("filter_text", "")
	c.TimeFormat = ps.String("time_format", "")
	c.Type = ps.String("type", "")
	if v, ok := raw("skip_header"); ok {
		switch v := v.(type) {
		case bool:
			if v {
				c.SkipHeader = 1
			}
		case float64:
			if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
				ps.Fail("skip_header", fmt.Errorf("%v is not a number of lines", v))
			}
			c.SkipHeader = int(v)
		case int:
			c.SkipHeader = v
		case string:
			switch strings.ToLower(v) {
			case "true":
				c.SkipHeader = 1
			case "false":
			default:
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					ps.Fail("skip_header", fmt.Errorf("%q is neither true, false nor a number of lines", v))
				}
				c.SkipHeader = n
			}
		default:
			ps.Fail("skip_header", fmt.Errorf("is %v (%T), want true, false or a number of lines", v, v))
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c)
}

// stringList reads a JSON list of texts.
func stringList(ps *parsers.Params, name string, v any) []string {
	list, ok := v.([]any)
	if !ok {
		if ss, ok := v.([]string); ok {
			return ss
		}
		ps.Fail(name, fmt.Errorf("is %v (%T), want a list of texts or a comma-separated text", v, v))
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			ps.Fail(name, fmt.Errorf("item %v (%T) is not a text", e, e))
			return nil
		}
		out = append(out, s)
	}
	return out
}

// stringMap reads an object of texts; IntelMQ takes "" for none, and for
// some parameters a JSON text of the object.
func stringMap(ps *parsers.Params, name string, v any, jsonText bool) map[string]string {
	if s, ok := v.(string); ok {
		if s == "" {
			return nil
		}
		if !jsonText {
			ps.Fail(name, fmt.Errorf("is the text %q, want an object", s))
			return nil
		}
		dec, err := pyjson.Unmarshal(s)
		if err != nil {
			ps.Fail(name, fmt.Errorf("is not a JSON object: %v", err))
			return nil
		}
		v = dec
	}
	m, ok := v.(map[string]any)
	if !ok {
		ps.Fail(name, fmt.Errorf("is %v (%T), want an object", v, v))
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s, ok := m[k].(string)
		if !ok {
			ps.Fail(name, fmt.Errorf("value of %q is %v (%T), want a text", k, m[k], m[k]))
			return nil
		}
		out[k] = s
	}
	return out
}

// compile checks the configuration and builds the per-column plan.
func compile(c Config) (*Parser, error) {
	bad := func(name string, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", parsers.ErrParameter, name, fmt.Sprintf(format, args...))
	}
	if c.Columns == nil {
		return nil, bad("columns", "is required: the field name of each column")
	}
	p := &Parser{
		urlProtocol: c.DefaultURLProtocol,
		filterText:  c.FilterText,
		skipHeader:  c.SkipHeader,
		typ:         c.Type,
		translate:   c.TypeTranslation,
	}
	if len(c.Delimiter) != 1 || c.Delimiter[0] >= 0x80 || c.Delimiter[0] == '\n' || c.Delimiter[0] == '\r' || c.Delimiter[0] == '"' {
		return nil, bad("delimiter", "%q is not one ASCII character other than a quote or a line break", c.Delimiter)
	}
	p.dialect = parsers.ExcelDialect
	p.dialect.Delimiter = c.Delimiter[0]
	switch c.FilterType {
	case "":
	case "whitelist":
		p.filter = filterKeep
	case "blacklist":
		p.filter = filterDrop
	default:
		return nil, bad("filter_type", "%q is neither \"whitelist\" nor \"blacklist\"", c.FilterType)
	}
	if c.FilterText == "" {
		p.filter = filterNone // IntelMQ filters only when both are given
	}
	if c.SkipHeader < 0 {
		return nil, bad("skip_header", "%d is not a number of lines", c.SkipHeader)
	}
	tf, err := sanitize.ParseTimeFormat(c.TimeFormat)
	if err != nil {
		return nil, bad("time_format", "%v", err)
	}
	p.timeFormat = tf
	p.epochMillis = c.TimeFormat == "epoch_millis"
	if c.Type != "" {
		if _, err := parsers.Add(&dho.Event{}, "classification.type", c.Type, parsers.Refuse); err != nil {
			return nil, bad("type", "%v", err)
		}
	}
	for from, to := range c.TypeTranslation {
		if _, err := parsers.Add(&dho.Event{}, "classification.type", to, parsers.Refuse); err != nil {
			return nil, bad("type_translation", "%q translates to an invalid type: %v", from, err)
		}
	}
	for k, v := range c.DataType {
		if v != "json" {
			return nil, bad("data_type", "%s is %q; the only data type is \"json\"", k, v)
		}
	}

	required := c.ColumnsRequired
	if required == nil {
		required = make([]bool, len(c.Columns))
		for i := range required {
			required[i] = true
		}
	}
	if len(required) != len(c.Columns) {
		return nil, bad("columns_required", "has %d items, columns has %d: give one per column", len(required), len(c.Columns))
	}
	regexps := make(map[string]*regexp.Regexp, len(c.ColumnRegexSearch))
	for k, expr := range c.ColumnRegexSearch {
		if expr == "" {
			continue // an empty expression is no search in IntelMQ
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, bad("column_regex_search", "%s: %v", k, err)
		}
		regexps[k] = re
	}
	for i, group := range c.Columns {
		col := column{required: required[i]}
		for _, name := range strings.Split(group, "|") {
			k := key{name: name, regex: regexps[name]}
			switch {
			case name == "__IGNORE__" || name == "":
				k.kind = kindIgnore
			default:
				if err := checkField(name); err != nil {
					return nil, bad("columns", "column %d: %v", i+1, err)
				}
				switch {
				case name == "time.source" || name == "time.destination":
					k.kind = kindTime
				case strings.HasSuffix(name, ".url"):
					k.kind = kindURL
				case name == "classification.type" && len(c.TypeTranslation) > 0:
					k.kind = kindType
				}
			}
			k.json = c.DataType[name] == "json"
			if k.kind != kindIgnore {
				k.ref, k.hasRef = dho.Ref(name)
			}
			col.keys = append(col.keys, k)
		}
		p.columns = append(p.columns, col)
	}
	markOnce(p, c.ComposeFields)
	for _, name := range slices.Sorted(maps.Keys(c.ComposeFields)) {
		if err := checkField(name); err != nil {
			return nil, bad("compose_fields", "%v", err)
		}
		tmpl, err := parseFormat(c.ComposeFields[name])
		if err != nil {
			return nil, bad("compose_fields", "%s: %v", name, err)
		}
		p.compose = append(p.compose, composed{name, tmpl})
	}
	return p, nil
}

// checkField refuses names that are no field, which IntelMQ would refuse
// on every line.
func checkField(name string) error {
	if k, ok := strings.CutPrefix(name, "extra."); ok && k != "" {
		return nil
	}
	if _, ok := dho.LookupField(name); !ok || name == "raw" {
		return fmt.Errorf("%q is not a field name", name)
	}
	return nil
}

// template is a parsed Python format text with positional fields only.
type template struct {
	lits []string // len(lits) == len(idx)+1
	idx  []int
}

// parseFormat parses the subset of Python's str.format that compose_fields
// needs: literal text, "{{" and "}}", and positional fields "{N}" or "{}"
// (numbered automatically). Names, attributes, conversions and format
// specifications are refused.
func parseFormat(s string) (template, error) {
	var t template
	var lit strings.Builder
	auto, manual := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '{':
			if i+1 < len(s) && s[i+1] == '{' {
				lit.WriteByte('{')
				i++
				continue
			}
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return t, errors.New("a '{' is not closed")
			}
			field := s[i+1 : i+end]
			var n int
			if field == "" {
				if manual {
					return t, errors.New("cannot switch from manual field numbering to automatic numbering")
				}
				n = auto
				auto++
			} else {
				v, err := strconv.Atoi(field)
				if err != nil || v < 0 || field[0] == '+' || field[0] == '-' {
					return t, fmt.Errorf("{%s}: only column numbers ({0}, {1}, ...) are supported", field)
				}
				if auto > 0 {
					return t, errors.New("cannot switch from automatic field numbering to manual field specification")
				}
				manual = true
				n = v
			}
			t.lits = append(t.lits, lit.String())
			lit.Reset()
			t.idx = append(t.idx, n)
			i += end
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				lit.WriteByte('}')
				i++
				continue
			}
			return t, errors.New("a single '}' in the format text")
		default:
			lit.WriteByte(c)
		}
	}
	t.lits = append(t.lits, lit.String())
	return t, nil
}

// format fills the template with row's columns.
func (t template) format(row []string) (string, error) {
	var b strings.Builder
	for i, n := range t.idx {
		if n >= len(row) {
			return "", fmt.Errorf("the format refers to column {%d}, the row has %d", n, len(row))
		}
		b.WriteString(t.lits[i])
		b.WriteString(row[n])
	}
	b.WriteString(t.lits[len(t.lits)-1])
	return b.String(), nil
}

// fromReport are the fields NewEvent copies from the report.
var fromReport = []string{"feed.accuracy", "feed.code", "feed.documentation", "feed.name",
	"feed.provider", "feed.url", "rtir_id", "time.observation"}

// markOnce marks the keys whose field only their column can set.
func markOnce(p *Parser, compose map[string]string) {
	count := map[string]int{}
	for _, col := range p.columns {
		for _, k := range col.keys {
			count[k.name]++
		}
	}
	for _, name := range fromReport {
		count[name]++
	}
	for name := range compose {
		count[name]++
	}
	for i := range p.columns {
		for j := range p.columns[i].keys {
			k := &p.columns[i].keys[j]
			k.once = count[k.name] == 1
		}
	}
}
