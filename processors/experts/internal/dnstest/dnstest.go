// Package dnstest is an in-process DNS server for the DNS experts' tests:
// it answers from a zone given as text records, on loopback UDP and TCP.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Server is a running test DNS server.
type Server struct {
	// Addr is the server's address (127.0.0.1:port, UDP and TCP).
	Addr string
	mu   sync.Mutex
	rrs  map[string][]dns.RR // by lower-case owner name
	fail map[string]int      // names answered with an rcode
	slow map[string]bool     // names never answered (client timeouts)
	// Queries counts the queries received.
	Queries atomic.Int64
}

// Start starts a server answering with records (zone-file lines such as
// "example.com. 300 IN A 192.0.2.1"); it stops at the end of the test.
func Start(t testing.TB, records ...string) *Server {
	t.Helper()
	s := &Server{rrs: map[string][]dns.RR{}, fail: map[string]int{}, slow: map[string]bool{}}
	s.Add(t, records...)
	// UDP and TCP on one port: the UDP port the system picks may be taken
	// for TCP, so try a few.
	var pc net.PacketConn
	var l net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: l, Handler: s}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return s
}

// Add adds records.
func (s *Server) Add(t testing.TB, records ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			t.Fatalf("record %q: %v", r, err)
		}
		name := strings.ToLower(rr.Header().Name)
		s.rrs[name] = append(s.rrs[name], rr)
	}
}

// Fail makes the server answer queries for name with rcode (e.g.
// dns.RcodeServerFailure).
func (s *Server) Fail(name string, rcode int) {
	s.mu.Lock()
	s.fail[strings.ToLower(dns.Fqdn(name))] = rcode
	s.mu.Unlock()
}

// Slow makes the server ignore queries for name.
func (s *Server) Slow(name string) {
	s.mu.Lock()
	s.slow[strings.ToLower(dns.Fqdn(name))] = true
	s.mu.Unlock()
}

// ServeDNS answers one query: the records of the asked name and type,
// NOERROR without records (NODATA) when the name has others, NXDOMAIN
// when it has none; negative answers carry an SOA with a 30 s negative TTL.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	s.Queries.Add(1)
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	slow := s.slow[name]
	rcode, failed := s.fail[name]
	rrs := s.rrs[name]
	s.mu.Unlock()
	if slow {
		time.Sleep(50 * time.Millisecond)
		return
	}
	if failed {
		m.Rcode = rcode
		w.WriteMsg(m)
		return
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype == q.Qtype {
			m.Answer = append(m.Answer, dns.Copy(rr))
		}
	}
	if len(m.Answer) == 0 {
		if len(rrs) == 0 {
			m.Rcode = dns.RcodeNameError
		}
		soa, _ := dns.NewRR(". 30 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 30")
		m.Ns = append(m.Ns, soa)
	}
	if _, ok := w.RemoteAddr().(*net.UDPAddr); ok {
		m.Truncate(dns.MinMsgSize)
		if opt := r.IsEdns0(); opt != nil {
			m.Truncate(int(opt.UDPSize()))
		}
	}
	w.WriteMsg(m)
}
