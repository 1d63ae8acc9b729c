// Command idea-export runs the IDEA export topology on an embedded Kafka
// broker and schema registry: a bundled n6 report is parsed into DHO
// events, classified and written as IDEA0 messages, one JSON line each.
// It stops once the sample has gone through (or on Ctrl-C).
//
//	go run ./examples/idea-export                   # IDEA on stdout
//	go run ./examples/idea-export -output idea.jsonl
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/idea-export/ideaexport"
	"github.com/intelstream/intelstream/examples/internal/exrun"
)

func main() {
	output := flag.String("output", "-", "file to append IDEA messages to, - for stdout")
	strict := flag.Bool("strict", false, "dead-letter events that would lose a value in IDEA")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events")
	flag.Parse()
	if err := run(*output, *strict, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "idea-export:", err)
		os.Exit(1)
	}
}

func run(output string, strict bool, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t, err := ideaexport.Build(map[string]string{"output": output, "strict": strconv.FormatBool(strict)})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exrun.UntilIdle(ctx, t, idle, log)
}
