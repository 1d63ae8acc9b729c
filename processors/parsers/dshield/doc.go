// Package dshield parses DShield's feeds as IntelMQ's DShield parsers do:
// the list of attacking addresses of one AS (ASN) and the recommended
// block list of networks (Block). They register themselves as
// "dshield_asn" and "dshield_block" and as IntelMQ's
// intelmq.bots.parsers.dshield.parser_asn and parser_block; they have no
// parameters.
package dshield

import "github.com/intelstream/intelstream/processors/parsers"

func noParams(p parsers.Parser) parsers.Factory {
	return func(params map[string]any) (parsers.Parser, error) {
		if err := parsers.NewParams(params).Err(); err != nil {
			return nil, err
		}
		return p, nil
	}
}
