package outkit

import (
	"encoding/json"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/internal/pyjson"
	"github.com/intelstream/intelstream/topology"
)

// ExportParams are the message-shaping parameters of IntelMQ's message
// outputs (AMQP topic, MQTT ...), with IntelMQ's names.
func ExportParams() []topology.Param {
	return []topology.Param{
		{Name: "message_hierarchical_output", Type: topology.ParamBool, Default: false, Doc: "Nest the JSON by its dots ({\"source\": {\"ip\": ...}})."},
		{Name: "message_with_type", Type: topology.ParamBool, Default: false, Doc: "Write the __type key (\"Event\")."},
		{Name: "message_jsondict_as_string", Type: topology.ParamBool, Default: false, Doc: "Write extra as one key holding its JSON as a string, instead of extra.* keys."},
		{Name: "single_key", Type: topology.ParamString, Default: "", Doc: "Send only this field's value (raw: the decoded raw data; output: its JSON); empty sends the event."},
		{Name: "keep_raw_field", Type: topology.ParamBool, Default: false, Doc: "Keep the raw field in the message (IntelMQ drops it)."},
	}
}

// Export shapes events into message bodies as IntelMQ's export_event does.
type Export struct {
	Hierarchical, WithType, JSONDictAsString, KeepRaw bool
	SingleKey                                         string
}

// NewExport reads ExportParams; node names the node for errors.
func NewExport(node string, p topology.Params) (Export, error) {
	x := Export{Hierarchical: p.Bool("message_hierarchical_output"), WithType: p.Bool("message_with_type"),
		JSONDictAsString: p.Bool("message_jsondict_as_string"), KeepRaw: p.Bool("keep_raw_field"), SingleKey: p.String("single_key")}
	if k := x.SingleKey; k != "" {
		if _, ok := dho.LookupField(k); !ok && !(len(k) > 6 && k[:6] == "extra.") {
			return x, &topology.ParamError{Node: node, Param: "single_key", Err: fmt.Errorf("%q is not a DHO field", k)}
		}
	}
	return x, nil
}

// Body returns e's message body: the flat JSON (shaped by the options),
// or with SingleKey that field's value as text (lists comma-joined).
func (x Export) Body(e *dho.Event) ([]byte, error) {
	if x.SingleKey != "" {
		v, ok := e.Get(x.SingleKey)
		switch {
		case !ok:
			return nil, nil
		case x.SingleKey == "raw":
			return e.Raw, nil
		case x.SingleKey == "output":
			return []byte(e.Output), nil
		}
		return []byte(ValueText(v)), nil
	}
	src := e
	var extra dho.Extra
	if !x.KeepRaw && e.Raw != nil || x.JSONDictAsString && len(e.Extra) > 0 {
		c := e.Clone()
		if !x.KeepRaw {
			c.Raw = nil
		}
		if x.JSONDictAsString {
			extra, c.Extra = c.Extra, nil
		}
		src = c
	}
	b := src.AppendFlat(nil, dho.FlatOptions{OmitType: !x.WithType})
	if len(extra) > 0 {
		j, err := json.Marshal(extra)
		if err != nil {
			return nil, err
		}
		b = b[:len(b)-1] // the closing brace
		if len(b) > 1 {
			b = append(b, ", "...)
		}
		b = append(b, `"extra": `...)
		b = pyjson.AppendString(b, string(j), false)
		b = append(b, '}')
	}
	if x.Hierarchical {
		return Nest(b)
	}
	return b, nil
}
