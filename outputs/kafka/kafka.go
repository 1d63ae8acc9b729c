// Package kafka is the Kafka output: events produced to a topic of another
// Kafka cluster (or another topic of the same), as IntelMQ flat JSON, DHO
// flat JSON, or Avro in the Confluent wire format with the schema
// registered in a schema registry. The producer is idempotent with
// acks=all; a batch counts as delivered once every record is acknowledged.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outkit"
	"github.com/intelstream/intelstream/schemas"
	"github.com/intelstream/intelstream/topology"
	"github.com/intelstream/intelstream/transport"
	kafkatr "github.com/intelstream/intelstream/transport/kafka"
)

// Name is the node kind's name.
const Name = "kafka-output"

// Spec is the node spec of the Kafka output.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindOutput,
	Doc:  "Produces events to a Kafka topic (another cluster or topic) as IntelMQ JSON, DHO JSON or Avro with the Confluent wire format; idempotent, acks=all, a batch is acknowledged once every record is.",
	Params: []topology.Param{
		{Name: "brokers", Type: topology.ParamStrings, Required: true, Doc: "Seed brokers, host:port."},
		{Name: "topic", Type: topology.ParamString, Required: true, Doc: "Topic to produce to."},
		{Name: "format", Type: topology.ParamString, Default: "intelmq", Enum: []string{"intelmq", "dho", "avro"}, Doc: "Value format: intelmq (IntelMQ's flat JSON), dho (flat JSON with every DHO field under its own name) or avro (Confluent wire format; needs registry)."},
		{Name: "registry", Type: topology.ParamStrings, Doc: "Schema registry URLs (for format avro)."},
		{Name: "subject_strategy", Type: topology.ParamString, Default: "topic", Enum: []string{"topic", "record", "topic-record"}, Doc: "Registry subject naming (for format avro)."},
		{Name: "key_field", Type: topology.ParamString, Default: "id", Doc: "Field whose value is the record key (records with the same key share a partition); empty for no key."},
		{Name: "with_type", Type: topology.ParamBool, Default: false, Doc: "JSON formats: write the __type key."},
		{Name: "client_id", Type: topology.ParamString, Default: "intelstream-output", Doc: "Client id the brokers see."},
		{Name: "sasl_mechanism", Type: topology.ParamString, Default: "", Enum: []string{"", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, Doc: "SASL mechanism; empty for none."},
		{Name: "sasl_username", Type: topology.ParamString, Default: "", Doc: "SASL user."},
		{Name: "sasl_password", Type: topology.ParamString, Default: "", Doc: "SASL password."},
		{Name: "tls", Type: topology.ParamBool, Default: false, Doc: "Speak TLS to the brokers."},
		{Name: "tls_verify", Type: topology.ParamBool, Default: true, Doc: "Verify the brokers' certificates."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Default: "", Doc: "PEM file of CA certificates to trust."},
		{Name: "delivery_timeout", Type: topology.ParamDuration, Default: "30s", Doc: "How long a record may wait for its acknowledgement (the producer retries inside it) before the batch fails as transient."},
	},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Output produces events to a topic.
type Output struct {
	tr       *kafkatr.Transport
	prod     transport.Producer
	topic    string
	serde    *schemas.Serde
	flat     dho.FlatOptions
	keyField string
	mu       sync.Mutex
}

// New builds the output from validated parameters.
func New(p topology.Params) (*Output, error) {
	bad := func(param string, err error) error { return &topology.ParamError{Node: Name, Param: param, Err: err} }
	o := &Output{topic: p.String("topic"), keyField: p.String("key_field"), flat: dho.FlatOptions{OmitType: !p.Bool("with_type")}}
	if o.topic == "" {
		return nil, bad("topic", errors.New("empty"))
	}
	if k := o.keyField; k != "" {
		if _, ok := dho.LookupField(k); !ok && !(len(k) > 6 && k[:6] == "extra.") {
			return nil, bad("key_field", fmt.Errorf("%q is not a DHO field", k))
		}
	}
	if d := p.Duration("delivery_timeout"); d < time.Second {
		return nil, bad("delivery_timeout", fmt.Errorf("%s: want at least 1s", d))
	}
	switch p.String("format") {
	case "dho":
		o.flat.Mode = dho.FlatDHO
	case "avro":
		if len(p.Strings("registry")) == 0 {
			return nil, bad("registry", errors.New("format avro needs a schema registry"))
		}
		reg, err := schemas.NewRegistry(p.Strings("registry"))
		if err != nil {
			return nil, bad("registry", err)
		}
		strategy, err := schemas.ParseSubjectStrategy(p.String("subject_strategy"))
		if err != nil {
			return nil, bad("subject_strategy", err)
		}
		o.serde = schemas.NewSerde(reg, strategy)
	}
	opts := []kafkatr.Option{kafkatr.Brokers(p.Strings("brokers")...), kafkatr.ClientID(p.String("client_id")),
		kafkatr.KgoOpts(kgo.RecordDeliveryTimeout(p.Duration("delivery_timeout")))}
	user, pass := p.String("sasl_username"), p.String("sasl_password")
	switch p.String("sasl_mechanism") {
	case "PLAIN":
		opts = append(opts, kafkatr.SASLPlain(user, pass))
	case "SCRAM-SHA-256":
		opts = append(opts, kafkatr.SASLScram256(user, pass))
	case "SCRAM-SHA-512":
		opts = append(opts, kafkatr.SASLScram512(user, pass))
	}
	if p.Bool("tls") {
		tc, err := outkit.TLSOptions{Verify: p.Bool("tls_verify"), CAFile: p.String("ssl_ca_certificate")}.Config()
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		opts = append(opts, kafkatr.TLS(tc))
	}
	tr, err := kafkatr.New(opts...)
	if err != nil {
		return nil, bad("brokers", err)
	}
	prod, err := tr.NewProducer(transport.ProducerOptions{ID: "output"})
	if err != nil {
		tr.Close()
		return nil, err
	}
	o.tr, o.prod = tr, prod
	return o, nil
}

// Spec returns the node spec.
func (o *Output) Spec() topology.Spec { return Spec }

// Close flushes and closes the producer.
func (o *Output) Close() error { return o.tr.Close() }

// Write produces the batch and waits for every acknowledgement. Records
// the brokers refuse for themselves (too large, invalid) fail alone; any
// other failure (timeouts, unavailable brokers) fails the batch as
// transient.
func (o *Output) Write(ctx context.Context, batch []*dho.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for i, e := range batch {
		r := &transport.Record{Topic: o.topic, Timestamp: time.Now()}
		if o.keyField != "" {
			if k := outkit.FieldText(e, o.keyField); k != "" {
				r.Key = []byte(k)
			} else if o.keyField == "id" {
				r.Key = []byte(outkit.EventID(e))
			}
		}
		if o.serde != nil {
			v, err := o.serde.EncodeEvent(ctx, o.topic, e)
			if err != nil {
				return topology.Transient(fmt.Errorf("schema registry: %w", err))
			}
			r.Value = v
		} else {
			r.Value = e.AppendFlat(nil, o.flat)
		}
		wg.Add(1)
		o.prod.Produce(ctx, r, func(_ *transport.Record, err error) {
			errs[i] = err
			wg.Done()
		})
	}
	wg.Wait()
	failed := map[int]error{}
	for i, err := range errs {
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge), errors.Is(err, kerr.InvalidRecord), errors.Is(err, kerr.CorruptMessage):
			failed[i] = err
		default:
			return topology.Transient(err)
		}
	}
	if len(failed) > 0 {
		return &topology.PartialError{Failed: failed}
	}
	return nil
}

var _ topology.Output[dho.Event] = (*Output)(nil)
