package outtest

import (
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP proxy on loopback in front of a real service, for fault
// tests: Cut drops every connection and refuses new ones until Restore.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
	// CutAfter, when above 0, cuts the proxy once that many bytes went
	// from the client to the service (mid-batch).
	cutAfter int64
	sent     int64
}

// NewProxy starts a proxy to target; it stops with the test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.Cut() })
	return p
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Cut closes every connection and refuses new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// CutAfter arms the proxy to cut itself once n more bytes went from
// clients to the service.
func (p *Proxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutAfter, p.sent = n, 0
	p.mu.Unlock()
}

// Down reports whether the proxy is cut.
func (p *Proxy) Down() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(s, c, true)
		go p.pipe(c, s, false)
	}
}

// pipe copies from src to dst; upstream copies count toward CutAfter.
func (p *Proxy) pipe(dst, src net.Conn, upstream bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && upstream {
			p.mu.Lock()
			cut := false
			if p.cutAfter > 0 {
				p.sent += int64(n)
				cut = p.sent >= p.cutAfter
				if cut {
					p.cutAfter = 0
					n = n / 2 // deliver half the chunk: the stream breaks mid-message
				}
			}
			p.mu.Unlock()
			if cut {
				dst.Write(buf[:n])
				p.Cut()
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
