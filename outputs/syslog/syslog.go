// Package syslog is the syslog output: events as RFC 5424 syslog messages
// (the message an event's IntelMQ JSON or its CEF form) over TCP with
// octet-counting framing (RFC 6587), TLS (RFC 5425) or UDP (RFC 5426).
package syslog

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/outputs/internal/stream"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "syslog-output"

// Spec is the node spec of the syslog output.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindOutput,
	Doc:  "Sends events as RFC 5424 syslog messages (IntelMQ JSON or CEF) over TCP with octet counting, TLS or UDP.",
	Params: []topology.Param{
		{Name: "host", Type: topology.ParamString, Default: "127.0.0.1", Doc: "Syslog receiver host."},
		{Name: "port", Type: topology.ParamInt, Default: 514, Doc: "Receiver port (6514 for TLS)."},
		{Name: "protocol", Type: topology.ParamString, Default: "tcp", Enum: []string{"tcp", "tls", "udp"}, Doc: "Transport: tcp (octet counting), tls, or udp (one datagram per message, no delivery guarantee)."},
		{Name: "framing", Type: topology.ParamString, Default: "octet-counting", Enum: []string{"octet-counting", "lf"}, Doc: "TCP framing: octet counting (RFC 6587 3.4.1) or a line feed after each message."},
		{Name: "format", Type: topology.ParamString, Default: "json", Enum: []string{"json", "cef"}, Doc: "Message: the event's IntelMQ JSON or its CEF form."},
		{Name: "facility", Type: topology.ParamString, Default: "local0", Doc: "Syslog facility name (kern ... local7)."},
		{Name: "severity", Type: topology.ParamString, Default: "notice", Doc: "Severity for events without a severity field (high err, medium warning, low notice, info info)."},
		{Name: "hostname", Type: topology.ParamString, Default: "", Doc: "HOSTNAME of the messages; empty for this machine's name."},
		{Name: "app_name", Type: topology.ParamString, Default: "intelstream", Doc: "APP-NAME of the messages."},
		{Name: "msgid", Type: topology.ParamString, Default: "event", Doc: "MSGID of the messages."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of connecting and writing a batch."},
		{Name: "check_wait", Type: topology.ParamDuration, Default: "5ms", Doc: "TCP/TLS: how long to watch for a close or reset after each batch (syslog has no acknowledgements)."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "TLS: verify the receiver's certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "TLS: PEM file of CA certificates to trust."},
		{Name: "ssl_client_certificate", Type: topology.ParamString, Default: "", Doc: "TLS: client certificate (PEM), for receivers that authenticate senders."},
		{Name: "ssl_client_key", Type: topology.ParamString, Default: "", Doc: "TLS: the client certificate's key (PEM)."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output sends syslog messages.
type Output struct {
	mu                        sync.Mutex
	conn                      *stream.Conn
	udp, octets, cef          bool
	facility, severity        int
	hostname, appName, procID string
	msgID                     string
	now                       func() time.Time
}

// New builds the output from validated parameters; it connects lazily.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	port := p.Int("port")
	if port < 1 || port > 65535 {
		return nil, bad("port", fmt.Errorf("%d is not a port", port))
	}
	fac, ok := facilities[p.String("facility")]
	if !ok {
		return nil, bad("facility", fmt.Errorf("%q is not a syslog facility", p.String("facility")))
	}
	sev, ok := severities[p.String("severity")]
	if !ok {
		return nil, bad("severity", fmt.Errorf("%q is not a syslog severity (emerg ... debug)", p.String("severity")))
	}
	host := p.String("hostname")
	if host == "" {
		host, _ = os.Hostname()
	}
	o := &Output{udp: p.String("protocol") == "udp", octets: p.String("framing") == "octet-counting", cef: p.String("format") == "cef",
		facility: fac, severity: sev, hostname: printUSASCII(host, 255), appName: printUSASCII(p.String("app_name"), 48),
		procID: strconv.Itoa(os.Getpid()), msgID: printUSASCII(p.String("msgid"), 32), now: time.Now}
	o.conn = &stream.Conn{Network: "tcp", Addr: net.JoinHostPort(p.String("host"), strconv.FormatInt(port, 10)), Timeout: p.Duration("timeout"), Check: p.Duration("check_wait")}
	if o.udp {
		o.conn.Network, o.conn.Check = "udp", 0
	}
	if p.String("protocol") == "tls" {
		tc, err := outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate"), ServerName: p.String("host"),
			CertFile: p.String("ssl_client_certificate"), KeyFile: p.String("ssl_client_key")}.Config()
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		o.conn.TLS = tc
	}
	return o, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close closes the connection.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn.Close()
}

// Message returns one event's syslog message, without transport framing.
func (o *Output) Message(e *dho.Event, now time.Time) []byte {
	b := o.header(make([]byte, 0, 1024), e, now)
	if o.cef {
		return appendCEF(b, e, o.severity)
	}
	return e.AppendFlat(b, dho.FlatOptions{OmitType: true})
}

// Write sends the batch: over TCP in one write of framed messages, then
// the close check; over UDP one datagram per message.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	return o.conn.Do(ctx, func(c net.Conn) error {
		if o.udp {
			for _, e := range batch {
				if _, err := c.Write(o.Message(e, now)); err != nil {
					return err
				}
			}
			return nil
		}
		var buf []byte
		for _, e := range batch {
			m := o.Message(e, now)
			if o.octets {
				buf = strconv.AppendInt(buf, int64(len(m)), 10)
				buf = append(buf, ' ')
				buf = append(buf, m...)
			} else {
				buf = append(append(buf, m...), '\n')
			}
		}
		_, err := c.Write(buf)
		return err
	})
}

var _ topology.Output[dho.Event] = (*Output)(nil)
