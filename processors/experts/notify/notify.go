// Package notify is the notification grouping expert: it collects events
// per recipient (and template, and any grouping fields) and emits one
// dho.Digest per group when the group's interval is over, so that a
// network owner gets one mail with all their events instead of one per
// event. The digests go to a digest output (smtp-digest-output).
//
// The recipient is the first of the recipient fields an event has
// (notification.recipient, then source.abuse_contact); events without one
// go to the node's "unrouted" side output, so that nothing is lost.
// Events with notification.enabled false are not notified. An event's
// notification.interval (seconds) shortens its group's interval, its
// notification.template chooses the template, and with a time to live
// (the ttl parameter or the event's notification.ttl) an event equal to
// one already notified to the same recipient within it is suppressed.
//
// State lives in the node's tables, per input partition: the open groups
// with an index by due time, their events (Avro, in arrival order), the
// suppression entries with an index by expiry, and the last input offset
// applied, so that records replayed after a crash are not counted twice.
// For one digest per recipient the input must be keyed by recipient
// (topology.KeyBy(notify.KeyByRecipient(...)) on the node before);
// otherwise each partition sends its own digest.
package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/timeindex"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "notify"

// UnroutedOutput is the side output of events without a recipient.
const UnroutedOutput = "unrouted"

// DefaultRecipientFields are where the recipient is looked for, in order.
var DefaultRecipientFields = []string{"notification.recipient", "source.abuse_contact"}

// Spec is the node spec of the notify expert.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindExpert,
	Doc:  "Groups events per recipient, template and grouping fields into one digest per interval (dho.Digest), with suppression of repeats within a time to live; durable across restarts.",
	Params: []topology.Param{
		{Name: "recipient_fields", Type: topology.ParamStrings, Default: DefaultRecipientFields, Doc: "Fields holding the recipient, first found wins (comma-separated addresses are one recipient list)."},
		{Name: "template", Type: topology.ParamString, Default: "", Doc: "Template of events without notification.template (empty: the output's default)."},
		{Name: "group_by", Type: topology.ParamStrings, Default: []string{}, Doc: "Further fields whose values split a recipient's events into separate digests (e.g. classification.type)."},
		{Name: "interval", Type: topology.ParamDuration, Default: "1h", Doc: "How long a group collects events before its digest is sent; an event's notification.interval (seconds) can shorten it."},
		{Name: "max_events", Type: topology.ParamInt, Default: int64(500), Doc: "Events carried per digest; a group that reaches it is sent at once (keeps digests below the broker's message size)."},
		{Name: "ttl", Type: topology.ParamDuration, Default: "0s", Doc: "Suppress an event equal (by suppress_fields) to one notified to the same recipient within this time; 0 turns suppression off unless an event has notification.ttl."},
		{Name: "suppress_fields", Type: topology.ParamStrings, Default: []string{"classification.type", "classification.identifier", "source.ip", "source.port", "source.fqdn", "source.url"}, Doc: "Fields that make two events equal for suppression."},
	},
	Requires: []string{},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// group is an open group, kept under "g/<key>" in the groups table; the
// index entry "d/<due>/<key>" lets Tick find due groups in order.
type group struct {
	Recipient string    `json:"r"`
	Template  string    `json:"t,omitempty"`
	Opened    time.Time `json:"o"`
	Due       time.Time `json:"d"`
	First     time.Time `json:"f"`
	Last      time.Time `json:"l"`
	Count     int64     `json:"n"`
	Stored    int64     `json:"s"` // events kept in the events table
}

// Expert is the notify expert.
type Expert struct {
	recipientFields []string
	template        string
	groupBy         []string
	interval        time.Duration
	maxEvents       int64
	ttl             time.Duration
	suppressFields  []string

	groups *topology.Table[string, group]
	events *topology.Table[string, string] // "<key>\x00<seq>" → Avro event
	sent   *topology.Table[string, int64]  // "s/<recipient>\x00<hash>" → expiry; "x/<expiry>/..." index; "o" last offset
	now    func() time.Time
}

