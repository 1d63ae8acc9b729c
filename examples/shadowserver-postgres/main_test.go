package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intelstream/intelstream/examples/shadowserver-postgres/shadowserverpg"
	"github.com/intelstream/intelstream/processors/collectors/shadowserverapi"
)

const pgAddr = "127.0.0.1:5432"

// pgConn connects to the machine's PostgreSQL (database test, user
// postgres, trust), or skips; under CI=true a missing server fails.
func pgConn(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", pgAddr, 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is not reachable on %s: %v", pgAddr, err)
		}
		t.Skipf("PostgreSQL is not reachable on %s: %v", pgAddr, err)
	}
	c.Close()
	conn, err := pgx.Connect(context.Background(), "postgres://postgres@"+pgAddr+"/test?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestShadowserverToPostgres runs the tutorial's example against the demo
// reports API and the real PostgreSQL, then reads the table.
func TestShadowserverToPostgres(t *testing.T) {
	conn := pgConn(t)
	ctx := context.Background()
	schema := fmt.Sprintf("intelstream_example_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })

	params := map[string]string{"pg.host": "127.0.0.1", "pg.user": "postgres", "pg.database": "test", "pg.sslmode": "disable",
		"pg.table": schema + ".events"}
	if err := run(ctx, "", "", params, time.Second); err != nil {
		t.Fatal(err)
	}
	// 40 scan_http rows and 20 event4_sinkhole_http rows; the table's
	// primary key is the event id, and the deduplicator drops repeats.
	var n, classified, ips int
	err := conn.QueryRow(ctx, `SELECT count(*), count("classification.taxonomy"), count(*) FILTER (WHERE cardinality("source.ip") > 0 OR cardinality("destination.ip") > 0) FROM `+schema+`.events`).
		Scan(&n, &classified, &ips)
	if err != nil {
		t.Fatal(err)
	}
	if n != 60 || classified != 60 || ips != 60 {
		t.Fatalf("%d rows, %d classified, %d with an address; want 60 each", n, classified, ips)
	}
	rows, err := conn.Query(ctx, `SELECT DISTINCT "classification.identifier" FROM `+schema+`.events WHERE "classification.identifier" IS NOT NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// scan_http rows are accessible-http; the sinkhole rows name malware.
	if len(feeds) < 2 || feeds[0] != "accessible-http" || !strings.Contains(strings.Join(feeds, " "), "mirai") {
		t.Fatalf("identifiers: %v", feeds)
	}
}

// TestDemoAPIChecksSignature: the demo API refuses a request signed with
// another secret, as Shadowserver's does.
func TestDemoAPIChecksSignature(t *testing.T) {
	api, err := shadowserverpg.StartDemoAPI("k", "right")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	for _, secret := range []string{"wrong", "right"} {
		p, err := shadowserverapi.Spec.Validate(map[string]any{"api_key": "k", "secret": secret, "api_url": api.URL + "/api2/",
			"download_url": api.URL + "/dl/", "http_timeout_max_tries": 1})
		if err != nil {
			t.Fatal(err)
		}
		c, err := shadowserverapi.New(p)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := c.List(context.Background())
		if secret == "wrong" && err == nil {
			t.Fatal("a request signed with the wrong secret was accepted")
		}
		if secret == "right" && (err != nil || len(entries) != 2) {
			t.Fatalf("signed request: %v, %d entries", err, len(entries))
		}
	}
	if listed, refused, _ := api.Counts(); listed != 1 || refused != 1 {
		t.Fatalf("listed %d, refused %d", listed, refused)
	}
}
