package timespec

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1 week", now.Add(-7 * 24 * time.Hour)},
		{"2 days", now.Add(-48 * time.Hour)},
		{"1 day", now.Add(-24 * time.Hour)},
		{" 3 hours ", now.Add(-3 * time.Hour)},
		{"30 minutes", now.Add(-30 * time.Minute)},
		{"45 seconds", now.Add(-45 * time.Second)},
		{"6 months", now.Add(-180 * 24 * time.Hour)},
		{"1 year", now.Add(-365 * 24 * time.Hour)},
		{"2015-09-12T06:22:11+00:00", time.Date(2015, 9, 12, 6, 22, 11, 0, time.UTC)},
		{"2015-09-12", time.Date(2015, 9, 12, 0, 0, 0, 0, time.UTC)},
		{"2015-09-12 08:00:00+02:00", time.Date(2015, 9, 12, 6, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		s, err := Parse(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := s.At(now); !got.Equal(tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "week", "1 fortnight", "-1 day", "1.5 days", "soon", "99999999999999 years"} {
		if s, err := Parse(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, s)
		}
	}
	if _, err := ParseRelative("2015-09-12"); err == nil {
		t.Error("absolute time accepted as relative")
	}
	if d, err := ParseRelative("2 hours"); err != nil || d != 2*time.Hour {
		t.Errorf("ParseRelative: %v %v", d, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 week", "2015-09-12", "3 months", "2015-09-12T06:22:11+00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := Parse(s)
		if err == nil && spec.Relative && spec.Rel < 0 {
			t.Errorf("%q: negative span %v", s, spec.Rel)
		}
	})
}
