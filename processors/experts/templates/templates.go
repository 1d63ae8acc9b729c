// Package templates is the templates expert: it sets fields to the text of
// templates rendered with the event, as IntelMQ's jinja expert does, with
// Go's text/template in place of Jinja2.
//
// fields maps a field name to a template, or to "file:///PATH" for a
// template read from a file when the node starts. The template sees the
// event as .msg, a map from field name to the value as text (several
// values joined by ","; unset fields read as ""), and as .lists, a map from
// field name to every value as text. Jinja's
//
//	The provider is {{ msg['feed.provider'] }}!
//	{{ msg['feed.url'] | upper }}
//
// is written
//
//	The provider is {{ index .msg "feed.provider" }}!
//	{{ index .msg "feed.url" | upper }}
//
// Functions besides text/template's own: upper, lower, trim, replace OLD
// NEW S, join SEP LIST, default DEFAULT VALUE (DEFAULT when VALUE is "").
// Loops read .lists: {{ range index .lists "source.ip" }}...{{ end }}.
//
// A field that is set is left alone unless overwrite is set; an empty
// result leaves the field unset (or unsets it with overwrite). A result the
// field does not accept, or a template that fails, fails the event.
package templates

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/template"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "templates"

// Spec is the node spec of the templates expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets fields to Go text/template templates rendered with the event (IntelMQ's jinja expert with Go templates): {{ index .msg \"feed.provider\" }}.",
	IntelMQ: "intelmq.bots.experts.jinja.expert",
	Params: []topology.Param{
		{Name: "fields", Type: topology.ParamObject, Required: true, Doc: "Field name → template, or \"file:///PATH\" of a template file.",
			Example: map[string]any{"comment": "The provider is {{ index .msg \"feed.provider\" }}!"}},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Whether to replace fields that are set."},
	},
	Examples: []topology.Example{
		{Name: "comment from fields", Params: map[string]any{"fields": map[string]any{"comment": `{{ index .msg "classification.type" }} from {{ index .msg "source.ip" }}`}},
			Input:  map[string]any{"classification.type": "scanner", "source.ip": "192.0.2.1"},
			Output: []map[string]any{{"comment": "scanner from 192.0.2.1"}}},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) {
		x, err := New(p.Object("fields"), p.Bool("overwrite"))
		if err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "fields", Err: err}
		}
		return x, nil
	})
}

var funcs = template.FuncMap{
	"upper":   strings.ToUpper,
	"lower":   strings.ToLower,
	"trim":    strings.TrimSpace,
	"replace": func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
	"join":    func(sep string, l []string) string { return strings.Join(l, sep) },
	"default": func(def, v string) string {
		if v == "" {
			return def
		}
		return v
	},
}

type fieldTemplate struct {
	field string
	t     *template.Template
}

// Expert is the templates expert.
type Expert struct {
	fields    []fieldTemplate
	overwrite bool
}

// New returns the expert rendering fields (field → template text or
// "file:///PATH", as given in the fields parameter).
func New(fields map[string]any, overwrite bool) (*Expert, error) {
	if len(fields) == 0 {
		return nil, errors.New("no fields")
	}
	x := &Expert{overwrite: overwrite}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if err := fieldval.Check(f); err != nil {
			return nil, err
		}
		text, ok := fields[f].(string)
		if !ok {
			return nil, fmt.Errorf("%s: the template is %T, not text", f, fields[f])
		}
		if strings.HasPrefix(text, "file:///") {
			b, err := os.ReadFile(text[len("file://"):])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			text = string(b)
		}
		t, err := template.New(f).Funcs(funcs).Option("missingkey=zero").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		x.fields = append(x.fields, fieldTemplate{field: f, t: t})
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process renders the templates into e and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	data := Data(e)
	var b strings.Builder
	for _, ft := range x.fields {
		if !x.overwrite && e.Has(ft.field) {
			continue
		}
		b.Reset()
		if err := ft.t.Execute(&b, data); err != nil {
			return fmt.Errorf("template of %s: %w", ft.field, err)
		}
		if err := e.Set(ft.field, b.String()); err != nil {
			return err
		}
		data["msg"].(map[string]string)[ft.field] = b.String()
	}
	emit(e)
	return nil
}

// Data returns what a template sees of e: "msg" (field → text) and
// "lists" (field → every value as text).
func Data(e *dho.Event) map[string]any {
	msg := map[string]string{}
	lists := map[string][]string{}
	e.Range(func(name string, v any) bool {
		vs := fieldval.AppendTexts(nil, v)
		msg[name] = strings.Join(vs, ",")
		lists[name] = vs
		return true
	})
	return map[string]any{"msg": msg, "lists": lists}
}
