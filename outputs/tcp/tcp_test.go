package tcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

// receiver is an in-process TCP receiver: it keeps the bytes of every
// connection and, as an IntelMQ TCP collector does, reads length-prefixed
// messages and answers each with "Ok".
type receiver struct {
	ln      net.Listener
	intelmq bool
	mu      sync.Mutex
	raw     bytes.Buffer
	msgs    [][]byte
	// dropAfter closes a connection after this many messages (without
	// answering the last), then counts down the next drops.
	dropAfter []int
	answer    string
}

func newReceiver(t *testing.T, intelmq bool) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{ln: ln, intelmq: intelmq, answer: "Ok"}
	go r.serve()
	t.Cleanup(func() { ln.Close() })
	return r
}

func (r *receiver) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *receiver) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.handle(c)
	}
}

func (r *receiver) handle(c net.Conn) {
	defer c.Close()
	if !r.intelmq {
		b, _ := io.ReadAll(c)
		r.mu.Lock()
		r.raw.Write(b)
		r.mu.Unlock()
		return
	}
	br := bufio.NewReader(c)
	n := 0
	for {
		var size [4]byte
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(br, msg); err != nil {
			return
		}
		n++
		r.mu.Lock()
		drop := len(r.dropAfter) > 0 && n == r.dropAfter[0]
		if drop {
			r.dropAfter = r.dropAfter[1:]
		} else {
			r.msgs = append(r.msgs, msg)
		}
		answer := r.answer
		r.mu.Unlock()
		if drop {
			return // read but not stored nor answered: the sender must send it again
		}
		c.Write([]byte(answer))
	}
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, m := range r.msgs {
		e, err := dho.ParseEvent(m)
		if err == nil {
			seen[e.ID] = true
		}
	}
	return len(seen)
}

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	o := outtest.New(t, Spec, New, raw)
	return o
}

func TestSeparatedBytes(t *testing.T) {
	r := newReceiver(t, false)
	o := newOutput(t, map[string]any{"ip": "127.0.0.1", "port": r.port(), "separator": "\n", "counterpart_is_intelmq": false, "with_type": false})
	events := outtest.Events(t, 3)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	o.Close()
	var want bytes.Buffer
	for _, e := range events {
		want.Write(e.MarshalFlat(dho.FlatOptions{OmitType: true}))
		want.WriteByte('\n')
	}
	time.Sleep(50 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.raw.String() != want.String() {
		t.Errorf("bytes:\n%s\nwant\n%s", r.raw.String(), want.String())
	}
}

func TestIntelMQCounterpart(t *testing.T) {
	r := newReceiver(t, true)
	o := newOutput(t, map[string]any{"ip": "127.0.0.1", "port": r.port()})
	events := outtest.Events(t, 3)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	for i, m := range r.msgs {
		if string(m) != string(events[i].MarshalFlat(dho.FlatOptions{})) {
			t.Errorf("message %d: %s", i, m)
		}
	}
	r.answer = "No"
	r.mu.Unlock()
	if err := o.Write(context.Background(), events); !topology.IsTransient(err) {
		t.Errorf("a wrong answer: %v, want transient", err)
	}
}

func TestReceiverGoneIsTransient(t *testing.T) {
	r := newReceiver(t, false)
	port := r.port()
	r.ln.Close()
	o := newOutput(t, map[string]any{"ip": "127.0.0.1", "port": port, "counterpart_is_intelmq": false})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); !topology.IsTransient(err) {
		t.Errorf("got %v, want transient", err)
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"ip": "127.0.0.1"}, Param: "port"},
		{Raw: map[string]any{"ip": "127.0.0.1", "port": 70000}, Param: "port"},
		{Raw: map[string]any{"ip": "", "port": 1}, Param: "ip"},
	})
}

// The receiver drops connections mid-batch (a message read but never
// answered) and goes away for a while: every event arrives.
func TestFaultReceiverGoesAway(t *testing.T) {
	r := newReceiver(t, true)
	r.dropAfter = []int{30, 45, 10}
	proxy := outtest.NewProxy(t, r.ln.Addr().String())
	o := newOutput(t, map[string]any{"ip": "127.0.0.1", "port": proxy.Port(), "timeout": "2s"})
	events := outtest.Events(t, 800)
	go func() {
		for r.distinct() < 300 {
			time.Sleep(time.Millisecond)
		}
		proxy.Cut()
		time.Sleep(200 * time.Millisecond)
		proxy.Restore()
	}()
	outtest.Run(t, events, o, func() bool { return r.distinct() == len(events) }, 60*time.Second, topology.Batch(50, 5*time.Millisecond))
}
