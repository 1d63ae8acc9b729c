package transporttest

import (
	"strings"

	"github.com/intelstream/intelstream/transport"
)

// testTransactions: a read-committed consumer sees what committed
// transactions produced, once, and never what aborted ones did; the
// consumed offsets commit with the transaction and only with it.
func testTransactions(e *env, _ Features) {
	tx, ok := e.tr.(transport.Transactional)
	if !ok {
		e.t.Fatal("Features.Transactions, but the transport does not implement transport.Transactional")
	}
	in, out := e.topic(1), e.topic(1)
	group, id := name(e.t, "group"), name(e.t, "txn")
	plain := e.producer(transport.ProducerOptions{})
	inputs := values(in, "a", 10, 1)
	e.produce(plain, inputs...)

	session := func() transport.TxnSession {
		e.t.Helper()
		s, err := tx.NewTxnSession(transport.TxnOptions{ID: id, Group: group, Topics: []string{in}, MaxPollRecords: 4})
		if err != nil {
			e.t.Fatalf("NewTxnSession: %v", err)
		}
		e.t.Cleanup(func() { s.Close() })
		return s
	}
	poll := func(s transport.TxnSession) []*transport.Record {
		e.t.Helper()
		recs, err := s.Poll(e.ctx)
		if err != nil {
			e.t.Fatalf("Poll: %v", err)
		}
		return recs
	}
	transform := func(s transport.TxnSession, prefix string, recs []*transport.Record) {
		e.t.Helper()
		if err := s.Begin(); err != nil {
			e.t.Fatalf("Begin: %v", err)
		}
		for _, r := range recs {
			s.Produce(e.ctx, &transport.Record{Topic: out, Key: r.Key, Value: []byte(prefix + string(r.Value))}, nil)
		}
	}

	// An aborted transaction: its records never show, its input comes
	// again.
	s1 := session()
	first := poll(s1)
	transform(s1, "aborted-", first)
	if committed, err := s1.End(e.ctx, false); err != nil || committed {
		e.t.Fatalf("End(abort) = %v, %v; want false, nil", committed, err)
	}
	if again := poll(s1); again[0].Offset != first[0].Offset {
		e.t.Fatalf("after abort Poll resumed at offset %d, want %d", again[0].Offset, first[0].Offset)
	}
	// Leaving without committing: the next session starts over.
	if err := s1.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}

	s2 := session()
	done := map[string]bool{}
	start := true
	for len(done) < len(inputs) {
		recs := poll(s2)
		if start && recs[0].Offset != 0 {
			e.t.Fatalf("a session after an aborted one starts at offset %d, want 0", recs[0].Offset)
		}
		start = false
		transform(s2, "out-", recs)
		committed, err := s2.End(e.ctx, true)
		if err != nil {
			e.t.Fatalf("End(commit): %v", err)
		}
		if committed { // else aborted (a rebalance): the records come again
			for _, r := range recs {
				done[string(r.Value)] = true
			}
		}
	}
	if err := s2.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}

	// out holds, before the end marker, each transformed input once and
	// nothing aborted.
	e.produce(plain, &transport.Record{Topic: out, Value: []byte("end")})
	c := e.consumer(transport.ConsumerOptions{Group: name(e.t, "reader"), Topics: []string{out}})
	got := e.consume(c, func(got []*transport.Record) bool {
		return len(got) > 0 && string(got[len(got)-1].Value) == "end"
	})
	var want []*transport.Record
	for _, r := range inputs {
		want = append(want, &transport.Record{Value: []byte("out-" + string(r.Value))})
	}
	want = append(want, &transport.Record{Value: []byte("end")})
	for _, r := range got {
		if strings.HasPrefix(string(r.Value), "aborted-") {
			e.t.Errorf("record %q of an aborted transaction is visible", r.Value)
		}
	}
	exactlyOnce(e.t, got, want)

	// The group's offsets moved with the commits: a plain member of the
	// group gets only what came after.
	later := values(in, "b", 5, 1)
	e.produce(plain, later...)
	c2 := e.consumer(transport.ConsumerOptions{Group: group, Topics: []string{in}})
	rest := e.consume(c2, atLeast(len(later)))
	if rest[0].Offset != int64(len(inputs)) {
		e.t.Errorf("group resumed at offset %d, want %d", rest[0].Offset, len(inputs))
	}
	exactlyOnce(e.t, rest, later)
}
