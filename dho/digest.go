package dho

import "time"

// Digest is one notification for one recipient: the events a notification
// grouping node collected for that recipient (and template) within one
// interval. Outputs that notify people (SMTP, webhooks) send one message per
// digest instead of one per event.
type Digest struct {
	// ID is the digest's unique id (a UUID v7), given when it is closed.
	ID string
	// Recipient is the address the digest goes to (the events'
	// notification.recipient, or their source.abuse_contact).
	Recipient string
	// Template names the notification template (the events'
	// notification.template; "" for the output's default).
	Template string
	// Group is the key the events were grouped under (recipient and
	// template, plus any grouping fields the node was given).
	Group string
	// Created is when the digest was closed.
	Created time.Time
	// First and Last are the earliest and latest event times (time.source,
	// or time.observation where an event has no source time) in the digest.
	First, Last time.Time
	// Count is the number of events grouped; it is len(Events) unless the
	// node caps the events carried per digest, in which case the rest are
	// only counted.
	Count int64
	// Events are the grouped events, in the order they arrived.
	Events []Event
}
