package freshness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type fixed struct {
	t  time.Time
	ok bool
}

func (f fixed) DataAge() (time.Time, bool) { return f.t, f.ok }
func (f fixed) Health(context.Context) error {
	return Health("fixed", f, 24*time.Hour)
}

var _ Reporter = fixed{}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		data    time.Time
		known   bool
		maxAge  time.Duration
		wantErr string
		stale   bool
	}{
		{"unknown", time.Time{}, false, time.Hour, "no data loaded", false},
		{"unknown without limit", time.Time{}, false, 0, "no data loaded", false},
		{"no limit", now.Add(-1000 * time.Hour), true, 0, "", false},
		{"fresh", now.Add(-time.Hour), true, 2 * time.Hour, "", false},
		{"exactly max", now.Add(-2 * time.Hour), true, 2 * time.Hour, "", false},
		{"stale", now.Add(-3 * time.Hour), true, 2 * time.Hour, "is 3h0m0s old, more than max_age 2h0m0s", true},
		{"future", now.Add(time.Hour), true, time.Minute, "", false},
	}
	for _, tc := range tests {
		err := Check("db", tc.data, tc.known, tc.maxAge, now)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
		var se *StaleError
		if errors.As(err, &se) != tc.stale {
			t.Errorf("%s: StaleError %v, want %v", tc.name, se, tc.stale)
		}
	}
}

func TestHealth(t *testing.T) {
	if err := (fixed{time.Now().Add(-time.Hour), true}).Health(context.Background()); err != nil {
		t.Error(err)
	}
	if err := (fixed{time.Now().Add(-48 * time.Hour), true}).Health(context.Background()); err == nil {
		t.Error("two days old data passed a 24h limit")
	}
}
