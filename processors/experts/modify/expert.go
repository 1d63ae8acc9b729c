// Package modify is the modify expert: it changes event fields by rules
// from a JSON file, as IntelMQ's modify expert does.
//
// The file is a list of rules in JSON (or YAML, as IntelMQ reads it), applied in order:
//
//	[{"rulename": "Standard Protocols http",
//	  "if":   {"source.port": "^(80|443)$"},
//	  "then": {"protocol.application": "http"}},
//	 {"rulename": "bitdefender",
//	  "if":   {"malware.name": "bitdefender-(.*)$"},
//	  "then": {"malware.name": "{matches[malware.name][1]}"}}]
//
// A rule applies when all its conditions hold: a string is a regular
// expression searched in the field's value (numbers are searched as their
// text); "" means the field must not be set; a number or a boolean must
// equal the value. The actions set fields to numbers, booleans or text;
// text is a format string in which {msg[FIELD]} is the event's value of
// FIELD and {matches[FIELD][N]} group N (or a named group) of the match of
// FIELD's condition ({{ and }} are braces). With overwrite (the default, as
// in IntelMQ's code) an action replaces a set field, otherwise it writes
// only unset fields; an empty result unsets the field when overwriting.
// maximum_matches stops after that many rules applied. case_sensitive
// false makes every regular expression ignore case.
//
// Differences from IntelMQ: regular expressions are Go's (RE2). A
// multi-valued field (source.ip, malware.name ...) meets a condition when
// one of its values does (the first such value gives the match groups); an
// action replaces all its values with one. A group that took part in no
// match reads as "" (Python: "None"). A rule whose format reads a field the
// event lacks fails the event (as IntelMQ's KeyError does), sending it to
// the dead-letter topic. Events that no rule matches pass unchanged.
package modify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "modify"

// Spec is the node spec of the modify expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Changes fields by rules from a JSON file (IntelMQ's modify expert): regular expression conditions, actions with {msg[...]} and {matches[...][...]} substitutions.",
	IntelMQ: "intelmq.bots.experts.modify.expert",
	Params: []topology.Param{
		{Name: "configuration_path", Type: topology.ParamString, Required: true, Doc: "Path of the rule file, JSON or YAML (read and checked when the node starts).", Example: "modify.conf"},
		{Name: "case_sensitive", Type: topology.ParamBool, Default: true, Doc: "Whether regular expressions are case sensitive."},
		{Name: "maximum_matches", Type: topology.ParamInt, Default: 0, Doc: "Stop after this many rules applied (0: no limit)."},
		{Name: "overwrite", Type: topology.ParamBool, Default: true, Doc: "Whether actions replace fields that are set already."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		path := p.String("configuration_path")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "configuration_path", Err: err}
		}
		rules, err := ParseRules(data, p.Bool("case_sensitive"))
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "configuration_path", Err: fmt.Errorf("%s: %w", path, err)}
		}
		if p.Int("maximum_matches") < 0 {
			return nil, &topology.ParamError{Node: Name, Param: "maximum_matches", Err: errors.New("must be 0 (no limit) or more")}
		}
		return New(rules, Options{MaximumMatches: int(p.Int("maximum_matches")), KeepExisting: !p.Bool("overwrite")}), nil
	})
}

// Options are the expert's settings besides its rules.
type Options struct {
	// MaximumMatches stops after that many rules applied, 0 for no limit.
	MaximumMatches int
	// KeepExisting leaves set fields alone (IntelMQ's overwrite false).
	KeepExisting bool
}

// Expert is the modify expert.
type Expert struct {
	rules []Rule
	opt   Options
}

// New returns the expert applying rules.
func New(rules []Rule, opt Options) *Expert { return &Expert{rules: rules, opt: opt} }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process applies the rules to e and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if err := x.Apply(e); err != nil {
		return err
	}
	emit(e)
	return nil
}

