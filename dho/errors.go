package dho

import (
	"errors"
	"fmt"
)

// ErrUnknownField is wrapped by the errors for names that are no DHO field.
var ErrUnknownField = errors.New("unknown field")

// FieldError says which field refused which value and why. Every sanitation
// and validation failure is one, so that callers (parsers, the dead-letter
// path) can report the field and the value.
type FieldError struct {
	// Field is the dotted field name, e.g. "source.ip" or "extra.foo".
	Field string
	// Value is the refused value as text.
	Value string
	// Err is the reason.
	Err error
}

func (e *FieldError) Error() string {
	return e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, value any, err error) error {
	return &FieldError{Field: field, Value: fmt.Sprint(value), Err: err}
}

func unknownField(name string) error {
	return &FieldError{Field: name, Err: fmt.Errorf("%w %q", ErrUnknownField, name)}
}