// New builds the expert from validated parameters.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{
		recipientFields: trimAll(p.Strings("recipient_fields")), template: p.String("template"),
		groupBy: trimAll(p.Strings("group_by")), interval: p.Duration("interval"), maxEvents: p.Int("max_events"),
		ttl: p.Duration("ttl"), suppressFields: trimAll(p.Strings("suppress_fields")),
		groups: topology.NewTable("groups", topology.StringCodec{}, topology.JSONCodec[group]{}),
		events: topology.NewTable("events", topology.StringCodec{}, topology.StringCodec{}),
		sent:   topology.NewTable("sent", topology.StringCodec{}, topology.JSONCodec[int64]{}),
		now:    time.Now,
	}
	for _, c := range []struct {
		param  string
		fields []string
		empty  bool // may be empty
	}{{"recipient_fields", x.recipientFields, false}, {"group_by", x.groupBy, true}, {"suppress_fields", x.suppressFields, false}} {
		if len(c.fields) == 0 && !c.empty {
			return nil, &topology.ParamError{Node: Name, Param: c.param, Err: errors.New("no fields given")}
		}
		for _, f := range c.fields {
			if _, ok := dho.LookupField(f); !ok && !strings.HasPrefix(f, "extra.") {
				return nil, &topology.ParamError{Node: Name, Param: c.param, Err: fmt.Errorf("%q is no DHO field", f)}
			}
		}
	}
	if x.interval <= 0 {
		return nil, &topology.ParamError{Node: Name, Param: "interval", Err: fmt.Errorf("%s: must be positive", x.interval)}
	}
	if x.maxEvents < 1 {
		return nil, &topology.ParamError{Node: Name, Param: "max_events", Err: errors.New("must be at least 1")}
	}
	if x.ttl < 0 {
		return nil, &topology.ParamError{Node: Name, Param: "ttl", Err: fmt.Errorf("%s: must not be negative", x.ttl)}
	}
	return x, nil
}

func trimAll(l []string) []string {
	out := make([]string, 0, len(l))
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Spec returns the node spec.
func (x *Expert) Spec() topology.Spec { return Spec }

// Tables returns the expert's tables.
func (x *Expert) Tables() []topology.TableRef {
	return []topology.TableRef{x.groups, x.events, x.sent}
}

// SideOutputs names the side output of events without a recipient.
func (x *Expert) SideOutputs() []string { return []string{UnroutedOutput} }

// SetClock replaces the expert's clock (for tests).
func (x *Expert) SetClock(now func() time.Time) { x.now = now }

// KeyByRecipient returns a key function for the node before a notify node
// (topology.KeyBy), so that each recipient's events meet in one partition:
// the recipient as the notify node finds it in fields (nil:
// DefaultRecipientFields).
func KeyByRecipient(fields []string) func(*dho.Event) []byte {
	if len(fields) == 0 {
		fields = DefaultRecipientFields
	}
	return func(e *dho.Event) []byte {
		r := recipient(e, fields)
		if r == "" {
			if len(e.Source.IP) > 0 {
				return []byte(e.Source.IP[0])
			}
			return nil
		}
		return []byte(r)
	}
}

// recipient is the first recipient fields holds, as a normalized list:
// addresses trimmed, lowercased, sorted, without repeats, ", " between.
func recipient(e *dho.Event, fields []string) string {
	for _, f := range fields {
		v, ok := e.Get(f)
		if !ok {
			continue
		}
		var parts []string
		switch s := v.(type) {
		case string:
			parts = strings.Split(s, ",")
		case []string:
			for _, x := range s {
				parts = append(parts, strings.Split(x, ",")...)
			}
		default:
			parts = []string{fmt.Sprint(v)}
		}
		var addrs []string
		for _, p := range parts {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
				addrs = append(addrs, p)
			}
		}
		if len(addrs) == 0 {
			continue
		}
		slices.Sort(addrs)
		return strings.Join(slices.Compact(addrs), ", ")
	}
	return ""
}

