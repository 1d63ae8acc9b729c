package n6

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/transformers"
)

var (
	reSource = regexp.MustCompile(`^[-0-9a-z]+\.[-0-9a-z]+$`)
	reCC     = regexp.MustCompile(`^[A-Z][A-Z0-9]$`)
	reHex    = regexp.MustCompile(`^[0-9a-f]+$`)
)

// keys maps the JSON keys of Event's typed fields to their field index.
var keys = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Event]()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "-" && name != "" {
			m[name] = i
		}
	}
	return m
}()

// IsIPv4 reports whether s is an IPv4 address in dot-decimal notation, as
// n6's address and dip attributes hold.
func IsIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// Validate checks e against n6's data specification: the mandatory
// attributes, the enumerations (all 27 categories), IPv4 addresses, country
// codes, AS numbers, ports, hashes and lengths. The error lists every
// problem.
func (e *Event) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	enum := func(key, v string, vals []string, required bool) {
		if v == "" {
			if required {
				bad(key, "missing")
			}
			return
		}
		if !slices.Contains(vals, v) {
			bad(key, "%q is not one of %s", v, strings.Join(vals, ", "))
		}
	}
	if e.ID == "" || len(e.ID) > 64 {
		bad("id", "%q is not an n6 id (1 to 64 characters)", e.ID)
	}
	if !reSource.MatchString(e.Source) {
		bad("source", "%q is not provider.channel", e.Source)
	}
	enum("restriction", e.Restriction, Restrictions, true)
	enum("confidence", e.Confidence, Confidences, true)
	enum("category", e.Category, Categories, true)
	enum("origin", e.Origin, Origins, false)
	enum("proto", e.Proto, Protos, false)
	enum("status", e.Status, Statuses, false)
	if e.Time == nil {
		bad("time", "missing")
	}
	for i, a := range e.Address {
		if !IsIPv4(a.IP) {
			bad(fmt.Sprintf("address[%d].ip", i), "%q is not an IPv4 address", a.IP)
		}
		if a.CC != "" && !reCC.MatchString(a.CC) {
			bad(fmt.Sprintf("address[%d].cc", i), "%q is not a country code", a.CC)
		}
		if a.ASN != nil && (*a.ASN < 0 || *a.ASN > 4294967295) {
			bad(fmt.Sprintf("address[%d].asn", i), "%d is not an AS number", *a.ASN)
		}
	}
	for _, p := range []struct {
		key  string
		port *int64
	}{{"sport", e.Sport}, {"dport", e.Dport}} {
		if p.port != nil && (*p.port < 0 || *p.port > 65535) {
			bad(p.key, "%d is not a port", *p.port)
		}
	}
	if e.Dip != "" && !IsIPv4(e.Dip) {
		bad("dip", "%q is not an IPv4 address", e.Dip)
	}
	for _, h := range []struct {
		key, v string
		n      int
	}{{"md5", e.MD5, 32}, {"sha1", e.SHA1, 40}, {"sha256", e.SHA256, 64}, {"x509fp_sha1", e.X509FPSHA1, 40}, {"rid", e.RID, 32}, {"replaces", e.Replaces, 32}} {
		if h.v != "" && (len(h.v) != h.n || !reHex.MatchString(h.v)) {
			bad(h.key, "%q is not %d lowercase hexadecimal digits", h.v, h.n)
		}
	}
	if e.Count != nil && (*e.Count < 0 || *e.Count > 4294967295) {
		bad("count", "%d is out of range", *e.Count)
	}
	for _, l := range []struct {
		key string
		v   string
		max int
	}{{"name", e.Name, 255}, {"target", e.Target, 100}, {"action", e.Action, 32}, {"phone", e.Phone, 20}, {"registrar", e.Registrar, 100}, {"username", e.Username, 64}, {"url_pattern", e.URLPattern, 255}} {
		if len([]rune(l.v)) > l.max {
			bad(l.key, "longer than %d characters", l.max)
		}
	}
	return errors.Join(errs...)
}

// Decode reads one n6 event (a JSON object) and validates it. Attributes
// without a typed field are kept in Other.
func Decode(raw []byte) (*Event, error) {
	var e Event
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&e); err != nil {
		return nil, fmt.Errorf("not an n6 event: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not an n6 event: data after the JSON object")
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("not an n6 event: %w", err)
	}
	for k, v := range all {
		if _, typed := keys[k]; !typed {
			if e.Other == nil {
				e.Other = map[string]json.RawMessage{}
			}
			e.Other[k] = v
		}
	}
	// encoding/json matches keys case-insensitively; n6's are lowercase.
	for k := range all {
		if _, typed := keys[strings.ToLower(k)]; typed && k != strings.ToLower(k) {
			return nil, fmt.Errorf("not an n6 event: key %q is not lowercase", k)
		}
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return &e, nil
}

// AppendJSON appends e as one line of JSON (no newline): the typed
// attributes in n6's order, then Other's by key.
func (e *Event) AppendJSON(dst []byte) ([]byte, error) {
	out, err := transformers.AppendJSONLine(nil, e)
	if err != nil || len(e.Other) == 0 {
		return append(dst, out...), err
	}
	dst = append(dst, out[:len(out)-1]...)
	for _, k := range sortedKeys(e.Other) {
		kb, _ := json.Marshal(k)
		v := e.Other[k]
		if _, typed := keys[k]; typed {
			return dst, fmt.Errorf("attribute %s: has a typed field and cannot be in Other", k)
		}
		if !json.Valid(v) {
			return dst, fmt.Errorf("attribute %s: not JSON", k)
		}
		dst = append(dst, ',')
		dst = append(dst, kb...)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	return append(dst, '}'), nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
