// Package udp is IntelMQ's UDP output: one datagram per event, a header
// then the event as IntelMQ JSON or as delimited key:value pairs, control
// characters removed, ended by a line feed. UDP confirms nothing: a
// datagram to a receiver that is down is lost unless the kernel reports
// the refusal (ICMP port unreachable) on a later send, which fails the
// batch as transient.
package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/outputs/internal/stream"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "udp-output"

// Spec is the node spec of the UDP output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Sends each event as one UDP datagram: a header, then IntelMQ JSON or delimited key:value pairs (no delivery guarantee).",
	IntelMQ: "intelmq.bots.outputs.udp.output",
	Params: []topology.Param{
		{Name: "udp_host", Type: topology.ParamString, Default: "localhost", Doc: "Receiver host."},
		{Name: "udp_port", Type: topology.ParamInt, Required: true, Doc: "Receiver port."},
		{Name: "format", Type: topology.ParamString, Default: "json", Enum: []string{"json", "delimited"}, Doc: "json: header then the IntelMQ JSON; delimited: header, then for each field the delimiter and name:value."},
		{Name: "field_delimiter", Type: topology.ParamString, Default: "|", Doc: "Delimiter of the delimited format."},
		{Name: "header", Type: topology.ParamString, Default: "<header text>", Doc: "Text at the start of each datagram."},
		{Name: "keep_raw_field", Type: topology.ParamBool, Default: false, Doc: "Keep the raw field (IntelMQ drops it)."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output sends datagrams.
type Output struct {
	mu        sync.Mutex
	conn      *stream.Conn
	delimited bool
	delimiter string
	header    string
	keepRaw   bool
}

// New builds the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	port := p.Int("udp_port")
	if port < 1 || port > 65535 {
		return nil, &topology.ParamError{Node: Name, Param: "udp_port", Err: fmt.Errorf("%d is not a port", port)}
	}
	if p.String("udp_host") == "" {
		return nil, &topology.ParamError{Node: Name, Param: "udp_host", Err: errors.New("empty")}
	}
	return &Output{
		conn:      &stream.Conn{Network: "udp", Addr: net.JoinHostPort(p.String("udp_host"), strconv.FormatInt(port, 10)), Timeout: 5e9},
		delimited: p.String("format") == "delimited", delimiter: p.String("field_delimiter"), header: p.String("header"), keepRaw: p.Bool("keep_raw_field"),
	}, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close closes the socket.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn.Close()
}

// Datagram returns one event's datagram.
func (o *Output) Datagram(e *dho.Event) []byte {
	if !o.keepRaw && e.Raw != nil {
		c := e.Clone()
		c.Raw = nil
		e = c
	}
	line := []byte(o.header)
	if o.delimited {
		e.Range(func(name string, v any) bool {
			line = append(line, o.delimiter...)
			line = append(line, name...)
			line = append(line, ':')
			line = append(line, outkit.ValueText(v)...)
			return true
		})
	} else {
		line = e.AppendFlat(line, dho.FlatOptions{OmitType: true})
	}
	return append(removeControl(line), '\n')
}

// removeControl drops the characters of Unicode's category C (control,
// format, unassigned ...), as IntelMQ does before sending.
func removeControl(b []byte) []byte {
	out := b[:0:0]
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError && !unicode.In(r, unicode.C) {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

// Write sends one datagram per event.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn.Do(ctx, func(c net.Conn) error {
		for _, e := range batch {
			if _, err := c.Write(o.Datagram(e)); err != nil {
				return err
			}
		}
		return nil
	})
}

var _ topology.Output[dho.Event] = (*Output)(nil)
