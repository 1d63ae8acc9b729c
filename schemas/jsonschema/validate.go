package jsonschema

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ValidationError is what Validate returns for a document the schema
// refuses: every value that breaks a rule, by its place in the document.
type ValidationError struct {
	// Violations are sorted by Pointer.
	Violations []Violation
}

// Violation is one refused value.
type Violation struct {
	// Pointer is the JSON pointer (RFC 6901) of the refused value:
	// "/source.ip", "/source.ip/1" for a list's second value, "" for the
	// document itself. For a key the schema does not know it points at that
	// key ("/extra.Bad-Key").
	Pointer string
	// Message says which rule the value breaks.
	Message string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("dho schema: ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		if v.Pointer == "" {
			b.WriteString("document")
		} else {
			b.WriteString(v.Pointer)
		}
		b.WriteString(": ")
		b.WriteString(v.Message)
	}
	return b.String()
}

// compiled caches the compiled schemas by their text: callers pass a
// handful of schemas (Event, Report), many times each. A plain map, as its
// lookup by string(schema) does not copy the schema.
var compiled struct {
	sync.RWMutex
	m map[string]*sjs.Schema
}

// Validate checks the JSON document doc against the JSON Schema schema
// (draft 2020-12 unless the schema says otherwise), with "format" and the
// content keywords asserted rather than only annotated. The schema is
// compiled on first use and kept. A refused document gives a
// *ValidationError; a schema or document that is not JSON, or a schema that
// does not compile, gives a plain error.
func Validate(schema []byte, doc []byte) error {
	sch, err := compile(schema)
	if err != nil {
		return err
	}
	inst, err := sjs.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("dho schema: the document is not JSON: %w", err)
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	ve, ok := err.(*sjs.ValidationError)
	if !ok {
		return fmt.Errorf("dho schema: %w", err)
	}
	return toError(ve)
}

func compile(schema []byte) (*sjs.Schema, error) {
	compiled.RLock()
	s, ok := compiled.m[string(schema)]
	compiled.RUnlock()
	if ok {
		return s, nil
	}
	doc, err := sjs.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("dho schema: the schema is not JSON: %w", err)
	}
	// A private name for the resource, so that the schema's own $id is
	// never fetched and two schemas with one $id do not meet.
	const loc = "urn:intelstream:validate:schema.json"
	c := sjs.NewCompiler()
	c.DefaultDraft(sjs.Draft2020)
	c.AssertFormat()
	c.AssertContent()
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("dho schema: %w", err)
	}
	s, err = c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("dho schema: compiling the schema: %w", err)
	}
	compiled.Lock()
	defer compiled.Unlock()
	if prev, ok := compiled.m[string(schema)]; ok {
		return prev, nil // compiled concurrently
	}
	if compiled.m == nil {
		compiled.m = make(map[string]*sjs.Schema)
	}
	compiled.m[string(schema)] = s
	return s, nil
}

var printer = message.NewPrinter(language.English)

// describe words one failed rule. Bounds are written exactly (the validator
// writes them as float64, 9.223372036854776e+18 for the largest int64).
func describe(k sjs.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Minimum:
		return "is less than the minimum: got " + k.Got.RatString() + ", want at least " + k.Want.RatString()
	case *kind.Maximum:
		return "is more than the maximum: got " + k.Got.RatString() + ", want at most " + k.Want.RatString()
	}
	return k.LocalizedString(printer)
}

// toError turns the validator's tree of errors into the values that broke a
// rule. Where a value could take several shapes (anyOf: one value or a
// list), a shape the value does not even have the JSON kind of is left out,
// so that "300.1.2.3" is reported as no IP address, not also as no list.
func toError(ve *sjs.ValidationError) *ValidationError {
	var out []Violation
	var walk func(e *sjs.ValidationError)
	walk = func(e *sjs.ValidationError) {
		ptr := pointer(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out = append(out, Violation{ptr + "/" + escape(p), "is not a key of this schema (no such field, and not a valid extra.NAME)"})
			}
			return
		case *kind.FalseSchema:
			out = append(out, Violation{ptr, "is not allowed here"})
			return
		case *kind.Not:
			out = append(out, Violation{ptr, "has a form that " + notRule(e) + " rules out"})
			return
		case *kind.PropertyNames:
			// The causes are about the name as a string of its own.
			out = append(out, Violation{ptr + "/" + escape(k.Property), "is not a valid name: " + causesText(e)})
			return
		case *kind.ContentSchema:
			// The causes point into the decoded content, not into doc.
			out = append(out, Violation{ptr, "its content is refused: " + causesText(e)})
			return
		}
		causes := e.Causes
		switch e.ErrorKind.(type) {
		case *kind.AnyOf, *kind.OneOf:
			causes = withoutKindMismatches(causes)
		}
		if len(causes) == 0 {
			out = append(out, Violation{ptr, describe(e.ErrorKind)})
			return
		}
		for _, c := range causes {
			walk(c)
		}
	}
	walk(ve)
	slices.SortStableFunc(out, func(a, b Violation) int { return cmp.Compare(a.Pointer, b.Pointer) })
	out = slices.Compact(out)
	return &ValidationError{Violations: out}
}

// withoutKindMismatches drops the alternatives that failed only on the JSON
// kind, unless nothing else is left.
func withoutKindMismatches(causes []*sjs.ValidationError) []*sjs.ValidationError {
	var kept []*sjs.ValidationError
	for _, c := range causes {
		if !onlyKindMismatch(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return causes
	}
	return kept
}

// causesText words the failed rules below e, with their pointers relative
// to the value e is about.
func causesText(e *sjs.ValidationError) string {
	var msgs []string
	for _, c := range leaves(e) {
		msg := describe(c.ErrorKind)
		if p := pointer(c.InstanceLocation); p != "" {
			msg = p + ": " + msg
		}
		msgs = append(msgs, msg)
	}
	return strings.Join(msgs, "; ")
}

// leaves returns the errors below e that have no causes.
func leaves(e *sjs.ValidationError) []*sjs.ValidationError {
	if len(e.Causes) == 0 {
		return []*sjs.ValidationError{e}
	}
	var out []*sjs.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func onlyKindMismatch(e *sjs.ValidationError) bool {
	if len(e.Causes) == 0 {
		_, ok := e.ErrorKind.(*kind.Type)
		return ok
	}
	for _, c := range e.Causes {
		if !onlyKindMismatch(c) {
			return false
		}
	}
	return true
}

// notRule names the "not" keyword that matched, by its place in the schema
// ("#/$defs/FQDN/not"), which says which form was ruled out.
func notRule(e *sjs.ValidationError) string {
	if _, frag, ok := strings.Cut(e.SchemaURL, "#"); ok {
		return "#" + frag
	}
	return e.SchemaURL
}

func pointer(loc []string) string {
	var b strings.Builder
	for _, t := range loc {
		b.WriteByte('/')
		b.WriteString(escape(t))
	}
	return b.String()
}

// escape escapes one reference token of a JSON pointer.
func escape(t string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(t)
}
