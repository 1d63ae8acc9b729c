package stream

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/intelstream/intelstream/topology"
)

// A receiver that closes the connection makes the batch written just
// before fail, so the batch is sent again rather than lost.
func TestCheckSeesTheReceiverClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close() // gone before reading anything
		close(closed)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := &Conn{Network: "tcp", Addr: ln.Addr().String(), Timeout: time.Second, Check: 50 * time.Millisecond}
	defer s.Close()
	write := func(c net.Conn) error { _, err := c.Write([]byte("batch\n")); return err }
	if err := s.Do(context.Background(), func(net.Conn) error { <-closed; return nil }); err == nil {
		// The close may arrive after the first check; the next write sees it.
		err = s.Do(context.Background(), write)
		if !topology.IsTransient(err) {
			t.Fatalf("writing to a closed receiver: %v, want transient", err)
		}
	} else if !topology.IsTransient(err) {
		t.Fatalf("got %v, want transient", err)
	}
	// Dialled again: the new connection is alive.
	if err := s.Do(context.Background(), write); err != nil {
		t.Errorf("after reconnecting: %v", err)
	}
}
