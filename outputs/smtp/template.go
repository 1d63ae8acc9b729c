package smtp

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
)

// funcs are the template functions: field EVENT NAME gives a field's
// value as text, csv a digest's events as the attachment's CSV text.
var funcs = template.FuncMap{
	"field": func(e any, name string) (string, error) {
		switch x := e.(type) {
		case *dho.Event:
			return fieldText(x, name), nil
		case dho.Event:
			return fieldText(&x, name), nil
		}
		return "", fmt.Errorf("field: %T is not an event", e)
	},
}

// parseTemplate parses a Go text/template; IntelMQ's {ev[NAME]}
// references become {{field .Event "NAME"}}, so IntelMQ's subject, text
// and mail_to settings keep working.
func parseTemplate(name, src string) (*template.Template, error) {
	src = outkit.IntelMQToTemplate(src)
	return template.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
}

func execute(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
