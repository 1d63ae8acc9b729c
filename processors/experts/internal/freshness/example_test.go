package freshness_test

import (
	"fmt"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
)

func ExampleCheck() {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	built := now.Add(-9 * 24 * time.Hour) // a database built nine days ago
	fmt.Println(freshness.Check("maxmind_geoip", built, true, 14*24*time.Hour, now))
	fmt.Println(freshness.Check("maxmind_geoip", built, true, 7*24*time.Hour, now))
	// Output:
	// <nil>
	// maxmind_geoip: data from 2026-11-15T12:00:00Z is 216h0m0s old, more than max_age 168h0m0s
}
