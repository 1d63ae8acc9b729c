package sieve

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/timespec"
)

// Program is a parsed sieve file, ready to run on events. It is safe for
// concurrent use.
type Program struct {
	stmts []stmt
	slots int // distinct literal keys, each with a slot in the read cache
	pool  sync.Pool
}

// Verdict is what a program decided for an event.
type Verdict uint8

// The verdicts: an event runs through every statement (Continue) unless
// keep or drop ends the program early.
const (
	Continue Verdict = iota
	Keep
	Drop
)

func (v Verdict) String() string { return [...]string{"continue", "keep", "drop"}[v] }

// Result is the outcome of running a program on one event.
type Result struct {
	Verdict Verdict
	// Paths are the paths the last path action named, nil when none ran.
	Paths []string
}

// Run applies the program to e (changing it) and returns the verdict and
// paths. An error (a variable used before it is set, a value a field does
// not accept) leaves e partly changed; the node sends the event to its
// dead-letter topic.
func (p *Program) Run(e *dho.Event) (Result, error) {
	s, _ := p.pool.Get().(*state)
	if s == nil {
		s = &state{cache: make([]cached, p.slots)}
	}
	s.e, s.gen = e, s.gen+1
	v := s.block(p.stmts)
	r, err := Result{Verdict: v, Paths: s.paths}, s.err
	clear(s.vars)
	*s = state{cache: s.cache, gen: s.gen, vars: s.vars}
	p.pool.Put(s)
	if err != nil {
		return Result{}, err
	}
	return r, nil
}

// state is one run of a program.
type state struct {
	e     *dho.Event
	vars  map[string]any
	paths []string
	now   time.Time
	err   error
	// cache holds the values of literal keys read since the last
	// change of the event: entries of an older gen are stale.
	cache []cached
	gen   uint64
}

type cached struct {
	gen uint64
	v   any
	ok  bool
}

// changed marks every cached value stale.
func (s *state) changed() { s.gen++ }

func (s *state) fail(p Pos, format string, args ...any) {
	if s.err == nil {
		s.err = &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
	}
}

func (s *state) clock() time.Time {
	if s.now.IsZero() {
		s.now = time.Now()
	}
	return s.now
}

func (s *state) block(stmts []stmt) Verdict {
	for _, st := range stmts {
		if v := st.exec(s); v != Continue || s.err != nil {
			return v
		}
	}
	return Continue
}

type stmt interface{ exec(*state) Verdict }

// ifStmt is if/elif/else: the first clause whose condition holds runs.
type ifStmt struct {
	conds   []expr
	bodies  [][]stmt // one per cond, then the else body when hasElse
	hasElse bool
}

func (st *ifStmt) exec(s *state) Verdict {
	for i, c := range st.conds {
		if c.eval(s) {
			return s.block(st.bodies[i])
		}
		if s.err != nil {
			return Continue
		}
	}
	if st.hasElse {
		return s.block(st.bodies[len(st.conds)])
	}
	return Continue
}

// key is a field name, given literally or by a variable holding it.
type key struct {
	name    string // the field, or the variable with $
	pos     Pos
	fromVar bool
	slot    int     // in the read cache, for literal keys
	direct  *direct // how to read a literal key without Get, if known
}

func (k key) String() string { return k.name }

// resolve returns the field name, reading the variable when needed.
func (s *state) resolve(k key) (string, bool) {
	if !k.fromVar {
		return k.name, true
	}
	v, ok := s.vars[k.name]
	if !ok {
		s.fail(k.pos, "variable %s used before it is set", k.name)
		return "", false
	}
	l := scalarOf(v)
	if l.k != kString {
		s.fail(k.pos, "variable %s holds %s, not a field name", k.name, l.text())
		return "", false
	}
	name := l.s
	if err := fieldval.Check(name); err != nil {
		s.fail(k.pos, "variable %s: %v", k.name, err)
		return "", false
	}
	return name, true
}

