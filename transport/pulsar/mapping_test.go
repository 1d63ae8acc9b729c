package pulsar

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/pulsar-client-go/pulsar"

	"github.com/intelstream/intelstream/transport"
	"github.com/intelstream/intelstream/transport/transporttest"
)

func TestTopicName(t *testing.T) {
	for _, tt := range []struct{ tenant, ns, in, want, err string }{
		{"public", "default", "quickstart.parse", "persistent://public/default/quickstart.parse", ""},
		{"cert", "intel", "events-1", "persistent://cert/intel/events-1", ""},
		{"public", "default", "persistent://t/n/x", "persistent://t/n/x", ""},
		{"public", "default", "non-persistent://t/n/x", "non-persistent://t/n/x", ""},
		{"public", "default", "a/b", "", "topic \"a/b\""},
		{"public", "default", "", "", "topic \"\""},
		{"public", "default", "ünï", "", "only letters"},
	} {
		got, err := TopicName(tt.tenant, tt.ns, tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("TopicName(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("TopicName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestHeadersProperties(t *testing.T) {
	for _, tt := range []struct {
		name  string
		hs    []transport.Header
		props map[string]string // the readable part other clients see
	}{
		{"none", nil, nil},
		{"text", []transport.Header{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}}, map[string]string{"a": "1", "b": "2"}},
		{"repeated and binary", []transport.Header{{Key: "id", Value: []byte{0}}, {Key: "bin", Value: []byte{0xc3, 0x28}}, {Key: "id", Value: []byte("second")}, {Key: "empty", Value: []byte{}}},
			map[string]string{"id": "second", "empty": ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			props := properties(tt.hs)
			for k, v := range tt.props {
				if props[k] != v {
					t.Errorf("property %s = %q, want %q", k, props[k], v)
				}
			}
			if _, bad := props["bin"]; bad {
				t.Error("a binary header is a readable property")
			}
			back, err := headers(props)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(back, tt.hs, func(a, b transport.Header) bool { return a.Key == b.Key && bytes.Equal(a.Value, b.Value) }) {
				t.Errorf("back %q, want %q", back, tt.hs)
			}
		})
	}
	// A foreign message's properties: headers by name.
	got, err := headers(map[string]string{"z": "1", "a": "2"})
	if err != nil || len(got) != 2 || got[0].Key != "a" || got[1].Key != "z" {
		t.Errorf("foreign properties: %q, %v", got, err)
	}
	if _, err := headers(map[string]string{headersProperty: "[[\"a\", \"!!\"]]"}); err == nil {
		t.Error("bad base64 in intelstream-headers accepted")
	}
}

func FuzzHeaders(f *testing.F) {
	f.Add("k", []byte("v"), "k", []byte{0xff})
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte) {
		hs := []transport.Header{{Key: k1, Value: v1}, {Key: k2, Value: v2}}
		back, err := headers(properties(hs))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(back, hs, func(a, b transport.Header) bool { return a.Key == b.Key && bytes.Equal(a.Value, b.Value) }) {
			t.Fatalf("back %q, want %q", back, hs)
		}
	})
}

func TestMessage(t *testing.T) {
	ts := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	m := message(&transport.Record{Topic: "t", Key: []byte("192.0.2.1"), Value: []byte{0, 0, 0, 0, 1, 2}, Timestamp: ts, Headers: []transport.Header{{Key: "h", Value: []byte("v")}}})
	if m.Key != "192.0.2.1" || !bytes.Equal(m.Payload, []byte{0, 0, 0, 0, 1, 2}) || !m.EventTime.Equal(ts) || m.Properties["h"] != "v" {
		t.Errorf("message = %+v", m)
	}
	if m := message(&transport.Record{Value: []byte("x")}); m.Key != "" || m.Properties != nil || !m.EventTime.IsZero() {
		t.Errorf("bare message = %+v", m)
	}
}

func TestConsumerOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []Option
		in   transport.ConsumerOptions
		want pulsar.ConsumerOptions
		err  string
	}{
		{"shared", nil, transport.ConsumerOptions{Group: "topo.node", Topics: []string{"topo.src"}, MaxPollRecords: 1000},
			pulsar.ConsumerOptions{Topics: []string{"persistent://public/default/topo.src"}, SubscriptionName: "topo.node", Type: pulsar.Shared,
				SubscriptionInitialPosition: pulsar.SubscriptionPositionEarliest, ReceiverQueueSize: 1000, NackRedeliveryDelay: time.Second}, ""},
		{"key shared, namespace, dlq", []Option{KeyShared(), Namespace("cert", "intel"), DeadLetter(5, "")}, transport.ConsumerOptions{Group: "g", Topics: []string{"a", "b"}},
			pulsar.ConsumerOptions{Topics: []string{"persistent://cert/intel/a", "persistent://cert/intel/b"}, SubscriptionName: "g", Type: pulsar.KeyShared,
				SubscriptionInitialPosition: pulsar.SubscriptionPositionEarliest, ReceiverQueueSize: defaultMaxPoll, NackRedeliveryDelay: time.Second,
				DLQ: &pulsar.DLQPolicy{MaxDeliveries: 5, DeadLetterTopic: "persistent://cert/intel/g.dlq"}}, ""},
		{"no group", nil, transport.ConsumerOptions{Topics: []string{"a"}}, pulsar.ConsumerOptions{}, "needs a group"},
		{"bad topic", nil, transport.ConsumerOptions{Group: "g", Topics: []string{"a b"}}, pulsar.ConsumerOptions{}, "topic \"a b\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newTransport(tt.opts...).consumerOptions(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Topics, tt.want.Topics) || got.SubscriptionName != tt.want.SubscriptionName || got.Type != tt.want.Type ||
				got.SubscriptionInitialPosition != tt.want.SubscriptionInitialPosition || got.ReceiverQueueSize != tt.want.ReceiverQueueSize ||
				got.NackRedeliveryDelay != tt.want.NackRedeliveryDelay {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if (got.DLQ == nil) != (tt.want.DLQ == nil) || got.DLQ != nil && (*got.DLQ).MaxDeliveries != tt.want.DLQ.MaxDeliveries ||
				got.DLQ != nil && got.DLQ.DeadLetterTopic != tt.want.DLQ.DeadLetterTopic {
				t.Errorf("DLQ %+v, want %+v", got.DLQ, tt.want.DLQ)
			}
		})
	}
}

