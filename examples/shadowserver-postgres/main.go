// Command shadowserver-postgres runs the tutorial's topology on an embedded
// Kafka broker and schema registry: reports fetched from Shadowserver's
// reports API are parsed, classified, deduplicated and written into a
// PostgreSQL table. Without -api-key it starts a demo reports API on
// loopback (signed requests checked as Shadowserver checks them) serving
// the quickstart's sample reports. It stops once the reports have gone
// through (or on Ctrl-C).
//
//	go run ./examples/shadowserver-postgres -pg-database intelstream
//	go run ./examples/shadowserver-postgres -api-key K -secret S -pg-host db.example.org -pg-table intel.events
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/internal/exrun"
	"github.com/intelstream/intelstream/examples/shadowserver-postgres/shadowserverpg"
)

func main() {
	apiKey := flag.String("api-key", "", "Shadowserver API key; empty: a demo API on loopback")
	secret := flag.String("secret", "", "Shadowserver API secret")
	types := flag.String("types", "", "report types to fetch, comma-separated (e.g. scan_http); empty: all")
	host := flag.String("pg-host", "127.0.0.1", "PostgreSQL host")
	port := flag.Int("pg-port", 5432, "PostgreSQL port")
	user := flag.String("pg-user", "postgres", "PostgreSQL user")
	password := flag.String("pg-password", "", "PostgreSQL password")
	database := flag.String("pg-database", "intelstream", "PostgreSQL database")
	sslmode := flag.String("pg-sslmode", "prefer", "libpq sslmode")
	table := flag.String("pg-table", "events", "table, TABLE or SCHEMA.TABLE (created if missing)")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events")
	flag.Parse()
	params := map[string]string{
		"pg.host": *host, "pg.port": strconv.Itoa(*port), "pg.user": *user, "pg.password": *password,
		"pg.database": *database, "pg.sslmode": *sslmode, "pg.table": *table,
	}
	if *types != "" {
		params["api.types"] = *types
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *apiKey, *secret, params, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "shadowserver-postgres:", err)
		os.Exit(1)
	}
}

// run fetches from the API given by apiKey and secret (or a demo API when
// apiKey is empty) and runs the topology until it is idle.
func run(ctx context.Context, apiKey, secret string, params map[string]string, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if apiKey == "" {
		api, err := shadowserverpg.StartDemoAPI("demo-"+rand.Text()[:8], rand.Text())
		if err != nil {
			return err
		}
		defer api.Close()
		for k, v := range api.Params() {
			params[k] = v
		}
		log.Warn("no -api-key: fetching from a demo reports API on loopback", "url", api.URL, "reports", api.Reports())
	} else {
		params["api_key"], params["secret"] = apiKey, secret
		params["api.rate_limit"] = "0s"
	}
	t, err := shadowserverpg.Build(params)
	if err != nil {
		return err
	}
	return exrun.UntilIdle(ctx, t, idle, log)
}
