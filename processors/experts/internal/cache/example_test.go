package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/intelstream/intelstream/processors/experts/internal/cache"
)

// A lookup is asked once; later calls are answered from the cache until
// the answer's TTL (capped at the node's) runs out.
func ExampleDo() {
	c := cache.NewMemory[string](1000, time.Hour)
	asks := 0
	lookup := func() (string, time.Duration, error) {
		asks++
		return "host.example", 5 * time.Minute, nil // the answer's own TTL
	}
	for range 3 {
		v, _ := cache.Do(context.Background(), c, "192.0.2.1", time.Hour, lookup)
		fmt.Println(v)
	}
	fmt.Println("asked", asks, "time")
	// Output:
	// host.example
	// host.example
	// host.example
	// asked 1 time
}
