// Package htmltable parses tables of HTML pages, one event per table row,
// as IntelMQ's HTML table parser does. It registers itself as "htmltable"
// and as IntelMQ's intelmq.bots.parsers.html_table.parser, with IntelMQ's
// parameters (see FromParams).
//
// IntelMQ reads the page with BeautifulSoup and Python's html.parser; this
// package builds the same tree from golang.org/x/net/html's tokenizer (see
// tree.go), so that the cells' texts and the rows written into raw are the
// same.
package htmltable

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "htmltable"
	IntelMQModule = "intelmq.bots.parsers.html_table.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
}

// Config configures a Parser. The zero values of SkipTableHead and Type
// are not IntelMQ's defaults: FromParams applies those.
type Config struct {
	// Columns names the field of each cell (td) of a row; "__IGNORE__" or
	// "" skips a cell, "a|b" tries a, then b.
	Columns []string
	// IgnoreValues gives for each column a value that means "nothing";
	// nil for none.
	IgnoreValues []string
	// SkipTableHead skips the table's first row.
	SkipTableHead bool
	// AttributeName and AttributeValue select the tables with this
	// attribute value; otherwise all tables count.
	AttributeName, AttributeValue string
	// TableIndex picks one of the selected tables (0 is the first).
	TableIndex int
	// SplitColumn names a field whose cell text is split by
	// SplitSeparator (white space when "") and replaced by item
	// SplitIndex.
	SplitColumn, SplitSeparator string
	SplitIndex                  int
	// DefaultURLProtocol is put before URLs without "://".
	DefaultURLProtocol string
	// TimeFormat is IntelMQ's time format of time.source and
	// time.destination ("" is fuzzy).
	TimeFormat string
	// Type is the classification.type of events that have none; "" for
	// none.
	Type string
}

// Parser is the HTML table parser. It is safe for concurrent use.
type Parser struct {
	c          Config
	columns    [][]string
	timeFormat *sanitize.TimeFormat
}

// New returns a parser configured by c.
func New(c Config) (*Parser, error) {
	bad := func(name, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", parsers.ErrParameter, name, fmt.Sprintf(format, args...))
	}
	if len(c.Columns) == 0 {
		return nil, bad("columns", "no columns given")
	}
	if c.IgnoreValues == nil {
		c.IgnoreValues = make([]string, len(c.Columns))
	}
	if len(c.IgnoreValues) != len(c.Columns) {
		return nil, bad("ignore_values", "has %d items, columns has %d: give one per column", len(c.IgnoreValues), len(c.Columns))
	}
	if c.TableIndex < 0 {
		return nil, bad("table_index", "%d is negative", c.TableIndex)
	}
	tf, err := sanitize.ParseTimeFormat(c.TimeFormat)
	if err != nil {
		return nil, bad("time_format", "%v", err)
	}
	if c.Type != "" {
		if _, err := parsers.Add(&dho.Event{}, "classification.type", c.Type, parsers.Refuse); err != nil {
			return nil, bad("type", "%v", err)
		}
	}
	p := &Parser{c: c, timeFormat: tf}
	for i, group := range c.Columns {
		keys := strings.Split(group, "|")
		for _, k := range keys {
			if k == "" || k == "__IGNORE__" || strings.HasPrefix(k, "extra.") && len(k) > len("extra.") {
				continue
			}
			if _, ok := dho.LookupField(k); !ok || k == "raw" {
				return nil, bad("columns", "column %d: %q is not a field name", i+1, k)
			}
		}
		p.columns = append(p.columns, keys)
	}
	if c.DefaultURLProtocol == "" {
		p.c.DefaultURLProtocol = "http://"
	}
	return p, nil
}

// FromParams makes a parser from IntelMQ's parameters: columns (a list or
// a comma-separated text), ignore_values (likewise), skip_table_head
// (default true), attribute_name, attribute_value, table_index,
// split_column, split_separator, split_index, default_url_protocol,
// time_format and type (default "c2-server"; null for none).
// html_parser and skip_head, which IntelMQ's parser does not read but
// configurations carry, are accepted and ignored.
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	c := Config{
		Columns:            commaList(ps, params, "columns"),
		IgnoreValues:       commaList(ps, params, "ignore_values"),
		SkipTableHead:      ps.Bool("skip_table_head", true),
		AttributeName:      ps.String("attribute_name", ""),
		AttributeValue:     ps.String("attribute_value", ""),
		TableIndex:         intParam(ps, params, "table_index"),
		SplitColumn:        ps.String("split_column", ""),
		SplitSeparator:     ps.String("split_separator", ""),
		SplitIndex:         intParam(ps, params, "split_index"),
		DefaultURLProtocol: ps.String("default_url_protocol", "http://"),
		TimeFormat:         ps.String("time_format", ""),
		Type:               ps.String("type", "c2-server"),
	}
	if v, given := params["type"]; given && v == nil {
		c.Type = ""
	}
	if _, given := params["columns"]; !given {
		c.Columns = []string{"", "source.fqdn"} // IntelMQ's default
	}
	ps.Has("html_parser")
	ps.Has("skip_head")
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c)
}

