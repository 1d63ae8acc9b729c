package transport

import "context"

// LagReader is implemented by transports that can tell how far a consumer
// group is behind: the runtime reports it as a metric when it can.
type LagReader interface {
	// Lag returns the records in the group's topics not yet committed by
	// the group, summed over partitions.
	Lag(ctx context.Context, group string) (int64, error)
}
