package transport

import (
	"context"
	"errors"
)

// ErrGroupActive is returned (wrapped) by OffsetManager.SetOffsets while the
// group has members: their commits would overwrite the offsets set.
var ErrGroupActive = errors.New("consumer group has active members")

// OffsetManager is implemented by transports whose consumer groups keep
// committed offsets per topic and partition that can be read and set from
// outside the group: moving a node's state to another cluster carries its
// group's position with it.
type OffsetManager interface {
	// CommittedOffsets returns the group's committed offsets (the next
	// record to read) by topic and partition; empty when it has none.
	CommittedOffsets(ctx context.Context, group string) (map[string]map[int32]int64, error)
	// SetOffsets commits offsets for the group. It refuses, with an error
	// wrapping ErrGroupActive, while the group has members.
	SetOffsets(ctx context.Context, group string, offsets map[string]map[int32]int64) error
}
