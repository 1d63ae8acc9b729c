package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/intelstream/intelstream/transport"
)

var _ transport.OffsetManager = (*Transport)(nil)

// CommittedOffsets returns the group's committed offsets (kadm FetchOffsets).
func (t *Transport) CommittedOffsets(ctx context.Context, group string) (map[string]map[int32]int64, error) {
	resps, err := kadm.NewClient(t.admin).FetchOffsets(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("kafka: offsets of %s: %w", group, err)
	}
	if err := resps.Error(); err != nil {
		return nil, fmt.Errorf("kafka: offsets of %s: %w", group, err)
	}
	out := map[string]map[int32]int64{}
	resps.Each(func(o kadm.OffsetResponse) {
		if o.At < 0 {
			return
		}
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	})
	return out, nil
}

// SetOffsets commits offsets for the group (kadm CommitOffsets) after
// checking that the group has no members.
func (t *Transport) SetOffsets(ctx context.Context, group string, offsets map[string]map[int32]int64) error {
	adm := kadm.NewClient(t.admin)
	described, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return fmt.Errorf("kafka: describing group %s: %w", group, err)
	}
	if d, ok := described[group]; ok && d.Err == nil && len(d.Members) > 0 {
		return fmt.Errorf("kafka: group %s (%s, %d members): %w", group, d.State, len(d.Members), transport.ErrGroupActive)
	}
	var os kadm.Offsets
	for topic, parts := range offsets {
		for p, at := range parts {
			os.Add(kadm.Offset{Topic: topic, Partition: p, At: at, LeaderEpoch: -1})
		}
	}
	if len(os) == 0 {
		return nil
	}
	resps, err := adm.CommitOffsets(ctx, group, os)
	if err != nil {
		return fmt.Errorf("kafka: committing offsets of %s: %w", group, err)
	}
	if err := resps.Error(); err != nil {
		return fmt.Errorf("kafka: committing offsets of %s: %w", group, err)
	}
	return nil
}
