package filter

import (
	"testing"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
)

func TestFieldFilter(t *testing.T) {
	scanner := map[string]any{"classification.type": "scanner", "source.port": []int64{22, 80}}
	phish := map[string]any{"classification.type": "phishing"}
	none := map[string]any{"feed.name": "x"}
	// want: whether the event is emitted on each path, in the order
	// _default, action_other, filter_match, filter_no_match.
	tests := []struct {
		name   string
		params map[string]any
		event  map[string]any
		want   [4]bool
	}{
		{"keep, match", map[string]any{"filter_key": "classification.type", "filter_value": "scanner", "filter_action": "keep"}, scanner, [4]bool{true, false, true, false}},
		{"keep, no match", map[string]any{"filter_key": "classification.type", "filter_value": "scanner", "filter_action": "keep"}, phish, [4]bool{false, true, false, true}},
		{"drop, match", map[string]any{"filter_key": "classification.type", "filter_value": "scanner", "filter_action": "drop"}, scanner, [4]bool{false, true, true, false}},
		{"drop, no match", map[string]any{"filter_key": "classification.type", "filter_value": "scanner", "filter_action": "drop"}, phish, [4]bool{true, false, false, true}},
		{"missing field does not match", map[string]any{"filter_key": "classification.type", "filter_value": "scanner", "filter_action": "keep"}, none, [4]bool{false, true, false, true}},
		{"number as text, one of several values", map[string]any{"filter_key": "source.port", "filter_value": "80", "filter_action": "keep"}, scanner, [4]bool{true, false, true, false}},
		{"equality is whole", map[string]any{"filter_key": "classification.type", "filter_value": "scan", "filter_action": "keep"}, scanner, [4]bool{false, true, false, true}},
		{"regex search", map[string]any{"filter_key": "classification.type", "filter_value": "^sc.n", "filter_action": "keep", "filter_regex": true}, scanner, [4]bool{true, false, true, false}},
		{"regex no match", map[string]any{"filter_key": "classification.type", "filter_value": "^phish$", "filter_action": "keep", "filter_regex": "yes"}, scanner, [4]bool{false, true, false, true}},
	}
	for _, tc := range tests {
		for i, path := range []string{PathDefault, PathActionOther, PathFilterMatch, PathFilterNoMatch} {
			params := map[string]any{"path": path}
			for k, v := range tc.params {
				params[k] = v
			}
			x := experttest.New(t, Name, params)
			out, err := experttest.Run(t, x, experttest.Event(t, tc.event))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(out) == 1; got != tc.want[i] {
				t.Errorf("%s, path %s: emitted %v, want %v", tc.name, path, got, tc.want[i])
			}
		}
	}
}

func TestTimeFilter(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		params map[string]any
		time   string // time.source, "" for none
		want   bool
	}{
		{map[string]any{"not_before": "2024-06-01"}, "2024-06-02T00:00:00+00:00", true},
		{map[string]any{"not_before": "2024-06-01"}, "2024-05-31T23:59:59+00:00", false},
		{map[string]any{"not_after": "2024-06-01T00:00:00+00:00"}, "2024-06-01T00:00:01+00:00", false},
		{map[string]any{"not_after": "2024-06-01T00:00:00+00:00"}, "2024-05-01T00:00:00+00:00", true},
		{map[string]any{"not_before": "1 week"}, "2024-06-10T00:00:00+00:00", true},
		{map[string]any{"not_before": "1 week"}, "2024-06-01T00:00:00+00:00", false},
		{map[string]any{"not_before": "2 days"}, "2024-06-13T11:59:00+00:00", false},
		{map[string]any{"not_after": "6 months"}, "2023-12-01T00:00:00+00:00", true}, // older than 6 months passes
		{map[string]any{"not_after": "6 months"}, "2024-06-01T00:00:00+00:00", false},
		{map[string]any{"not_after": "1 hour", "not_before": "3 hours"}, "2024-06-15T10:00:00+00:00", true},
		{map[string]any{"not_after": "1 hour", "not_before": "3 hours"}, "2024-06-15T11:30:00+00:00", false},
		{map[string]any{"not_before": "1 day"}, "", true},
		// time filter first: a dropped event goes to no path
		{map[string]any{"not_before": "1 day", "filter_key": "feed.name", "filter_value": "f", "filter_action": "drop", "path": "action_other"}, "2024-01-01T00:00:00+00:00", false},
		{map[string]any{"not_before": "1 day", "filter_key": "feed.name", "filter_value": "f", "filter_action": "drop", "path": "action_other"}, "2024-06-15T00:00:00+00:00", true},
		{map[string]any{"not_before": "1 day", "path": "filter_match"}, "2024-06-15T00:00:00+00:00", false},
	}
	for _, tc := range tests {
		p, err := Spec.Validate(tc.params)
		if err != nil {
			t.Fatal(err)
		}
		x, err := FromParams(p)
		if err != nil {
			t.Fatal(err)
		}
		x.now = func() time.Time { return now }
		fields := map[string]any{"feed.name": "f"}
		if tc.time != "" {
			fields["time.source"] = tc.time
		}
		if got := x.Pass(experttest.Event(t, fields)); got != tc.want {
			t.Errorf("%v, time %q: passed %v, want %v", tc.params, tc.time, got, tc.want)
		}
	}
}

func TestBadParams(t *testing.T) {
	experttest.ExpectRefused(t, Name, []experttest.Refusal{
		{Params: map[string]any{}, Want: "nothing to filter"},
		{Params: map[string]any{"filter_key": "feed.name", "filter_value": "x"}, Want: "go together"},
		{Params: map[string]any{"filter_key": "feed.name", "filter_action": "keep"}, Want: "go together"},
		{Params: map[string]any{"filter_key": "feed.nmae", "filter_value": "x", "filter_action": "keep"}, Want: `parameter filter_key: unknown field "feed.nmae"`},
		{Params: map[string]any{"filter_key": "feed.name", "filter_value": "x", "filter_action": "pass"}, Want: "parameter filter_action"},
		{Params: map[string]any{"filter_key": "feed.name", "filter_value": "(", "filter_action": "keep", "filter_regex": true}, Want: "parameter filter_value: regular expression"},
		{Params: map[string]any{"not_before": "last tuesday"}, Want: "parameter not_before"},
		{Params: map[string]any{"not_after": "3 fortnights"}, Want: "parameter not_after"},
		{Params: map[string]any{"not_after": "1 day", "path": "elsewhere"}, Want: "parameter path"},
	})
	// An empty filter_value is a value (IntelMQ compares with "").
	if _, err := experttest.Build("intelmq.bots.experts.filter.expert", map[string]any{"filter_key": "comment", "filter_value": "", "filter_action": "drop"}); err != nil {
		t.Error(err)
	}
}

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, map[string]any{"filter_key": "classification.type", "filter_value": "^(scanner|brute-force)$",
		"filter_regex": true, "filter_action": "drop", "not_before": "10 years"})
	experttest.Bench(b, x,
		experttest.Event(b, map[string]any{"classification.type": "scanner", "time.source": "2025-01-01T00:00:00+00:00"}),
		experttest.Event(b, map[string]any{"classification.type": "phishing", "time.source": "2025-01-01T00:00:00+00:00"}))
}
