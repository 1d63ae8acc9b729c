package mqtt

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

const server = "127.0.0.1:1883"

// subscriber subscribes to a fresh topic tree on the machine's Mosquitto
// and keeps what arrives.
type subscriber struct {
	prefix string
	mu     sync.Mutex
	msgs   []paho.Message
}

func newSubscriber(t *testing.T) *subscriber {
	t.Helper()
	outtest.Service(t, "Mosquitto", server)
	s := &subscriber{prefix: fmt.Sprintf("intelstream-test/%d", time.Now().UnixNano())}
	c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + server).SetClientID("sub-" + s.prefix[17:]))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connecting: %v", tok.Error())
	}
	tok := c.Subscribe(s.prefix+"/#", 1, func(_ paho.Client, m paho.Message) {
		s.mu.Lock()
		s.msgs = append(s.msgs, m)
		s.mu.Unlock()
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribing: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return s
}

func (s *subscriber) received() []paho.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]paho.Message(nil), s.msgs...)
}

func (s *subscriber) wait(t *testing.T, n int) []paho.Message {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got := s.received(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d messages, want %d", len(s.received()), n)
	return nil
}

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	o := outtest.New(t, Spec, New, raw)
	return o
}

func TestPublish(t *testing.T) {
	s := newSubscriber(t)
	o := newOutput(t, map[string]any{"mqtt_topic": s.prefix + "/{ev[classification.type]}/{ev[source.asn]}", "message_with_type": true})
	events := outtest.Events(t, 3)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	got := s.wait(t, 3)
	bodies := map[string]string{}
	for _, m := range got {
		bodies[m.Topic()] = string(m.Payload())
	}
	for i, e := range events {
		want := e.Clone()
		want.Raw = nil
		topic := fmt.Sprintf("%s/infected-system/%d", s.prefix, 64496+i)
		if bodies[topic] != string(want.MarshalFlat(dho.FlatOptions{})) {
			t.Errorf("%s: %q", topic, bodies[topic])
		}
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{}, Param: "mqtt_topic"},
		{Raw: map[string]any{"mqtt_topic": "a/#"}, Param: "mqtt_topic"},
		{Raw: map[string]any{"mqtt_topic": "a", "mqtt_qos": 3}, Param: "mqtt_qos"},
		{Raw: map[string]any{"mqtt_topic": "a", "mqtt_port": 0}, Param: "mqtt_port"},
		{Raw: map[string]any{"mqtt_topic": "a", "single_key": "nope"}, Param: "single_key"},
	})
}

func TestNoBrokerIsTransient(t *testing.T) {
	o := newOutput(t, map[string]any{"mqtt_topic": "x", "mqtt_port": 1, "timeout": "1s"})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); !topology.IsTransient(err) {
		t.Errorf("got %v, want transient", err)
	}
}

// The broker connection breaks mid-batch and comes back: every event
// arrives (counted by event id; QoS 1 may deliver a message twice).
func TestFaultBrokerGoesAway(t *testing.T) {
	s := newSubscriber(t)
	proxy := outtest.NewProxy(t, server)
	o := newOutput(t, map[string]any{"mqtt_topic": s.prefix + "/e", "mqtt_port": proxy.Port(), "timeout": "2s", "single_key": "id"})
	events := outtest.Events(t, 1500)
	distinct := func() int {
		seen := map[string]bool{}
		for _, m := range s.received() {
			seen[string(m.Payload())] = true
		}
		return len(seen)
	}
	go func() {
		for i := range 3 {
			proxy.CutAfter(int64(20+i*20) << 10)
			for !proxy.Down() {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(150 * time.Millisecond)
			proxy.Restore()
		}
	}()
	outtest.Run(t, events, o, func() bool { return distinct() == len(events) }, 60*time.Second, topology.Batch(100, 5*time.Millisecond))
}
