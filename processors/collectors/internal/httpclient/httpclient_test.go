package httpclient

import (
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              -1,
		"abc":                           -1,
		"-5":                            -1,
		"0":                             0,
		"120":                           2 * time.Minute,
		"99999999":                      24 * time.Hour,
		"Fri, 20 Nov 2026 09:00:30 GMT": 30 * time.Second,
		"Fri, 20 Nov 2026 08:00:00 GMT": 0,
	} {
		if got := RetryAfter(in, now); got != want {
			t.Errorf("RetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