// commaList reads a list of texts, or one text of comma-separated items
// (each stripped, empty ones kept).
func commaList(ps *parsers.Params, params map[string]any, name string) []string {
	if !ps.Has(name) {
		return nil
	}
	switch v := params[name].(type) {
	case string:
		items := strings.Split(v, ",")
		for i := range items {
			items[i] = strings.TrimSpace(items[i])
		}
		return items
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				ps.Fail(name, fmt.Errorf("item %v (%T) is not a text", e, e))
				return nil
			}
			out[i] = s
		}
		return out
	case []string:
		return v
	default:
		ps.Fail(name, fmt.Errorf("is %v (%T), want a list of texts or a comma-separated text", v, v))
		return nil
	}
}

func intParam(ps *parsers.Params, params map[string]any, name string) int {
	if !ps.Has(name) {
		return 0
	}
	switch v := params[name].(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<31 {
			return int(v)
		}
	case int:
		return v
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	ps.Fail(name, fmt.Errorf("is %v, want a whole number", params[name]))
	return 0
}

// Parse parses one report. It fails as a whole when the page has no table
// at TableIndex; a row that cannot be mapped goes to fail (IntelMQ fails
// the whole report there). Rows that give no field are skipped.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	doc := parseTree(report.Raw)
	var match func(*node) bool
	if p.c.AttributeName != "" {
		match = func(n *node) bool { return n.hasAttrValue(p.c.AttributeName, p.c.AttributeValue) }
	}
	tables := doc.findAll("table", match)
	if p.c.TableIndex >= len(tables) {
		if match != nil {
			return fmt.Errorf("table_index %d: the page has %d table(s) with %s=%q", p.c.TableIndex, len(tables), p.c.AttributeName, p.c.AttributeValue)
		}
		return fmt.Errorf("table_index %d: the page has %d table(s)", p.c.TableIndex, len(tables))
	}
	rows := tables[p.c.TableIndex].findAll("tr", nil)
	if p.c.SkipTableHead && len(rows) > 0 {
		rows = rows[1:]
	}
	for i, row := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := p.event(report, row)
		if err != nil {
			fail(parsers.Failure{Raw: row.appendHTML(nil), Err: fmt.Errorf("row %d: %w", i+1, err)})
			continue
		}
		if ev == nil {
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// errNoField is the reason for a cell that fits none of its fields.
var errNoField = errors.New("the value fits none of the column's fields")

// event maps one row; nil when the row gives no field.
func (p *Parser) event(report *dho.Report, row *node) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	cells := row.findAll("td", nil)
	added := false
	for i, keys := range p.columns {
		if i >= len(cells) {
			break
		}
		data := strings.TrimFunc(cells[i].textContent(), unicode.IsSpace)
		if data == p.c.IgnoreValues[i] {
			continue
		}
		ok, err := p.cell(ev, keys, data)
		if err != nil {
			return nil, err
		}
		added = added || ok
	}
	if !added {
		return nil, nil
	}
	if p.c.Type != "" {
		if _, err := parsers.Add(ev, "classification.type", p.c.Type, parsers.Keep); err != nil {
			return nil, err
		}
	}
	ev.Raw = row.appendHTML(nil)
	return ev, nil
}

// cell adds one cell's text to the first of keys that takes it.
func (p *Parser) cell(ev *dho.Event, keys []string, data string) (bool, error) {
	for _, key := range keys {
		if data == "" || key == "" || key == "__IGNORE__" {
			return false, nil
		}
		if p.c.SplitColumn != "" && key == p.c.SplitColumn {
			var parts []string
			if p.c.SplitSeparator == "" {
				parts = strings.FieldsFunc(data, unicode.IsSpace)
			} else {
				parts = strings.Split(data, p.c.SplitSeparator)
			}
			idx := p.c.SplitIndex
			if idx < 0 {
				idx += len(parts)
			}
			if idx < 0 || idx >= len(parts) {
				return false, fmt.Errorf("%s: split_index %d: %q has %d part(s)", key, p.c.SplitIndex, data, len(parts))
			}
			data = strings.TrimFunc(parts[idx], unicode.IsSpace)
		}
		var value any = data
		switch {
		case key == "time.source" || key == "time.destination":
			t, err := p.timeFormat.Convert(data)
			if err != nil {
				return false, &dho.FieldError{Field: key, Value: data, Err: err}
			}
			value = t
		case strings.HasSuffix(key, ".url"):
			if data == "" {
				continue
			}
			if !strings.Contains(data, "://") {
				value = p.c.DefaultURLProtocol + data
			}
		}
		ok, err := parsers.Add(ev, key, value, parsers.Refuse)
		if err != nil && (errors.Is(err, parsers.ErrKeyExists) || errors.Is(err, dho.ErrUnknownField)) {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, &dho.FieldError{Field: strings.Join(keys, "|"), Value: data, Err: errNoField}
}