// groupKey joins what makes a group, with separators no value holds.
func (x *Expert) groupKey(e *dho.Event, recipient, template string) string {
	var b strings.Builder
	b.WriteString(recipient)
	b.WriteByte(0x1f)
	b.WriteString(template)
	for _, f := range x.groupBy {
		b.WriteByte(0x1f)
		if v, ok := e.Get(f); ok {
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

func dueKey(due time.Time, key string) string { return timeindex.Key("d/", due.UnixNano(), key) }
func expiryKey(exp int64, key string) string  { return timeindex.Key("x/", exp, key) }
func eventKey(key string, seq int64) string   { return fmt.Sprintf("%s\x00%020d", key, seq) }

// ErrNoRecipient is the reason unrouted events carry.
var ErrNoRecipient = errors.New("no recipient: none of the recipient fields is set")

// Process adds e to its recipient's group.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Digest)) error {
	if e.Notification.Enabled != nil && !*e.Notification.Enabled {
		return nil // not to be notified
	}
	// Records replayed after a crash that the state already holds are
	// skipped: the tables are per input partition, whose records come in
	// offset order.
	if _, off, ok := topology.InputOffset(ctx); ok {
		last, found, err := x.sent.Get(ctx, "o")
		if err != nil {
			return err
		}
		if found && off <= last {
			return nil
		}
		if err := x.sent.Set(ctx, "o", off); err != nil {
			return err
		}
	}
	rcpt := recipient(e, x.recipientFields)
	if rcpt == "" {
		return topology.Divert(ctx, UnroutedOutput, fmt.Errorf("%w (%s)", ErrNoRecipient, strings.Join(x.recipientFields, ", ")))
	}
	now := x.now()
	template := e.Notification.Template
	if template == "" {
		template = x.template
	}
	key := x.groupKey(e, rcpt, template)
	g, found, err := x.groups.Get(ctx, "g/"+key)
	if err != nil {
		return err
	}
	if !found {
		g = group{Recipient: rcpt, Template: template, Opened: now, Due: now.Add(x.interval)}
	}
	if ttl := x.eventTTL(e); ttl > 0 {
		sk := rcpt + "\x00" + e.Hash(x.suppressFields, true)
		exp, seen, err := x.sent.Get(ctx, "s/"+sk)
		if err != nil {
			return err
		}
		if seen && exp > now.UnixNano() {
			return nil // notified (or about to be) within its time to live
		}
		if seen {
			if err := x.sent.Delete(ctx, expiryKey(exp, sk)); err != nil {
				return err
			}
		}
		exp = g.Due.Add(ttl).UnixNano()
		if err := x.sent.Set(ctx, "s/"+sk, exp); err != nil {
			return err
		}
		if err := x.sent.Set(ctx, expiryKey(exp, sk), 0); err != nil {
			return err
		}
	}
	due := g.Due
	if iv := e.Notification.Interval; iv != nil && *iv >= 0 {
		if d := g.Opened.Add(time.Duration(*iv) * time.Second); d.Before(due) {
			due = d
		}
	}
	at, ok := e.EventTime()
	if !ok {
		at = now
	}
	if g.Count == 0 || at.Before(g.First) {
		g.First = at
	}
	if g.Count == 0 || at.After(g.Last) {
		g.Last = at
	}
	g.Count++
	if g.Stored < x.maxEvents {
		if err := x.events.Set(ctx, eventKey(key, g.Stored), string(e.AppendAvro(nil))); err != nil {
			return err
		}
		g.Stored++
	}
	if g.Stored >= x.maxEvents {
		// Full: sent now, so that the next events open a new digest.
		if found {
			if err := x.groups.Delete(ctx, dueKey(g.Due, key)); err != nil {
				return err
			}
		}
		return x.send(ctx, key, g, now, emit)
	}
	if found && !due.Equal(g.Due) {
		if err := x.groups.Delete(ctx, dueKey(g.Due, key)); err != nil {
			return err
		}
	}
	if !found || !due.Equal(g.Due) {
		if err := x.groups.Set(ctx, dueKey(due, key), group{}); err != nil {
			return err
		}
	}
	g.Due = due
	return x.groups.Set(ctx, "g/"+key, g)
}

// eventTTL is e's notification.ttl, or the node's.
func (x *Expert) eventTTL(e *dho.Event) time.Duration {
	if t := e.Notification.TTL; t != nil && *t >= 0 {
		return time.Duration(*t) * time.Second
	}
	return x.ttl
}

// send emits the digest of group key and forgets the group (not its
// index entry: the caller deletes that).
func (x *Expert) send(ctx context.Context, key string, g group, now time.Time, emit func(*dho.Digest)) error {
	d := &dho.Digest{Recipient: g.Recipient, Template: g.Template, Group: key, Created: now.UTC(),
		First: g.First.UTC(), Last: g.Last.UTC(), Count: g.Count}
	d.Events = make([]dho.Event, 0, g.Stored)
	var keys []string
	err := x.events.Range(ctx, []byte(key+"\x00"), func(k, v string) (bool, error) {
		var e dho.Event
		if err := e.UnmarshalAvro([]byte(v)); err != nil {
			return false, fmt.Errorf("stored event %q: %w", k, err)
		}
		d.Events = append(d.Events, e)
		keys = append(keys, k)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := x.events.Delete(ctx, k); err != nil {
			return err
		}
	}
	if err := x.groups.Delete(ctx, "g/"+key); err != nil {
		return err
	}
	emit(d)
	return nil
}

// Tick sends the digests of the groups that are due and forgets the
// suppression entries whose time to live is over.
func (x *Expert) Tick(ctx context.Context, _ time.Time, emit func(*dho.Digest)) error {
	now := x.now()
	// At most 10,000 of each a tick; the rest at the next.
	due, keys, err := timeindex.Due(ctx, x.groups, "d/", now.UnixNano(), 10000)
	if err != nil {
		return err
	}
	for i, k := range due {
		key := keys[i]
		g, ok, err := x.groups.Get(ctx, "g/"+key)
		if err != nil {
			return err
		}
		if err := x.groups.Delete(ctx, k); err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := x.send(ctx, key, g, now, emit); err != nil {
			return err
		}
	}
	expired, keys, err := timeindex.Due(ctx, x.sent, "x/", now.UnixNano(), 10000)
	if err != nil {
		return err
	}
	for i, k := range expired {
		if err := x.sent.Delete(ctx, k); err != nil {
			return err
		}
		if err := x.sent.Delete(ctx, "s/"+keys[i]); err != nil {
			return err
		}
	}
	return nil
}
