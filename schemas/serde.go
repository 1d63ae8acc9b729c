package schemas

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/intelstream/intelstream/dho"
)

// Serde writes and reads DHO records in the Confluent wire format: a zero
// magic byte, the schema id (4 bytes, big endian), then the Avro body. Any
// Kafka platform with a Confluent deserializer reads what it writes.
//
// Records written with the current schema decode on a fast path; records
// written with any other schema (an older DHO version, another producer's
// evolution) are resolved by field name against the current structs, with
// the writer's schema fetched from the registry by id once and cached.
// Serde is safe for concurrent use.
type Serde struct {
	reg      *Registry
	strategy SubjectStrategy

	mu       sync.Mutex
	ids      map[string]int // subject → id of our current schema
	current  map[int]Record // ids whose schema is our current one
	decoders map[int]*dho.AvroDecoder
}

// ErrWireFormat is wrapped by errors for bytes that are not in the
// Confluent wire format.
var ErrWireFormat = errors.New("not in the Confluent wire format")

// NewSerde returns a Serde that registers and looks up schemas in reg,
// naming subjects with strategy.
func NewSerde(reg *Registry, strategy SubjectStrategy) *Serde {
	return &Serde{reg: reg, strategy: strategy, ids: map[string]int{}, current: map[int]Record{}, decoders: map[int]*dho.AvroDecoder{}}
}

// Prepare registers the current schema of r for topic (checking
// compatibility first, see Registry.Register) and returns its id. Encode
// calls it on first use; call it at start-up to fail before any record.
func (s *Serde) Prepare(ctx context.Context, topic string, r Record) (int, error) {
	subject, err := s.strategy.Subject(topic, r)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	id, ok := s.ids[subject]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	schema, err := Avro(r, "")
	if err != nil {
		return 0, err
	}
	id, err = s.reg.Register(ctx, subject, schema)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.ids[subject] = id
	s.current[id] = r
	s.mu.Unlock()
	return id, nil
}

// AppendEvent appends e in the wire format with schema id id (from Prepare).
func AppendEvent(dst []byte, id int, e *dho.Event) []byte {
	return e.AppendAvro(appendHeader(dst, id))
}

// AppendReport appends r in the wire format with schema id id.
func AppendReport(dst []byte, id int, r *dho.Report) []byte {
	return r.AppendAvro(appendHeader(dst, id))
}

func appendHeader(dst []byte, id int) []byte {
	return append(dst, 0, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
}

// EncodeEvent returns e in the wire format for topic.
func (s *Serde) EncodeEvent(ctx context.Context, topic string, e *dho.Event) ([]byte, error) {
	id, err := s.Prepare(ctx, topic, EventRecord)
	if err != nil {
		return nil, err
	}
	return AppendEvent(make([]byte, 0, 512), id, e), nil
}

// EncodeReport returns r in the wire format for topic.
func (s *Serde) EncodeReport(ctx context.Context, topic string, r *dho.Report) ([]byte, error) {
	id, err := s.Prepare(ctx, topic, ReportRecord)
	if err != nil {
		return nil, err
	}
	return AppendReport(make([]byte, 0, 512), id, r), nil
}

// EncodeDigest returns d in the wire format for topic.
func (s *Serde) EncodeDigest(ctx context.Context, topic string, d *dho.Digest) ([]byte, error) {
	id, err := s.Prepare(ctx, topic, DigestRecord)
	if err != nil {
		return nil, err
	}
	return AppendDigest(make([]byte, 0, 512), id, d), nil
}

// AppendDigest appends d in the wire format with schema id id.
func AppendDigest(dst []byte, id int, d *dho.Digest) []byte {
	return d.AppendAvro(appendHeader(dst, id))
}

// DecodeDigest replaces d with the digest in wire-format bytes b. Digests
// decode only when written with the current digest schema: they are new
// in DHO 2.0 and have no older versions to resolve.
func (s *Serde) DecodeDigest(ctx context.Context, b []byte, d *dho.Digest) error {
	id, body, _, _, err := s.decoder(ctx, b, DigestRecord)
	if err != nil {
		return err
	}
	if err := d.UnmarshalAvro(body); err != nil {
		return fmt.Errorf("schema id %d: %w", id, err)
	}
	return nil
}

// SchemaID returns the schema id of wire-format bytes.
func SchemaID(b []byte) (int, []byte, error) {
	var h sr.ConfluentHeader
	id, rest, err := h.DecodeID(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrWireFormat, err)
	}
	return id, rest, nil
}

// DecodeEvent replaces e with the event in wire-format bytes b.
func (s *Serde) DecodeEvent(ctx context.Context, b []byte, e *dho.Event) error {
	id, body, dec, fast, err := s.decoder(ctx, b, EventRecord)
	if err != nil {
		return err
	}
	if fast {
		err = e.UnmarshalAvro(body)
	} else {
		err = dec.DecodeEvent(body, e)
	}
	if err != nil {
		return fmt.Errorf("schema id %d: %w", id, err)
	}
	return nil
}

// DecodeReport replaces r with the report in wire-format bytes b.
func (s *Serde) DecodeReport(ctx context.Context, b []byte, r *dho.Report) error {
	id, body, dec, fast, err := s.decoder(ctx, b, ReportRecord)
	if err != nil {
		return err
	}
	if fast {
		err = r.UnmarshalAvro(body)
	} else {
		err = dec.DecodeReport(body, r)
	}
	if err != nil {
		return fmt.Errorf("schema id %d: %w", id, err)
	}
	return nil
}

// decoder finds how to read the body of b: the fast path when its schema is
// our current one, otherwise a decoder compiled for the writer's schema.
func (s *Serde) decoder(ctx context.Context, b []byte, r Record) (int, []byte, *dho.AvroDecoder, bool, error) {
	id, body, err := SchemaID(b)
	if err != nil {
		return 0, nil, nil, false, err
	}
	s.mu.Lock()
	cur, isCurrent := s.current[id]
	dec := s.decoders[id]
	s.mu.Unlock()
	if isCurrent && cur == r {
		return id, body, nil, true, nil
	}
	if dec != nil {
		return id, body, dec, false, nil
	}
	schema, err := s.reg.SchemaByID(ctx, id)
	if err != nil {
		return 0, nil, nil, false, err
	}
	if same, err := sameSchema(schema, r); err != nil {
		return 0, nil, nil, false, fmt.Errorf("schema id %d: %w", id, err)
	} else if same {
		s.mu.Lock()
		s.current[id] = r
		s.mu.Unlock()
		return id, body, nil, true, nil
	}
	switch r {
	case DigestRecord:
		return 0, nil, nil, false, fmt.Errorf("schema id %d is not the current DHO digest schema (digests are read with the current schema only)", id)
	case ReportRecord:
		dec, err = dho.NewReportAvroDecoder(schema)
	default:
		dec, err = dho.NewEventAvroDecoder(schema)
	}
	if err != nil {
		return 0, nil, nil, false, fmt.Errorf("schema id %d cannot be read as a DHO %s: %w", id, r, err)
	}
	s.mu.Lock()
	s.decoders[id] = dec
	s.mu.Unlock()
	return id, body, dec, false, nil
}

// sameSchema reports whether schema is our current schema of r, comparing
// parsing canonical forms, since registries may reformat what they store.
func sameSchema(schema string, r Record) (bool, error) {
	want, err := Avro(r, "")
	if err != nil {
		return false, err
	}
	if schema == want {
		return true, nil
	}
	a, err := Fingerprint(schema)
	if err != nil {
		return false, err
	}
	b, err := Fingerprint(want)
	return a == b, err
}
