// Package tcp is IntelMQ's TCP output: events as IntelMQ JSON over a TCP
// connection, each followed by a separator or preceded by its length (4
// bytes, big endian). When the receiver is an IntelMQ TCP collector, it
// answers each message with "Ok", and a batch counts as delivered only
// after every answer; otherwise only a check that the receiver did not
// close or reset the connection follows each batch.
package tcp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/outputs/internal/stream"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "tcp-output"

// Spec is the node spec of the TCP output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Sends events as IntelMQ JSON over TCP, separated or length-prefixed; with an IntelMQ TCP collector at the other end each message is acknowledged (\"Ok\").",
	IntelMQ: "intelmq.bots.outputs.tcp.output",
	Params: []topology.Param{
		{Name: "ip", Type: topology.ParamString, Required: true, Doc: "Receiver host."},
		{Name: "port", Type: topology.ParamInt, Required: true, Doc: "Receiver port."},
		{Name: "separator", Type: topology.ParamString, Default: "", Doc: "Bytes after each message (e.g. \\n); empty: each message is preceded by its length, 4 bytes big endian."},
		{Name: "counterpart_is_intelmq", Type: topology.ParamBool, Default: true, Doc: "The receiver is an IntelMQ TCP collector: wait for its \"Ok\" after each message."},
		{Name: "hierarchical_output", Type: topology.ParamBool, Default: false, Doc: "Nest the JSON by its dots."},
		{Name: "with_type", Type: topology.ParamBool, Default: true, Doc: "Write the __type key, as IntelMQ's pipeline messages carry it."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "30s", Doc: "Timeout of connecting and of a batch."},
		{Name: "check_wait", Type: topology.ParamDuration, Default: "5ms", Doc: "Without counterpart_is_intelmq: how long to watch for a close or reset after each batch."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output sends events over TCP.
type Output struct {
	mu           sync.Mutex
	conn         *stream.Conn
	separator    []byte
	intelmq      bool
	hierarchical bool
	flat         dho.FlatOptions
	timeout      time.Duration
}

// New builds the output from validated parameters; it connects lazily.
func New(p topology.Params) (*Output, error) {
	port := p.Int("port")
	if port < 1 || port > 65535 {
		return nil, &topology.ParamError{Node: Name, Param: "port", Err: fmt.Errorf("%d is not a port", port)}
	}
	if p.String("ip") == "" {
		return nil, &topology.ParamError{Node: Name, Param: "ip", Err: errors.New("empty")}
	}
	o := &Output{separator: []byte(p.String("separator")), intelmq: p.Bool("counterpart_is_intelmq"), hierarchical: p.Bool("hierarchical_output"),
		flat: dho.FlatOptions{OmitType: !p.Bool("with_type")}, timeout: p.Duration("timeout")}
	o.conn = &stream.Conn{Network: "tcp", Addr: net.JoinHostPort(p.String("ip"), strconv.FormatInt(port, 10)), Timeout: p.Duration("timeout")}
	if !o.intelmq {
		o.conn.Check = p.Duration("check_wait")
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

// frame appends one message as it goes on the wire.
func (o *Output) frame(dst []byte, e *dho.Event) ([]byte, error) {
	b := e.AppendFlat(nil, o.flat)
	if o.hierarchical {
		var err error
		if b, err = outkit.Nest(b); err != nil {
			return nil, err
		}
	}
	if len(o.separator) > 0 {
		return append(append(dst, b...), o.separator...), nil
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...), nil
}

// Write sends the batch: with an IntelMQ counterpart message by message,
// each acknowledged; otherwise in one write, then the close check.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn.Do(ctx, func(c net.Conn) error {
		var buf []byte
		for _, e := range batch {
			var err error
			if buf, err = o.frame(buf, e); err != nil {
				return err
			}
			if !o.intelmq {
				continue
			}
			// The timeout holds for each message and its answer, whatever
			// the batch's size.
			c.SetDeadline(time.Now().Add(o.timeout))
			if _, err := c.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
			var ok [2]byte
			if _, err := io.ReadFull(c, ok[:]); err != nil {
				return fmt.Errorf("waiting for the receiver's Ok: %w", err)
			}
			if string(ok[:]) != "Ok" {
				return fmt.Errorf("the receiver answered %q, not Ok", ok[:])
			}
		}
		if len(buf) > 0 {
			c.SetDeadline(time.Now().Add(o.timeout))
			_, err := c.Write(buf)
			return err
		}
		return nil
	})
}

var _ topology.Output[dho.Event] = (*Output)(nil)