// TestCreateTopicsAdmin: partitioned topics are created through the admin
// REST API (an HTTP server on loopback stands in for the broker's).
func TestCreateTopicsAdmin(t *testing.T) {
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls = append(calls, r.Method+" "+r.URL.EscapedPath()+" "+string(body))
		if strings.Contains(r.URL.Path, "exists") {
			w.WriteHeader(http.StatusConflict)
			return
		}
		if strings.Contains(r.URL.Path, "denied") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	tr := newTransport(Admin(srv.URL+"/"), Namespace("cert", "intel"))
	ctx := context.Background()
	if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: "t.a", Partitions: 3}, transport.TopicSpec{Name: "one", Partitions: 1}, transport.TopicSpec{Name: "exists", Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	want := []string{"PUT /admin/v2/persistent/cert/intel/t.a/partitions 3", "PUT /admin/v2/persistent/cert/intel/exists/partitions 2"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
	if err := tr.CreateTopics(ctx, transport.TopicSpec{Name: "denied", Partitions: 2}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("refused creation: %v", err)
	}
}

// TestConformance runs the suite against a real broker at PULSAR_URL
// (e.g. pulsar://127.0.0.1:6650); none runs on the machines this was
// written on.
func TestConformance(t *testing.T) {
	u := os.Getenv("PULSAR_URL")
	if u == "" {
		t.Skip("PULSAR_URL is not set: no Pulsar broker to test against")
	}
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		tr, err := Dial(u, Admin(os.Getenv("PULSAR_ADMIN_URL")))
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}, transporttest.Features{Pause: true, Headers: true, Queue: true})
}
