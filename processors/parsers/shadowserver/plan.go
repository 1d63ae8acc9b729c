package shadowserver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// plan is a report type's mappings resolved against one report's header,
// so that rows are mapped by column index. It follows IntelMQ's
// parse_line step for step, including how it tracks the columns not yet
// used (a list of header names from which each used column is removed
// once), because that decides which columns end up in extra.
type plan struct {
	rt        *ReportType
	overwrite bool
	idOf      map[string]int // header name → id
	names     []string       // id → header name
	extraKeys []string       // id → "extra." + header name
	extraOK   []bool         // id → the header name is a valid extra name
	colOf     []int          // id → column index (the last of equal names, as in a Python dict)
	initial   []int          // the header as ids, in order
	required  []step
	optional  []step
	// The feed fields and the constants, sanitized once into templates
	// that each event copies them from.
	feed, consts *dho.Event
	feedRefs     [2]dho.FieldRef // feed.name, feed.documentation
	feedErrs     [2]error        // what adding each to an event gives
	constants    []constant
}

// constant is a constant field of the report type. A value that is the
// same for every event is sanitized once into the template (err is what
// that gave, returned for every row); a name that is no field (an extra
// name) is added to each event as it is.
type constant struct {
	c      Constant
	ref    dho.FieldRef
	hasRef bool
	err    error
}

// stepKind says where a mapped value goes.
type stepKind uint8

const (
	toField     stepKind = iota // an event field (or extra.NAME, required)
	toExtraCol                  // "extra.": extra.COLUMN
	toExtraName                 // "extra.NAME": extra.NAME
	toNowhere                   // false: dropped
)

type step struct {
	m     *Mapping
	id    int // column id, -1 when the header lacks the column
	kind  stepKind
	field string // event field, or extra name
	// ref is the event field, looked up once; hasRef is false for extra
	// names and names that are no field.
	ref    dho.FieldRef
	hasRef bool
	key    string // "extra." + field for the extra kinds
	ok     bool   // key is a valid extra name
	// unique says no other source gives the event this field (the report,
	// the feed fields, another mapping, a constant), so it is surely unset.
	unique bool
}

// validExtraKey reports whether DHO takes key as an extra name, so that
// values for it can be stored without checking the name for every row.
func validExtraKey(key string) bool {
	var probe dho.Event
	return probe.Set(key, "x") == nil
}

func compile(rt *ReportType, header []string, overwrite bool) *plan {
	p := &plan{rt: rt, overwrite: overwrite, idOf: make(map[string]int, len(header))}
	for i, name := range header {
		id, ok := p.idOf[name]
		if !ok {
			id = len(p.names)
			p.idOf[name] = id
			p.names = append(p.names, name)
			p.extraKeys = append(p.extraKeys, "extra."+name)
			p.extraOK = append(p.extraOK, validExtraKey("extra."+name))
			p.colOf = append(p.colOf, i)
		}
		p.colOf[id] = i
		p.initial = append(p.initial, id)
	}
	mk := func(ms []Mapping) []step {
		out := make([]step, len(ms))
		for i := range ms {
			m := &ms[i]
			s := step{m: m, id: -1, field: m.Field}
			if id, ok := p.idOf[m.Column]; ok {
				s.id = id
			}
			switch {
			case m.Field == "":
				s.kind = toNowhere
			case m.Field == "extra.":
				s.kind, s.field = toExtraCol, m.Column
			case strings.HasPrefix(m.Field, "extra."):
				s.kind, s.field = toExtraName, m.Field[len("extra."):]
			}
			if s.kind == toExtraCol || s.kind == toExtraName {
				s.key = "extra." + s.field
				s.ok = validExtraKey(s.key)
			} else if s.kind == toField {
				s.ref, s.hasRef = dho.Ref(m.Field)
			}
			out[i] = s
		}
		return out
	}
	p.compileTemplates()
	p.required = mk(rt.Required)
	p.optional = mk(rt.Optional)
	targets := map[string]int{}
	for _, name := range inherited {
		targets[name]++
	}
	for _, c := range rt.Constants {
		targets[c.Field]++
	}
	for _, steps := range [][]step{p.required, p.optional} {
		for i := range steps {
			targets[steps[i].m.Field]++
		}
	}
	for _, steps := range [][]step{p.required, p.optional} {
		for i := range steps {
			steps[i].unique = targets[steps[i].m.Field] == 1
		}
	}
	return p
}

