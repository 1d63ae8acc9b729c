package all

import "github.com/intelstream/intelstream/processors/parsers"

// The parsers imported by this package are registered by now (imported
// packages initialize first): make them node kinds too.
func init() { parsers.RegisterNodes() }
