// Package ripe is the RIPE expert (IntelMQ's ripe): it finds abuse
// contacts for the ASN and IP address of each side in the RIPE database's
// abuse-contact API and RIPEstat's abuse-contact-finder, optionally in an
// RDAP server (entities with the "abuse" role), and the geolocation of the
// address in RIPEstat's maxmind-geo-lite data call.
//
// The contacts found are joined with "," into the side's abuse_contact
// (sorted, without repeats); in mode append the contacts already there are
// kept and added to, in mode replace they are replaced (when any is
// found). Geolocation (cc, city, latitude, longitude) fills unset fields in
// mode append and replaces them in mode replace. Sides without ASN and IP
// are passed on unchanged. A 404 "No abuse contact found" answer, or an
// answer without contacts, counts as none; 429, 5xx, network errors and
// timeouts are retried; other statuses dead-letter the event. Answers are
// cached (redis_cache_ttl).
package ripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/httpq"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "ripe"

// Spec is the node spec of the RIPE expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Sets abuse_contact (RIPE DB, RIPEstat, RDAP) and geolocation (RIPEstat) of source and destination.",
	IntelMQ: "intelmq.bots.experts.ripe.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "mode", Type: topology.ParamString, Default: "append", Enum: []string{"append", "replace"}, Doc: "append: add to the contacts and geolocation already set; replace: replace them."},
		{Name: "query_ripe_db_asn", Type: topology.ParamBool, Default: true, Doc: "Ask the RIPE database for the ASN's abuse contact."},
		{Name: "query_ripe_db_ip", Type: topology.ParamBool, Default: true, Doc: "Ask the RIPE database for the IP address's abuse contact."},
		{Name: "query_ripe_stat_asn", Type: topology.ParamBool, Default: true, Doc: "Ask RIPEstat for the ASN's abuse contact."},
		{Name: "query_ripe_stat_ip", Type: topology.ParamBool, Default: true, Doc: "Ask RIPEstat for the IP address's abuse contact."},
		{Name: "query_ripe_stat_geolocation", Type: topology.ParamBool, Default: true, Doc: "Ask RIPEstat for the IP address's geolocation."},
		{Name: "query_rdap_asn", Type: topology.ParamBool, Default: false, Doc: "Ask the RDAP server for the ASN's abuse entities."},
		{Name: "query_rdap_ip", Type: topology.ParamBool, Default: false, Doc: "Ask the RDAP server for the IP address's abuse entities."},
		{Name: "ripe_db_url", Type: topology.ParamString, Default: "https://rest.db.ripe.net", Doc: "Base URL of the RIPE database REST API."},
		{Name: "ripe_stat_url", Type: topology.ParamString, Default: "https://stat.ripe.net", Doc: "Base URL of RIPEstat."},
		{Name: "rdap_url", Type: topology.ParamString, Default: "https://rdap.db.ripe.net", Doc: "Base URL of the RDAP server."},
	}, httpq.Params, cache.Params(10)),
	Produces: []string{"source.abuse_contact", "source.geolocation.cc", "source.geolocation.city", "source.geolocation.latitude", "source.geolocation.longitude",
		"destination.abuse_contact", "destination.geolocation.cc", "destination.geolocation.city", "destination.geolocation.latitude", "destination.geolocation.longitude"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// answer is a cached query result: contacts or a location.
type answer struct {
	Emails []string  `json:"emails,omitempty"`
	Geo    *location `json:"geo,omitempty"`
}

type location struct {
	Country   string   `json:"country,omitempty"`
	City      string   `json:"city,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
}

// Expert is the RIPE expert.
type Expert struct {
	http                    *httpq.Client
	lookup                  cache.Lookup[answer]
	replace                 bool
	dbASN, dbIP             bool
	statASN, statIP, geo    bool
	rdapASN, rdapIP         bool
	dbURL, statURL, rdapURL string
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	x := &Expert{replace: p.String("mode") == "replace",
		dbASN: p.Bool("query_ripe_db_asn"), dbIP: p.Bool("query_ripe_db_ip"),
		statASN: p.Bool("query_ripe_stat_asn"), statIP: p.Bool("query_ripe_stat_ip"), geo: p.Bool("query_ripe_stat_geolocation"),
		rdapASN: p.Bool("query_rdap_asn"), rdapIP: p.Bool("query_rdap_ip")}
	for _, u := range []struct {
		param string
		dst   *string
	}{{"ripe_db_url", &x.dbURL}, {"ripe_stat_url", &x.statURL}, {"rdap_url", &x.rdapURL}} {
		v := strings.TrimRight(p.String(u.param), "/")
		if pu, err := url.Parse(v); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, &topology.ParamError{Node: Name, Param: u.param, Err: fmt.Errorf("%q is not an http(s) URL", v)}
		}
		*u.dst = v
	}
	var err error
	if x.http, err = httpq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[answer](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks up e's sides and emits it.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	for _, s := range enrich.Sides(e) {
		if err := x.side(ctx, e, s); err != nil {
			return err
		}
	}
	emit(e)
	return nil
}

func (x *Expert) side(ctx context.Context, e *dho.Event, s enrich.Side) error {
	var emails []string
	if !x.replace && s.E.AbuseContact != "" {
		emails = strings.Split(s.E.AbuseContact, ",")
	}
	type q struct {
		on       bool
		k        kind
		resource string
	}
	var qs []q
	if s.E.ASN != nil {
		asn := strconv.FormatInt(*s.E.ASN, 10)
		qs = append(qs, q{x.statASN, kindStat, "AS" + asn}, q{x.dbASN, kindDBASN, asn}, q{x.rdapASN, kindRDAPASN, asn})
	}
	ip, hasIP := s.IP()
	if hasIP {
		a := ip.String()
		qs = append(qs, q{x.statIP, kindStat, a}, q{x.dbIP, kindDBIP, a}, q{x.rdapIP, kindRDAPIP, a})
	}
	for _, q := range qs {
		if !q.on {
			continue
		}
		a, err := x.query(ctx, q.k, q.resource)
		if err != nil {
			return err
		}
		emails = append(emails, a.Emails...)
	}
	if hasIP && x.geo {
		g, err := x.query(ctx, kindGeo, ip.String())
		if err != nil {
			return err
		}
		if err := x.setGeo(e, s, g.Geo); err != nil {
			return err
		}
	}
	emails = cleanEmails(emails)
	if len(emails) > 0 {
		if err := e.Set(s.Prefix+"abuse_contact", strings.Join(emails, ",")); err != nil {
			return err
		}
	}
	return nil
}

// cleanEmails trims, drops empty ones and repeats, and sorts (IntelMQ
// keeps a set, so its order is arbitrary anyway).
func cleanEmails(l []string) []string {
	out := l[:0:0]
	for _, m := range l {
		if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// setGeo fills the side's geolocation: unset fields in mode append, every
// field the answer has in mode replace.
func (x *Expert) setGeo(e *dho.Event, s enrich.Side, g *location) error {
	if g == nil {
		return nil
	}
	if g.Country != "" {
		if _, err := enrich.Add(e, s.Prefix+"geolocation.cc", g.Country, x.replace); err != nil {
			return err
		}
	}
	geo := &s.E.Geolocation
	if g.City != "" && (geo.City == "" || x.replace) {
		geo.City = g.City
	}
	if g.Latitude != nil && (geo.Latitude == nil || x.replace) {
		geo.Latitude = new(*g.Latitude)
	}
	if g.Longitude != nil && (geo.Longitude == nil || x.replace) {
		geo.Longitude = new(*g.Longitude)
	}
	return nil
}

// kind is a kind of query.
type kind uint8

const (
	kindStat kind = iota
	kindDBIP
	kindDBASN
	kindRDAPIP
	kindRDAPASN
	kindGeo
)

var kindNames = [...]string{"stat:", "db_ip:", "db_asn:", "rdap_ip:", "rdap_asn:", "stat_geolocation:"}

// query returns the cached answer of kind k for resource, or asks.
func (x *Expert) query(ctx context.Context, k kind, resource string) (answer, error) {
	return x.lookup.Do(ctx, kindNames[k]+resource, func() (answer, error) {
		var a answer
		var err error
		switch k {
		case kindStat:
			a, err = x.stat(ctx, resource)
		case kindDBIP:
			a, err = x.dbQuery(ctx, resource)
		case kindDBASN:
			a, err = x.dbQuery(ctx, "as"+resource)
		case kindRDAPIP:
			a, err = x.rdap(ctx, "/ip/"+url.PathEscape(resource))
		case kindRDAPASN:
			a, err = x.rdap(ctx, "/autnum/"+resource)
		case kindGeo:
			a, err = x.geoQuery(ctx, resource)
		}
		var se *httpq.StatusError
		if errors.As(err, &se) && se.Status == 404 && noContact(se.Body) {
			return answer{}, nil
		}
		return a, err
	})
}

// noContact reports whether a 404 body is the "No abuse contact found"
// message of the RIPE database.
func noContact(body []byte) bool {
	var m struct {
		Message string `json:"message"`
	}
	return json.Unmarshal(body, &m) == nil && strings.HasPrefix(m.Message, "No abuse contact found")
}

func (x *Expert) dbQuery(ctx context.Context, resource string) (answer, error) {
	var r struct {
		AbuseContacts struct {
			Email string `json:"email"`
		} `json:"abuse-contacts"`
	}
	if err := x.http.GetJSON(ctx, x.dbURL+"/abuse-contact/"+url.PathEscape(resource)+".json", nil, &r); err != nil {
		return answer{}, err
	}
	return answer{Emails: strings.Split(r.AbuseContacts.Email, ",")}, nil
}

// stat asks RIPEstat's abuse-contact-finder (its current form,
// data.abuse_contacts, and the older data.anti_abuse_contacts.abuse_c).
func (x *Expert) stat(ctx context.Context, resource string) (answer, error) {
	var r struct {
		Data struct {
			AbuseContacts     []string `json:"abuse_contacts"`
			AntiAbuseContacts struct {
				AbuseC []struct {
					Email string `json:"email"`
				} `json:"abuse_c"`
			} `json:"anti_abuse_contacts"`
		} `json:"data"`
	}
	u := x.statURL + "/data/abuse-contact-finder/data.json?resource=" + url.QueryEscape(resource)
	if err := x.http.GetJSON(ctx, u, nil, &r); err != nil {
		return answer{}, err
	}
	a := answer{Emails: r.Data.AbuseContacts}
	if c := r.Data.AntiAbuseContacts.AbuseC; len(c) > 0 {
		a.Emails = append(a.Emails, strings.Split(c[0].Email, ",")...)
	}
	return a, nil
}

func (x *Expert) geoQuery(ctx context.Context, ip string) (answer, error) {
	var r struct {
		Data struct {
			LocatedResources []struct {
				Locations []location `json:"locations"`
			} `json:"located_resources"`
		} `json:"data"`
	}
	u := x.statURL + "/data/maxmind-geo-lite/data.json?resource=" + url.QueryEscape(ip)
	if err := x.http.GetJSON(ctx, u, nil, &r); err != nil {
		return answer{}, err
	}
	if len(r.Data.LocatedResources) == 0 || len(r.Data.LocatedResources[0].Locations) == 0 {
		return answer{}, nil
	}
	g := r.Data.LocatedResources[0].Locations[0]
	if g.Country == "?" {
		g.Country = ""
	}
	return answer{Geo: &g}, nil
}

func (x *Expert) rdap(ctx context.Context, path string) (answer, error) {
	var r rdapObject
	if err := x.http.GetJSON(ctx, x.rdapURL+path, nil, &r); err != nil {
		var se *httpq.StatusError
		if errors.As(err, &se) && se.Status == 404 {
			return answer{}, nil // RDAP: no such object
		}
		return answer{}, err
	}
	return answer{Emails: AbuseEmails(r.Entities)}, nil
}

// rdapObject is the part of an RDAP (RFC 9083) object the expert reads.
type rdapObject struct {
	Entities []RDAPEntity `json:"entities"`
}

// RDAPEntity is an RDAP entity: roles, a jCard and nested entities.
type RDAPEntity struct {
	Roles      []string          `json:"roles"`
	VCardArray []json.RawMessage `json:"vcardArray"`
	Entities   []RDAPEntity      `json:"entities"`
}

// AbuseEmails returns the e-mail addresses of the entities with the
// "abuse" role, nested ones included.
func AbuseEmails(entities []RDAPEntity) []string {
	var out []string
	for _, en := range entities {
		if slices.Contains(en.Roles, "abuse") && len(en.VCardArray) == 2 {
			var props [][]json.RawMessage
			if json.Unmarshal(en.VCardArray[1], &props) == nil {
				for _, p := range props {
					var name, value string
					if len(p) == 4 && json.Unmarshal(p[0], &name) == nil && name == "email" && json.Unmarshal(p[3], &value) == nil {
						out = append(out, value)
					}
				}
			}
		}
		out = append(out, AbuseEmails(en.Entities)...)
	}
	return out
}
