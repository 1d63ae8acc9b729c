// Package pulsar is a transport.Transport on Apache Pulsar
// (github.com/apache/pulsar-client-go), in a package of its own so that
// the default build stays small.
//
// Mapping: a topic is persistent://TENANT/NAMESPACE/TOPIC (public/default
// unless Namespace says otherwise); a consumer group is a subscription,
// Shared by default (members compete for messages) or KeyShared
// (KeyShared option: each key's messages go to one member, in order);
// Commit acknowledges exactly the records given; a producer sends the key
// as the partition key, headers as properties (see properties), the
// timestamp as event time and the value as bytes (our Avro wire format
// with its schema id; Pulsar's own schema registry is not used). Pause
// holds received messages unacknowledged in the client (the receiver
// queue then stops the broker's flow). Pulsar's dead-letter policy
// (DeadLetter option) moves a message redelivered too often to a topic;
// the runtime's own dead-letter topics work as on Kafka.
//
// No Pulsar broker runs on the machines this was written on: the mapping
// is unit tested, and the conformance suite runs when PULSAR_URL is set.
package pulsar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/pulsar-client-go/pulsar"

	"github.com/intelstream/intelstream/transport"
)

const (
	defaultMaxPoll     = 500
	defaultMaxBuffered = 1024
)

// Transport is Pulsar as a transport.Transport.
type Transport struct {
	client            pulsar.Client
	admin             string
	http              *http.Client
	tenant, namespace string
	keyShared         bool
	dlqMax            uint32
	dlqTopic          string
	nackDelay         time.Duration

	mu     sync.Mutex
	closed bool
}

// Option configures a Transport.
type Option func(*Transport)

// Namespace sets the tenant and namespace of topics (default public/default).
func Namespace(tenant, namespace string) Option {
	return func(t *Transport) { t.tenant, t.namespace = tenant, namespace }
}

// Admin is the broker's admin REST URL (http://HOST:8080), used to create
// partitioned topics; without it topics are created on first use (the
// broker's auto-creation).
func Admin(url string) Option { return func(t *Transport) { t.admin = strings.TrimRight(url, "/") } }

// KeyShared subscribes groups as KeyShared instead of Shared: a key's
// messages go to one member, in order.
func KeyShared() Option { return func(t *Transport) { t.keyShared = true } }

// DeadLetter sets Pulsar's DLQ policy: a message delivered maxDeliveries
// times without acknowledgement goes to topic (default GROUP.dlq).
func DeadLetter(maxDeliveries uint32, topic string) Option {
	return func(t *Transport) { t.dlqMax, t.dlqTopic = maxDeliveries, topic }
}

// Dial connects to the Pulsar service at url (pulsar://HOST:6650).
func Dial(serviceURL string, opts ...Option) (*Transport, error) {
	t := newTransport(opts...)
	cl, err := pulsar.NewClient(pulsar.ClientOptions{URL: serviceURL, OperationTimeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("pulsar transport: %w", err)
	}
	t.client = cl
	return t, nil
}

func newTransport(opts ...Option) *Transport {
	t := &Transport{tenant: "public", namespace: "default", http: &http.Client{Timeout: 30 * time.Second}, nackDelay: time.Second}
	for _, o := range opts {
		o(t)
	}
	return t
}

func (t *Transport) topic(name string) (string, error) { return TopicName(t.tenant, t.namespace, name) }

// CreateTopics implements transport.Transport: with an admin URL, topics
// of more than one partition are created partitioned (an existing topic
// is left alone); other topics come into being on first use.
func (t *Transport) CreateTopics(ctx context.Context, topics ...transport.TopicSpec) error {
	for _, s := range topics {
		name, err := t.topic(s.Name)
		if err != nil {
			return err
		}
		if t.admin == "" || s.Partitions <= 1 {
			continue
		}
		if err := t.createPartitioned(ctx, name, s.Partitions); err != nil {
			return err
		}
	}
	return nil
}

// createPartitioned calls PUT /admin/v2/persistent/TENANT/NS/TOPIC/partitions
// with the partition count; 409 (exists) is fine.
func (t *Transport) createPartitioned(ctx context.Context, name string, partitions int32) error {
	rest, _ := strings.CutPrefix(name, "persistent://")
	var path strings.Builder
	for _, p := range strings.Split(rest, "/") {
		path.WriteString("/" + url.PathEscape(p))
	}
	u := t.admin + "/admin/v2/persistent" + path.String() + "/partitions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, strings.NewReader(strconv.Itoa(int(partitions))))
	if err != nil {
		return fmt.Errorf("pulsar transport: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		return fmt.Errorf("pulsar transport: creating %s: %w", name, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300, resp.StatusCode == http.StatusConflict:
		return nil
	default:
		return fmt.Errorf("pulsar transport: creating %s with %d partitions: %s", name, partitions, resp.Status)
	}
}

// Close closes the client.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed && t.client != nil {
		t.client.Close()
	}
	t.closed = true
	return nil
}

var errNoClient = errors.New("pulsar transport: not connected")

var _ transport.Transport = (*Transport)(nil)
