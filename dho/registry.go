package dho

import (
	"fmt"
	"github.com/intelstream/intelstream/dho/sanitize"
	"slices"
	"strings"
	"unsafe"
)

// Field describes one DHO field: its dotted name (IntelMQ's name for the
// fields IntelMQ has), value type, documentation and constraints.
type Field struct {
	// Name is the dotted name, e.g. "source.ip".
	Name string
	// Type is the value type; it decides sanitation.
	Type Type
	// Multi says the field may hold several values (a list).
	Multi bool
	// Doc describes the field.
	Doc string
	// Since is the DHO version that added the field.
	Since string
	// IntelMQ says IntelMQ has a field of this name, so the IntelMQ flat
	// form writes it under its own name rather than under extra.dho.
	IntelMQ bool
	// InReport says the field is also a Report field.
	InReport bool
	// MaxLength limits the length of a string value, 0 for no limit.
	MaxLength int
	// Pattern is a regular expression every value must match, "" for none.
	Pattern string
	// IPattern is a regular expression every value must match ignoring
	// case (IntelMQ's iregex), "" for none.
	IPattern string
	// Min and Max bound an integer value when Max is not 0.
	Min, Max int64

	index      int // position in the registry
	st         storage
	constraint *sanitize.Constraint // length and pattern, nil for none
	ev         *accessor[Event]
	rp         *accessor[Report]
	// off is where the field lives in an Event (off[recEvent]) and a
	// Report (off[recReport], for report fields).
	off [2]uintptr
}

// recKind tells the two record types apart in code shared by both.
type recKind uint8

const (
	recEvent recKind = iota
	recReport
)

// recInfo describes one record type for the shared code.
type recInfo struct {
	typeName string            // "Event" or "Report", the flat form's __type
	fields   []*Field          // sorted by name
	byName   map[string]*Field // name → field
	slots    [2][]slot         // flat key order per FlatMode
}

var recs [2]*recInfo

// view is one record, Event or Report, seen through the field table.
type view struct {
	base  unsafe.Pointer
	kind  recKind
	extra *Extra
}

func (v view) info() *recInfo      { return recs[v.kind] }
func (v view) at(f *Field) slotPtr { return fieldAt(v.base, f.off[v.kind]) }
func (e *Event) view() view        { return view{unsafe.Pointer(e), recEvent, &e.Extra} }
func (r *Report) view() view       { return view{unsafe.Pointer(r), recReport, &r.Extra} }

// GoType names the Go type that holds the field's value in Event.
func (f *Field) GoType() string {
	switch f.st {
	case stString:
		return "string"
	case stStrings:
		return "[]string"
	case stInt:
		return "*int64"
	case stInts:
		return "[]int64"
	case stFloat:
		return "*float64"
	case stBool:
		return "*bool"
	case stTime:
		return "*time.Time"
	case stBytes:
		return "[]byte"
	case stExtra:
		return "dho.Extra"
	}
	return ""
}

var (
	registry      []*Field          // every field, sorted by name
	byName        map[string]*Field // name → field
	reportFields  []*Field          // the Report fields, sorted by name
	reportsByName map[string]*Field
)

func init() {
	fs := make([]*Field, 0, len(eventFields)+2*len(endpointFields))
	for i := range eventFields {
		fs = append(fs, &eventFields[i])
	}
	for _, side := range both {
		part := func(e *Event) *Endpoint { return &e.Source }
		if side == "destination" {
			part = func(e *Event) *Endpoint { return &e.Destination }
		}
		for _, ef := range endpointFields {
			f := &Field{
				Name:      side + "." + ef.name,
				Type:      ef.typ,
				Multi:     ef.multi,
				Doc:       fmt.Sprintf(ef.doc, side),
				Since:     "1.0",
				IntelMQ:   slices.Contains(ef.intelmq, side),
				MaxLength: ef.maxLength,
				Pattern:   ef.pattern,
				Max:       ef.max,
				ev:        within(ef.acc, part),
			}
			if !f.IntelMQ {
				f.Since = "2.0"
			}
			fs = append(fs, f)
		}
	}
	slices.SortFunc(fs, func(a, b *Field) int { return strings.Compare(a.Name, b.Name) })
	byName = make(map[string]*Field, len(fs))
	reportsByName = map[string]*Field{}
	for i, f := range fs {
		f.index = i
		f.st = storageOf(f.Type, f.Multi)
		if got := f.ev.storage(); got != f.st {
			panic(fmt.Sprintf("dho: field %s: accessor storage %d does not fit type %s", f.Name, got, f.Type))
		}
		if f.MaxLength > 0 || f.Pattern != "" || f.IPattern != "" {
			f.constraint = sanitize.MustConstraint(f.MaxLength, f.Pattern, f.IPattern)
		}
		f.off[recEvent] = f.ev.offset()
		if f.rp != nil {
			f.off[recReport] = f.rp.offset()
		}
		if _, dup := byName[f.Name]; dup {
			panic("dho: duplicate field " + f.Name)
		}
		byName[f.Name] = f
		if f.InReport {
			reportFields = append(reportFields, f)
			reportsByName[f.Name] = f
		}
	}
	registry = fs
	recs[recEvent] = &recInfo{typeName: "Event", fields: registry, byName: byName}
	recs[recReport] = &recInfo{typeName: "Report", fields: reportFields, byName: reportsByName}
	initFlat()
}

// Fields returns every DHO field (Event fields, of which the Report fields are
// a subset), sorted by name.
func Fields() []Field {
	out := make([]Field, len(registry))
	for i, f := range registry {
		out[i] = *f
	}
	return out
}

// ReportFields returns the fields a Report has, sorted by name.
func ReportFields() []Field {
	out := make([]Field, len(reportFields))
	for i, f := range reportFields {
		out[i] = *f
	}
	return out
}

// LookupField returns the field with the given dotted name.
func LookupField(name string) (Field, bool) {
	f, ok := byName[name]
	if !ok {
		return Field{}, false
	}
	return *f, true
}
