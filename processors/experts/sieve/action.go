package sieve

import (
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
)

type verdictStmt Verdict // drop and keep

func (v verdictStmt) exec(*state) Verdict { return Verdict(v) }

// pathStmt sets the paths the event is sent to.
type pathStmt []string

func (p pathStmt) exec(s *state) Verdict {
	s.paths = p
	return Continue
}

// assignMode says when add, add! and update write.
type assignMode uint8

const (
	modeAdd    assignMode = iota // only when the field is not set
	modeForce                    // always (add!)
	modeUpdate                   // only when the field is set
)

// assignStmt is add, add! and update, with =, += or -= (the last two add
// or subtract a relative time to or from a time field's value).
type assignStmt struct {
	mode  assignMode
	k     key
	v     lit
	delta time.Duration // for += and -=, signed
	math  bool
	pos   Pos
	// extra is the literal as an extra value when the key is a literal
	// extra key and the value a literal: it is stored without a second
	// check (the parser checked key and value).
	extra    dho.Value
	extraKey string
}

func (a *assignStmt) exec(s *state) Verdict {
	name, ok := s.resolve(a.k)
	if !ok {
		return Continue
	}
	if a.mode != modeForce || a.math {
		if has := s.has(a.k); a.mode == modeAdd && has || a.mode == modeUpdate && !has {
			return Continue
		}
	}
	s.changed()
	if a.math {
		old, has := s.e.Get(name)
		// Arithmetic changes a time the event has; without one (add
		// writes only to unset fields) there is nothing to change.
		if !has {
			return Continue
		}
		t, ok := timeOf(old)
		if !ok {
			s.fail(a.pos, "%s holds %q, not a time to add to", name, fieldval.Text(old))
			return Continue
		}
		t = t.Add(a.delta)
		var v any = t
		if fieldval.IsExtra(name) {
			v = sanitize.FormatDateTime(t)
		}
		if err := s.e.Set(name, v); err != nil {
			s.fail(a.pos, "%v", err)
		}
		return Continue
	}
	if a.extraKey != "" {
		if s.e.Extra == nil {
			s.e.Extra = dho.Extra{}
		}
		s.e.Extra[a.extraKey] = a.extra
		return Continue
	}
	v, ok := s.value(a.v, a.pos)
	if !ok {
		return Continue
	}
	if err := setLit(s.e, name, v); err != nil {
		s.fail(a.pos, "%v", err)
	}
	return Continue
}

// setLit writes a literal into a field: text fields take numbers and
// booleans as their text, extra fields keep the literal's kind.
func setLit(e *dho.Event, name string, v lit) error {
	if !fieldval.IsExtra(name) && fieldval.IsText(name) {
		return e.Set(name, v.text())
	}
	return e.Set(name, v.goValue())
}

// removeStmt is remove.
type removeStmt struct{ k key }

func (r removeStmt) exec(s *state) Verdict {
	if name, ok := s.resolve(r.k); ok {
		s.changed()
		s.e.Delete(name)
	}
	return Continue
}

// appendStmt is append and append!: add a value to a list. An unset field
// becomes a list of the value; a multi-valued field gets the value added;
// an extra list gets it appended. An extra holding a single value is left
// alone by append and turned into a list of the old and the new value by
// append!.
type appendStmt struct {
	force bool
	k     key
	v     lit
	pos   Pos
}

func (a *appendStmt) exec(s *state) Verdict {
	name, ok := s.resolve(a.k)
	if !ok {
		return Continue
	}
	v, ok := s.value(a.v, a.pos)
	if !ok {
		return Continue
	}
	s.changed()
	var err error
	switch {
	case !fieldval.IsExtra(name):
		if !fieldval.Multi(name) {
			s.fail(a.pos, "append needs a multi-valued field or an extra field, %s holds one value", name)
			return Continue
		}
		if fieldval.IsText(name) {
			err = s.e.Append(name, v.text())
		} else {
			err = s.e.Append(name, v.goValue())
		}
	default:
		nv, _ := dho.ValueOf(v.goValue())
		old, has := s.e.Get(name)
		switch {
		case !has:
			err = s.e.Set(name, dho.List(nv))
		default:
			ov := old.(dho.Value)
			if l, isList := ov.List(); isList {
				err = s.e.Set(name, dho.List(append(append([]dho.Value{}, l...), nv)...))
			} else if a.force {
				err = s.e.Set(name, dho.List(ov, nv))
			}
		}
	}
	if err != nil {
		s.fail(a.pos, "%v", err)
	}
	return Continue
}

// varStmt is $name = field: the variable holds the field's value from now
// on in this run.
type varStmt struct {
	name string
	k    key
	pos  Pos
}

func (a *varStmt) exec(s *state) Verdict {
	v, ok := s.e.Get(a.k.name)
	if !ok {
		s.fail(a.pos, "%s = %s: the event has no %s", a.name, a.k.name, a.k.name)
		return Continue
	}
	if s.vars == nil {
		s.vars = map[string]any{}
	}
	s.vars[a.name] = v
	return Continue
}
