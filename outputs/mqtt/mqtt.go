// Package mqtt is the MQTT output: events published to an MQTT broker
// (Mosquitto, ...) with QoS 1 by default, so that a batch counts as
// delivered only after the broker acknowledged (PUBACK) every message.
package mqtt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "mqtt-output"

// Spec is the node spec of the MQTT output.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindOutput,
	Doc:  "Publishes events to an MQTT broker (QoS 1 or 2: a batch counts as delivered once the broker acknowledged every message), topic per event from {ev[field]} references.",
	Params: append([]topology.Param{
		{Name: "mqtt_host", Type: topology.ParamString, Default: "127.0.0.1", Doc: "Broker host."},
		{Name: "mqtt_port", Type: topology.ParamInt, Default: 1883, Doc: "Broker port (8883 for TLS)."},
		{Name: "mqtt_username", Type: topology.ParamString, Default: "", Doc: "User name; empty for none."},
		{Name: "mqtt_password", Type: topology.ParamString, Default: "", Doc: "Password."},
		{Name: "mqtt_tls", Type: topology.ParamBool, Default: false, Doc: "Speak TLS."},
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the broker's TLS certificate."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
		{Name: "mqtt_topic", Type: topology.ParamString, Required: true, Doc: "Topic; {ev[NAME]} references are filled from each event.", Example: "intel/{ev[classification.type]}"},
		{Name: "mqtt_qos", Type: topology.ParamInt, Default: 1, Doc: "Quality of service: 1 (acknowledged, the default) or 2 (exactly once to the broker); 0 gives no delivery guarantee."},
		{Name: "mqtt_retain", Type: topology.ParamBool, Default: false, Doc: "Publish retained messages."},
		{Name: "client_id", Type: topology.ParamString, Default: "", Doc: "Client id; empty for intelstream-<random>."},
		{Name: "timeout", Type: topology.ParamDuration, Default: "10s", Doc: "Timeout of connecting and of the acknowledgements of a batch."},
	}, outkit.ExportParams()...),
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output publishes events.
type Output struct {
	opts    *paho.ClientOptions
	topic   string
	qos     byte
	retain  bool
	timeout time.Duration
	export  outkit.Export

	mu     sync.Mutex
	client paho.Client
}

// New builds the output from validated parameters; it connects lazily.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	port := p.Int("mqtt_port")
	if port < 1 || port > 65535 {
		return nil, bad("mqtt_port", fmt.Errorf("%d is not a port", port))
	}
	qos := p.Int("mqtt_qos")
	if qos < 0 || qos > 2 {
		return nil, bad("mqtt_qos", fmt.Errorf("%d: want 0, 1 or 2", qos))
	}
	topic := p.String("mqtt_topic")
	if topic == "" || strings.ContainsAny(topic, "+#") {
		return nil, bad("mqtt_topic", fmt.Errorf("%q: want a topic without wildcards", topic))
	}
	x, err := outkit.NewExport(Name, p)
	if err != nil {
		return nil, err
	}
	scheme := "tcp"
	if p.Bool("mqtt_tls") {
		scheme = "ssl"
	}
	opts := paho.NewClientOptions().AddBroker(scheme + "://" + net.JoinHostPort(p.String("mqtt_host"), strconv.FormatInt(port, 10)))
	id := p.String("client_id")
	if id == "" {
		id = "intelstream-" + dho.NewID()[24:]
	}
	opts.SetClientID(id).SetUsername(p.String("mqtt_username")).SetPassword(p.String("mqtt_password")).
		SetAutoReconnect(false).SetConnectRetry(false).SetCleanSession(true).
		SetConnectTimeout(p.Duration("timeout")).SetWriteTimeout(p.Duration("timeout")).SetOrderMatters(false)
	if p.Bool("mqtt_tls") {
		tc, err := outkit.TLSOptions{Verify: p.Bool("http_verify_cert"), CAFile: p.String("ssl_ca_certificate"), ServerName: p.String("mqtt_host")}.Config()
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		opts.SetTLSConfig(tc)
	}
	return &Output{opts: opts, topic: topic, qos: byte(qos), retain: p.Bool("mqtt_retain"), timeout: p.Duration("timeout"), export: x}, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close disconnects.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil {
		o.client.Disconnect(250)
		o.client = nil
	}
	return nil
}

func (o *Output) connect() error {
	if o.client != nil && o.client.IsConnectionOpen() {
		return nil
	}
	if o.client != nil {
		o.client.Disconnect(0)
	}
	c := paho.NewClient(o.opts)
	tok := c.Connect()
	if !tok.WaitTimeout(o.timeout) {
		c.Disconnect(0)
		return topology.Transient(errors.New("connecting: timed out"))
	}
	if err := tok.Error(); err != nil {
		// Bad user name or password and "not authorised" need an operator.
		if errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised) || errors.Is(err, packets.ErrorRefusedBadProtocolVersion) {
			return err
		}
		return topology.Transient(err)
	}
	o.client = c
	return nil
}

// Write publishes the batch and waits until the broker acknowledged every
// message; a lost connection or a timeout fails the batch as transient.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.connect(); err != nil {
		return err
	}
	tokens := make([]paho.Token, 0, len(batch))
	for _, e := range batch {
		body, err := o.export.Body(e)
		if err != nil {
			return err
		}
		tokens = append(tokens, o.client.Publish(outkit.ExpandIntelMQ(o.topic, e), o.qos, o.retain, body))
	}
	deadline := time.NewTimer(o.timeout)
	defer deadline.Stop()
	for _, tok := range tokens {
		select {
		case <-tok.Done():
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			o.client.Disconnect(0)
			o.client = nil
			return topology.Transient(errors.New("the broker did not acknowledge the batch in time"))
		}
		if err := tok.Error(); err != nil {
			o.client.Disconnect(0)
			o.client = nil
			return topology.Transient(err)
		}
	}
	return nil
}

var _ topology.Output[dho.Event] = (*Output)(nil)
