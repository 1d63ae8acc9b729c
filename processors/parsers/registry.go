package parsers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/intelstream/intelstream/dho"
)

// Factory makes a parser from its parameters, as IntelMQ names them. It
// refuses unknown parameters and invalid values with an error wrapping
// ErrParameter (NewParams and Params.Err do the bookkeeping). The
// parameters every IntelMQ bot or parser accepts are handled by New and
// never reach a Factory.
type Factory func(params map[string]any) (Parser, error)

// Info describes a registered parser.
type Info struct {
	// Name is our name of the parser ("shadowserver").
	Name string
	// IntelMQModule is IntelMQ's module name of the same parser
	// ("intelmq.bots.parsers.shadowserver.parser"), "" for none.
	IntelMQModule string
}

// ErrUnknownParser is wrapped by the errors of New and NewIntelMQ for
// names no parser is registered under.
var ErrUnknownParser = errors.New("unknown parser")

type entry struct {
	Info
	factory Factory
}

var registry = struct {
	sync.RWMutex
	byName, byModule map[string]*entry
}{byName: map[string]*entry{}, byModule: map[string]*entry{}}

// Register makes a parser available under our name and IntelMQ's module
// name (which may be ""). Parser packages call it from init, so importing a
// package registers its parsers. It panics when a name is taken, as
// database/sql's Register does: that is a programming error.
func Register(name, intelmqModule string, factory Factory) {
	registry.Lock()
	defer registry.Unlock()
	if name == "" || factory == nil {
		panic("parsers: Register needs a name and a factory")
	}
	if _, dup := registry.byName[name]; dup {
		panic("parsers: Register called twice for parser " + name)
	}
	if _, dup := registry.byModule[intelmqModule]; dup && intelmqModule != "" {
		panic("parsers: Register called twice for IntelMQ module " + intelmqModule)
	}
	e := &entry{Info{name, intelmqModule}, factory}
	registry.byName[name] = e
	if intelmqModule != "" {
		registry.byModule[intelmqModule] = e
	}
}

// Registered lists the registered parsers, sorted by name.
func Registered() []Info {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Info, 0, len(registry.byName))
	for _, k := range slices.Sorted(maps.Keys(registry.byName)) {
		out = append(out, registry.byName[k].Info)
	}
	return out
}

// New makes the parser registered under our name with params.
func New(name string, params map[string]any) (Parser, error) {
	registry.RLock()
	e := registry.byName[name]
	registry.RUnlock()
	if e == nil {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownParser, name, knownNames(false))
	}
	return e.make(params)
}

// NewIntelMQ makes the parser IntelMQ knows as module with params.
func NewIntelMQ(module string, params map[string]any) (Parser, error) {
	registry.RLock()
	e := registry.byModule[module]
	registry.RUnlock()
	if e == nil {
		return nil, fmt.Errorf("%w: no parser for IntelMQ module %q (known: %s)", ErrUnknownParser, module, knownNames(true))
	}
	return e.make(params)
}

func knownNames(modules bool) string {
	registry.RLock()
	defer registry.RUnlock()
	m := registry.byName
	if modules {
		m = registry.byModule
	}
	names := slices.Sorted(maps.Keys(m))
	if len(names) == 0 {
		return "none registered"
	}
	return fmt.Sprint(names)
}

// make splits off the parameters IntelMQ's ParserBot handles for every
// parser (default_fields, copy_collector_provided_fields) and the generic
// ones, and gives the rest to the factory.
func (e *entry) make(params map[string]any) (Parser, error) {
	own := make(map[string]any, len(params))
	mine := map[string]any{}
	for k, v := range params {
		switch {
		case k == "default_fields" || k == "copy_collector_provided_fields":
			mine[k] = v
		case !genericParams[k]:
			own[k] = v
		}
	}
	common := NewParams(mine)
	defaults := common.Map("default_fields")
	copyFields := common.Strings("copy_collector_provided_fields")
	if err := common.Err(); err != nil {
		return nil, fmt.Errorf("parser %s: %w", e.Name, err)
	}
	p, err := e.factory(own)
	if err != nil {
		return nil, fmt.Errorf("parser %s: %w", e.Name, err)
	}
	if len(defaults) == 0 && len(copyFields) == 0 {
		return p, nil
	}
	w := &withParserBotParams{Parser: p, copyFields: copyFields}
	// IntelMQ checks the default fields once when the bot starts.
	probe := &dho.Event{}
	for _, k := range slices.Sorted(maps.Keys(defaults)) {
		if _, err := Add(probe, k, defaults[k], Keep); err != nil {
			return nil, fmt.Errorf("parser %s: %w: default_fields: %v", e.Name, ErrParameter, err)
		}
		w.defaults = append(w.defaults, field{k, defaults[k]})
	}
	return w, nil
}

type field struct {
	name  string
	value any
}

// withParserBotParams applies default_fields and
// copy_collector_provided_fields to every event of the parser it wraps.
// IntelMQ adds default fields after parse_line without overwriting, and
// copies collector fields when it makes the event; copying them after the
// parser, without overwriting, gives the same events.
type withParserBotParams struct {
	Parser
	defaults   []field
	copyFields []string
}

func (w *withParserBotParams) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(Failure)) error {
	var copied []field
	for _, name := range w.copyFields {
		if v, ok := report.Get(name); ok {
			copied = append(copied, field{name, v})
		}
	}
	return w.Parser.Parse(ctx, report, func(ev *dho.Event) error {
		for _, set := range [][]field{copied, w.defaults} {
			for _, f := range set {
				if _, err := Add(ev, f.name, f.value, Keep); err != nil {
					fail(Failure{Raw: ev.Raw, Err: err})
					return nil
				}
			}
		}
		return emit(ev)
	}, fail)
}
