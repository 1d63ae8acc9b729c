// Package genericdblookup is the generic database lookup expert (IntelMQ's
// generic_db_lookup): it looks the event up in a PostgreSQL table by the
// columns of match_fields (event field → column) and copies the columns of
// replace_fields (column → event field) of the row found into the event.
//
// As in IntelMQ: an event lacking one of the match fields, or having every
// replace field set while overwrite is false, passes on unchanged; no row
// leaves it unchanged; one row sets every replace field (replacing values,
// NULL columns are skipped); more than one row is an error (the event is
// dead-lettered). Match values are sent as text, so PostgreSQL reads them
// as the column's type (bigint, inet, text ...); column values are set as
// text, sanitized by the field's type. Only the postgresql engine is
// supported. Lost connections and timeouts are retried. Rows are cached
// for redis_cache_ttl (default one minute; cache none to always query).
package genericdblookup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "generic_db_lookup"

// Spec is the node spec of the generic database lookup expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Looks events up in a PostgreSQL table (match_fields) and copies columns of the row found into the event (replace_fields).",
	IntelMQ: "intelmq.bots.experts.generic_db_lookup.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "engine", Type: topology.ParamString, Default: "postgresql", Doc: "Database engine; only postgresql is supported."},
		{Name: "host", Type: topology.ParamString, Default: "localhost", Doc: "PostgreSQL host."},
		{Name: "port", Type: topology.ParamInt, Default: 5432, Doc: "PostgreSQL port."},
		{Name: "database", Type: topology.ParamString, Default: "intelmq", Doc: "Database name."},
		{Name: "user", Type: topology.ParamString, Default: "intelmq", Doc: "Database user."},
		{Name: "password", Type: topology.ParamString, Doc: "Database password."},
		{Name: "sslmode", Type: topology.ParamString, Default: "require", Enum: []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}, Doc: "libpq sslmode."},
		{Name: "table", Type: topology.ParamString, Default: "contacts", Doc: "Table to look events up in (schema.table allowed)."},
		{Name: "match_fields", Type: topology.ParamObject, Default: map[string]any{"source.asn": "asn"}, Doc: "Event field → column that must be equal."},
		{Name: "replace_fields", Type: topology.ParamObject, Default: map[string]any{"contact": "source.abuse_contact", "note": "comment"}, Doc: "Column → event field that receives its value."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Look up events that have every replace field set already."},
		{Name: "query_timeout", Type: topology.ParamDuration, Default: "10s", Doc: "Timeout of one query."},
	}, cache.ParamsTTL(0, 60)),
	Produces: []string{"source.abuse_contact", "comment"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(context.Background(), p) })
}

type pair struct{ field, column string }

// row is a cached lookup result: Found false for no row; NULL columns are
// nil.
type row struct {
	Found  bool      `json:"found,omitempty"`
	Values []*string `json:"values,omitempty"`
}

// Expert is the generic database lookup expert.
type Expert struct {
	pool      *pgxpool.Pool
	query     string
	match     []pair // event field, column
	replace   []pair // event field, column
	overwrite bool
	timeout   time.Duration
	lookup    cache.Lookup[row]
}

func perr(param, format string, a ...any) error {
	return &topology.ParamError{Node: Name, Param: param, Err: fmt.Errorf(format, a...)}
}

// pairs reads a string → string object parameter, keys sorted.
func pairs(p topology.Params, param string, fieldIsKey bool) ([]pair, error) {
	obj := p.Object(param)
	if len(obj) == 0 {
		return nil, perr(param, "empty")
	}
	var out []pair
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v, ok := obj[k].(string)
		if !ok || v == "" || k == "" {
			return nil, perr(param, "%q: %v is not a name", k, obj[k])
		}
		pr := pair{field: k, column: v}
		if !fieldIsKey {
			pr = pair{field: v, column: k}
		}
		if err := fieldval.Check(pr.field); err != nil {
			return nil, perr(param, "%v", err)
		}
		out = append(out, pr)
	}
	return out, nil
}