// compileTemplates sanitizes the feed fields and the constants once.
func (p *plan) compileTemplates() {
	p.feed, p.consts = &dho.Event{}, &dho.Event{}
	for i, f := range [2]struct {
		name string
		v    any
	}{{"feed.name", p.rt.FeedName}, {"feed.documentation", p.rt.URL}} {
		p.feedRefs[i], _ = dho.Ref(f.name)
		_, p.feedErrs[i] = parsers.Add(p.feed, f.name, f.v, parsers.Replace)
	}
	for _, c := range p.rt.Constants {
		k := constant{c: c}
		if k.ref, k.hasRef = dho.Ref(c.Field); k.hasRef {
			if _, err := parsers.Add(p.consts, c.Field, c.Value, parsers.Replace); err != nil {
				k.err = fmt.Errorf("constant field: %w", err)
			}
		}
		p.constants = append(p.constants, k)
	}
}

// inherited are the fields an event may hold before its columns are
// mapped: those NewEvent copies from the report, and the feed fields.
var inherited = []string{"feed.accuracy", "feed.code", "feed.documentation", "feed.name",
	"feed.provider", "feed.url", "rtir_id", "time.observation"}

// addValue adds a mapped value, refusing a field already set; text (most
// values) takes the path that does not box it.
func (s *step) addValue(ev *dho.Event, name string, v value) error {
	if s.hasRef && name == s.field {
		var err error
		switch v.k {
		case kText, kBigInt:
			_, err = parsers.AddTextRef(ev, s.ref, v.s, s.unique)
		case kInt:
			_, err = parsers.AddIntRef(ev, s.ref, v.n, s.unique)
		case kTime:
			_, err = parsers.AddTimeRef(ev, s.ref, time.Unix(v.n, 0).UTC(), s.unique)
		default:
			_, err = parsers.AddRef(ev, s.ref, v.field(), s.unique)
		}
		return err
	}
	if v.k == kText || v.k == kBigInt {
		_, err := parsers.AddText(ev, name, v.s, s.unique)
		return err
	}
	return s.add(ev, name, v.field())
}

// add adds a mapped value, refusing a field already set.
func (s *step) add(ev *dho.Event, name string, v any) error {
	var err error
	if s.unique {
		_, err = parsers.AddUnset(ev, name, v)
	} else {
		_, err = parsers.Add(ev, name, v, parsers.Refuse)
	}
	return err
}

// state is the scratch space of one Parse call.
type state struct {
	unused unusedColumns
	// extraHint is how many extra values the last event had: the size
	// the next event's extra map starts with.
	extraHint int
	row       row
}

// unusedColumns is IntelMQ's list of the header names not yet used by a
// mapping: names are removed (first occurrence) when used, and appended
// again when a second mapping uses the same column. It is the header's
// list of ids plus the ids appended to it, with tombstones and a live
// count per id, so that membership and removal take constant time for the
// usual header of distinct names. Per-row state is stamped with the row's
// generation, so starting a row costs nothing: a stamp from an older row
// reads as the header's initial state.
type unusedColumns struct {
	initial   []int   // the header's ids, in order
	initCount []int32 // id → occurrences in initial
	initFirst []int32 // id → first position in initial
	added     []int   // ids appended to the list in this row

	gen     uint32
	deadGen []uint32 // position → gen when it was removed
	idGen   []uint32 // id → gen when count and first were last written
	count   []int32  // id → live occurrences (when idGen is gen)
	first   []int32  // id → no live occurrence before this position (when idGen is gen)
}

