// Package spamhaus parses Spamhaus' feeds as IntelMQ's Spamhaus parsers
// do: the DROP lists of networks and AS numbers (Drop) and the CERT
// portal's list of infected and attacking hosts (CERT). They register
// themselves as "spamhaus_drop" and "spamhaus_cert" and as IntelMQ's
// intelmq.bots.parsers.spamhaus.parser_drop and parser_cert; they have no
// parameters.
package spamhaus

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

func noParams(p parsers.Parser) parsers.Factory {
	return func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// pyInt is Python's int() of a text: an optional sign and decimal digits,
// white space around.
func pyInt(s string) (int64, error) {
	s = pytext.Strip(s)
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	if err != nil || strings.HasPrefix(s, "+-") || s == "+" {
		return 0, fmt.Errorf("%q is no integer", s)
	}
	return n, nil
}
