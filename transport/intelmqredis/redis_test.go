package intelmqredis_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/intelmqredis"
	"github.com/intelstream/intelstream/transport/transporttest"
)

const server = "127.0.0.1:6379"

// testDB is the Redis database the tests use (IntelMQ uses 2); every test
// uses keys of its own and deletes them.
const testDB = 13

// needRedis skips the test when no Redis listens on 127.0.0.1:6379,
// unless CI=true, where it fails instead.
func needRedis(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", server, 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable on %s: %v", server, err)
		}
		t.Skipf("Redis is not reachable on %s: %v", server, err)
	}
	c.Close()
}

var prefixes atomic.Int64

// newClient returns a client of the test database and a key prefix no
// other test uses; the keys under it are deleted when the test ends.
func newClient(t testing.TB) (*redis.Client, string) {
	t.Helper()
	needRedis(t)
	cl := redis.NewClient(&redis.Options{Addr: server, DB: testDB})
	prefix := fmt.Sprintf("intelstream-test-%d-%d-", os.Getpid(), prefixes.Add(1))
	t.Cleanup(func() {
		ctx := context.Background()
		iter := cl.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			cl.Del(ctx, iter.Val())
		}
		cl.Close()
	})
	return cl, prefix
}

func TestConformance(t *testing.T) {
	needRedis(t)
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		cl, prefix := newClient(t)
		return intelmqredis.New(cl, intelmqredis.KeyPrefix(prefix))
	}, transporttest.Features{Pause: true, Queue: true, NoKeys: true})
}
