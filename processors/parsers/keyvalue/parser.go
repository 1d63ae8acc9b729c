// Package keyvalue parses lines of key=value pairs (firewall logs such as
// FortiGate's) as IntelMQ's key-value parser does. It registers itself as
// "keyvalue" and as IntelMQ's intelmq.bots.parsers.key_value.parser, with
// IntelMQ's parameters (see FromParams).
package keyvalue

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "keyvalue"
	IntelMQModule = "intelmq.bots.parsers.key_value.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
}

// Config configures a Parser.
type Config struct {
	// Keys maps the keys of the input to field names; other keys are
	// ignored.
	Keys map[string]string
	// PairSeparator separates the pairs (IntelMQ's default is a space).
	PairSeparator string
	// KVSeparator separates key and value (IntelMQ's default is "=");
	// the last one in a pair counts.
	KVSeparator string
	// KeepQuotes keeps the double quotes around values, which are
	// removed by default (IntelMQ's strip_quotes, negated).
	KeepQuotes bool
}

// Parser is the key-value parser. It is safe for concurrent use.
type Parser struct {
	c Config
}

// New returns a parser configured by c; empty separators take IntelMQ's
// defaults.
func New(c Config) (*Parser, error) {
	if len(c.Keys) == 0 {
		return nil, fmt.Errorf("%w: keys: no keys given: map the input's keys to field names", parsers.ErrParameter)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Keys)) {
		name := c.Keys[k]
		if _, ok := dho.LookupField(name); !ok && !strings.HasPrefix(name, "extra.") || name == "raw" {
			return nil, fmt.Errorf("%w: keys: %q maps to %q, which is no field", parsers.ErrParameter, k, name)
		}
	}
	if c.PairSeparator == "" {
		c.PairSeparator = " "
	}
	if c.KVSeparator == "" {
		c.KVSeparator = "="
	}
	return &Parser{c: c}, nil
}

// FromParams makes a parser from IntelMQ's parameters: keys (an object of
// input key to field name), pair_separator, kv_separator, strip_quotes
// (default true) and timestamp_key (accepted and ignored, as IntelMQ
// does).
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	var c Config
	for k, v := range ps.Map("keys") {
		s, ok := v.(string)
		if !ok {
			ps.Fail("keys", fmt.Errorf("the field name of %q is %v (%T), want a text", k, v, v))
			continue
		}
		if c.Keys == nil {
			c.Keys = map[string]string{}
		}
		c.Keys[k] = s
	}
	c.PairSeparator = ps.String("pair_separator", " ")
	c.KVSeparator = ps.String("kv_separator", "=")
	c.KeepQuotes = !ps.Bool("strip_quotes", true)
	ps.Has("timestamp_key")
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c)
}

// Parse parses one report, one event per non-blank line. Values a field
// refuses are left out, as IntelMQ does; a key given twice in a line fails
// the line.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	for n, line := range pytext.Lines(report.Raw) {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev, err := p.event(report, line)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(line), Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func (p *Parser) event(report *dho.Report, line string) (*dho.Event, error) {
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for _, pair := range strings.Split(line, p.c.PairSeparator) {
		i := strings.LastIndex(pair, p.c.KVSeparator)
		if i <= 0 {
			continue // no separator, or no key
		}
		key, value := pair[:i], pair[i+len(p.c.KVSeparator):]
		if !p.c.KeepQuotes && len(value) > 0 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1:max(1, len(value)-1)]
		}
		name, ok := p.c.Keys[key]
		if !ok {
			continue
		}
		var v any = value
		if name == "time.source" {
			if t, ok := sourceTime(value); ok {
				v = t
			} else {
				v = nil // an unreadable time is left out
			}
		}
		_, err := parsers.Add(ev, name, v, parsers.Refuse)
		if err != nil && (errors.Is(err, parsers.ErrKeyExists) || errors.Is(err, dho.ErrUnknownField)) {
			return nil, err
		}
	}
	ev.Raw = []byte(line)
	return ev, nil
}

// sourceTime reads a time as IntelMQ's key-value parser does: digits are
// a Unix timestamp, anything else goes to the fuzzy date parser; a time
// without zone is UTC.
func sourceTime(s string) (time.Time, bool) {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			t, err := sanitize.FromTimestamp(s)
			return t, err == nil
		}
	}
	t, err := sanitize.FromFuzzy(s)
	return t, err == nil
}
