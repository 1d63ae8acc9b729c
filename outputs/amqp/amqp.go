// Package amqp is the AMQP output (IntelMQ's amqptopic): events published
// to an exchange of RabbitMQ (or any AMQP 0-9-1 broker) with publisher
// confirms: a batch is acknowledged only after the broker confirmed every
// message of it.
package amqp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "amqp-output"

// Spec is the node spec of the AMQP output.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindOutput,
	Doc:     "Publishes events to an AMQP exchange (RabbitMQ), waiting for the broker's publisher confirms before a batch counts as delivered.",
	IntelMQ: "intelmq.bots.outputs.amqptopic.output",
	Params: append([]topology.Param{
		{Name: "connection_host", Type: topology.ParamString, Default: "127.0.0.1", Doc: "Broker host."},
		{Name: "connection_port", Type: topology.ParamInt, Default: 5672, Doc: "Broker port."},
		{Name: "connection_vhost", Type: topology.ParamString, Default: "/", Doc: "Virtual host."},
		{Name: "connection_attempts", Type: topology.ParamInt, Default: 3, Doc: "Connection attempts per batch before the batch fails as transient."},
		{Name: "connection_heartbeat", Type: topology.ParamInt, Default: 3600, Doc: "Heartbeat interval in seconds."},
		{Name: "username", Type: topology.ParamString, Default: "guest", Doc: "User name."},
		{Name: "password", Type: topology.ParamString, Default: "guest", Doc: "Password."},
		{Name: "use_ssl", Type: topology.ParamBool, Default: false, Doc: "Speak AMQPS (TLS)."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the broker's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
		{Name: "exchange_name", Type: topology.ParamString, Required: true, Doc: "Exchange to publish to (declared if missing)."},
		{Name: "exchange_type", Type: topology.ParamString, Default: "topic", Enum: []string{"topic", "direct", "fanout", "headers"}, Doc: "Type of the exchange."},
		{Name: "exchange_durable", Type: topology.ParamBool, Default: true, Doc: "Declare the exchange durable."},
		{Name: "routing_key", Type: topology.ParamString, Default: "", Doc: "Routing key."},
		{Name: "format_routing_key", Type: topology.ParamBool, Default: false, Doc: "Fill {ev[NAME]} references in routing_key from each event."},
		{Name: "delivery_mode", Type: topology.ParamInt, Default: 2, Doc: "1 transient, 2 persistent messages."},
		{Name: "content_type", Type: topology.ParamString, Default: "application/json", Doc: "Content type of the messages."},
		{Name: "require_confirmation", Type: topology.ParamBool, Default: true, Doc: "Wait for publisher confirms (turning it off loses the delivery guarantee)."},
	}, outkit.ExportParams()...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output publishes events.
type Output struct {
	url       string
	cfg       amqp091.Config
	exchange  string
	kind      string
	durable   bool
	key       string
	formatKey bool
	mode      uint8
	ctype     string
	confirm   bool
	attempts  int
	export    outkit.Export

	mu   sync.Mutex
	conn *amqp091.Connection
	ch   *amqp091.Channel
}

// New builds the output from validated parameters; it connects lazily.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	port := p.Int("connection_port")
	if port < 1 || port > 65535 {
		return nil, bad("connection_port", fmt.Errorf("%d is not a port", port))
	}
	if m := p.Int("delivery_mode"); m != 1 && m != 2 {
		return nil, bad("delivery_mode", fmt.Errorf("%d: want 1 (transient) or 2 (persistent)", m))
	}
	if p.String("exchange_name") == "" {
		return nil, bad("exchange_name", errors.New("empty (the default exchange routes by queue name; name the exchange)"))
	}
	if n := p.Int("connection_attempts"); n < 1 {
		return nil, bad("connection_attempts", fmt.Errorf("%d: want at least 1", n))
	}
	x, err := outkit.NewExport(Name, p)
	if err != nil {
		return nil, err
	}
	scheme := "amqp"
	if p.Bool("use_ssl") {
		scheme = "amqps"
	}
	u := url.URL{Scheme: scheme, User: url.UserPassword(p.String("username"), p.String("password")),
		Host: net.JoinHostPort(p.String("connection_host"), strconv.FormatInt(port, 10)), Path: "/" + url.PathEscape(p.String("connection_vhost"))}
	o := &Output{url: u.String(), exchange: p.String("exchange_name"), kind: p.String("exchange_type"), durable: p.Bool("exchange_durable"),
		key: p.String("routing_key"), formatKey: p.Bool("format_routing_key"), mode: uint8(p.Int("delivery_mode")), ctype: p.String("content_type"),
		confirm: p.Bool("require_confirmation"), attempts: int(p.Int("connection_attempts")), export: x}
	o.cfg = amqp091.Config{Heartbeat: time.Duration(p.Int("connection_heartbeat")) * time.Second, Vhost: p.String("connection_vhost"), Locale: "en_US",
		Dial: amqp091.DefaultDial(10 * time.Second)}
	if p.Bool("use_ssl") {
		if o.cfg.TLSClientConfig, err = (outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate"), ServerName: p.String("connection_host")}).Config(); err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
	}
	return o, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close closes the connection.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.drop()
	return nil
}

func (o *Output) drop() {
	if o.conn != nil {
		o.conn.Close()
	}
	o.conn, o.ch = nil, nil
}

// channel returns an open confirm-mode channel, connecting if needed.
func (o *Output) channel(ctx context.Context) (*amqp091.Channel, error) {
	if o.ch != nil && !o.ch.IsClosed() && !o.conn.IsClosed() {
		return o.ch, nil
	}
	o.drop()
	err := outkit.Retry(ctx, o.attempts, 200*time.Millisecond, func() error {
		conn, err := amqp091.DialConfig(o.url, o.cfg)
		if err != nil {
			return classify(err)
		}
		ch, err := conn.Channel()
		if err == nil && o.confirm {
			err = ch.Confirm(false)
		}
		if err == nil {
			err = ch.ExchangeDeclare(o.exchange, o.kind, o.durable, false, false, false, nil)
		}
		if err != nil {
			conn.Close()
			return classify(err)
		}
		o.conn, o.ch = conn, ch
		return nil
	})
	return o.ch, err
}

// classify: refusals of the configuration (access refused, an exchange
// declared with other settings, 4xx AMQP replies that do not say
// "retry") are permanent, the rest transient.
func classify(err error) error {
	var ae *amqp091.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case amqp091.AccessRefused, amqp091.PreconditionFailed, amqp091.NotAllowed, amqp091.NotFound, amqp091.CommandInvalid, amqp091.SyntaxError:
			return err
		}
	}
	return topology.Transient(err)
}

