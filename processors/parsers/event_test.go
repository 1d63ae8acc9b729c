package parsers

import (
	"errors"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

func TestNewEvent(t *testing.T) {
	r := &dho.Report{}
	for k, v := range map[string]any{
		"feed.name": "F", "feed.code": "c", "feed.accuracy": 50.0, "feed.provider": "P",
		"feed.url": "https://example.org/f", "feed.documentation": "https://example.org/d",
		"rtir_id": 7, "time.observation": "2024-01-01T00:00:00+00:00", "extra.file_name": "x.csv",
	} {
		if err := r.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := NewEvent(r, "extra.file_name", "extra.absent")
	if err != nil {
		t.Fatal(err)
	}
	got := string(ev.MarshalFlat(dho.FlatOptions{OmitType: true}))
	want := `{"extra.file_name": "x.csv", "feed.accuracy": 50.0, "feed.code": "c", "feed.documentation": "https://example.org/d", "feed.name": "F", "feed.provider": "P", "feed.url": "https://example.org/f", "rtir_id": 7, "time.observation": "2024-01-01T00:00:00+00:00"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if ev.Time.Observation == r.Time.Observation {
		t.Error("the event shares the report's time")
	}
	if ev, _ := NewEvent(r); ev.Extra != nil {
		t.Error("extra copied without being asked for")
	}
}

func TestAdd(t *testing.T) {
	ev := &dho.Event{}
	must := func(added bool, err error) bool {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return added
	}
	if !must(Add(ev, "source.port", "80", Refuse)) || ev.Source.Port[0] != 80 {
		t.Fatal("port not added")
	}
	if _, err := Add(ev, "source.port", "81", Refuse); !errors.Is(err, ErrKeyExists) {
		t.Errorf("refuse: %v", err)
	}
	if must(Add(ev, "source.port", "81", Keep)) || ev.Source.Port[0] != 80 {
		t.Error("keep replaced the value")
	}
	if !must(Add(ev, "source.port", "81", Replace)) || ev.Source.Port[0] != 81 {
		t.Error("replace did not replace")
	}
	for _, v := range []any{nil, "", "-", "N/A"} {
		if must(Add(ev, "source.fqdn", v, Refuse)) || ev.Has("source.fqdn") {
			t.Errorf("%q was added", v)
		}
	}
	if must(Add(ev, "source.port", "-", Replace)) || ev.Has("source.port") {
		t.Error("replacing with an ignored value did not remove the field")
	}
	if !must(Add(ev, "protocol.application", int64(22), Refuse)) || ev.Protocol.Application != "22" {
		t.Errorf("number as text: %q", ev.Protocol.Application)
	}
	if !must(Add(ev, "event_description.text", true, Refuse)) || ev.EventDescription.Text != "True" {
		t.Errorf("bool as text: %q", ev.EventDescription.Text)
	}
	if _, err := Add(ev, "comment", 0.0, Refuse); err == nil {
		t.Error("zero as text accepted")
	}
	if _, err := Add(ev, "no.such.field", "x", Refuse); !errors.Is(err, dho.ErrUnknownField) {
		t.Errorf("unknown field: %v", err)
	}
	var fe *dho.FieldError
	if _, err := Add(ev, "source.ip", "300.1.1.1", Refuse); !errors.As(err, &fe) || fe.Field != "source.ip" {
		t.Errorf("invalid value: %v", err)
	}
	if !must(AddUnset(ev, "source.ip", "192.0.2.1")) || must(AddUnset(ev, "source.asn", "N/A")) {
		t.Error("AddUnset")
	}
}
