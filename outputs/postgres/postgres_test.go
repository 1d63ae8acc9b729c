package postgres

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const server = "127.0.0.1:5432"

// testDB gives the test its own schema in the test database of the
// machine's PostgreSQL (dropped at the end) and a connection to it.
func testDB(t testing.TB) (*pgx.Conn, string) {
	t.Helper()
	outtest.Service(t, "PostgreSQL", server)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+server+"/test?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("intelstream_test_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	return conn, schema
}

func newOutput(t testing.TB, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "test", "sslmode": "disable", "create_table": true}, raw)
	o := outtest.New(t, Spec, New, base)
	return o
}

func count(t testing.TB, conn *pgx.Conn, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDDLGolden(t *testing.T) {
	ddl, err := DDL("intel.events")
	if err != nil {
		t.Fatal(err)
	}
	outtest.Golden(t, "events.sql", []byte(ddl), *update)
}

func TestColumnTypes(t *testing.T) {
	want := map[string]string{
		"id": "uuid", "source.ip": "inet[]", "source.network": "cidr", "source.asn": "bigint",
		"source.port": "bigint[]", "source.fqdn": "text[]", "extra": "jsonb", "output": "jsonb",
		"time.source": "timestamptz", "raw": "bytea", "feed.accuracy": "double precision",
		"source.tor_node": "boolean", "tags": "text[]", "classification.type": "text",
	}
	got := map[string]string{}
	for _, c := range Columns() {
		got[c.Name()] = c.SQLType
	}
	for name, typ := range want {
		if got[name] != typ {
			t.Errorf("%s: %q, want %q", name, got[name], typ)
		}
	}
	if Columns()[0].Name() != "id" {
		t.Errorf("first column %s, want id", Columns()[0].Name())
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"table": "a.b.c"}, Param: "table"},
		{Raw: map[string]any{"port": 70000}, Param: "port"},
		{Raw: map[string]any{"fields": "source.ip,no.such"}, Param: "fields"},
		{Raw: map[string]any{"jsondict_as_string": true}, Param: "jsondict_as_string"},
		{Raw: map[string]any{"sslmode": "maybe"}, Param: "sslmode"},
		{Raw: map[string]any{"pool_size": 0}, Param: "pool_size"},
	})
}

