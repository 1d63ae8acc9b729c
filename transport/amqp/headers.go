package amqp

import (
	"fmt"
	"slices"
	"time"

	"github.com/rabbitmq/amqp091-go"

	"github.com/intelstream/intelstream/transport"
)

// Names of the AMQP headers that carry what AMQP has no place for.
const (
	keyHeader     = "x-intelstream-key"
	headersHeader = "x-intelstream-headers"
	seqHeader     = "x-intelstream-seq" // matches a returned message to its publish
)

// publishing builds the AMQP message of r: persistent, body msg.
func publishing(r *transport.Record, msg []byte, seq int64) amqp091.Publishing {
	table := amqp091.Table{seqHeader: seq}
	if len(r.Headers) > 0 {
		list := make([]any, 0, len(r.Headers))
		for _, h := range r.Headers {
			table[h.Key] = h.Value
			list = append(list, amqp091.Table{"k": h.Key, "v": h.Value})
		}
		table[headersHeader] = list
	}
	if r.Key != nil {
		table[keyHeader] = r.Key
	}
	p := amqp091.Publishing{Headers: table, Body: msg, DeliveryMode: amqp091.Persistent}
	if !r.Timestamp.IsZero() {
		p.Timestamp = r.Timestamp
	}
	return p
}

// fromDelivery fills r's key, headers and timestamp from d: our own
// headers exactly, a foreign message's by name (sorted, since an AMQP
// table has no order).
func fromDelivery(r *transport.Record, d *amqp091.Delivery) error {
	if !d.Timestamp.IsZero() {
		r.Timestamp = d.Timestamp.UTC().Truncate(time.Second)
	}
	if k, ok := d.Headers[keyHeader]; ok {
		b, ok := k.([]byte)
		if !ok {
			return fmt.Errorf("header %s is a %T, want bytes", keyHeader, k)
		}
		r.Key = b
	}
	if list, ok := d.Headers[headersHeader]; ok {
		items, ok := list.([]any)
		if !ok {
			return fmt.Errorf("header %s is a %T, want an array", headersHeader, list)
		}
		for i, it := range items {
			tb, ok := it.(amqp091.Table)
			k, kok := tb["k"].(string)
			v, vok := tb["v"].([]byte)
			if !ok || !kok || !vok {
				return fmt.Errorf("header %s: item %d is not {k: string, v: bytes}", headersHeader, i)
			}
			r.Headers = append(r.Headers, transport.Header{Key: k, Value: v})
		}
		return nil
	}
	names := make([]string, 0, len(d.Headers))
	for k := range d.Headers {
		if k != keyHeader && k != seqHeader {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		r.Headers = append(r.Headers, transport.Header{Key: k, Value: headerBytes(d.Headers[k])})
	}
	return nil
}

// headerBytes renders a foreign header value: bytes and strings as they
// are, anything else in Go's default format.
func headerBytes(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	default:
		return fmt.Append(nil, v)
	}
}
