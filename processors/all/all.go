// Package all registers every node kind that ships with intelstream:
// import it (for its side effect) to make them all available by name.
package all

import (
	// Collectors.
	_ "github.com/intelstream/intelstream/processors/collectors/amqp"
	_ "github.com/intelstream/intelstream/processors/collectors/file"
	_ "github.com/intelstream/intelstream/processors/collectors/http"
	_ "github.com/intelstream/intelstream/processors/collectors/httpstream"
	_ "github.com/intelstream/intelstream/processors/collectors/kafkasource"
	_ "github.com/intelstream/intelstream/processors/collectors/mail"
	_ "github.com/intelstream/intelstream/processors/collectors/redis"
	_ "github.com/intelstream/intelstream/processors/collectors/shadowserverapi"
	_ "github.com/intelstream/intelstream/processors/collectors/shodanstream"
	_ "github.com/intelstream/intelstream/processors/collectors/stomp"
	// Parsers (every parser package, also as node kinds).
	_ "github.com/intelstream/intelstream/processors/parsers/all"
	// Experts.
	_ "github.com/intelstream/intelstream/processors/experts/taxonomy"
	// Outputs.
	_ "github.com/intelstream/intelstream/outputs/file"
)
