// Package turris parses the greylist of Turris Sentinel (CZ.NIC), a CSV
// file with the columns Address and Tags, as IntelMQ's Turris greylist
// parser does: one event per tag that says what the address did. It
// registers itself as "turris" and as IntelMQ's
// intelmq.bots.parsers.turris.parser; it has no parameters.
package turris

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "turris"
	IntelMQModule = "intelmq.bots.parsers.turris.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return Parser{}, nil
	})
}

// ports are the destination ports of the services whose tag tells them
// (SMTP uses more than one).
var ports = map[string]int64{"ftp": 21, "telnet": 23, "http": 80}

// Parser is the Turris greylist parser. It has no state.
type Parser struct{}

// Parse skips comment lines ("#"), takes the first other line as the
// header, and makes for each row one event per tag: brute-force for the
// tags smtp, http, ftp and telnet, scanner for port_scan; other tags (the
// honeypot tags that CZ.NIC's HaaS feed covers) make none. The raw of an
// event is the header and the row, written again as CSV. A row that cannot
// be read, or whose address is none, goes to fail with all its events.
func (Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	data, lineOf := withoutComments(report.Raw)
	r := parsers.NewCSVReader(data, parsers.ExcelDialect)
	var header []string
	var raw *parsers.CSVRaw
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		line := lineOf(rec.Line)
		if err != nil {
			fail(parsers.Failure{Line: line, Raw: rec.Text, Err: err})
			continue
		}
		if len(rec.Fields) == 0 {
			continue // a blank line
		}
		if header == nil {
			header = append([]string(nil), rec.Fields...)
			raw = parsers.NewCSVRaw(header, parsers.ExcelDialect, r.LineEnding())
			continue
		}
		evs, err := events(report, header, rec.Fields, raw, r.LineEnding())
		if err != nil {
			fail(parsers.Failure{Line: line, Raw: raw.Row(rec.Text), Err: err})
			continue
		}
		for _, ev := range evs {
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
}

// withoutComments strips the input as IntelMQ does and drops its lines
// that start with "#"; lineOf maps a line number of the result to that of
// the input.
func withoutComments(in []byte) (data []byte, lineOf func(int) int) {
	start, end := parsers.PyStrip(in)
	skipped := bytes.Count(in[:start], []byte{'\n'}) // close enough for leading blank lines
	var out []byte
	var numbers []int
	n := skipped
	for rest := in[start:end]; len(rest) > 0; {
		i := bytes.IndexAny(rest, "\r\n")
		l := rest
		if i >= 0 {
			l = rest[:i+1]
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				l = rest[:i+2]
			}
		}
		rest = rest[len(l):]
		n++
		if len(l) > 0 && l[0] == '#' {
			continue
		}
		out = append(out, l...)
		numbers = append(numbers, n)
	}
	return out, func(k int) int {
		if k >= 1 && k <= len(numbers) {
			return numbers[k-1]
		}
		return k
	}
}

// row returns the fields of a row by column name, as Python's DictReader
// makes them: missing fields are absent (None), extra fields refused.
func row(header, fields []string) (map[string]string, error) {
	if len(fields) > len(header) {
		return nil, fmt.Errorf("the row has %d fields, the header %d", len(fields), len(header))
	}
	m := make(map[string]string, len(fields))
	for i, f := range fields {
		m[header[i]] = f
	}
	return m, nil
}

func events(report *dho.Report, header, fields []string, enc *parsers.CSVRaw, lineEnd string) ([]*dho.Event, error) {
	m, err := row(header, fields)
	if err != nil {
		return nil, err
	}
	tags, ok := m["Tags"]
	if !ok && hasColumn(header, "Tags") {
		return nil, errors.New("the row has no Tags field")
	}
	// IntelMQ writes the row again from its fields.
	padded := make([]string, len(header))
	copy(padded, fields)
	raw := enc.Row(parsers.AppendCSVRow(nil, padded, parsers.ExcelDialect, lineEnd))
	var evs []*dho.Event
	for _, tag := range strings.Split(tags, ",") {
		var fs [][2]string
		var port int64
		switch tag {
		case "smtp", "http", "ftp", "telnet":
			fs = [][2]string{{"protocol.transport", "tcp"}, {"protocol.application", tag}, {"classification.type", "brute-force"}}
			port = ports[tag]
		case "port_scan":
			fs = [][2]string{{"classification.type", "scanner"}}
		default:
			continue
		}
		ev, err := parsers.NewEvent(report)
		if err != nil {
			return nil, err
		}
		fs = append(fs, [2]string{"source.ip", m["Address"]})
		for _, f := range fs {
			if _, err := parsers.AddUnset(ev, f[0], f[1]); err != nil {
				return nil, err
			}
		}
		if port != 0 {
			if _, err := parsers.AddUnset(ev, "destination.port", port); err != nil {
				return nil, err
			}
		}
		ev.Raw = raw
		evs = append(evs, ev)
	}
	return evs, nil
}

func hasColumn(header []string, name string) bool {
	for _, h := range header {
		if h == name {
			return true
		}
	}
	return false
}
