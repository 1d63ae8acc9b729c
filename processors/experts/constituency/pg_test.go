package constituency

import (
	"context"
	"testing"

	"github.com/intelstream/intelstream/processors/experts/internal/pgtest"
)

func TestPostgreSQL(t *testing.T) {
	conn, table := pgtest.Table(t, `organisation text NOT NULL, sector text, contact text, tags text[],
		networks cidr[], asns bigint[], domains text[], names text[]`)
	ctx := context.Background()
	_, err := conn.Exec(ctx, `INSERT INTO `+table+` VALUES
		('Water Works', 'water', 'soc@water.example', '{critical,water}', '{192.0.2.0/26,2001:db8:aa::/48}', '{64510}', '{water.example}', NULL),
		('Town Hall', 'government', NULL, NULL, NULL, NULL, '{town.example}', '{TOWN-HALL-AS}')`)
	if err != nil {
		t.Fatal(err)
	}
	x, err := build(t, map[string]any{"dsn": pgtest.DSN, "table": table, "files": "testdata/national.json", "sides": "source,destination"})
	if err != nil {
		t.Fatal(err)
	}
	if x.Get().Len() != 3 {
		t.Errorf("%d entries, want 3 (2 from the table, 1 from the file)", x.Get().Len())
	}
	e := process(t, x, event(t, map[string]any{"source.ip": "2001:db8:aa::5"}))
	if e.Extra["organisation"].Text() != "Water Works" || e.Source.AbuseContact != "soc@water.example" {
		t.Errorf("IPv6 from the table: %v %q", e.Extra, e.Source.AbuseContact)
	}
	e = process(t, x, event(t, map[string]any{"destination.as_name": "town-hall-as", "source.ip": "203.0.113.4"}))
	if e.Extra["organisation"].Text() != "National Registry" || len(e.Tags) != 1 {
		t.Errorf("first side's match kept: %v %v", e.Extra, e.Tags)
	}
	e = process(t, x, event(t, map[string]any{"destination.as_name": "town-hall-as"}))
	if e.Extra["organisation"].Text() != "Town Hall" || e.Extra["sector"].Text() != "government" {
		t.Errorf("by name: %v", e.Extra)
	}
	// A row added to the table shows after Reload.
	if _, err := conn.Exec(ctx, `INSERT INTO `+table+` (organisation, asns) VALUES ('Late Member', '{64511}')`); err != nil {
		t.Fatal(err)
	}
	if err := x.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if m, ok := x.Get().ByASN(64511); !ok || m.Organisation != "Late Member" {
		t.Errorf("after Reload: %v %v", m, ok)
	}
	if _, err := build(t, map[string]any{"dsn": pgtest.DSN, "table": table + "_missing"}); err == nil {
		t.Error("missing table accepted")
	}
}
