package fieldval

import (
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"source.ip", "classification.type", "extra.a", "extra.a.b_c.1", "time.source", "tags"} {
		if err := Check(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "source", "source.ipp", "extra.", "extra.A", "extra.a..b", "extra.a.", "Extra.a"} {
		if err := Check(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := CheckAll([]string{"source.ip", "nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("CheckAll: %v", err)
	}
}

func TestKinds(t *testing.T) {
	for name, want := range map[string][3]bool{ // IsExtra, Multi, IsText
		"source.ip":   {false, true, true},
		"comment":     {false, false, true},
		"source.port": {false, true, false},
		"time.source": {false, false, false},
		"extra.x":     {true, false, true},
		"nope":        {false, false, false},
	} {
		got := [3]bool{IsExtra(name), Multi(name), IsText(name)}
		if got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

func TestTexts(t *testing.T) {
	e := &dho.Event{}
	for k, v := range map[string]any{"source.ip": []string{"192.0.2.1", "192.0.2.2"}, "source.port": []int64{80, 443},
		"feed.accuracy": 50.0, "source.tor_node": true, "time.source": "2024-01-02T03:04:05+00:00",
		"extra.obj": map[string]any{"a": 1}, "extra.s": "text", "raw": "bytes", "source.asn": 64496} {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"source.ip": "192.0.2.1|192.0.2.2", "source.port": "80|443", "feed.accuracy": "50.0", "source.tor_node": "true",
		"time.source": "2024-01-02T03:04:05+00:00", "extra.obj": `{"a": 1}`, "extra.s": "text", "raw": "bytes", "source.asn": "64496",
		"comment": "",
	} {
		if got := strings.Join(Texts(e, name), "|"); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if s, ok := First(e, "source.port"); !ok || s != "80" {
		t.Errorf("First: %q %v", s, ok)
	}
	if _, ok := First(e, "comment"); ok {
		t.Error("First of an unset field")
	}
	v, _ := e.Get("source.port")
	if !AnyText(v, func(s string) bool { return s == "443" }) || AnyText(v, func(s string) bool { return s == "22" }) {
		t.Error("AnyText")
	}
	if Text(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) != "2024-01-02T03:04:05+00:00" {
		t.Error("Text of a time")
	}
}