// get returns the value of the field k names.
func (s *state) get(k key) (any, bool) {
	if k.fromVar {
		name, ok := s.resolve(k)
		if !ok {
			return nil, false
		}
		return s.e.Get(name)
	}
	c := &s.cache[k.slot]
	if c.gen != s.gen {
		if k.direct != nil {
			c.v, c.ok = k.direct.get(s.e)
		} else {
			c.v, c.ok = s.e.Get(k.name)
		}
		c.gen = s.gen
	}
	return c.v, c.ok
}

// has reports whether the field k names is set.
func (s *state) has(k key) bool {
	if !k.fromVar {
		if c := &s.cache[k.slot]; c.gen == s.gen {
			return c.ok
		}
		return s.e.Has(k.name)
	}
	name, ok := s.resolve(k)
	return ok && s.e.Has(name)
}

// value resolves a literal that may be a variable.
func (s *state) value(l lit, p Pos) (lit, bool) {
	if l.k != kVar {
		return l, true
	}
	v, ok := s.vars[l.s]
	if !ok {
		s.fail(p, "variable %s used before it is set", l.s)
		return lit{}, false
	}
	r := scalarOf(v)
	if r.k == kOther {
		s.fail(p, "variable %s holds a list or an object, not a single value", l.s)
		return lit{}, false
	}
	return r, true
}

// ---- expressions ----

type expr interface{ eval(*state) bool }

type orExpr []expr

func (x orExpr) eval(s *state) bool {
	for _, c := range x {
		if c.eval(s) {
			return true
		}
	}
	return false
}

type andExpr []expr

func (x andExpr) eval(s *state) bool {
	for _, c := range x {
		if !c.eval(s) {
			return false
		}
	}
	return true
}

type notExpr struct{ x expr }

func (x notExpr) eval(s *state) bool { return !x.x.eval(s) }

// existsExpr is :exists and :notexists.
type existsExpr struct {
	k   key
	not bool
}

func (x existsExpr) eval(s *state) bool { return s.has(x.k) != x.not }

// eqExpr is == and != against one value. Text equals text, numbers
// compare by value, booleans with booleans. On a multi-valued field ==
// holds when one value is equal, != when none is. A missing field makes
// != true against text (as IntelMQ's string match does) and false against
// a number or a boolean (IntelMQ's numeric and boolean matches).
type eqExpr struct {
	k   key
	neg bool
	v   lit
	pos Pos
}

func (x eqExpr) eval(s *state) bool {
	want, ok := s.value(x.v, x.pos)
	if !ok {
		return false
	}
	v, ok := s.get(x.k)
	if !ok {
		return x.neg && want.k == kString
	}
	eq := anyValue(v, want.equal)
	if x.neg {
		return !eq
	}
	return eq
}

// textExpr is :contains, =~ and !~: they read every value as text.
type textExpr struct {
	k   key
	op  string
	v   lit
	re  *regexp.Regexp // for a literal pattern
	pos Pos
	res *reCache // for a pattern held in a variable
}

func (x *textExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return x.op == "!~"
	}
	want, ok := s.value(x.v, x.pos)
	if !ok {
		return false
	}
	switch x.op {
	case ":contains":
		return anyValue(v, func(l lit) bool { return strings.Contains(l.text(), want.s) })
	}
	re := x.re
	if re == nil {
		var err error
		if re, err = x.res.get(want.text()); err != nil {
			s.fail(x.pos, "%v", err)
			return false
		}
	}
	m := anyValue(v, func(l lit) bool { return re.MatchString(l.text()) })
	return m == (x.op == "=~")
}

// reCache compiles patterns that come from variables once.
type reCache struct{ m sync.Map }

func (c *reCache) get(p string) (*regexp.Regexp, error) {
	if re, ok := c.m.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %v", p, err)
	}
	c.m.Store(p, re)
	return re, nil
}

// numExpr is <, <=, >, >= and, against a number, == and != (kept in
// eqExpr). It holds when one value of the field compares true.
type numExpr struct {
	k   key
	op  string
	v   lit
	pos Pos
}

