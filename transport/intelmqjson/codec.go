// Package intelmqjson converts record values between intelstream's wire
// format (DHO Avro in the Confluent wire format, as the topology runtime
// writes it) and IntelMQ's pipeline messages (the flat JSON form with
// "__type" Event or Report, raw in base64), so that queue transports
// (transport/intelmqredis, transport/amqp) hold exactly what IntelMQ bots
// read and write while topology nodes keep seeing Avro records.
package intelmqjson

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/schemas"
)

// Codec converts one record value on its way to and from a queue. Both
// methods may be called concurrently.
type Codec interface {
	// ToQueue returns the queue message for a record value produced to
	// topic.
	ToQueue(ctx context.Context, topic string, value []byte) ([]byte, error)
	// FromQueue returns the record value for a message read from topic.
	FromQueue(ctx context.Context, topic string, msg []byte) ([]byte, error)
}

// Avro is the Codec between DHO Avro in the Confluent wire format and
// IntelMQ's JSON messages.
//
// ToQueue reads the value with the registry's writer schema (its record
// name says Event or Report) and writes IntelMQ's form: the flat JSON in
// FlatIntelMQ mode, "__type" set, non-ASCII escaped as Python's json.dumps
// does (what IntelMQ's pipeline carries). A value that is not in the wire
// format (a dead letter holding a message as it was read) goes to the
// queue unchanged.
//
// FromQueue decodes the JSON by its "__type" (Event when absent, as IntelMQ
// reads messages without one), sanitizing every value, and writes it with
// the current schema registered under the topic's subject (topic-name
// strategy, as the runtime does), so the runtime's Serde reads it.
type Avro struct {
	reg   *schemas.Registry
	serde *schemas.Serde

	mu     sync.Mutex
	kinds  map[int]schemas.Record    // schema id → what it describes
	topics map[string]schemas.Record // topic → what it carries
}

// NewAvro returns the Codec for records registered in reg.
func NewAvro(reg *schemas.Registry) *Avro {
	return &Avro{reg: reg, serde: schemas.NewSerde(reg, schemas.TopicName), kinds: map[int]schemas.Record{}, topics: map[string]schemas.Record{}}
}

// ToQueue implements Codec.
func (a *Avro) ToQueue(ctx context.Context, topic string, value []byte) ([]byte, error) {
	id, _, err := schemas.SchemaID(value)
	if err != nil {
		return value, nil // not ours to convert: passed as it is
	}
	kind, err := a.kind(ctx, id)
	if err != nil {
		return nil, err
	}
	opts := dho.FlatOptions{ASCII: true}
	if kind == schemas.ReportRecord {
		var r dho.Report
		if err := a.serde.DecodeReport(ctx, value, &r); err != nil {
			return nil, fmt.Errorf("topic %s: %w", topic, err)
		}
		return r.AppendFlat(make([]byte, 0, 512), opts), nil
	}
	var e dho.Event
	if err := a.serde.DecodeEvent(ctx, value, &e); err != nil {
		return nil, fmt.Errorf("topic %s: %w", topic, err)
	}
	return e.AppendFlat(make([]byte, 0, 512), opts), nil
}

// FromQueue implements Codec.
func (a *Avro) FromQueue(ctx context.Context, topic string, msg []byte) ([]byte, error) {
	typ, err := MessageType(msg)
	if err != nil {
		return nil, err
	}
	if err := a.carries(topic, typ); err != nil {
		return nil, err
	}
	switch typ {
	case "Event":
		var e dho.Event
		if err := e.UnmarshalFlat(string(msg)); err != nil {
			return nil, err
		}
		return a.serde.EncodeEvent(ctx, topic, &e)
	case "Report":
		var r dho.Report
		if err := r.UnmarshalFlat(string(msg)); err != nil {
			return nil, err
		}
		return a.serde.EncodeReport(ctx, topic, &r)
	default:
		return nil, fmt.Errorf("intelmq message: __type %q, want Event or Report", typ)
	}
}

// carries checks that topic carries one kind of record: its subject holds
// one schema, as every queue of an IntelMQ pipeline holds either reports
// (collector to parser) or events.
func (a *Avro) carries(topic, typ string) error {
	var k schemas.Record
	switch typ {
	case "Event":
		k = schemas.EventRecord
	case "Report":
		k = schemas.ReportRecord
	default:
		return fmt.Errorf("intelmq message: __type %q, want Event or Report", typ)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if have, ok := a.topics[topic]; ok && have != k {
		return fmt.Errorf("intelmq message: a %s on %s, which carries %ss", typ, topic, have)
	}
	a.topics[topic] = k
	return nil
}

// MessageType returns the "__type" of an IntelMQ message: Event when it
// has none (IntelMQ's default for its pipeline).
func MessageType(msg []byte) (string, error) {
	var head struct {
		Type *string `json:"__type"`
	}
	if err := json.Unmarshal(msg, &head); err != nil {
		return "", fmt.Errorf("intelmq message is not a JSON object: %w", err)
	}
	if head.Type == nil {
		return "Event", nil
	}
	return *head.Type, nil
}

// kind finds whether schema id describes an event or a report, from the
// record name of the schema in the registry.
func (a *Avro) kind(ctx context.Context, id int) (schemas.Record, error) {
	a.mu.Lock()
	k, ok := a.kinds[id]
	a.mu.Unlock()
	if ok {
		return k, nil
	}
	text, err := a.reg.SchemaByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("schema id %d: %w", id, err)
	}
	var s struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return "", fmt.Errorf("schema id %d is no Avro record schema: %w", id, err)
	}
	switch s.Name[strings.LastIndexByte(s.Name, '.')+1:] {
	case "Event":
		k = schemas.EventRecord
	case "Report":
		k = schemas.ReportRecord
	default:
		return "", fmt.Errorf("schema id %d: record %q is neither a DHO Event nor a Report", id, s.Name)
	}
	a.mu.Lock()
	a.kinds[id] = k
	a.mu.Unlock()
	return k, nil
}

// ErrorHeader is the header a queue transport sets on a consumed record
// whose message FromQueue refused: the record then carries the message as
// it was read, so the runtime dead-letters it with the reason.
const ErrorHeader = "intelstream.codec-error"
