package sieve

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/timespec"
)

// Parse reads a sieve program. Besides the syntax it checks what IntelMQ
// checks when it loads a file (field names, IP addresses compared with IP
// fields, IP networks, numeric comparisons only on numeric fields) and
// what would otherwise fail on the first event (regular expressions,
// times, values a field does not accept). The error is an *Error with the
// line and column.
func Parse(src string) (*Program, error) {
	p := &parser{lx: newLexer(src), slots: map[string]int{}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var stmts []stmt
	for p.tok.kind != tEOF {
		st, err := p.stmt()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, st)
	}
	return &Program{stmts: stmts, slots: len(p.slots)}, nil
}

type parser struct {
	lx    *lexer
	tok   token
	slots map[string]int // literal key → read cache slot
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errAt(pos Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unexpected(want string) error {
	return p.errAt(p.tok.pos, "expected %s, found %s", want, p.tok)
}

func (p *parser) is(k tokKind, text string) bool { return p.tok.kind == k && p.tok.text == text }

func (p *parser) expect(k tokKind, text string) error {
	if !p.is(k, text) {
		return p.unexpected(fmt.Sprintf("%q", text))
	}
	return p.advance()
}

func (p *parser) stmt() (stmt, error) {
	if p.tok.kind == tVar {
		return p.varSet()
	}
	if p.tok.kind != tWord {
		return nil, p.unexpected("a rule (if) or an action")
	}
	switch p.tok.text {
	case "if":
		return p.ifStmt()
	case "elif", "else":
		return nil, p.errAt(p.tok.pos, "%s without if", p.tok.text)
	}
	return p.action()
}

func (p *parser) ifStmt() (stmt, error) {
	st := &ifStmt{}
	for first := true; first || p.is(tWord, "elif"); first = false {
		if err := p.advance(); err != nil { // if / elif
			return nil, err
		}
		c, err := p.expr()
		if err != nil {
			return nil, err
		}
		body, err := p.block()
		if err != nil {
			return nil, err
		}
		st.conds = append(st.conds, c)
		st.bodies = append(st.bodies, body)
	}
	if p.is(tWord, "else") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		body, err := p.block()
		if err != nil {
			return nil, err
		}
		st.bodies = append(st.bodies, body)
		st.hasElse = true
	}
	return st, nil
}

func (p *parser) block() ([]stmt, error) {
	if err := p.expect(tPunct, "{"); err != nil {
		return nil, err
	}
	var out []stmt
	for !p.is(tPunct, "}") {
		if p.tok.kind == tEOF {
			return nil, p.unexpected(`"}"`)
		}
		st, err := p.stmt()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, p.advance()
}

// ---- expressions ----

func (p *parser) expr() (expr, error) {
	x, err := p.chain("||", p.conj)
	if err != nil || len(x) > 1 {
		return orExpr(x), err
	}
	return x[0], nil
}

func (p *parser) conj() (expr, error) {
	x, err := p.chain("&&", p.cond)
	if err != nil || len(x) > 1 {
		return andExpr(x), err
	}
	return x[0], nil
}

// chain reads one or more operands joined by op.
func (p *parser) chain(op string, operand func() (expr, error)) ([]expr, error) {
	var out []expr
	for {
		c, err := operand()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if !p.is(tOp, op) {
			return out, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) cond() (expr, error) {
	if p.is(tOp, "!") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.cond()
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	}
	if p.is(tPunct, "(") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return x, p.expect(tPunct, ")")
	}
	if p.is(tColon, ":exists") || p.is(tColon, ":notexists") {
		not := p.tok.text == ":notexists"
		if err := p.advance(); err != nil {
			return nil, err
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		return existsExpr{k: k, not: not}, nil
	}
	k, err := p.key()
	if err != nil {
		return nil, err
	}
	op := p.tok
	if op.kind != tOp && op.kind != tColon {
		return nil, p.unexpected("an operator (==, !=, :contains, =~, !~, <, <=, >, >=, <<, :in, :containsany, :regexin, :before, :after, :equals, :setequals, :overlaps, :subsetof, :supersetof)")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch op.text {
	case "==", "!=":
		v, vpos, err := p.value(true)
		if err != nil {
			return nil, err
		}
		if err := checkCompare(k, v, vpos); err != nil {
			return nil, err
		}
		return eqExpr{k: k, neg: op.text == "!=", v: v, pos: vpos}, nil
	case ":contains", "=~", "!~":
		v, vpos, err := p.stringOrVar()
		if err != nil {
			return nil, err
		}
		x := &textExpr{k: k, op: op.text, v: v, pos: vpos, res: &reCache{}}
		if op.text != ":contains" && v.k == kString {
			if x.re, err = compile(v.s, vpos); err != nil {
				return nil, err
			}
		}
		return x, nil
	case "<", "<=", ">", ">=":
		v, vpos, err := p.value(false)
		if err != nil {
			return nil, err
		}
		if v.k != kNumber && v.k != kVar {
			return nil, p.errAt(vpos, "%s compares with a number", op.text)
		}
		if err := checkNumeric(k, vpos); err != nil {
			return nil, err
		}
		return numExpr{k: k, op: op.text, v: v, pos: vpos}, nil
	case "<<":
		return p.ipRange(k)
	case ":in", ":containsany", ":regexin":
		return p.setMatch(k, op)
	case ":before", ":after":
		if p.tok.kind != tString {
			return nil, p.unexpected("a time in quotes, such as '2024-01-31' or '2 days'")
		}
		at, err := timespec.Parse(p.tok.text)
		if err != nil {
			return nil, p.errAt(p.tok.pos, "%v", err)
		}
		return dateExpr{k: k, before: op.text == ":before", at: at}, p.advance()
	case ":equals", ":setequals", ":overlaps", ":subsetof", ":supersetof":
		vs, _, err := p.list(true)
		if err != nil {
			return nil, err
		}
		return listExpr{k: k, op: op.text, vs: vs, pos: op.pos}, nil
	}
	return nil, p.errAt(op.pos, "unknown operator %q", op.text)
}

// checkCompare checks == and != as IntelMQ does on loading: a number is
// compared only with a numeric field, an IP field only with an IP address.
func checkCompare(k key, v lit, pos Pos) error {
	switch v.k {
	case kNumber:
		return checkNumeric(k, pos)
	case kString:
		return checkIPValue(k, v, pos)
	}
	return nil
}

var numericTypes = map[dho.Type]bool{dho.TypeInteger: true, dho.TypeFloat: true, dho.TypeAccuracy: true, dho.TypeASN: true}

// checkNumeric refuses a numeric comparison on a field that holds no
// numbers (extra fields may hold numbers, so they pass).
func checkNumeric(k key, pos Pos) error {
	if k.fromVar || fieldval.IsExtra(k.name) {
		return nil
	}
	f, _ := fieldval.Field(k.name)
	if !numericTypes[f.Type] {
		return &Error{Pos: pos, Msg: fmt.Sprintf("%s is a %s field: numbers compare only with integer, float, accuracy and ASN fields", k.name, f.Type)}
	}
	return nil
}

// checkIPValue refuses a value that is not an IP address where the field
// holds IP addresses (a typo would otherwise never match).
func checkIPValue(k key, v lit, pos Pos) error {
	if k.fromVar || fieldval.IsExtra(k.name) || v.k != kString {
		return nil
	}
	if f, _ := fieldval.Field(k.name); f.Type == dho.TypeIPAddress {
		if _, err := netip.ParseAddr(v.s); err != nil {
			return &Error{Pos: pos, Msg: fmt.Sprintf("%q is not an IP address (%s holds IP addresses)", v.s, k.name)}
		}
	}
	return nil
}

func compile(pattern string, pos Pos) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("regular expression %q: %v", pattern, err)}
	}
	return re, nil
}

func (p *parser) ipRange(k key) (expr, error) {
	var texts []string
	var poss []Pos
	if p.tok.kind == tString {
		texts, poss = []string{p.tok.text}, []Pos{p.tok.pos}
		if err := p.advance(); err != nil {
			return nil, err
		}
	} else {
		vs, ps, err := p.list(false)
		if err != nil {
			return nil, err
		}
		for i, v := range vs {
			if v.k != kString {
				return nil, p.errAt(ps[i], "<< takes IP networks in quotes")
			}
			texts, poss = append(texts, v.s), append(poss, ps[i])
		}
		if len(texts) == 0 {
			return nil, p.errAt(k.pos, "<< needs at least one network")
		}
	}
	x := ipExpr{k: k}
	for i, t := range texts {
		n, err := parseNet(t)
		if err != nil {
			return nil, p.errAt(poss[i], "invalid IP range %q", t)
		}
		x.nets = append(x.nets, n)
	}
	return x, nil
}

// parseNet reads a network as Python's ip_network(strict=False) does: host
// bits may be set, an address alone is a network of one address.
func parseNet(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	n, err := netip.ParsePrefix(s)
	if err != nil {
		return n, err
	}
	return n.Masked(), nil
}

func (p *parser) setMatch(k key, op token) (expr, error) {
	vs, ps, err := p.list(false)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, p.errAt(op.pos, "%s needs at least one value", op.text)
	}
	x := &setExpr{k: k, op: op.text, vs: vs, pos: op.pos, rc: &reCache{}, res: make([]*regexp.Regexp, len(vs))}
	var strs, nums int
	for i, v := range vs {
		switch v.k {
		case kString:
			strs++
			if op.text == ":regexin" {
				if x.res[i], err = compile(v.s, ps[i]); err != nil {
					return nil, err
				}
			} else if op.text == ":in" {
				if err := checkIPValue(k, v, ps[i]); err != nil {
					return nil, err
				}
			}
		case kNumber:
			nums++
			if op.text != ":in" {
				return nil, p.errAt(ps[i], "%s takes strings", op.text)
			}
		case kBool:
			return nil, p.errAt(ps[i], "%s takes strings or numbers, not booleans", op.text)
		}
	}
	if strs > 0 && nums > 0 {
		return nil, p.errAt(op.pos, ":in takes a list of strings or a list of numbers, not both")
	}
	if nums > 0 {
		if err := checkNumeric(k, op.pos); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// ---- values ----

// key reads a field name or a variable holding one.
func (p *parser) key() (key, error) {
	t := p.tok
	switch t.kind {
	case tVar:
		return key{name: t.text, pos: t.pos, fromVar: true}, p.advance()
	case tWord:
		if !validKey(t.text) {
			return key{}, p.errAt(t.pos, "%q is not a field name (lower case letters, digits, _ and .)", t.text)
		}
		if err := fieldval.Check(t.text); err != nil {
			return key{}, p.errAt(t.pos, "%v", err)
		}
		slot, ok := p.slots[t.text]
		if !ok {
			slot = len(p.slots)
			p.slots[t.text] = slot
		}
		k := key{name: t.text, pos: t.pos, slot: slot}
		if d, ok := directs[t.text]; ok {
			k.direct = &d
		}
		return k, p.advance()
	}
	return key{}, p.unexpected("a field name")
}

func validKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}

// value reads a string, number, boolean or variable; booleans only when
// bools is set.
func (p *parser) value(bools bool) (lit, Pos, error) {
	t := p.tok
	var v lit
	switch t.kind {
	case tString:
		v = strLit(t.text)
	case tNumber:
		n, ok := numberLit(t.text)
		if !ok {
			return lit{}, t.pos, p.errAt(t.pos, "number %s out of range", t.text)
		}
		v = n
	case tVar:
		v = lit{k: kVar, s: t.text}
	case tWord:
		switch {
		case bools && (t.text == "true" || t.text == "True"):
			v = boolLit(true)
		case bools && (t.text == "false" || t.text == "False"):
			v = boolLit(false)
		default:
			return lit{}, t.pos, p.unexpected("a value (a string in quotes, a number, true, false or a $variable)")
		}
	default:
		return lit{}, t.pos, p.unexpected("a value (a string in quotes, a number, true, false or a $variable)")
	}
	return v, t.pos, p.advance()
}

func (p *parser) stringOrVar() (lit, Pos, error) {
	if p.tok.kind != tString && p.tok.kind != tVar {
		return lit{}, p.tok.pos, p.unexpected("a string in quotes or a $variable")
	}
	return p.value(false)
}

// list reads [v, v, ...] of values (booleans when bools is set).
func (p *parser) list(bools bool) ([]lit, []Pos, error) {
	if err := p.expect(tPunct, "["); err != nil {
		return nil, nil, err
	}
	var vs []lit
	var ps []Pos
	for !p.is(tPunct, "]") {
		if len(vs) > 0 {
			if err := p.expect(tPunct, ","); err != nil {
				return nil, nil, err
			}
		}
		v, pos, err := p.value(bools)
		if err != nil {
			return nil, nil, err
		}
		vs, ps = append(vs, v), append(ps, pos)
	}
	return vs, ps, p.advance()
}

// ---- actions ----

func (p *parser) action() (stmt, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch t.text {
	case "drop":
		return verdictStmt(Drop), nil
	case "keep":
		return verdictStmt(Keep), nil
	case "path":
		if p.tok.kind == tString {
			path := pathStmt{p.tok.text}
			return path, p.advance()
		}
		vs, ps, err := p.list(false)
		if err != nil {
			return nil, err
		}
		if len(vs) == 0 {
			return nil, p.errAt(t.pos, "path needs at least one path name")
		}
		var path pathStmt
		for i, v := range vs {
			if v.k != kString {
				return nil, p.errAt(ps[i], "path names are strings in quotes")
			}
			path = append(path, v.s)
		}
		return path, nil
	case "add", "add!", "update":
		return p.assign(t)
	case "remove":
		k, err := p.key()
		return removeStmt{k}, err
	case "append", "append!":
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		if !k.fromVar && !fieldval.IsExtra(k.name) && !fieldval.Multi(k.name) {
			return nil, p.errAt(k.pos, "%s needs a multi-valued field or an extra field, %s holds one value", t.text, k.name)
		}
		v, vpos, err := p.value(true)
		if err != nil {
			return nil, err
		}
		if err := checkLiteral(k, v, vpos); err != nil {
			return nil, err
		}
		return &appendStmt{force: t.text == "append!", k: k, v: v, pos: vpos}, nil
	}
	return nil, p.errAt(t.pos, "unknown action %q (actions: drop, keep, path, add, add!, update, remove, append, append!, $variable = field)", t.text)
}

func (p *parser) assign(t token) (stmt, error) {
	k, err := p.key()
	if err != nil {
		return nil, err
	}
	op := p.tok
	if op.kind != tOp || op.text != "=" && op.text != "+=" && op.text != "-=" {
		return nil, p.unexpected("=, += or -=")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	v, vpos, err := p.value(true)
	if err != nil {
		return nil, err
	}
	a := &assignStmt{k: k, v: v, pos: vpos}
	switch t.text {
	case "add!":
		a.mode = modeForce
	case "update":
		a.mode = modeUpdate
	}
	if op.text != "=" {
		if v.k != kString {
			return nil, p.errAt(vpos, "%s takes a relative time in quotes, such as '1 hour'", op.text)
		}
		d, err := timespec.ParseRelative(v.s)
		if err != nil {
			return nil, p.errAt(vpos, "%v", err)
		}
		if op.text == "-=" {
			d = -d
		}
		if !k.fromVar && !fieldval.IsExtra(k.name) {
			if f, _ := fieldval.Field(k.name); f.Type != dho.TypeDateTime {
				return nil, p.errAt(op.pos, "%s works on time fields, %s is a %s field", op.text, k.name, f.Type)
			}
		}
		a.math, a.delta = true, d
		return a, nil
	}
	if err := checkLiteral(k, v, vpos); err != nil {
		return nil, err
	}
	if ek, ok := strings.CutPrefix(k.name, "extra."); ok && !k.fromVar && v.k != kVar {
		a.extraKey = ek
		a.extra, _ = dho.ValueOf(v.goValue())
	}
	return a, nil
}

// checkLiteral tries a literal on an empty event, so that a value the
// field cannot take is refused when the file is loaded, not on every
// event.
func checkLiteral(k key, v lit, pos Pos) error {
	if k.fromVar || v.k == kVar {
		return nil
	}
	var e dho.Event
	if err := setLit(&e, k.name, v); err != nil {
		return &Error{Pos: pos, Msg: err.Error()}
	}
	return nil
}

func (p *parser) varSet() (stmt, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tOp, "="); err != nil {
		return nil, err
	}
	if p.tok.kind == tVar {
		return nil, p.unexpected("a field name")
	}
	k, err := p.key()
	if err != nil {
		return nil, err
	}
	return &varStmt{name: t.text, k: key{name: k.name, pos: k.pos}, pos: t.pos}, nil
}
