package dshield

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// ASNName is the AS parser's name in our registry; ASNIntelMQModule is
// IntelMQ's.
const (
	ASNName          = "dshield_asn"
	ASNIntelMQModule = "intelmq.bots.parsers.dshield.parser_asn"
)

func init() { parsers.Register(ASNName, ASNIntelMQModule, noParams(ASN{})) }

// ASN parses DShield's report of one AS (asdetailsascii.html?as=N): tab
// separated lines of source address (each byte zero-padded to three
// digits), reports, targets, first seen, last seen and updated. It has no
// state.
type ASN struct{}

// Parse makes one brute-force event per data line; the AS number comes
// from the "?as=" of the report's feed.url. Comment lines ("#") and lines
// with fewer than six fields are skipped; a line whose numbers or values
// cannot be read goes to fail.
func (ASN) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	asn, asnErr := asnOf(report.Feed.URL)
	for n, row := range pytext.SplitLines(string(report.Raw)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(row, "#") {
			continue
		}
		v := strings.Split(row, "\t")
		if len(v) < 6 {
			continue
		}
		ev, err := asnEvent(report, v, asn, asnErr)
		if err != nil {
			fail(parsers.Failure{Line: n, Raw: []byte(row), Err: err})
			continue
		}
		ev.Raw = []byte(row)
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// asnOf reads the AS number after the last "?as=" of the feed's URL.
func asnOf(url string) (int64, error) {
	i := strings.LastIndex(url, "?as=")
	if i < 0 {
		return 0, fmt.Errorf("feed.url %q names no AS (?as=)", url)
	}
	n, err := pyInt(url[i+4:])
	if err != nil {
		return 0, fmt.Errorf("feed.url %q: the AS number: %w", url, err)
	}
	return n, nil
}

// pyInt is Python's int() of a text: an optional sign and decimal digits,
// white space around.
func pyInt(s string) (int64, error) {
	s = pytext.Strip(s)
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	if err != nil || strings.HasPrefix(s, "+-") || strings.HasPrefix(s, "+") && len(s) == 1 {
		return 0, fmt.Errorf("%q is no integer", s)
	}
	return n, nil
}

func asnEvent(report *dho.Report, v []string, asn int64, asnErr error) (*dho.Event, error) {
	octets := strings.Split(v[0], ".")
	for i, o := range octets {
		n, err := pyInt(o)
		if err != nil {
			return nil, fmt.Errorf("the address %q: %w", v[0], err)
		}
		octets[i] = strconv.FormatInt(n, 10)
	}
	reports, err := pyInt(v[1])
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	targets, err := pyInt(v[2])
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	if asnErr != nil {
		return nil, asnErr
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		value any
	}{
		{"source.ip", strings.Join(octets, ".")}, {"source.asn", asn}, {"classification.type", "brute-force"},
		{"time.source", v[5] + "+0"},
	} {
		if _, err := parsers.AddUnset(ev, f.name, f.value); err != nil {
			return nil, err
		}
	}
	// IntelMQ adds these as one dict, empty texts included.
	for _, f := range []struct {
		name  string
		value any
	}{{"extra.reports", reports}, {"extra.targets", targets}, {"extra.last_seen", v[4]}} {
		if err := ev.Set(f.name, f.value); err != nil {
			return nil, err
		}
	}
	if len(ev.Extra) == 0 {
		return nil, errors.New("no extra fields")
	}
	return ev, nil
}