func TestWriteRoundTrip(t *testing.T) {
	for _, method := range []string{"copy", "insert"} {
		t.Run(method, func(t *testing.T) {
			conn, schema := testDB(t)
			table := schema + ".events"
			o := newOutput(t, map[string]any{"table": table, "method": method})
			events := outtest.Events(t, 20)
			noID := events[19].Clone()
			noID.ID = ""
			batch := append(events, events[3], noID) // a duplicate and an event without id
			if err := o.Write(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			// Delivered again: stored once.
			if err := o.Write(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			if n := count(t, conn, table); n != 21 {
				t.Fatalf("%d rows, want 21", n)
			}
			var (
				ips      []string
				fqdn     []string
				asn      int64
				ports    []int64
				network  string
				ts       time.Time
				raw      []byte
				extra    map[string]any
				taxonomy string
			)
			err := conn.QueryRow(context.Background(), `SELECT "source.ip"::text[], "source.fqdn", "source.asn", "source.port", "source.network"::text, "time.source", raw, extra, "classification.taxonomy" FROM `+table+` WHERE id = $1`, events[5].ID).
				Scan(&ips, &fqdn, &asn, &ports, &network, &ts, &raw, &extra, &taxonomy)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(ips, " ") != "192.0.2.6/32 2001:db8::6/128" || fqdn[0] != "host5.example.org" || asn != 64501 || ports[0] != 1029 ||
				network != "192.0.2.0/24" || !ts.Equal(outtest.Base.Add(5*time.Minute)) || string(raw) != "raw line 5" ||
				extra["count"] != float64(5) || extra["note"] != "line \"quoted\"\tand tabbed" || taxonomy != "malicious-code" {
				t.Errorf("row: %v %v %d %v %s %s %q %v %s", ips, fqdn, asn, ports, network, ts, raw, extra, taxonomy)
			}
		})
	}
}

func TestFieldsSubset(t *testing.T) {
	conn, schema := testDB(t)
	table := schema + ".events"
	o := newOutput(t, map[string]any{"table": table, "fields": "source.ip,classification.type"})
	if err := o.Write(context.Background(), outtest.Events(t, 3)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM `+table+` WHERE "feed.name" IS NULL AND "classification.type" = 'infected-system'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d rows with only the chosen fields, want 3", n)
	}
}

// A value PostgreSQL refuses (a NUL character in text) fails its own event
// only; the others of the batch are stored.
func TestRefusedRowIsPartialFailure(t *testing.T) {
	conn, schema := testDB(t)
	table := schema + ".events"
	o := newOutput(t, map[string]any{"table": table})
	events := outtest.Events(t, 5)
	events[2].Comment = "nul \x00 inside"
	err := o.Write(context.Background(), events)
	var pe *topology.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[2] == nil {
		t.Fatalf("got %v, want a partial failure of event 2", err)
	}
	if n := count(t, conn, table); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
}

func TestUnreachableIsTransient(t *testing.T) {
	o := newOutput(t, map[string]any{"port": 1, "connect_timeout": "1s"})
	err := o.Write(context.Background(), outtest.Events(t, 1))
	if !topology.IsTransient(err) {
		t.Errorf("got %v, want a transient error", err)
	}
}

// The server connection breaks in the middle of batches and comes back:
// every event is stored once.
func TestFaultConnectionLostMidBatch(t *testing.T) {
	conn, schema := testDB(t)
	table := schema + ".events"
	ddl, err := DDL(table)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), ddl); err != nil {
		t.Fatal(err)
	}
	proxy := outtest.NewProxy(t, server)
	o := newOutput(t, map[string]any{"table": table, "port": proxy.Port()})
	events := outtest.Events(t, 2000)
	var cuts atomic.Int32
	proxy.CutAfter(200 << 10) // well into the first batches' COPY data
	go func() {
		for i := range 3 {
			for !proxy.Down() {
				time.Sleep(5 * time.Millisecond)
			}
			cuts.Add(1)
			time.Sleep(100 * time.Millisecond)
			proxy.Restore()
			if i < 2 {
				proxy.CutAfter(300 << 10)
			}
		}
	}()
	outtest.Run(t, events, o, func() bool { return count(t, conn, table) == len(events) }, 60*time.Second, topology.Batch(200, 20*time.Millisecond))
	if cuts.Load() == 0 {
		t.Error("the connection was never cut")
	}
	if n := count(t, conn, table); n != len(events) {
		t.Errorf("%d rows, want %d", n, len(events))
	}
}

var _ topology.Output[dho.Event] = (*Output)(nil)

// A table made for an older DHO version lacks columns: refused by name
// without create_table, completed with it.
func TestMissingColumns(t *testing.T) {
	conn, schema := testDB(t)
	table := schema + ".old"
	if _, err := conn.Exec(context.Background(), `CREATE TABLE `+table+` (id uuid PRIMARY KEY, "source.ip" inet[])`); err != nil {
		t.Fatal(err)
	}
	o := newOutput(t, map[string]any{"table": table, "create_table": false})
	err := o.Write(context.Background(), outtest.Events(t, 1))
	if err == nil || topology.IsTransient(err) || !strings.Contains(err.Error(), `"classification.type"`) {
		t.Errorf("got %v, want the missing columns named", err)
	}
	o = newOutput(t, map[string]any{"table": table, "fields": "source.ip,classification.type,extra"})
	if err := o.Write(context.Background(), outtest.Events(t, 2)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, table); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	o = newOutput(t, map[string]any{"table": schema + ".nosuch", "create_table": false})
	if err := o.Write(context.Background(), outtest.Events(t, 1)); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("no table: %v", err)
	}
}
