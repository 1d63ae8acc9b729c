package genericdblookup

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/processors/experts/internal/pgtest"
	"github.com/intelstream/intelstream/topology"
)

// db creates the test table and returns the parameters that reach it.
func db(t testing.TB) map[string]any {
	conn, table := pgtest.Table(t, `asn bigint, network inet, contact text, note text, severity text, seen timestamptz`)
	_, err := conn.Exec(context.Background(), `INSERT INTO `+table+` VALUES
		(64496, '192.0.2.0/24', 'abuse@as64496.example', 'customer A', 'high', '2026-11-01 10:00:00+00'),
		(64497, '198.51.100.0/24', 'abuse@as64497.example', NULL, NULL, NULL),
		(64498, NULL, 'one@as64498.example', 'first', NULL, NULL),
		(64498, NULL, 'two@as64498.example', 'second', NULL, NULL)`)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres", "sslmode": "disable", "table": table}
}

func params(base map[string]any, extra map[string]any) map[string]any {
	out := map[string]any{}
	maps.Copy(out, base)
	maps.Copy(out, extra)
	return out
}

func TestProcess(t *testing.T) {
	base := db(t)
	tests := []struct {
		name   string
		params map[string]any
		in     map[string]any
		want   map[string]string
	}{
		{"by ASN (IntelMQ's defaults)", nil, map[string]any{"source.asn": 64496},
			map[string]string{"source.asn": "64496", "source.abuse_contact": "abuse@as64496.example", "comment": "customer A"}},
		{"NULL column skipped", nil, map[string]any{"source.asn": 64497, "comment": "kept"},
			map[string]string{"source.asn": "64497", "source.abuse_contact": "abuse@as64497.example", "comment": "kept"}},
		{"replaces existing values", nil, map[string]any{"source.asn": 64496, "source.abuse_contact": "old@example.org"},
			map[string]string{"source.asn": "64496", "source.abuse_contact": "abuse@as64496.example", "comment": "customer A"}},
		{"all replace fields set: skipped", nil, map[string]any{"source.asn": 64496, "source.abuse_contact": "old@example.org", "comment": "c"},
			map[string]string{"source.asn": "64496", "source.abuse_contact": "old@example.org", "comment": "c"}},
		{"all set, overwrite", map[string]any{"overwrite": true}, map[string]any{"source.asn": 64496, "source.abuse_contact": "old@example.org", "comment": "c"},
			map[string]string{"source.asn": "64496", "source.abuse_contact": "abuse@as64496.example", "comment": "customer A"}},
		{"no row", nil, map[string]any{"source.asn": 1},
			map[string]string{"source.asn": "1"}},
		{"match field missing: unchanged", nil, map[string]any{"source.ip": "192.0.2.1"},
			map[string]string{"source.ip": "192.0.2.1"}},
		{"inet column, two match fields, typed values",
			map[string]any{"match_fields": map[string]any{"source.network": "network", "source.asn": "asn"},
				"replace_fields": map[string]any{"severity": "severity", "seen": "time.source", "note": "extra.note"}},
			map[string]any{"source.network": "192.0.2.0/24", "source.asn": 64496},
			map[string]string{"source.network": "192.0.2.0/24", "source.asn": "64496", "severity": "high",
				"time.source": "2026-11-01T10:00:00+00:00", "extra.note": "customer A"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := experttest.New(t, "intelmq.bots.experts.generic_db_lookup.expert", params(base, tc.params))
			defer x.(*Expert).Close()
			experttest.Expect(t, x, experttest.Event(t, tc.in), tc.want)
		})
	}
}

func TestErrors(t *testing.T) {
	base := db(t)
	x := experttest.New(t, Name, params(base, map[string]any{"cache": "none"}))
	defer x.(*Expert).Close()
	_, err := experttest.Run(t, x, experttest.Event(t, map[string]any{"source.asn": 64498}))
	if err == nil || topology.IsTransient(err) || !strings.Contains(err.Error(), "more than one row") {
		t.Errorf("two rows: %v", err)
	}
	x.(*Expert).pool.Close()
	_, err = experttest.Run(t, x, experttest.Event(t, map[string]any{"source.asn": 64496}))
	if !topology.IsTransient(err) {
		t.Errorf("closed pool: %v, want a transient error", err)
	}
}

func TestBadParams(t *testing.T) {
	base := db(t)
	for _, tc := range []struct {
		raw   map[string]any
		param string
	}{
		{map[string]any{"engine": "sqlite"}, "engine"},
		{map[string]any{"match_fields": map[string]any{}}, "match_fields"},
		{map[string]any{"match_fields": map[string]any{"source.nothing": "asn"}}, "match_fields"},
		{map[string]any{"replace_fields": map[string]any{"contact": 5}}, "replace_fields"},
		{map[string]any{"replace_fields": map[string]any{"no_such_column": "comment"}}, "table"},
		{map[string]any{"table": "no_such_table"}, "table"},
		{map[string]any{"port": 0}, "port"},
		{map[string]any{"sslmode": "maybe"}, "sslmode"},
	} {
		_, err := experttest.Build(Name, params(base, tc.raw))
		if err == nil || !strings.Contains(err.Error(), "parameter "+tc.param) {
			t.Errorf("%v: %v, want an error naming %s", tc.raw, err, tc.param)
		}
	}
}

func BenchmarkProcess(b *testing.B) {
	x := experttest.New(b, Name, db(b))
	defer x.(*Expert).Close()
	asn := int64(64496)
	experttest.Bench(b, x, &dho.Event{Source: dho.Endpoint{ASN: &asn}})
}
