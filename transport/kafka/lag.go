package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/intelstream/intelstream/transport"
)

var _ transport.LagReader = (*Transport)(nil)

// Lag returns how many records of its topics the group has not committed,
// summed over partitions (kadm's lag calculation).
func (t *Transport) Lag(ctx context.Context, group string) (int64, error) {
	lags, err := kadm.NewClient(t.admin).Lag(ctx, group)
	if err != nil {
		return 0, fmt.Errorf("kafka: lag of %s: %w", group, err)
	}
	l, ok := lags[group]
	if !ok {
		return 0, fmt.Errorf("kafka: lag of %s: group not described", group)
	}
	if err := l.Error(); err != nil {
		return 0, fmt.Errorf("kafka: lag of %s: %w", group, err)
	}
	return l.Lag.Total(), nil
}

// Admin returns an admin client on the transport's connection (its
// brokers, TLS and SASL), for tools that inspect offsets and groups. It is
// valid until the transport is closed.
func (t *Transport) Admin() *kadm.Client { return kadm.NewClient(t.admin) }
