// Package formatfield is the format field expert: string operations on
// field values, as IntelMQ's format_field expert does, in the order strip,
// replace, split.
//
//   - strip_columns: strip the characters of strip_chars (default a space)
//     from both ends of each field's value.
//   - replace_column: replace old_value by new_value in the field's value,
//     the first replace_count times (default 1; a negative count replaces
//     every occurrence).
//   - split_column: split the field's value at split_separator (default
//     ","); the field holds the parts afterwards, so it must be a
//     multi-valued field or an extra field.
//
// Only text values are changed: each value of a multi-valued field, an
// extra value that is a string. Events lacking a field pass with that
// operation skipped; a value that is empty afterwards unsets the field,
// and a value the field refuses afterwards fails the event.
package formatfield

import (
	"context"
	"errors"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "format_field"

// Spec is the node spec of the format field expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Strips characters from, replaces text in and splits field values (strip, then replace, then split).",
	IntelMQ: "intelmq.bots.experts.format_field.expert",
	Params: []topology.Param{
		{Name: "strip_columns", Type: topology.ParamStrings, Doc: "Fields to strip.", Example: "malware.name,extra.tags"},
		{Name: "strip_chars", Type: topology.ParamString, Default: " ", Doc: "Characters stripped from both ends."},
		{Name: "replace_column", Type: topology.ParamString, Doc: "Field in which to replace text."},
		{Name: "old_value", Type: topology.ParamString, Default: "", Doc: "Text to replace."},
		{Name: "new_value", Type: topology.ParamString, Default: "", Doc: "Replacement text."},
		{Name: "replace_count", Type: topology.ParamInt, Default: 1, Doc: "How many occurrences to replace (negative: all)."},
		{Name: "split_column", Type: topology.ParamString, Doc: "Field to split into a list (a multi-valued or extra field)."},
		{Name: "split_separator", Type: topology.ParamString, Default: ",", Doc: "Separator to split at."},
	},
	Examples: []topology.Example{
		{Name: "strip and split", Params: map[string]any{"strip_columns": "event_description.text", "strip_chars": " *", "split_column": "extra.tags", "split_separator": ";"},
			Input:  map[string]any{"event_description.text": " *scan* ", "extra.tags": "a;b"},
			Output: []map[string]any{{"event_description.text": "scan", "extra.tags": []any{"a", "b"}}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		x := &Expert{
			strip: p.Strings("strip_columns"), chars: p.String("strip_chars"),
			replace: p.String("replace_column"), old: p.String("old_value"), new: p.String("new_value"), count: int(p.Int("replace_count")),
			split: p.String("split_column"), sep: p.String("split_separator"),
		}
		perr := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
		if err := fieldval.CheckAll(x.strip); err != nil {
			return nil, perr("strip_columns", err)
		}
		if x.replace != "" {
			if err := fieldval.Check(x.replace); err != nil {
				return nil, perr("replace_column", err)
			}
		}
		if x.split != "" {
			if err := fieldval.Check(x.split); err != nil {
				return nil, perr("split_column", err)
			}
			if !fieldval.IsExtra(x.split) && !fieldval.Multi(x.split) {
				return nil, perr("split_column", errors.New(x.split+" holds one value: splitting needs a multi-valued or extra field"))
			}
			if x.sep == "" {
				return nil, perr("split_separator", errors.New("empty separator"))
			}
		}
		if len(x.strip) == 0 && x.replace == "" && x.split == "" {
			return nil, perr("strip_columns", errors.New("nothing to do: give strip_columns, replace_column or split_column"))
		}
		return x, nil
	})
}

// Expert is the format field expert.
type Expert struct {
	strip      []string
	chars      string
	replace    string
	old, new   string
	count      int
	split, sep string
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process formats e's fields and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, f := range x.strip {
		if err := edit(e, f, func(s string) []string { return []string{strings.Trim(s, x.chars)} }); err != nil {
			return err
		}
	}
	if x.replace != "" {
		if err := edit(e, x.replace, func(s string) []string { return []string{strings.Replace(s, x.old, x.new, x.count)} }); err != nil {
			return err
		}
	}
	if x.split != "" {
		if err := edit(e, x.split, func(s string) []string { return strings.Split(s, x.sep) }); err != nil {
			return err
		}
	}
	emit(e)
	return nil
}

// edit replaces each text value of the field by what fn makes of it.
func edit(e *dho.Event, field string, fn func(string) []string) error {
	v, ok := e.Get(field)
	if !ok {
		return nil
	}
	var in []string
	switch v := v.(type) {
	case string:
		in = []string{v}
	case []string:
		in = v
	case dho.Value:
		s, ok := v.Str()
		if !ok {
			return nil
		}
		in = []string{s}
	default:
		return nil
	}
	var out []string
	for _, s := range in {
		out = append(out, fn(s)...)
	}
	switch {
	case fieldval.IsExtra(field) && len(out) == 1:
		if out[0] == "" {
			e.Delete(field)
			return nil
		}
		return e.Set(field, out[0])
	case fieldval.IsExtra(field):
		return e.Set(field, out)
	case fieldval.Multi(field):
		return e.Set(field, out)
	}
	return e.Set(field, out[0])
}
