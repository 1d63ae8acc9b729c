// Package constituency is the constituency expert, the core of a national
// or sector CERT's work: it finds which member of the constituency an event
// concerns and sets the organisation, its sector, its contact and tags.
//
// Members come from CSV or JSON files and/or a PostgreSQL table (see
// ReadCSV, ReadJSON, ReadTable). An event side matches, most specific
// first: by IP address (the longest network containing it wins; IPv4 and
// IPv6), by ASN, by domain (the FQDNs, then the URLs' host names; the
// longest registered suffix wins) and by name (the name field, by default
// the AS name). The first kind that matches decides.
//
// Events with no matching side, or lacking all of these fields, pass on
// unchanged. Fields already set are kept unless overwrite is true; tags
// are always added. The data is reloaded when a file changes (checked every
// reload_interval), on Reload, and for a table every reload_interval.
package constituency

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "constituency"

// Spec is the node spec of the constituency expert.
var Spec = topology.Spec{
	Name: Name,
	Kind: topology.KindExpert,
	Doc:  "Matches events against the constituency (networks, ASNs, domains, names from CSV/JSON files or a PostgreSQL table) and sets organisation, sector, contact and tags.",
	Params: []topology.Param{
		{Name: "files", Type: topology.ParamStrings, Doc: "Constituency files: .json (a list of objects) or CSV with a header (organisation, sector, contact, tags, networks, asns, domains, names).", Example: "constituency.csv"},
		{Name: "dsn", Type: topology.ParamString, Doc: "PostgreSQL connection string of the constituency table (optional).", Example: "postgres://intelstream@localhost/cert"},
		{Name: "table", Type: topology.ParamString, Default: "constituency", Doc: "PostgreSQL table with the columns organisation, sector, contact, tags, networks, asns, domains, names."},
		{Name: "sides", Type: topology.ParamStrings, Default: "source", Doc: "Which sides of the event are matched: source, destination or both."},
		{Name: "organisation_field", Type: topology.ParamString, Default: "extra.organisation", Doc: "Field that receives the organisation."},
		{Name: "sector_field", Type: topology.ParamString, Default: "extra.sector", Doc: "Field that receives the sector."},
		{Name: "contact_field", Type: topology.ParamString, Default: "source.abuse_contact", Doc: "Field that receives the contact, e.g. source.abuse_contact or notification.recipient."},
		{Name: "name_field", Type: topology.ParamString, Default: "as_name", Doc: "Endpoint field (without side) matched against the members' names."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace organisation, sector and contact already set."},
		{Name: "reload_interval", Type: topology.ParamDuration, Default: "10s", Doc: "How often the files are checked for changes (and the table reloaded)."},
		freshness.MaxAgeParam,
	},
	Produces: []string{"extra.organisation", "extra.sector", "source.abuse_contact", "tags"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(context.Background(), p) })
}

// Expert is the constituency expert. Its data set gives it Get (the
// constituency loaded), Reload (files and table read again; on error the
// old data stays), DataAge (the newest modification time of the files, or
// when the table was read) and Health.
type Expert struct {
	*dataset.Set[Table]
	sides                                      []int // 0 source, 1 destination
	orgField, sectorField, contactField, nameF string
	overwrite                                  bool
}

var _ freshness.Reporter = (*Expert)(nil)

