// Package maxmind holds the MaxMind GeoIP experts, reading .mmdb databases
// (GeoLite2/GeoIP2 City or Country, and the ASN databases):
//
//   - maxmind_geoip (IntelMQ's maxmind_geoip expert) sets the geolocation of
//     source.ip and destination.ip: cc (the country, or with use_registered
//     the registered country), latitude, longitude and city (English name).
//   - maxmind_asn sets asn and as_name from a GeoLite2-ASN database.
//
// Sides without an IP address, and addresses the database does not know,
// are passed on unchanged; fields already set are kept unless overwrite.
// A value of 0 for latitude or longitude is set (IntelMQ skips it: a
// Python falsy-value quirk, 0 is a real coordinate). The database is read
// into memory and swapped when its file changes; DataAge is its build time.
package maxmind

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/dataset"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/freshness"
	"github.com/intelstream/intelstream/topology"
)

// The node kinds' names.
const (
	GeoIPName = "maxmind_geoip"
	ASNName   = "maxmind_asn"
)

func commonParams(defaultDB string) []topology.Param {
	return append(dataset.FileParams(defaultDB, "Path of the .mmdb database."),
		topology.Param{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace values already set."},
		topology.Param{Name: "license_key", Type: topology.ParamString, Doc: "MaxMind license key; used only by `intelstream update` to download the database."})
}

// GeoIPSpec is the node spec of the GeoIP expert.
var GeoIPSpec = topology.Spec{
	Name:    GeoIPName,
	Kind:    topology.KindExpert,
	Doc:     "Sets source/destination geolocation (cc, latitude, longitude, city) from a MaxMind City or Country database.",
	IntelMQ: "intelmq.bots.experts.maxmind_geoip.expert",
	Params: append(commonParams("/var/lib/intelstream/maxmind_geoip/GeoLite2-City.mmdb"),
		topology.Param{Name: "use_registered", Type: topology.ParamBool, Default: false,
			Doc: "Use the country the network is registered in instead of the country the address is located in."}),
	Produces: []string{"source.geolocation.cc", "source.geolocation.latitude", "source.geolocation.longitude", "source.geolocation.city",
		"destination.geolocation.cc", "destination.geolocation.latitude", "destination.geolocation.longitude", "destination.geolocation.city"},
}

// ASNSpec is the node spec of the ASN variant.
var ASNSpec = topology.Spec{
	Name:     ASNName,
	Kind:     topology.KindExpert,
	Doc:      "Sets source/destination asn and as_name from a MaxMind ASN database.",
	Params:   commonParams("/var/lib/intelstream/maxmind_asn/GeoLite2-ASN.mmdb"),
	Produces: []string{"source.asn", "source.as_name", "destination.asn", "destination.as_name"},
}

func init() {
	topology.Register(GeoIPSpec, func(p topology.Params) (any, error) { return NewGeoIP(p) })
	topology.Register(ASNSpec, func(p topology.Params) (any, error) { return NewASN(p) })
}

// cityRecord is the part of a City/Country record the expert uses.
type cityRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// asnRecord is a GeoLite2-ASN record.
type asnRecord struct {
	Number int64  `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

// db is a loaded database with a cache of decoded records by their offset
// in the data section (many addresses share one record, and decoding is
// the costly part of a lookup).
type db[R any] struct {
	r       *maxminddb.Reader
	mu      sync.RWMutex
	decoded map[uintptr]*R
}

const maxDecoded = 1 << 16

// lookup returns the record of a, or nil when the database has none.
func (d *db[R]) lookup(a string) (*R, error) {
	addr, err := netip.ParseAddr(a)
	if err != nil {
		return nil, nil
	}
	res := d.r.Lookup(addr.Unmap())
	if err := res.Err(); err != nil {
		return nil, err
	}
	if !res.Found() {
		return nil, nil
	}
	off := res.Offset()
	d.mu.RLock()
	rec, ok := d.decoded[off]
	d.mu.RUnlock()
	if ok {
		return rec, nil
	}
	rec = new(R)
	if err := res.Decode(rec); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.decoded) >= maxDecoded {
		clear(d.decoded)
	}
	d.decoded[off] = rec
	d.mu.Unlock()
	return rec, nil
}

// OpenDatabase reads and checks an .mmdb file (the same check `intelstream
// update` runs before it replaces a database). It returns the database's
// type and build time.
func OpenDatabase(path string) (dbType string, built time.Time, err error) {
	r, err := readDB(path)
	if err != nil {
		return "", time.Time{}, err
	}
	return r.Metadata.DatabaseType, r.Metadata.BuildTime(), nil
}

func readDB(path string) (*maxminddb.Reader, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := r.Verify(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// expert is what both node kinds share: the database, whose data set gives
// them Reload, DataAge (the database's build time) and Health.
type expert[R any] struct {
	*dataset.Set[db[R]]
	name      string
	overwrite bool
}

func newExpert[R any](name string, p topology.Params) (*expert[R], error) {
	set, err := dataset.OpenFile(name, p, func(path string) (*db[R], time.Time, error) {
		r, err := readDB(path)
		if err != nil {
			return nil, time.Time{}, err
		}
		return &db[R]{r: r, decoded: map[uintptr]*R{}}, r.Metadata.BuildTime(), nil
	})
	if err != nil {
		return nil, err
	}
	return &expert[R]{Set: set, name: name, overwrite: p.Bool("overwrite")}, nil
}

// each looks up every side's first IP address and calls set with the
// record found.
func (x *expert[R]) each(e *dho.Event, set func(enrich.Side, *R) error) error {
	d := x.Get()
	for _, s := range enrich.Sides(e) {
		if len(s.E.IP) == 0 {
			continue
		}
		rec, err := d.lookup(s.E.IP[0])
		if err != nil {
			return fmt.Errorf("%s: %s: %w", x.name, s.E.IP[0], err)
		}
		if rec != nil {
			if err := set(s, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// GeoIP is the maxmind_geoip expert.
type GeoIP struct {
	*expert[cityRecord]
	registered bool
}

var _ freshness.Reporter = (*GeoIP)(nil)

// NewGeoIP builds the GeoIP expert and loads its database.
func NewGeoIP(p topology.Params) (*GeoIP, error) {
	x, err := newExpert[cityRecord](GeoIPName, p)
	if err != nil {
		return nil, err
	}
	return &GeoIP{expert: x, registered: p.Bool("use_registered")}, nil
}

// Spec returns the node spec.
func (*GeoIP) Spec() topology.Spec { return GeoIPSpec }

// Process sets e's geolocation and emits it.
func (x *GeoIP) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	err := x.each(e, func(s enrich.Side, r *cityRecord) error {
		g := &s.E.Geolocation
		cc := r.Country.ISOCode
		if x.registered {
			cc = r.RegisteredCountry.ISOCode
		}
		if cc != "" && (g.CC == "" || x.overwrite) {
			if _, err := enrich.Add(e, s.Prefix+"geolocation.cc", cc, true); err != nil {
				return err
			}
		}
		if r.Location.Latitude != nil && (g.Latitude == nil || x.overwrite) {
			g.Latitude = new(*r.Location.Latitude)
		}
		if r.Location.Longitude != nil && (g.Longitude == nil || x.overwrite) {
			g.Longitude = new(*r.Location.Longitude)
		}
		if city := r.City.Names["en"]; city != "" && (g.City == "" || x.overwrite) {
			g.City = city
		}
		return nil
	})
	if err != nil {
		return err
	}
	emit(e)
	return nil
}

// ASN is the maxmind_asn expert.
type ASN struct{ *expert[asnRecord] }

var _ freshness.Reporter = (*ASN)(nil)

// NewASN builds the ASN expert and loads its database.
func NewASN(p topology.Params) (*ASN, error) {
	x, err := newExpert[asnRecord](ASNName, p)
	if err != nil {
		return nil, err
	}
	return &ASN{x}, nil
}

// Spec returns the node spec.
func (*ASN) Spec() topology.Spec { return ASNSpec }

// Process sets e's ASNs and AS names and emits it.
func (x *ASN) Process(_ context.Context, e *dho.Event, emit func(*dho.Event)) error {
	err := x.each(e, func(s enrich.Side, r *asnRecord) error {
		if r.Number > 0 && r.Number <= 4294967295 && (s.E.ASN == nil || x.overwrite) {
			n := r.Number
			s.E.ASN = &n
		}
		if r.Org != "" {
			if _, err := enrich.Add(e, s.Prefix+"as_name", r.Org, x.overwrite); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	emit(e)
	return nil
}
