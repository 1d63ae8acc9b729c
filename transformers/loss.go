package transformers

import (
	"fmt"
	"strings"
)

// Loss is one source field (or one value of it) that a conversion could not
// represent in the target format.
type Loss struct {
	// Field names the source field: a DHO dotted name ("source.ip",
	// "extra.foo") for conversions from DHO, the foreign format's key path
	// ("Source[1].MAC", "address[2].asn") for conversions into DHO.
	Field string
	// Value is the value that was lost when only some values of a field
	// were ("2001:db8::1" of source.ip); "" when the whole field was.
	Value string
	// Reason says why.
	Reason string
}

// String describes the loss in one line.
func (l Loss) String() string {
	if l.Value != "" {
		return fmt.Sprintf("%s: %q %s", l.Field, l.Value, l.Reason)
	}
	return l.Field + ": " + l.Reason
}

// Losses is the loss report of one conversion, in the order the converter
// met them.
type Losses []Loss

// Add appends a loss of a whole field.
func (ls *Losses) Add(field, reason string) { *ls = append(*ls, Loss{Field: field, Reason: reason}) }

// AddValue appends a loss of one value of a field.
func (ls *Losses) AddValue(field, value, reason string) {
	*ls = append(*ls, Loss{Field: field, Value: value, Reason: reason})
}

// Addf appends a loss of a whole field with a formatted reason.
func (ls *Losses) Addf(field, format string, args ...any) {
	ls.Add(field, fmt.Sprintf(format, args...))
}

// Fields returns the distinct field names of the losses, in order.
func (ls Losses) Fields() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range ls {
		if !seen[l.Field] {
			seen[l.Field] = true
			out = append(out, l.Field)
		}
	}
	return out
}

// Has reports whether the field (or a value of it) was lost.
func (ls Losses) Has(field string) bool {
	for _, l := range ls {
		if l.Field == field {
			return true
		}
	}
	return false
}

// String lists the losses separated by "; ".
func (ls Losses) String() string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, "; ")
}

// LossError is the error of a strict conversion that would have lost
// something: it lists every loss.
type LossError struct {
	// From and To name the formats ("DHO", "IDEA", "n6").
	From, To string
	Losses   Losses
}

func (e *LossError) Error() string {
	return fmt.Sprintf("%s to %s would lose %d value(s): %s", e.From, e.To, len(e.Losses), e.Losses)
}

// Options are the settings of a conversion.
type Options struct {
	// Strict refuses a conversion that loses anything with a *LossError
	// instead of returning the partial result.
	Strict bool
}

// Option sets an option of a conversion.
type Option func(*Options)

// Strict makes a conversion refuse to lose anything: it fails with a
// *LossError listing the losses instead.
func Strict() Option { return func(o *Options) { o.Strict = true } }

// Apply collects options.
func Apply(opts []Option) Options {
	var o Options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Check returns a *LossError when the options are strict and ls is not
// empty, nil otherwise.
func (o Options) Check(from, to string, ls Losses) error {
	if o.Strict && len(ls) > 0 {
		return &LossError{From: from, To: to, Losses: ls}
	}
	return nil
}

// Finish ends a conversion from one format to another: a result that does
// not validate (invalid, the validation error of the converted record) is
// an error of the converter; otherwise Check decides.
func (o Options) Finish(from, to string, invalid error, ls Losses) error {
	if invalid != nil {
		return fmt.Errorf("%s to %s: the converted record is invalid: %w", from, to, invalid)
	}
	return o.Check(from, to, ls)
}
