// Command quickstart runs the quickstart topology on an embedded Kafka
// broker and schema registry: bundled Shadowserver-style reports are
// parsed, classified and printed as IntelMQ flat JSON lines. It stops once
// the sample has gone through (or on Ctrl-C).
//
//	go run ./examples/quickstart                 # events on stdout
//	go run ./examples/quickstart -format dho     # DHO 2.0's flat form
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/internal/exrun"
	"github.com/intelstream/intelstream/examples/quickstart/quickstart"
)

func main() {
	output := flag.String("output", "-", "file to append events to, - for stdout")
	format := flag.String("format", "intelmq", "intelmq or dho")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events")
	flag.Parse()
	if err := run(*output, *format, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(output, format string, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t, err := quickstart.Build(map[string]string{"output": output, "format": format})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exrun.UntilIdle(ctx, t, idle, log)
}
