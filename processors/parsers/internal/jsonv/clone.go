package jsonv

import "github.com/intelstream/intelstream/dho"

// Clone returns a deep copy of ev (IntelMQ's Event(event) or
// event.copy()), by way of DHO's flat form, which holds every field
// losslessly.
func Clone(ev *dho.Event) (*dho.Event, error) {
	out := new(dho.Event)
	if err := out.UnmarshalFlat(string(ev.MarshalFlat(dho.FlatOptions{Mode: dho.FlatDHO}))); err != nil {
		return nil, err
	}
	return out, nil
}