// setHeader starts a report whose header is initial, with ids distinct ids.
func (u *unusedColumns) setHeader(initial []int, ids int) {
	u.initial = initial
	u.initCount = make([]int32, ids)
	u.initFirst = make([]int32, ids)
	for i := len(initial) - 1; i >= 0; i-- {
		id := initial[i]
		u.initCount[id]++
		u.initFirst[id] = int32(i)
	}
	u.idGen = make([]uint32, ids)
	u.count = make([]int32, ids)
	u.first = make([]int32, ids)
	u.deadGen = make([]uint32, len(initial))
	u.gen = 0
	u.reset()
}

// reset starts a row: the list is the header again.
func (u *unusedColumns) reset() {
	u.added = u.added[:0]
	u.gen++
	if u.gen == 0 { // wrapped: old stamps would read as current
		clear(u.deadGen)
		clear(u.idGen)
		u.gen = 1
	}
}

// len is the length of the list, dead positions included.
func (u *unusedColumns) len() int { return len(u.initial) + len(u.added) }

// at returns the id at position i and whether it is still in the list.
func (u *unusedColumns) at(i int) (id int, live bool) {
	if i < len(u.initial) {
		id = u.initial[i]
	} else {
		id = u.added[i-len(u.initial)]
	}
	return id, u.deadGen[i] != u.gen
}

// touch makes id's count and first current for this row.
func (u *unusedColumns) touch(id int) {
	if u.idGen[id] != u.gen {
		u.idGen[id] = u.gen
		u.count[id] = u.initCount[id]
		u.first[id] = u.initFirst[id]
	}
}

func (u *unusedColumns) has(id int) bool {
	if id < 0 {
		return false
	}
	u.touch(id)
	return u.count[id] > 0
}

func (u *unusedColumns) add(id int) {
	u.touch(id)
	u.added = append(u.added, id)
	if n := u.len(); n > len(u.deadGen) {
		u.deadGen = append(u.deadGen, 0)
	} else {
		u.deadGen[n-1] = 0 // live: gen is never 0
	}
	u.count[id]++
}

func (u *unusedColumns) remove(id int) {
	if id < 0 {
		return
	}
	u.touch(id)
	if u.count[id] == 0 {
		return
	}
	for i := int(u.first[id]); i < u.len(); i++ {
		if at, live := u.at(i); at == id && live {
			u.deadGen[i] = u.gen
			u.count[id]--
			u.first[id] = int32(i + 1)
			return
		}
	}
}

func (p *plan) newState() *state {
	st := &state{row: row{p: p}}
	st.unused.setHeader(p.initial, len(p.names))
	return st
}

// row is one CSV row seen as IntelMQ's dictionary.
type row struct {
	p      *plan
	fields []string
}

func (r *row) has(name string) bool { _, ok := r.p.idOf[name]; return ok }

func (r *row) get(name string) (string, bool) {
	id, ok := r.p.idOf[name]
	if !ok {
		return "", false
	}
	return r.byID(id)
}

// byID returns the column's text; false when the row is too short to have
// it (Python's DictReader gives None then).
func (r *row) byID(id int) (string, bool) {
	col := r.p.colOf[id]
	if col >= len(r.fields) {
		return "", false
	}
	return r.fields[col], true
}

// addExtra stores an extra value; a later value for a name replaces an
// earlier one, as in IntelMQ's dictionary. Names checked once per report
// (ok) are stored directly, which saves the event a check per value;
// floats are still checked (DHO refuses NaN and infinities).
func (st *state) addExtra(ev *dho.Event, key string, v dho.Value, ok bool) error {
	if !ok || v.Kind() == dho.KindFloat {
		return ev.Set(key, v)
	}
	if ev.Extra == nil {
		ev.Extra = dho.MakeExtra(st.extraHint)
	}
	ev.Extra[key[len("extra."):]] = v
	return nil
}

// convert applies the mapping's function to the column's text.
func (st *state) convert(s *step, text string) (value, error) {
	m := s.m
	if m.Func == "" {
		return value{k: kText, s: text}, nil
	}
	if m.conv == nil {
		return none, fmt.Errorf("column %q: unknown conversion function %q (known: %s)", m.Column, m.Func, strings.Join(Conversions(), ", "))
	}
	var rv rowView
	if m.WithRow {
		rv = &st.row
	}
	v, err := m.conv(text, rv)
	if err != nil {
		return none, fmt.Errorf("column %q: %s: %w", m.Column, m.Func, err)
	}
	return v, nil
}

