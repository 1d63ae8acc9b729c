package dho

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// DigestSince is the first DHO version with digests.
const DigestSince = "2.0"

// DigestAvroSchema returns the Avro schema of Digest at DHO version version
// ("" for the current version): the digest's own fields and its events as
// an array of the Event record of the same version. It returns "" for
// versions before DigestSince.
func DigestAvroSchema(version string) string {
	if version == "" {
		version = Version
	}
	if !versionLE(DigestSince, version) {
		return ""
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"type": "record", "name": "Digest", "namespace": %q, "doc": %q, "dho.version": %q, "fields": [`,
		AvroNamespace, "DHO "+version+" digest: one notification for one recipient, generated from the intelstream field registry.", version)
	for _, f := range digestStrings {
		fmt.Fprintf(&buf, `{"name": %q, "type": "string", "default": "", "doc": %q},`, f[0], f[1])
	}
	for _, f := range digestTimes {
		fmt.Fprintf(&buf, `{"name": %q, "type": {"type": "long", "logicalType": "timestamp-micros"}, "default": 0, "doc": %q},`, f[0], f[1])
	}
	buf.WriteString(`{"name": "count", "type": "long", "default": 0, "doc": "Events grouped (more than carried when the node caps the events per digest)."},`)
	buf.WriteString(`{"name": "events", "type": {"type": "array", "items": `)
	buf.WriteString(avroSchema(recEvent, version))
	buf.WriteString(`}, "default": [], "doc": "The grouped events, in the order they arrived."}]}`)
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		panic("dho: generated digest schema is not JSON: " + err.Error())
	}
	return out.String() + "\n"
}

// The digest's fields in Avro order, with their docs.
var (
	digestStrings = [][2]string{
		{"id", "The digest's id (a UUID v7)."},
		{"recipient", "The address the digest goes to."},
		{"template", "The notification template (empty: the output's default)."},
		{"group", "The key the events were grouped under."},
	}
	digestTimes = [][2]string{
		{"created", "When the digest was closed."},
		{"first", "The earliest event time in the digest."},
		{"last", "The latest event time in the digest."},
	}
)

// AppendAvro appends d in Avro binary encoding with the current schema
// (DigestAvroSchema("")).
func (d *Digest) AppendAvro(dst []byte) []byte {
	for _, s := range []string{d.ID, d.Recipient, d.Template, d.Group} {
		dst = appendAvroString(dst, s)
	}
	for _, t := range []time.Time{d.Created, d.First, d.Last} {
		dst = binary.AppendVarint(dst, t.UnixMicro())
	}
	dst = binary.AppendVarint(dst, d.Count)
	if len(d.Events) > 0 {
		dst = binary.AppendVarint(dst, int64(len(d.Events)))
		for i := range d.Events {
			dst = d.Events[i].AppendAvro(dst)
		}
	}
	return binary.AppendVarint(dst, 0)
}

// UnmarshalAvro replaces d with the digest in data, written with the
// current schema.
func (d *Digest) UnmarshalAvro(data []byte) error {
	initAvro()
	*d = Digest{}
	r := &avroReader{s: string(data)}
	if err := d.readAvro(r); err != nil {
		return fmt.Errorf("avro digest: %w", err)
	}
	if r.i != len(r.s) {
		return fmt.Errorf("avro digest: %d bytes left after the record", len(r.s)-r.i)
	}
	return nil
}

func (d *Digest) readAvro(r *avroReader) error {
	for i, p := range []*string{&d.ID, &d.Recipient, &d.Template, &d.Group} {
		s, err := r.str()
		if err != nil {
			return fmt.Errorf("%s: %w", digestStrings[i][0], err)
		}
		*p = s
	}
	for i, p := range []*time.Time{&d.Created, &d.First, &d.Last} {
		n, err := r.long()
		if err != nil {
			return fmt.Errorf("%s: %w", digestTimes[i][0], err)
		}
		*p = time.UnixMicro(n).UTC()
	}
	n, err := r.long()
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	d.Count = n
	for {
		n, err := r.count()
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		if n == 0 {
			return nil
		}
		for range n {
			var e Event
			if err := e.view().readAvro(r); err != nil {
				return fmt.Errorf("event %d: %w", len(d.Events), err)
			}
			d.Events = append(d.Events, e)
		}
	}
}
