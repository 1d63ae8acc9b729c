// Command notify runs the notification example on an embedded Kafka broker
// and schema registry: a bundled scan report is parsed, each event gets its
// network owner's contact from a bundled constituency, the notify expert
// groups the events per contact, and each contact gets one mail listing
// all their events. The mails go to an in-process SMTP sink that prints
// them (or to -smtp HOST:PORT). It stops once the mails went out.
//
//	go run ./examples/notify
//	go run ./examples/notify -smtp 127.0.0.1:2525 -interval 10s
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
	"github.com/intelstream/intelstream/examples/notify/notifyex"
)

func main() {
	smtpAddr := flag.String("smtp", "", "SMTP server HOST:PORT; none starts an in-process sink that prints the mails")
	interval := flag.Duration("interval", 3*time.Second, "how long the notify node collects events before it mails a digest")
	idle := flag.Duration("until-idle", 3*time.Second, "stop when nothing happened for this long after the mails")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	params := map[string]string{"interval": interval.String()}
	if *smtpAddr != "" {
		params["smtp"] = *smtpAddr
	}
	t, err := notifyex.Build(params, os.Stdout)
	if err == nil {
		// The idle wait must outlast the interval: the mails come after it.
		err = exrun.UntilIdle(ctx, t, *idle+*interval, log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
}