// New builds the expert, connects and checks that the query works on the
// table.
func New(ctx context.Context, p topology.Params) (*Expert, error) {
	if e := p.String("engine"); e != "postgresql" {
		return nil, perr("engine", "%q is not supported (only postgresql)", e)
	}
	x := &Expert{overwrite: p.Bool("overwrite"), timeout: p.Duration("query_timeout")}
	if x.timeout <= 0 {
		return nil, perr("query_timeout", "must be positive, got %s", x.timeout)
	}
	var err error
	if x.match, err = pairs(p, "match_fields", true); err != nil {
		return nil, err
	}
	if x.replace, err = pairs(p, "replace_fields", false); err != nil {
		return nil, err
	}
	table := p.String("table")
	if table == "" {
		return nil, perr("table", "empty")
	}
	port := p.Int("port")
	if port <= 0 || port > 65535 {
		return nil, perr("port", "%d is not a port", port)
	}
	cols := make([]string, len(x.replace))
	for i, r := range x.replace {
		cols[i] = pgx.Identifier{r.column}.Sanitize()
	}
	conds := make([]string, len(x.match))
	for i, m := range x.match {
		conds[i] = fmt.Sprintf("%s = $%d", pgx.Identifier{m.column}.Sanitize(), i+1)
	}
	x.query = "SELECT " + strings.Join(cols, ", ") + " FROM " + pgx.Identifier(strings.Split(table, ".")).Sanitize() +
		" WHERE " + strings.Join(conds, " AND ") + " LIMIT 2"

	dsn := (&url.URL{Scheme: "postgres", User: url.UserPassword(p.String("user"), p.String("password")),
		Host: net.JoinHostPort(p.String("host"), strconv.FormatInt(port, 10)), Path: "/" + p.String("database"),
		RawQuery: url.Values{"sslmode": {p.String("sslmode")}}.Encode()}).String()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, perr("host", "%v", err)
	}
	cfg.MaxConns = 4
	cfg.ConnConfig.ConnectTimeout = x.timeout
	if x.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	// Check the query (table and columns) once, so a typo fails at start.
	cctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	conn, err := x.pool.Acquire(cctx)
	if err != nil {
		x.pool.Close()
		return nil, fmt.Errorf("%s: connecting to %s: %w", Name, p.String("host"), err)
	}
	_, err = conn.Conn().Prepare(cctx, "", x.query)
	conn.Release() // before Close, which waits for acquired connections
	if err != nil {
		x.pool.Close()
		return nil, perr("table", "query %q does not work: %v", x.query, err)
	}
	if x.lookup, err = cache.LookupFromParams[row](Name, p); err != nil {
		x.pool.Close()
		return nil, err
	}
	return x, nil
}

// Close closes the connection pool.
func (x *Expert) Close() error { x.pool.Close(); return nil }

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks e up and emits it.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	return enrich.Then(e, emit, x.process(ctx, e))
}

func (x *Expert) process(ctx context.Context, e *dho.Event) error {
	args := make([]any, len(x.match))
	var key strings.Builder
	for i, m := range x.match {
		s, ok := fieldval.First(e, m.field)
		if !ok {
			return nil
		}
		args[i] = s
		key.WriteString(strconv.Quote(s))
	}
	if !x.overwrite && !slices.ContainsFunc(x.replace, func(r pair) bool { return !e.Has(r.field) }) {
		return nil
	}
	r, err := x.lookup.Do(ctx, key.String(), func() (row, error) { return x.find(ctx, args) })
	if err != nil || !r.Found {
		return err
	}
	for i, rp := range x.replace {
		if r.Values[i] == nil {
			continue
		}
		if err := e.Set(rp.field, *r.Values[i]); err != nil {
			return fmt.Errorf("%s: column %s: %w", Name, rp.column, err)
		}
	}
	return nil
}

func (x *Expert) find(ctx context.Context, args []any) (row, error) {
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	rows, err := x.pool.Query(ctx, x.query, args...)
	if err != nil {
		return row{}, classify(err)
	}
	defer rows.Close()
	var out row
	n := 0
	for rows.Next() {
		n++
		vals, err := rows.Values()
		if err != nil {
			return row{}, classify(err)
		}
		out = row{Found: true, Values: make([]*string, len(vals))}
		for i, v := range vals {
			if v != nil {
				s := columnText(v)
				out.Values[i] = &s
			}
		}
	}
	if err := rows.Err(); err != nil {
		return row{}, classify(err)
	}
	if n > 1 {
		return row{}, fmt.Errorf("%s: lookup returned more than one row for %v", Name, args)
	}
	return out, nil
}

// classify makes connection failures and timeouts transient; SQL errors
// (a value the column type cannot read) stay permanent.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", Name, err)
	}
	// Everything else is the connection's: refused, lost mid-query, timed
	// out.
	return topology.Transient(err)
}

// columnText is the text form of a column value (inet and cidr values are
// netip.Prefix, a fmt.Stringer).
func columnText(v any) string {
	switch v.(type) {
	case string, int64, float64, bool, time.Time, []byte:
		return fieldval.Text(v)
	}
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(v)
}
