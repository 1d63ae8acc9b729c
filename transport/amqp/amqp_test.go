package amqp_test

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/amqp"
	"github.com/intelstream/intelstream/transport/transporttest"
)

const url = "amqp://guest:guest@127.0.0.1:5672/"

// needRabbitMQ skips the test when nothing listens on 127.0.0.1:5672,
// unless CI=true, where it fails instead.
func needRabbitMQ(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:5672", 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("RabbitMQ is not reachable on 127.0.0.1:5672: %v", err)
		}
		t.Skipf("RabbitMQ is not reachable on 127.0.0.1:5672: %v", err)
	}
	c.Close()
}

// deleteQueues removes the queues named (test clean-up).
func deleteQueues(t testing.TB, queues ...string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Errorf("clean-up: %v", err)
		return
	}
	defer conn.Close()
	for _, q := range queues {
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("clean-up: %v", err)
			return
		}
		_, _ = ch.QueueDelete(q, false, false, false)
		ch.Close()
	}
}

// cleaning deletes the queues a case creates before (a stale queue of an
// earlier run of the same name) and after the case.
type cleaning struct {
	*amqp.Transport
	t testing.TB
}

func (c cleaning) CreateTopics(ctx context.Context, topics ...transport.TopicSpec) error {
	for _, s := range topics {
		deleteQueues(c.t, c.Queue(s.Name))
		c.t.Cleanup(func() { deleteQueues(c.t, c.Queue(s.Name)) })
	}
	return c.Transport.CreateTopics(ctx, topics...)
}

func TestConformance(t *testing.T) {
	needRabbitMQ(t)
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		tr, err := amqp.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		return cleaning{tr, t}
	}, transporttest.Features{Pause: true, Headers: true, Queue: true})
}
