package n6idea

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"sync"

	"github.com/go-stomp/stomp/v3/frame"
)

// DemoStream is a small STOMP 1.2 server on loopback that plays n6's
// stream for the tutorial and its test: one destination (the exchange),
// login and passcode checked, subscriptions with client-individual or
// client (cumulative) acknowledgement, and redelivery of what a
// connection leaves unacknowledged, as a real broker does. SEND frames to
// the exchange add messages, so any STOMP client can publish to it.
// (go-stomp's own server package mismatches client-individual ACKs, hence
// this one, built on go-stomp's frame reader and writer.)
type DemoStream struct {
	Addr, Exchange, Login, Passcode string

	ln      net.Listener
	mu      sync.Mutex
	pending []*demoMsg             // not delivered, or returned by a closed connection
	subs    map[*demoConn]*demoSub // one subscription per connection
	nextID  int
	acked   int
	conns   map[net.Conn]bool
	closed  bool
}

type demoMsg struct {
	id   string
	body []byte
}

type demoConn struct {
	w *frame.Writer
}

type demoSub struct {
	id, ack string
	unacked []*demoMsg
}

// StartDemoStream listens on 127.0.0.1 (a free port) and queues one
// message per n6 event of messages (a JSON array of n6 events, such as
// ideaexport.Report), as n6's stream sends them.
func StartDemoStream(exchange, login, passcode string, messages []byte) (*DemoStream, error) {
	var events []json.RawMessage
	if err := json.Unmarshal(messages, &events); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &DemoStream{Addr: ln.Addr().String(), Exchange: exchange, Login: login, Passcode: passcode, ln: ln,
		subs: map[*demoConn]*demoSub{}, conns: map[net.Conn]bool{}}
	for _, e := range events {
		var compact bytes.Buffer
		if err := json.Compact(&compact, e); err != nil {
			return nil, err
		}
		s.enqueue(compact.Bytes())
	}
	go s.accept()
	return s, nil
}

// Port is the port the server listens on.
func (s *DemoStream) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Acked is how many messages were acknowledged.
func (s *DemoStream) Acked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked
}

// Pending is how many messages wait for a subscriber or an
// acknowledgement.
func (s *DemoStream) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.pending)
	for _, sub := range s.subs {
		n += len(sub.unacked)
	}
	return n
}

// Close stops the server and drops its connections.
func (s *DemoStream) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	return s.ln.Close()
}

func (s *DemoStream) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		go s.serve(c)
	}
}

// enqueue adds a message (the lock must be held or the server not yet
// serving) and delivers it if someone subscribed.
func (s *DemoStream) enqueue(body []byte) {
	s.nextID++
	s.pending = append(s.pending, &demoMsg{id: "m" + strconv.Itoa(s.nextID), body: body})
	s.deliver()
}

// deliver sends the pending messages to a subscriber (the lock is held).
func (s *DemoStream) deliver() {
	for conn, sub := range s.subs {
		for len(s.pending) > 0 {
			m := s.pending[0]
			f := frame.New(frame.MESSAGE, frame.Destination, s.Exchange, frame.MessageId, m.id, frame.Subscription, sub.id,
				frame.ContentType, "application/json")
			if sub.ack != "auto" {
				f.Header.Set(frame.Ack, m.id)
			}
			f.Body = m.body
			if err := conn.w.Write(f); err != nil {
				return
			}
			s.pending = s.pending[1:]
			if sub.ack == "auto" {
				s.acked++
			} else {
				sub.unacked = append(sub.unacked, m)
			}
		}
		return
	}
}

func (s *DemoStream) serve(c net.Conn) {
	conn := &demoConn{w: frame.NewWriter(c)}
	defer func() {
		c.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.conns, c)
		if sub := s.subs[conn]; sub != nil {
			// Unacknowledged messages go back first in line.
			s.pending = append(sub.unacked, s.pending...)
			delete(s.subs, conn)
			s.deliver()
		}
	}()
	r := frame.NewReader(c)
	fail := func(msg string) {
		s.mu.Lock()
		conn.w.Write(frame.New(frame.ERROR, frame.Message, msg)) //nolint:errcheck // the connection closes anyway
		s.mu.Unlock()
	}
	f, err := r.Read()
	if err != nil || f == nil || (f.Command != frame.CONNECT && f.Command != frame.STOMP) {
		fail("expected CONNECT")
		return
	}
	if f.Header.Get(frame.Login) != s.Login || f.Header.Get(frame.Passcode) != s.Passcode {
		fail("bad login or passcode")
		return
	}
	s.mu.Lock()
	err = conn.w.Write(frame.New(frame.CONNECTED, frame.Version, "1.2", frame.HeartBeat, "0,0", frame.Server, "intelstream-n6-demo"))
	s.mu.Unlock()
	if err != nil {
		return
	}
	for {
		f, err := r.Read()
		if err != nil { // EOF or a closed connection
			return
		}
		if f == nil { // a heart-beat
			continue
		}
		s.mu.Lock()
		switch f.Command {
		case frame.SUBSCRIBE:
			if f.Header.Get(frame.Destination) != s.Exchange {
				s.mu.Unlock()
				fail("no such destination " + f.Header.Get(frame.Destination))
				return
			}
			ack := f.Header.Get(frame.Ack)
			if ack == "" {
				ack = "auto"
			}
			s.subs[conn] = &demoSub{id: f.Header.Get(frame.Id), ack: ack}
			s.deliver()
		case frame.ACK, frame.NACK:
			sub := s.subs[conn]
			id := f.Header.Get(frame.Id)
			if sub != nil {
				for i, m := range sub.unacked {
					if m.id != id {
						continue
					}
					done := sub.unacked[i : i+1]
					if sub.ack == "client" { // cumulative
						done = sub.unacked[:i+1]
					}
					if f.Command == frame.ACK {
						s.acked += len(done)
					} else {
						s.pending = append(append([]*demoMsg(nil), done...), s.pending...)
					}
					sub.unacked = append(sub.unacked[:i+1-len(done)], sub.unacked[i+1:]...)
					break
				}
			}
		case frame.SEND:
			if f.Header.Get(frame.Destination) == s.Exchange {
				s.enqueue(append([]byte(nil), f.Body...))
			}
		case frame.UNSUBSCRIBE:
			if sub := s.subs[conn]; sub != nil {
				s.pending = append(sub.unacked, s.pending...)
				delete(s.subs, conn)
			}
		}
		if receipt := f.Header.Get(frame.Receipt); receipt != "" {
			conn.w.Write(frame.New(frame.RECEIPT, frame.ReceiptId, receipt)) //nolint:errcheck // a broken connection ends the loop
		}
		s.mu.Unlock()
		if f.Command == frame.DISCONNECT {
			return
		}
	}
}
