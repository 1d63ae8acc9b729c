package schedule

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestOnce(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	err := Run(context.Background(), 0, slog.New(slog.DiscardHandler), func(context.Context) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("err %v after %d calls", err, calls)
	}
	if err := Run(context.Background(), 0, slog.New(slog.DiscardHandler), func(context.Context) error { return Stop(boom) }); err != boom {
		t.Errorf("Stop: %v", err)
	}
}

func TestScheduledErrorsGoOn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	calls := 0
	err := Run(ctx, time.Millisecond, slog.New(slog.DiscardHandler), func(context.Context) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return errors.New("fetch failed")
	})
	if err != nil || calls != 3 {
		t.Errorf("err %v after %d calls", err, calls)
	}
	boom := errors.New("boom")
	if err := Run(context.Background(), time.Millisecond, slog.New(slog.DiscardHandler), func(context.Context) error { return Stop(boom) }); err != boom {
		t.Errorf("Stop: %v", err)
	}
}
