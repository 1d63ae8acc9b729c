package kafka

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// slogLogger adapts slog to kgo.Logger.
type slogLogger struct{ l *slog.Logger }

var kgoToSlog = map[kgo.LogLevel]slog.Level{
	kgo.LogLevelError: slog.LevelError,
	kgo.LogLevelWarn:  slog.LevelWarn,
	kgo.LogLevelInfo:  slog.LevelInfo,
	kgo.LogLevelDebug: slog.LevelDebug,
}

// Level asks slog which of kgo's levels is the most verbose one enabled,
// so that kgo does not build messages slog would drop.
func (s slogLogger) Level() kgo.LogLevel {
	ctx := context.Background()
	for _, l := range []kgo.LogLevel{kgo.LogLevelDebug, kgo.LogLevelInfo, kgo.LogLevelWarn, kgo.LogLevelError} {
		if s.l.Enabled(ctx, kgoToSlog[l]) {
			return l
		}
	}
	return kgo.LogLevelNone
}

func (s slogLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	s.l.Log(context.Background(), kgoToSlog[level], msg, keyvals...)
}
