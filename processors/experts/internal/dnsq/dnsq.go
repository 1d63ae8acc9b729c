// Package dnsq is the DNS client of the DNS-based experts (gethostbyname,
// reverse_dns, cymru_whois): one query to a configured resolver, with the
// answer's TTL, over UDP and, when truncated, TCP.
package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/intelstream/intelstream/topology"
)

// Params are the resolver parameters of the DNS-based experts.
var Params = []topology.Param{
	{Name: "resolver", Type: topology.ParamString, Doc: "DNS resolver address host:port (default: the first nameserver of /etc/resolv.conf).", Example: "127.0.0.1:53"},
	{Name: "dns_timeout", Type: topology.ParamDuration, Default: "5s", Doc: "Timeout of one DNS query; a timeout is retried later (the event is not lost)."},
}

// Resolver sends queries to one DNS resolver.
type Resolver struct {
	addr    string
	timeout time.Duration
	udp     *dns.Client
	tcp     *dns.Client
}

// FromParams builds the resolver the parameters describe, for node kind
// node (named in errors).
func FromParams(node string, p topology.Params) (*Resolver, error) {
	addr := p.String("resolver")
	if addr == "" {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return nil, &topology.ParamError{Node: node, Param: "resolver", Err: fmt.Errorf("not given and none in /etc/resolv.conf: %v", err)}
		}
		addr = net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return nil, &topology.ParamError{Node: node, Param: "resolver", Err: fmt.Errorf("%q is not host:port", addr)}
	}
	timeout := p.Duration("dns_timeout")
	if timeout <= 0 {
		return nil, &topology.ParamError{Node: node, Param: "dns_timeout", Err: fmt.Errorf("must be positive, got %s", timeout)}
	}
	return New(addr, timeout), nil
}

// New returns a resolver sending queries to addr (host:port).
func New(addr string, timeout time.Duration) *Resolver {
	return &Resolver{addr: addr, timeout: timeout,
		udp: &dns.Client{Net: "udp", Timeout: timeout, UDPSize: 4096},
		tcp: &dns.Client{Net: "tcp", Timeout: timeout}}
}

// Answer is a DNS response reduced to what the experts use.
type Answer struct {
	Rcode int      // dns.RcodeSuccess, dns.RcodeNameError (NXDOMAIN), ...
	RRs   []dns.RR // the answer section's records of the asked type
	// TTL is how long the answer may be cached: the smallest TTL of the
	// records, or for a negative answer the SOA's negative TTL (0: none
	// given).
	TTL time.Duration
}

// Query asks the resolver for name's records of type qtype. Network
// failures and timeouts are returned as topology.Transient errors; a
// response with an error code is an Answer, not an error.
func (r *Resolver) Query(ctx context.Context, name string, qtype uint16) (Answer, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(4096, false)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, _, err := r.udp.ExchangeContext(ctx, m, r.addr)
	if err == nil && resp.Truncated {
		resp, _, err = r.tcp.ExchangeContext(ctx, m, r.addr)
	}
	if err != nil {
		return Answer{}, topology.Transient(fmt.Errorf("DNS %s %s: %w", dns.TypeToString[qtype], name, err))
	}
	a := Answer{Rcode: resp.Rcode}
	var minTTL uint32 = 1<<32 - 1
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype != qtype {
			continue // CNAMEs on the way
		}
		a.RRs = append(a.RRs, rr)
		minTTL = min(minTTL, rr.Header().Ttl)
	}
	if len(a.RRs) > 0 {
		a.TTL = time.Duration(minTTL) * time.Second
		return a, nil
	}
	for _, rr := range resp.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			a.TTL = time.Duration(min(soa.Minttl, soa.Hdr.Ttl)) * time.Second
		}
	}
	return a, nil
}

// ErrNoAnswer is returned by helpers when a name has no record of the
// asked type.
var ErrNoAnswer = errors.New("no answer")

// TXT joins a TXT record's strings and turns miekg/dns's escapes (\DDD,
// \") back into the bytes they stand for.
func TXT(rr *dns.TXT) string {
	var b strings.Builder
	for _, s := range rr.Txt {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '\\' || i+1 >= len(s) {
				b.WriteByte(c)
				continue
			}
			if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
				n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if n < 256 {
					b.WriteByte(byte(n))
					i += 3
					continue
				}
			}
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
