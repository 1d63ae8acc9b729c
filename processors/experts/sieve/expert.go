// Package sieve is the sieve expert: it filters and changes events with
// rules written in IntelMQ's sieve language (a language like the Sieve mail
// filter language), as IntelMQ's sieve expert does. The language is read
// by our own lexer and parser; syntax errors and rules that cannot work
// (unknown fields, bad regular expressions, networks or times) are refused
// when the node starts, with line and column.
//
// # The language
//
// A file holds rules and actions. A rule is
//
//	if EXPRESSION { ... } elif EXPRESSION { ... } else { ... }
//
// and rules nest. Expressions combine conditions with && (binds tighter),
// ||, ! (negates one condition or a parenthesised group) and parentheses.
// Conditions:
//
//	:exists KEY, :notexists KEY
//	KEY == VALUE, KEY != VALUE        text, number or true/false
//	KEY :contains 'text', KEY =~ 'regex', KEY !~ 'regex'
//	KEY < N, <=, >, >=                numeric fields and extra fields
//	KEY << 'network', KEY << ['net', 'net']
//	KEY :in ['a', 'b'], KEY :in [1, 2]
//	KEY :containsany ['a', 'b'], KEY :regexin ['re', 're']
//	KEY :before 'time', KEY :after 'time'   absolute ('2024-01-31') or relative ('2 days')
//	KEY :equals [...], :setequals, :overlaps, :subsetof, :supersetof   on lists
//
// Actions: drop, keep, path 'name', path ['a', 'b'], add KEY = VALUE (only
// when unset), add! KEY = VALUE (always), update KEY = VALUE (only when
// set), add/add!/update KEY += '1 hour' or -= (time arithmetic), remove
// KEY, append KEY VALUE, append! KEY VALUE, and $name = KEY (a variable,
// usable wherever a key or value goes). Strings are in single or double
// quotes; comments run from // or # to the end of the line.
//
// # Differences from IntelMQ
//
// Regular expressions are Go's (RE2: no backreferences or lookaround).
// Multi-valued DHO fields (source.ip, source.port, malware.name, ...)
// match a condition when one of their values does (for != and !~: when none
// does) and are the lists of the list operators; IntelMQ has one value per
// field. A numeric comparison also works on extra fields (IntelMQ refuses
// them). Values and regular expressions may be variables anywhere. Time
// arithmetic on a field without a value does nothing (IntelMQ fails). Text
// of a boolean is true/false, of a time IntelMQ's ISO form; lists and
// objects in extra fields read as JSON.
//
// # Topology mapping
//
// drop emits nothing. Every other event is emitted once. When a path
// action ran, the event carries the path in its tags as "path:NAME"
// (earlier path tags are replaced); with several paths, one copy is
// emitted per path, each with its own tag. Without a path the event has no
// path tag: IntelMQ's "_default" path. Route a Branch by path with Route:
//
//	outs := topology.Branch(t, "by-path", sieved, []topology.Route[dho.Event]{sieve.Route("abuse"), sieve.Route("other")})
//
// outs[0] and outs[1] carry the events sent to those paths, outs[2]
// (default) the rest.
package sieve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "sieve"

// PathTagPrefix starts the tag that records an event's path.
const PathTagPrefix = "path:"

// Spec is the node spec of the sieve expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Filters and changes events with rules in IntelMQ's sieve language; drop emits nothing, path records the path in a \"path:NAME\" tag for a Branch (sieve.Route).",
	IntelMQ: "intelmq.bots.experts.sieve.expert",
	Params: []topology.Param{
		{Name: "file", Type: topology.ParamString, Doc: "Path of the sieve file (read and checked when the node starts).", Example: "sieve/filter.sieve"},
		{Name: "rules", Type: topology.ParamString, Doc: "The sieve rules themselves, instead of a file.", Example: "if :exists source.fqdn { keep }"},
	},
	Produces: []string{"tags"},
	Examples: []topology.Example{
		{Name: "drop one network, tag another", Params: map[string]any{"rules": "if source.ip << '192.0.2.0/24' { drop }\nif source.ip << '198.51.100.0/24' { add! comment = 'partner network' }"},
			Input: map[string]any{"source.ip": "198.51.100.7"}, Output: []map[string]any{{"comment": "partner network"}}},
		{Name: "dropped", Params: map[string]any{"rules": "if source.ip << '192.0.2.0/24' { drop }"},
			Input: map[string]any{"source.ip": "192.0.2.7"}, Output: []map[string]any{}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		return FromParams(p)
	})
}

// Expert is the sieve expert.
type Expert struct {
	prog *Program
}

// FromParams builds the expert from validated parameters: exactly one of
// file and rules.
func FromParams(p topology.Params) (*Expert, error) {
	file, rules := p.String("file"), p.String("rules")
	switch {
	case file == "" && rules == "":
		return nil, &topology.ParamError{Node: Name, Param: "file", Err: errors.New("required: the sieve file (or rules)")}
	case file != "" && rules != "":
		return nil, &topology.ParamError{Node: Name, Param: "rules", Err: errors.New("give file or rules, not both")}
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "file", Err: err}
		}
		prog, err := Parse(string(b))
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "file", Err: fmt.Errorf("%s: %w", file, err)}
		}
		return &Expert{prog: prog}, nil
	}
	prog, err := Parse(rules)
	if err != nil {
		return nil, &topology.ParamError{Node: Name, Param: "rules", Err: err}
	}
	return &Expert{prog: prog}, nil
}

// New returns the expert running prog.
func New(prog *Program) *Expert { return &Expert{prog: prog} }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process runs the rules on e and emits it (once per path), or nothing
// when the rules drop it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	r, err := x.prog.Run(e)
	if err != nil {
		return err
	}
	if r.Verdict == Drop {
		return nil
	}
	if len(r.Paths) == 0 {
		emit(e)
		return nil
	}
	for _, p := range r.Paths[:len(r.Paths)-1] {
		c := e.Clone()
		if err := SetPath(c, p); err != nil {
			return err
		}
		emit(c)
	}
	if err := SetPath(e, r.Paths[len(r.Paths)-1]); err != nil {
		return err
	}
	emit(e)
	return nil
}

// SetPath records path in e's tags, replacing an earlier path tag.
func SetPath(e *dho.Event, path string) error {
	tags := e.Tags[:0:0]
	for _, t := range e.Tags {
		if !strings.HasPrefix(t, PathTagPrefix) {
			tags = append(tags, t)
		}
	}
	e.Tags = tags
	return e.Append("tags", PathTagPrefix+path)
}

// Path returns the path the sieve expert recorded in e, if any.
func Path(e *dho.Event) (string, bool) {
	for _, t := range e.Tags {
		if p, ok := strings.CutPrefix(t, PathTagPrefix); ok {
			return p, true
		}
	}
	return "", false
}

// Route is a Branch route that takes the events sent to path. The route
// is named after the path, so path names used with Route follow the route
// name rules (lower case letters, digits, - and _).
func Route(path string) topology.Route[dho.Event] {
	return topology.Route[dho.Event]{Name: path, Match: func(e *dho.Event) bool {
		p, ok := Path(e)
		return ok && p == path
	}}
}