// New builds the expert from validated parameters and loads the data.
func New(ctx context.Context, p topology.Params) (*Expert, error) {
	perr := func(param string, format string, a ...any) error {
		return &topology.ParamError{Node: Name, Param: param, Err: fmt.Errorf(format, a...)}
	}
	files, dsn, table := p.Strings("files"), p.String("dsn"), p.String("table")
	if len(files) == 0 && dsn == "" {
		return nil, perr("files", "give files or dsn (or both)")
	}
	if dsn != "" {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, perr("dsn", "%v", err)
		}
		if table == "" {
			return nil, perr("table", "empty")
		}
	}
	x := &Expert{overwrite: p.Bool("overwrite"), nameF: p.String("name_field")}
	for _, s := range p.Strings("sides") {
		switch s {
		case "source":
			x.sides = append(x.sides, 0)
		case "destination":
			x.sides = append(x.sides, 1)
		default:
			return nil, perr("sides", "%q is neither source nor destination", s)
		}
	}
	if len(x.sides) == 0 {
		return nil, perr("sides", "empty")
	}
	for _, f := range []struct {
		param string
		dst   *string
	}{
		{"organisation_field", &x.orgField}, {"sector_field", &x.sectorField}, {"contact_field", &x.contactField},
	} {
		name := p.String(f.param)
		if name != "" {
			if err := fieldval.Check(name); err != nil {
				return nil, perr(f.param, "%v", err)
			}
		}
		*f.dst = name
	}
	if x.nameF != "" && fieldval.Check("source."+x.nameF) != nil {
		return nil, perr("name_field", "%q is not an endpoint field", x.nameF)
	}
	every := p.Duration("reload_interval")
	if every <= 0 {
		return nil, perr("reload_interval", "must be positive, got %s", every)
	}
	load := func(ctx context.Context) (*Table, time.Time, error) {
		var entries []Entry
		for _, f := range files {
			es, err := ReadFile(f)
			if err != nil {
				return nil, time.Time{}, err
			}
			entries = append(entries, es...)
		}
		if dsn != "" {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				return nil, time.Time{}, topology.Transient(err)
			}
			defer conn.Close(context.Background())
			es, err := ReadTable(ctx, conn, table)
			if err != nil {
				return nil, time.Time{}, err
			}
			entries = append(entries, es...)
		}
		t, err := NewTable(entries)
		return t, time.Time{}, err
	}
	opt := dataset.Options{Name: Name, Files: files, CheckEvery: every, MaxAge: p.Duration("max_age")}
	if dsn != "" {
		// A table has no modification time: the set reloads on every
		// interval, files included.
		opt.Files = nil
	}
	var err error
	if x.Set, err = dataset.Open(ctx, opt, load); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks e up and emits it.
func (x *Expert) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	t := x.Get()
	sides := enrich.Sides(e)
	for _, i := range x.sides {
		if m, ok := x.match(t, sides[i]); ok {
			if err := x.apply(e, m); err != nil {
				return err
			}
		}
	}
	emit(e)
	return nil
}

// Match returns the member an endpoint belongs to.
func (x *Expert) match(t *Table, s enrich.Side) (*Entry, bool) {
	for _, ip := range s.E.IP {
		if a, err := netip.ParseAddr(ip); err == nil {
			if m, ok := t.ByIP(a); ok {
				return m, true
			}
		}
	}
	if s.E.ASN != nil {
		if m, ok := t.ByASN(*s.E.ASN); ok {
			return m, true
		}
	}
	for _, f := range s.E.FQDN {
		if m, ok := t.ByDomain(f); ok {
			return m, true
		}
	}
	for _, u := range s.E.URL {
		if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
			if m, ok := t.ByDomain(strings.ToLower(pu.Hostname())); ok {
				return m, true
			}
		}
	}
	if x.nameF != "" && len(t.names) > 0 {
		var e dho.Event
		e.Source = *s.E
		if v, ok := e.Get("source." + x.nameF); ok {
			if name, ok := v.(string); ok {
				return t.ByName(name)
			}
		}
	}
	return nil, false
}

func (x *Expert) apply(e *dho.Event, m *Entry) error {
	for _, f := range []struct{ field, value string }{
		{x.orgField, m.Organisation}, {x.sectorField, m.Sector}, {x.contactField, m.Contact},
	} {
		if f.field == "" || f.value == "" {
			continue
		}
		if _, err := enrich.Add(e, f.field, f.value, x.overwrite); err != nil {
			return err
		}
	}
	if len(m.Tags) > 0 {
		return e.Append("tags", m.Tags)
	}
	return nil
}
