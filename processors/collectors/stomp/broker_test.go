package stomp

import (
	"crypto/tls"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-stomp/stomp/v3/frame"
)

// broker is a minimal in-process STOMP 1.2 server for the tests: one
// queue, subscriptions with auto, client and client-individual acks, a
// prefetch window per subscription, and redelivery (first in the queue)
// of what a connection leaves unacknowledged. go-stomp's own server
// package cannot serve here: its client-individual ACKs never match a
// message and cumulative ones panic on the second delivery.
type broker struct {
	t        *testing.T
	prefetch int
	user     string // when not "", CONNECT must carry login user, passcode pass
	pass     string

	mu     sync.Mutex
	queue  []*qmsg
	subs   []*bsub
	nextID int
	acked  []string // bodies, in the order they were acknowledged
	ln     net.Listener
	conns  []net.Conn
}

type qmsg struct {
	id   string
	body []byte
}

type bsub struct {
	id, ack string
	w       *frame.Writer
	unacked []*qmsg
}

// startBroker listens on addr (127.0.0.1:0 for a fresh port), with TLS
// when conf is not nil. It stops with the test.
func startBroker(t *testing.T, addr string, conf *tls.Config) *broker {
	t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the port of a broker just stopped may take a moment
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if conf != nil {
		l = tls.NewListener(l, conf)
	}
	b := &broker{t: t, prefetch: 10, ln: l}
	go b.serve()
	t.Cleanup(b.stop)
	return b
}

func (b *broker) addr() string { return b.ln.Addr().String() }

// stop closes the listener and every connection: the server goes away.
func (b *broker) stop() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

// publish appends messages to the queue.
func (b *broker) publish(bodies ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, body := range bodies {
		b.nextID++
		b.queue = append(b.queue, &qmsg{id: strconv.Itoa(b.nextID), body: []byte(body)})
	}
	b.dispatch()
}

// ackedBodies returns the acknowledged bodies so far.
func (b *broker) ackedBodies() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.acked)
}

func (b *broker) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		b.mu.Unlock()
		go b.handle(c)
	}
}

// dispatch hands queued messages to subscriptions with room; b.mu held.
func (b *broker) dispatch() {
	for _, s := range b.subs {
		for len(b.queue) > 0 && (s.ack == "auto" || len(s.unacked) < b.prefetch) {
			m := b.queue[0]
			b.queue = b.queue[1:]
			f := frame.New(frame.MESSAGE, frame.Destination, queue, frame.MessageId, m.id, frame.Subscription, s.id)
			if s.ack != "auto" {
				f.Header.Set(frame.Ack, m.id)
				s.unacked = append(s.unacked, m)
			}
			f.Body = m.body
			s.w.Write(f)
		}
	}
}

func (b *broker) handle(c net.Conn) {
	defer c.Close()
	r, w := frame.NewReader(c), frame.NewWriter(c)
	var mine []*bsub
	defer func() {
		// The connection is gone: what it did not acknowledge goes back
		// to the front of the queue, in order.
		b.mu.Lock()
		defer b.mu.Unlock()
		var back []*qmsg
		for _, s := range mine {
			back = append(back, s.unacked...)
			b.subs = slices.DeleteFunc(b.subs, func(x *bsub) bool { return x == s })
		}
		slices.SortFunc(back, func(x, y *qmsg) int { xi, _ := strconv.Atoi(x.id); yi, _ := strconv.Atoi(y.id); return xi - yi })
		b.queue = append(back, b.queue...)
		b.dispatch()
	}()
	receipt := func(f *frame.Frame) {
		if id, ok := f.Header.Contains(frame.Receipt); ok {
			b.mu.Lock()
			w.Write(frame.New(frame.RECEIPT, frame.ReceiptId, id))
			b.mu.Unlock()
		}
	}
	connected := false
	for {
		f, err := r.Read()
		if err != nil {
			return
		}
		if f == nil {
			continue // heart-beat
		}
		switch f.Command {
		case frame.CONNECT, frame.STOMP:
			if b.user != "" && (f.Header.Get(frame.Login) != b.user || f.Header.Get(frame.Passcode) != b.pass) {
				w.Write(frame.New(frame.ERROR, frame.Message, "bad login"))
				return
			}
			connected = true
			w.Write(frame.New(frame.CONNECTED, frame.Version, "1.2", frame.HeartBeat, "0,0"))
		case frame.SUBSCRIBE:
			if !connected {
				return
			}
			ack := f.Header.Get(frame.Ack)
			if ack == "" {
				ack = "auto"
			}
			b.mu.Lock()
			s := &bsub{id: f.Header.Get(frame.Id), ack: ack, w: w}
			mine = append(mine, s)
			b.subs = append(b.subs, s)
			b.mu.Unlock()
			receipt(f)
			b.mu.Lock()
			b.dispatch()
			b.mu.Unlock()
		case frame.ACK:
			id := f.Header.Get(frame.Id)
			b.mu.Lock()
			for _, s := range mine {
				i := slices.IndexFunc(s.unacked, func(m *qmsg) bool { return m.id == id })
				if i < 0 {
					continue
				}
				done := s.unacked[i : i+1]
				if s.ack == "client" {
					done = s.unacked[:i+1] // cumulative
				}
				for _, m := range done {
					b.acked = append(b.acked, string(m.body))
				}
				s.unacked = slices.Delete(s.unacked, i-len(done)+1, i+1)
			}
			b.dispatch()
			b.mu.Unlock()
			receipt(f)
		case frame.DISCONNECT:
			receipt(f)
			return
		default:
			receipt(f)
		}
	}
}
