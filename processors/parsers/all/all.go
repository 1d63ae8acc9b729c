// Package all registers every parser: import it for its side effect when a
// program should offer them all by name (the intelstream command does).
package all

import (
	// Each import registers its parsers with package parsers.
	_ "github.com/intelstream/intelstream/processors/parsers/anubisnetworks"
	_ "github.com/intelstream/intelstream/processors/parsers/bambenek"
	_ "github.com/intelstream/intelstream/processors/parsers/blocklistde"
	_ "github.com/intelstream/intelstream/processors/parsers/blueliv"
	_ "github.com/intelstream/intelstream/processors/parsers/calidog"
	_ "github.com/intelstream/intelstream/processors/parsers/ciarmy"
	_ "github.com/intelstream/intelstream/processors/parsers/csv"
	_ "github.com/intelstream/intelstream/processors/parsers/cymru"
	_ "github.com/intelstream/intelstream/processors/parsers/cznic"
	_ "github.com/intelstream/intelstream/processors/parsers/dataplane"
	_ "github.com/intelstream/intelstream/processors/parsers/hibp"
	_ "github.com/intelstream/intelstream/processors/parsers/htmltable"
	_ "github.com/intelstream/intelstream/processors/parsers/json"
	_ "github.com/intelstream/intelstream/processors/parsers/keyvalue"
	_ "github.com/intelstream/intelstream/processors/parsers/microsoft"
	_ "github.com/intelstream/intelstream/processors/parsers/misp"
	_ "github.com/intelstream/intelstream/processors/parsers/n6"
	_ "github.com/intelstream/intelstream/processors/parsers/openphish"
	_ "github.com/intelstream/intelstream/processors/parsers/shadowserver"
	_ "github.com/intelstream/intelstream/processors/parsers/shodan"
)