// Apply applies the rules to e in place.
func (x *Expert) Apply(e *dho.Event) error {
	var m matches
	applied := 0
	for i := range x.rules {
		r := &x.rules[i]
		m.n = 0
		if !r.match(e, &m) {
			continue
		}
		if err := x.apply(e, r, &m); err != nil {
			return fmt.Errorf("modify rule %q: %w", r.Name, err)
		}
		applied++
		if x.opt.MaximumMatches > 0 && applied >= x.opt.MaximumMatches {
			break
		}
	}
	return nil
}

// matches holds the regular expression matches of one rule's conditions.
type matches struct {
	n     int
	items [8]matchItem
	more  []matchItem
}

type matchItem struct {
	field string
	text  string
	idx   []int
	re    *regexp.Regexp
}

func (m *matches) add(it matchItem) {
	if m.n < len(m.items) {
		m.items[m.n] = it
	} else {
		m.more = append(m.more[:m.n-len(m.items)], it)
	}
	m.n++
}

func (m *matches) get(field string) *matchItem {
	for i := 0; i < m.n; i++ {
		var it *matchItem
		if i < len(m.items) {
			it = &m.items[i]
		} else {
			it = &m.more[i-len(m.items)]
		}
		if it.field == field {
			return it
		}
	}
	return nil
}

// group returns a group of the match, "" when it took no part.
func (it *matchItem) group(p *part) (string, error) {
	g := p.index
	if g < 0 {
		g = it.re.SubexpIndex(p.group)
		if g < 0 {
			return "", fmt.Errorf("{matches[%s][%s]}: the regular expression has no group %s", p.field, p.group, p.group)
		}
	}
	if 2*g+1 >= len(it.idx) {
		return "", fmt.Errorf("{matches[%s][%d]}: the regular expression has %d groups", p.field, g, len(it.idx)/2-1)
	}
	if it.idx[2*g] < 0 {
		return "", nil
	}
	return it.text[it.idx[2*g]:it.idx[2*g+1]], nil
}

func (r *Rule) match(e *dho.Event, m *matches) bool {
	for i := range r.conds {
		c := &r.conds[i]
		v, ok := e.Get(c.field)
		switch {
		case c.absent:
			if ok {
				return false
			}
			continue
		case !ok:
			return false
		case c.isNum:
			if !equalNumber(v, c.num) {
				return false
			}
		case c.isBool:
			if !equalBool(v, c.b) {
				return false
			}
		default:
			found := false
			fieldval.AnyText(v, func(s string) bool {
				if idx := c.re.FindStringSubmatchIndex(s); idx != nil {
					m.add(matchItem{field: c.field, text: s, idx: idx, re: c.re})
					found = true
				}
				return found
			})
			if !found {
				return false
			}
		}
	}
	return true
}

func (x *Expert) apply(e *dho.Event, r *Rule, m *matches) error {
	for i := range r.actions {
		a := &r.actions[i]
		if x.opt.KeepExisting && e.Has(a.field) {
			continue
		}
		v := a.value
		if a.parts != nil {
			s, err := format(e, a.parts, m)
			if err != nil {
				return err
			}
			v = s
		}
		if err := setValue(e, a.field, v); err != nil {
			return err
		}
	}
	return nil
}

func format(e *dho.Event, parts []part, m *matches) (string, error) {
	var b strings.Builder
	for i := range parts {
		p := &parts[i]
		switch {
		case p.field == "":
			b.WriteString(p.text)
		case p.match:
			it := m.get(p.field)
			if it == nil {
				return "", fmt.Errorf("{matches[%s][%s]}: no match", p.field, p.group)
			}
			s, err := it.group(p)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		default:
			v, ok := e.Get(p.field)
			if !ok {
				return "", fmt.Errorf("{msg[%s]}: the event has no %s", p.field, p.field)
			}
			if bv, isBool := v.(bool); isBool {
				b.WriteString(pyBool(bv))
				break
			}
			s, _ := fieldval.First(e, p.field)
			b.WriteString(s)
		}
	}
	return b.String(), nil
}
