package pulsar

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/pulsar-client-go/pulsar"

	"github.com/intelstream/intelstream/transport"
)

// localName is what Pulsar allows in a topic's local name.
var localName = regexp.MustCompile(`^[a-zA-Z0-9_\-=:.%]+$`)

// TopicName returns the Pulsar topic of one of ours:
// persistent://TENANT/NAMESPACE/TOPIC, or the topic itself when it is a
// full Pulsar name already.
func TopicName(tenant, namespace, topic string) (string, error) {
	if strings.HasPrefix(topic, "persistent://") || strings.HasPrefix(topic, "non-persistent://") {
		return topic, nil
	}
	if !localName.MatchString(topic) {
		return "", fmt.Errorf("pulsar transport: topic %q: Pulsar allows only letters, digits and _-=:.%%", topic)
	}
	return fmt.Sprintf("persistent://%s/%s/%s", tenant, namespace, topic), nil
}

// headersProperty holds a record's headers exactly (order, repeated names,
// binary values): Pulsar properties are a map of strings.
const headersProperty = "intelstream-headers"

// properties maps headers onto Pulsar message properties: each header
// whose value is text under its own name (the last of a repeated name), so
// that other Pulsar clients see them, and all of them, exactly, as a JSON
// list of [name, base64 value] in "intelstream-headers".
func properties(hs []transport.Header) map[string]string {
	if len(hs) == 0 {
		return nil
	}
	props := make(map[string]string, len(hs)+1)
	exact := make([][2]string, len(hs))
	for i, h := range hs {
		if utf8.Valid(h.Value) && h.Key != headersProperty {
			props[h.Key] = string(h.Value)
		}
		exact[i] = [2]string{h.Key, base64.StdEncoding.EncodeToString(h.Value)}
	}
	b, _ := json.Marshal(exact) // strings only: cannot fail
	props[headersProperty] = string(b)
	return props
}

// headers is the inverse of properties; a foreign message's properties
// become headers sorted by name.
func headers(props map[string]string) ([]transport.Header, error) {
	if len(props) == 0 {
		return nil, nil
	}
	if s, ok := props[headersProperty]; ok {
		var exact [][2]string
		if err := json.Unmarshal([]byte(s), &exact); err != nil {
			return nil, fmt.Errorf("property %s: %w", headersProperty, err)
		}
		hs := make([]transport.Header, len(exact))
		for i, kv := range exact {
			v, err := base64.StdEncoding.DecodeString(kv[1])
			if err != nil {
				return nil, fmt.Errorf("property %s: header %q: %w", headersProperty, kv[0], err)
			}
			hs[i] = transport.Header{Key: kv[0], Value: v}
		}
		return hs, nil
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	hs := make([]transport.Header, len(names))
	for i, k := range names {
		hs[i] = transport.Header{Key: k, Value: []byte(props[k])}
	}
	return hs, nil
}

// message is the Pulsar message of a record: key as the partition key
// (which also groups a KeyShared subscription), headers as properties,
// the timestamp as event time, the value (our Avro wire format, schema
// id included) as plain bytes.
func message(r *transport.Record) *pulsar.ProducerMessage {
	m := &pulsar.ProducerMessage{Payload: r.Value, Properties: properties(r.Headers)}
	if r.Key != nil {
		m.Key = string(r.Key)
	}
	if !r.Timestamp.IsZero() {
		m.EventTime = r.Timestamp
	}
	return m
}

// consumerOptions translates a group consumer: the group is the
// subscription (Shared, or KeyShared to keep each key's order across
// members), starting at the earliest message when the subscription is
// new, with the DLQ policy when one is set.
func (t *Transport) consumerOptions(opts transport.ConsumerOptions) (pulsar.ConsumerOptions, error) {
	if opts.Group == "" || len(opts.Topics) == 0 {
		return pulsar.ConsumerOptions{}, fmt.Errorf("pulsar transport: a consumer needs a group and a topic")
	}
	co := pulsar.ConsumerOptions{
		SubscriptionName:            opts.Group,
		Type:                        pulsar.Shared,
		SubscriptionInitialPosition: pulsar.SubscriptionPositionEarliest,
		ReceiverQueueSize:           max(opts.MaxPollRecords, defaultMaxPoll),
		NackRedeliveryDelay:         t.nackDelay,
	}
	if t.keyShared {
		co.Type = pulsar.KeyShared
	}
	for _, topic := range opts.Topics {
		name, err := t.topic(topic)
		if err != nil {
			return pulsar.ConsumerOptions{}, err
		}
		co.Topics = append(co.Topics, name)
	}
	if t.dlqMax > 0 {
		dlq := t.dlqTopic
		if dlq == "" {
			dlq = opts.Group + ".dlq"
		}
		name, err := t.topic(dlq)
		if err != nil {
			return pulsar.ConsumerOptions{}, err
		}
		co.DLQ = &pulsar.DLQPolicy{MaxDeliveries: t.dlqMax, DeadLetterTopic: name}
	}
	return co, nil
}