// Write publishes the batch and waits for the broker's confirms. A nack
// or a lost connection fails the batch as transient (the messages
// published before come again: consumers can tell by message id).
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, err := o.channel(ctx)
	if err != nil {
		return err
	}
	confirms := make([]*amqp091.DeferredConfirmation, 0, len(batch))
	now := time.Now()
	for _, e := range batch {
		body, err := o.export.Body(e)
		if err != nil {
			return err
		}
		key := o.key
		if o.formatKey {
			key = outkit.ExpandIntelMQ(key, e)
		}
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, o.exchange, key, false, false, amqp091.Publishing{
			ContentType: o.ctype, DeliveryMode: o.mode, Body: body, MessageId: outkit.EventID(e), Timestamp: now,
		})
		if err != nil {
			o.drop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return topology.Transient(err)
		}
		confirms = append(confirms, dc)
	}
	if !o.confirm {
		return nil
	}
	for _, dc := range confirms {
		ok, err := dc.WaitContext(ctx)
		if err != nil {
			o.drop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return topology.Transient(err)
		}
		if !ok {
			o.drop() // a nack, or the channel closed under the wait
			return topology.Transient(errors.New("the broker did not confirm a message"))
		}
	}
	return nil
}

var _ topology.Output[dho.Event] = (*Output)(nil)
