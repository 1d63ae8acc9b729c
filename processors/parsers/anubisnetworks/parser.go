// Package anubisnetworks parses AnubisNetworks' Cyberfeed stream (one JSON
// object per report, in the older "env"/"trojanfamily" form or the newer
// "src"/"dst"/"malw"/"comm" form) as IntelMQ's AnubisNetworks parser does.
// It registers itself as "anubisnetworks" and as IntelMQ's
// intelmq.bots.parsers.anubisnetworks.parser.
//
// Every event is an infected system seen at a sinkhole. The members of the
// object are read in order; a member the parser does not know fails the
// report, as in IntelMQ, so that new data is noticed. Geolocation details
// IntelMQ has no field for (region_code, postal_code, the location of the
// tracked address or the HTTP host ...) go to extra under the field name
// they would have had. Events whose malware is "testsinkholingloss" (the
// feed's own tests) are dropped.
//
// The report's feed.url loses its "?key=..." part, which holds the
// subscriber's key. IntelMQ fails a report without feed.url; we leave the
// field out.
package anubisnetworks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/jsonv"
	"github.com/intelstream/intelstream/processors/parsers/internal/pytext"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "anubisnetworks"
	IntelMQModule = "intelmq.bots.parsers.anubisnetworks.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
}

// Config configures a Parser.
type Config struct {
	// FamilyAsIdentifier puts malw.family into classification.identifier;
	// otherwise it goes to extra.malware.family unless it equals the
	// variant (IntelMQ's use_malware_familiy_as_classification_identifier,
	// true by default).
	FamilyAsIdentifier bool
}

// Parser is the AnubisNetworks parser. It is safe for concurrent use.
type Parser struct {
	c Config
}

// New returns a parser configured by c.
func New(c Config) *Parser { return &Parser{c: c} }

// FromParams makes a parser from IntelMQ's parameters:
// use_malware_familiy_as_classification_identifier (IntelMQ's spelling).
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	c := Config{FamilyAsIdentifier: ps.Bool("use_malware_familiy_as_classification_identifier", true)}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return New(c), nil
}

// Parse makes the event of the report's object. An empty report makes
// none; a report that cannot be read goes to fail as a whole.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	text := pytext.Strip(jsonv.Text(report.Raw))
	if text == "" {
		return nil
	}
	ev, err := p.event(report, text)
	if err != nil {
		fail(parsers.Failure{Raw: report.Raw, Err: err})
		return nil
	}
	if ev == nil {
		return nil
	}
	return emit(ev)
}

// errUnknown is wrapped by the errors for members the parser does not know.
var errUnknown = errors.New("unknown data field, please report it")

// state is what parsing one object needs.
type state struct {
	p   *Parser
	ev  *dho.Event
	doc jsonv.Value
}

// add is IntelMQ's add with overwrite=None.
func (s *state) add(name string, v jsonv.Value) error {
	_, err := jsonv.Add(s.ev, name, v, parsers.Refuse)
	return err
}

// replace is IntelMQ's add with overwrite=True.
func (s *state) replace(name string, v jsonv.Value) error {
	_, err := jsonv.Add(s.ev, name, v, parsers.Replace)
	return err
}

// tryAdd is IntelMQ's add with raise_failure=False (see jsonv.TryAdd).
func (s *state) tryAdd(name string, v jsonv.Value) (bool, error) {
	return jsonv.TryAdd(s.ev, name, v)
}

// addOrExtra adds name, or extra.NAME when IntelMQ has no field name.
func (s *state) addOrExtra(name string, v jsonv.Value) error {
	err := s.add(name, v)
	if errors.Is(err, dho.ErrUnknownField) {
		err = s.add("extra."+name, v)
	}
	return err
}