func (x numExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return false
	}
	want, ok := s.value(x.v, x.pos)
	if !ok {
		return false
	}
	if want.k != kNumber {
		s.fail(x.pos, "%s needs a number, the variable holds %q", x.op, want.text())
		return false
	}
	return anyValue(v, func(l lit) bool {
		if l.k != kNumber {
			return false
		}
		switch x.op {
		case "<":
			return l.n < want.n
		case "<=":
			return l.n <= want.n
		case ">":
			return l.n > want.n
		}
		return l.n >= want.n
	})
}

// setExpr is :in, :containsany and :regexin: the field against a list.
type setExpr struct {
	k   key
	op  string
	vs  []lit
	res []*regexp.Regexp
	pos Pos
	rc  *reCache
}

func (x *setExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return false
	}
	vs, ok := s.values(x.vs, x.pos)
	if !ok {
		return false
	}
	switch x.op {
	case ":in":
		return anyValue(v, func(l lit) bool { return containsLit(vs, l) })
	case ":containsany":
		return anyValue(v, func(l lit) bool {
			t := l.text()
			for _, w := range vs {
				if strings.Contains(t, w.text()) {
					return true
				}
			}
			return false
		})
	}
	return anyValue(v, func(l lit) bool {
		t := l.text()
		for i, w := range vs {
			re := x.res[i]
			if re == nil {
				var err error
				if re, err = x.rc.get(w.text()); err != nil {
					s.fail(x.pos, "%v", err)
					return false
				}
			}
			if re.MatchString(t) {
				return true
			}
		}
		return false
	})
}

// values resolves the variables of a list, copying it only when it has
// some.
func (s *state) values(vs []lit, p Pos) ([]lit, bool) {
	var out []lit
	for i, l := range vs {
		if l.k != kVar {
			continue
		}
		if out == nil {
			out = append([]lit(nil), vs...)
		}
		var ok bool
		if out[i], ok = s.value(l, p); !ok {
			return nil, false
		}
	}
	if out == nil {
		return vs, true
	}
	return out, true
}

// ipExpr is <<: the address is in one of the networks.
type ipExpr struct {
	k    key
	nets []netip.Prefix
}

func (x ipExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return false
	}
	return anyValue(v, func(l lit) bool {
		if l.k != kString {
			return false
		}
		a, err := netip.ParseAddr(l.s)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, n := range x.nets {
			if n.Contains(a) {
				return true
			}
		}
		return false
	})
}

// dateExpr is :before and :after.
type dateExpr struct {
	k      key
	before bool
	at     timespec.Spec
}

func (x dateExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return false
	}
	t, ok := timeOf(v)
	if !ok {
		return false
	}
	ref := x.at.At(s.clock())
	if x.before {
		return t.Before(ref)
	}
	return t.After(ref)
}

// timeOf reads a time field or a text value as a time.
func timeOf(v any) (time.Time, bool) {
	switch v := deref(v).(type) {
	case time.Time:
		return v, true
	case string:
		t, err := sanitize.DateTime(v)
		return t, err == nil
	case dho.Value:
		if s, ok := v.Str(); ok {
			t, err := sanitize.DateTime(s)
			return t, err == nil
		}
	}
	return time.Time{}, false
}

// listExpr is :equals, :setequals, :overlaps, :subsetof and :supersetof:
// the field must hold a list (a multi-valued field, or an extra list).
type listExpr struct {
	k   key
	op  string
	vs  []lit
	pos Pos
}

func (x listExpr) eval(s *state) bool {
	v, ok := s.get(x.k)
	if !ok {
		return false
	}
	have, ok := listOf(v)
	if !ok {
		return false
	}
	want, ok := s.values(x.vs, x.pos)
	if !ok {
		return false
	}
	subset := func(a, b []lit) bool {
		for _, l := range a {
			if !containsLit(b, l) {
				return false
			}
		}
		return true
	}
	switch x.op {
	case ":equals":
		if len(have) != len(want) {
			return false
		}
		for i := range have {
			if !have[i].equal(want[i]) {
				return false
			}
		}
		return true
	case ":setequals":
		return subset(have, want) && subset(want, have)
	case ":overlaps":
		for _, l := range have {
			if containsLit(want, l) {
				return true
			}
		}
		return false
	case ":subsetof":
		return subset(have, want)
	}
	return subset(want, have) // :supersetof
}
