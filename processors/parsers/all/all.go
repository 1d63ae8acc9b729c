// Package all registers every parser: import it for its side effect when a
// program should offer them all by name (the intelstream command does).
package all

import (
	// Each import registers its parsers with package parsers.
	_ "github.com/intelstream/intelstream/processors/parsers/shadowserver"
)