func (p *Parser) event(report *dho.Report, text string) (*dho.Event, error) {
	doc, err := jsonv.Parse(text)
	if err != nil {
		return nil, err
	}
	if doc.Kind != jsonv.Object {
		return nil, fmt.Errorf("the report is a JSON %s, not an object", doc.Kind)
	}
	ev, err := parsers.NewEvent(report)
	if err != nil {
		return nil, err
	}
	if ev.Feed.URL != "" {
		u, _, _ := strings.Cut(ev.Feed.URL, "?key=")
		if _, err := parsers.Add(ev, "feed.url", u, parsers.Replace); err != nil {
			return nil, err
		}
	}
	ev.Raw = append([]byte(nil), report.Raw...)
	s := &state{p: p, ev: ev, doc: doc}
	for _, f := range [...][2]string{
		{"classification.type", "infected-system"},
		{"classification.taxonomy", "malicious-code"},
		{"event_description.text", "Sinkhole attempted connection"},
	} {
		if err := s.add(f[0], jsonv.Str(f[1])); err != nil {
			return nil, err
		}
	}
	for i, key := range doc.Keys {
		if err := s.member(key, doc.Elems[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	for _, name := range ev.Malware.Name {
		if name == "testsinkholingloss" {
			return nil, nil
		}
	}
	return ev, nil
}

// object checks that v is a JSON object, as the members that hold others
// must be.
func object(v jsonv.Value) error {
	if v.Kind != jsonv.Object {
		return fmt.Errorf("%w: a JSON %s, not an object", jsonv.ErrType, v.Kind)
	}
	return nil
}

// geoEnvFields maps the older form's _geo_env_remote_addr, in IntelMQ's
// order.
var geoEnvFields = [...][2]string{
	{"country_code", "source.geolocation.cc"},
	{"country_name", "source.geolocation.country"},
	{"region", "source.geolocation.region"},
	{"city", "source.geolocation.city"},
	{"asn_name", "source.as_name"},
	{"asn", "source.asn"},
	{"longitude", "source.geolocation.longitude"},
	{"latitude", "source.geolocation.latitude"},
}

// extraNames are the members that go to extra under their own name.
var extraNames = map[string]bool{"request_method": true, "cookies": true, "path_info": true, "http_referer": true}

func (s *state) member(key string, v jsonv.Value) error {
	switch key {
	case "_ts":
		n, err := v.PyInt()
		if err != nil {
			return err
		}
		t, err := sanitize.FromTimestampFloat(float64(n))
		if err != nil {
			return err
		}
		return s.add("time.source", jsonv.Str(sanitize.FormatDateTime(t)))
	case "trojanfamily":
		return s.add("malware.name", v)
	case "env":
		return s.env(v)
	case "src", "dst":
		side := "source"
		if key == "dst" {
			side = "destination"
		}
		if err := object(v); err != nil {
			return err
		}
		for i, k := range v.Keys {
			var err error
			switch k {
			case "ip", "port":
				err = s.add(side+"."+k, v.Elems[i])
			default:
				err = fmt.Errorf("%w: %s.%s", errUnknown, key, k)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case "_geo_env_remote_addr":
		if err := object(v); err != nil {
			return err
		}
		for _, m := range geoEnvFields {
			if x, ok := v.Get(m[0]); ok {
				if err := s.add(m[1], x); err != nil {
					return err
				}
			}
		}
		ip, hasIP := v.Get("ip")
		mask, hasMask := v.Get("netmask")
		if hasIP && hasMask {
			return s.add("source.network", jsonv.Str(ip.PyStr()+"/"+mask.PyStr()))
		}
		return nil
	case "qtype":
		return s.add("extra.dns_query_type", v)
	case "app_proto":
		return s.replace("protocol.application", v)
	case "malw":
		return s.malw(v)
	case "comm":
		return s.comm(v)
	case "tracking":
		return s.tracking(v)
	case "_geo_src_ip":
		return s.geo(v, "source", key)
	case "_geo_tracking_last_ip":
		return s.geoChecked(v, "tracking.last", key, "tracking.last_ip")
	case "_geo_comm_http_host":
		return s.geoChecked(v, "communication.http.host", key, "comm.http.host")
	case "_origin", "_provider", "pattern_verified":
		return s.add("extra."+key, v)
	case "metadata":
		if err := object(v); err != nil {
			return err
		}
		for i, k := range v.Keys {
			if err := s.add("extra.metadata."+k, v.Elems[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(strings.ReplaceAll(key, "#", ""), "_geo_comm_http_"); ok && strings.HasPrefix(key, "_geo_comm_http_x_forwarded_for_") {
		// "_geo_comm_http_x_forwarded_for_#1" describes the address
		// comm.http.x_forwarded_for.#1.
		return s.geo(v, "communication.http."+rest, "_geo_comm_http_x_forwarded_for_")
	}
	return errUnknown
}

func (s *state) env(v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch k {
		case "remote_addr":
			err = s.add("source.ip", x)
		case "remote_port":
			err = s.add("source.port", x)
		case "server_addr":
			err = s.add("destination.ip", x)
		case "server_port":
			err = s.add("destination.port", x)
		case "server_name":
			_, err = s.tryAdd("destination.fqdn", x)
		default:
			if !extraNames[k] {
				return fmt.Errorf("%w: env.%s", errUnknown, k)
			}
			err = s.add("extra."+k, x)
		}
		if err != nil {
			return fmt.Errorf("env.%s: %w", k, err)
		}
	}
	return nil
}

func (s *state) malw(v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch k {
		case "severity":
			err = s.add("extra.malware.severity", x)
		case "family":
			if s.p.c.FamilyAsIdentifier {
				err = s.add("classification.identifier", x)
				break
			}
			var variant jsonv.Value
			if variant, err = v.Key("variant"); err == nil && !jsonv.Equal(x, variant) {
				err = s.add("extra.malware.family", x)
			}
		case "variant":
			err = s.add("malware.name", x)
		case "categories":
			err = s.add("extra.malware.categories", x)
		default:
			if !extraNames[k] {
				return fmt.Errorf("%w: malw.%s", errUnknown, k)
			}
			err = s.add("extra."+k, x)
		}
		if err != nil {
			return fmt.Errorf("malw.%s: %w", k, err)
		}
	}
	return nil
}

func (s *state) comm(v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch k {
		case "proto":
			err = s.replace("protocol.application", x)
		case "method":
			err = s.add("extra.communication.type", x)
		case "http":
			err = s.http(v, x)
		case "dns":
			err = s.dns(x)
		case "categories":
			err = s.add("extra.malware.categories", x)
		default:
			if !extraNames[k] {
				return fmt.Errorf("%w: comm.%s", errUnknown, k)
			}
			err = s.add("extra."+k, x)
		}
		if err != nil {
			return fmt.Errorf("comm.%s: %w", k, err)
		}
	}
	return nil
}

// http reads comm.http; comm is the enclosing object (for its proto).
func (s *state) http(comm, v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch k {
		case "method":
			err = s.add("extra.request_method", x)
		case "host":
			// A host that is no domain name is an address; one that
			// differs from the destination address is kept in extra.
			var added bool
			if added, err = s.tryAdd("destination.fqdn", x); err == nil && !added {
				var dst, dstIP jsonv.Value
				if dst, err = s.doc.Key("dst"); err == nil {
					dstIP, err = dst.Key("ip")
				}
				if err == nil && !jsonv.Equal(x, dstIP) {
					err = s.add("extra.communication.http_host", x)
				}
			}
		case "path":
			err = s.add("destination.urlpath", x)
		case "user_agent":
			err = s.add("extra.user_agent", x)
		case "more_headers":
			err = s.add("extra.communication.headers", x)
		case "cookies", "unverified_domain", "x_forwarded_for":
			err = s.add("extra.communication."+k, x)
		default:
			return fmt.Errorf("%w: comm.http.%s", errUnknown, k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	proto, okProto := comm.Get("proto")
	host, okHost := v.Get("host")
	path, okPath := v.Get("path")
	if okProto && okHost && okPath {
		return s.add("destination.url", jsonv.Str(proto.PyStr()+"://"+host.PyStr()+path.PyStr()))
	}
	return nil
}

func (s *state) dns(v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch k {
		case "name":
			err = s.add("destination.fqdn", x)
		case "qtype":
			err = s.add("extra.dns_query_type", x)
		default:
			return fmt.Errorf("%w: comm.dns.%s", errUnknown, k)
		}
		if err != nil {
			return fmt.Errorf("dns.%s: %w", k, err)
		}
	}
	return nil
}

// trackingFields maps the members of tracking.
var trackingFields = map[string]string{
	"id":       "extra.tracking.id",
	"last_ip":  "extra.tracking.last.ip",
	"first":    "extra.first_seen",
	"seen":     "extra.last_seen",
	"changes":  "extra.tracking.changes",
	"checkins": "extra.tracking.checkins",
	"days":     "extra.days_seen",
	"same_ip":  "extra.tracking.same_ip",
	"tr":       "extra.tracking.tr",
}

func (s *state) tracking(v jsonv.Value) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		name, ok := trackingFields[k]
		if !ok {
			return fmt.Errorf("%w: tracking.%s", errUnknown, k)
		}
		if err := s.add(name, v.Elems[i]); err != nil {
			return fmt.Errorf("tracking.%s: %w", k, err)
		}
	}
	return nil
}

// geoNames are the location members that keep their name under
// NAMESPACE.geolocation.
var geoNames = map[string]bool{
	"region_code": true, "postal_code": true, "region": true, "city": true,
	"latitude": true, "longitude": true, "dma_code": true, "area_code": true,
	"metro_code": true,
}

// geo reads the location of an address (a _geo_* member) into the fields
// of namespace, or extra where IntelMQ has no such field.
func (s *state) geo(v jsonv.Value, namespace, member string) error {
	if err := object(v); err != nil {
		return err
	}
	for i, k := range v.Keys {
		x := v.Elems[i]
		var err error
		switch {
		case k == "ip" || k == "path":
		case k == "netmask":
			var ip jsonv.Value
			if ip, err = v.Key("ip"); err == nil {
				err = s.addOrExtra(namespace+".network", jsonv.Str(ip.PyStr()+"/"+x.PyStr()))
			}
		case k == "country_code":
			err = s.addOrExtra(namespace+".geolocation.cc", x)
		case k == "country_name":
			err = s.addOrExtra(namespace+".geolocation.country", x)
		case geoNames[k]:
			err = s.addOrExtra(namespace+".geolocation."+k, x)
		case k == "asn":
			err = s.addOrExtra(namespace+".asn", x)
		case k == "asn_name":
			err = s.addOrExtra(namespace+".as_name", x)
		default:
			return fmt.Errorf("%w: %s.%s", errUnknown, member, k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// geoChecked is geo for a member whose path must be want.
func (s *state) geoChecked(v jsonv.Value, namespace, member, want string) error {
	if err := s.geo(v, namespace, member); err != nil {
		return err
	}
	path, err := v.Key("path")
	if err != nil {
		return err
	}
	if !path.EqualString(want) {
		return fmt.Errorf("path is %s, not %q", path.PyStr(), want)
	}
	return nil
}
