package logging

import (
	"io"
	"log/slog"
	"testing"
)

// BenchmarkHandler compares a Control's logger with a plain slog handler
// writing to the same place: the price of a switchable output and level.
func BenchmarkHandler(b *testing.B) {
	log, ctl, err := New(Options{Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer ctl.Close()
	b.Run("control", func(b *testing.B) {
		l := log.With("node", "parse")
		b.ReportAllocs()
		for b.Loop() {
			l.Info("record", "offset", 42)
		}
	})
	b.Run("control-disabled", func(b *testing.B) {
		l := log.With("node", "parse")
		b.ReportAllocs()
		for b.Loop() {
			l.Debug("record", "offset", 42)
		}
	})
	b.Run("slog-text", func(b *testing.B) {
		l := slog.New(slog.NewTextHandler(io.Discard, nil)).With("node", "parse")
		b.ReportAllocs()
		for b.Loop() {
			l.Info("record", "offset", 42)
		}
	})
}