// event maps one row.
func (p *plan) event(st *state, report *dho.Report, fields []string, raw []byte) (*dho.Event, error) {
	rt := p.rt
	st.row.fields = fields
	st.unused.reset()

	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	// feed.name is kept when the report has one (replaced with overwrite),
	// feed.documentation is kept.
	for i, ref := range p.feedRefs {
		if (i == 0 && p.overwrite) || !ref.Has(ev) {
			if p.feedErrs[i] != nil {
				return nil, p.feedErrs[i]
			}
			ref.Copy(ev, p.feed)
		}
	}

	for i := range p.required {
		s := &p.required[i]
		if !st.unused.has(s.id) {
			if s.id < 0 {
				return nil, fmt.Errorf("required column %q is not in the report (report type %s): the data format changed, or the wrong report type was chosen", s.m.Column, rt.FileName)
			}
			st.unused.add(s.id) // a column used twice
		}
		text, present := st.row.byID(s.id)
		if !present {
			continue
		}
		v, err := st.convert(s, text)
		if err != nil {
			return nil, err
		}
		if v.k == kNone {
			continue
		}
		// Required values go to the event as they are: "extra." or false
		// is no field name, which IntelMQ skips.
		if s.kind != toNowhere && s.kind != toExtraCol {
			if err := s.addValue(ev, s.m.Field, v); err != nil && !errors.Is(err, dho.ErrUnknownField) {
				return nil, err
			}
		}
		st.unused.remove(s.id)
	}

	for i := range p.optional {
		s := &p.optional[i]
		if s.id < 0 {
			continue // an optional column the report does not have
		}
		if !st.unused.has(s.id) {
			st.unused.add(s.id)
		}
		text, present := st.row.byID(s.id)
		v := none
		if present {
			if s.m.Func != "" && s.m.conv == nil {
				v = value{k: kText, s: text} // IntelMQ skips unknown functions here
			} else if v, err = st.convert(s, text); err != nil {
				return nil, err
			}
		}
		if v.k == kNone {
			st.unused.remove(s.id)
			continue
		}
		switch s.kind {
		case toExtraCol, toExtraName:
			if err := st.addExtra(ev, s.key, v.extra(), s.ok); err != nil {
				return nil, err
			}
		case toNowhere:
		case toField:
			err := s.addValue(ev, s.field, v)
			switch {
			case err == nil:
			case errors.Is(err, dho.ErrUnknownField):
				if err := st.addExtra(ev, "extra."+s.field, v.extra(), false); err != nil {
					return nil, err
				}
			case errors.Is(err, parsers.ErrKeyExists):
				return nil, err
			default:
				// A value the field refuses: the column stays unused and
				// goes to extra as it is in the report.
				continue
			}
		}
		st.unused.remove(s.id)
	}

	for i := range p.constants {
		k := &p.constants[i]
		switch {
		case k.err != nil:
			return nil, k.err
		case k.hasRef:
			k.ref.Copy(ev, p.consts)
		default:
			// An extra name: a column mapped to it wins, as it is added
			// after the constants in IntelMQ.
			if name, isExtra := strings.CutPrefix(k.c.Field, "extra."); isExtra && validExtraKey(k.c.Field) {
				if _, set := ev.Extra[name]; set {
					continue
				}
			}
			if _, err := parsers.Add(ev, k.c.Field, k.c.Value, parsers.Replace); err != nil {
				return nil, fmt.Errorf("constant field: %w", err)
			}
		}
	}
	ev.Raw = raw

	for i := range st.unused.len() {
		id, live := st.unused.at(i)
		if !live {
			continue
		}
		text, present := st.row.byID(id)
		var err error
		switch {
		case !present:
			err = st.addExtra(ev, p.extraKeys[id], dho.Null(), p.extraOK[id])
		case text != "":
			err = st.addExtra(ev, p.extraKeys[id], dho.String(text), p.extraOK[id])
		}
		if err != nil {
			return nil, err
		}
	}
	st.extraHint = len(ev.Extra)
	return ev, nil
}
