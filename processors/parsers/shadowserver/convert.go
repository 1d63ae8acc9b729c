package shadowserver

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
)

// The conversion functions the schema names, with the semantics of
// IntelMQ's Shadowserver parser (intelmq/bots/parsers/shadowserver/
// _config.py): each takes a column's text (and, for some, the whole row)
// and returns a value of some kind, or none (the column is then left out).
// An error fails the row, as a Python exception does in IntelMQ.

// kind is the kind of a converted value.
type kind uint8

const (
	kNone kind = iota
	kText
	kInt    // fits int64
	kBigInt // decimal digits in s
	kFloat
	kBool
	kTime // the instant in n (Unix seconds, UTC); its text is s + " UTC"
)

// value is the result of a conversion: Python's None, str, int, float or
// bool. It is small (32 bytes), as it is passed around for every column:
// n holds an integer, a float's bits, 0 or 1 for a boolean, or a time's
// Unix seconds.
type value struct {
	k kind
	s string
	n int64
}

func text(s string) value { return value{k: kText, s: s} }

func boolean(b bool) value {
	if b {
		return value{k: kBool, n: 1}
	}
	return value{k: kBool}
}

func float(f float64) value { return value{k: kFloat, n: int64(math.Float64bits(f))} }

func (v value) float() float64 { return math.Float64frombits(uint64(v.n)) }

// none is Python's None.
var none = value{}

// field returns the value as Add takes it.
func (v value) field() any {
	switch v.k {
	case kText, kBigInt:
		return v.s
	case kInt:
		return v.n
	case kFloat:
		return v.float()
	case kBool:
		return v.n == 1
	case kTime:
		return time.Unix(v.n, 0).UTC()
	}
	return nil
}

// extra returns the value as an extra value, which keeps its kind.
func (v value) extra() dho.Value {
	switch v.k {
	case kText:
		return dho.String(v.s)
	case kTime:
		return dho.String(v.s + " UTC")
	case kInt:
		return dho.Int(v.n)
	case kBigInt:
		b, err := dho.BigInt(v.s)
		if err != nil {
			return dho.String(v.s)
		}
		return b
	case kFloat:
		return dho.Float(v.float())
	case kBool:
		return dho.Bool(v.n == 1)
	}
	return dho.Null()
}

// rowView gives functions that take the whole row access to it, with
// Python's dictionary semantics: has is "name in row", get is row.get(name)
// (present is false for a missing key and for a column the row is too short
// to have, which Python reads as None).
type rowView interface {
	has(name string) bool
	get(name string) (s string, present bool)
}

type convFunc func(v string, row rowView) (value, error)

// conversions maps the schema's function names to their implementations.
var conversions = map[string]convFunc{
	"add_UTC_to_timestamp":      func(v string, _ rowView) (value, error) { return addUTC(v), nil },
	"convert_bool":              func(v string, _ rowView) (value, error) { return convertBool(v), nil },
	"validate_to_none":          func(v string, _ rowView) (value, error) { return validateToNone(v), nil },
	"convert_int":               func(v string, _ rowView) (value, error) { return convertInt(v) },
	"convert_float":             func(v string, _ rowView) (value, error) { return convertFloat(v) },
	"convert_http_host_and_url": convertHTTPHostAndURL,
	"invalidate_zero":           func(v string, _ rowView) (value, error) { return invalidateZero(v) },
	"validate_ip":               func(v string, _ rowView) (value, error) { return validateIP(v), nil },
	"validate_network":          func(v string, _ rowView) (value, error) { return validateNetwork(v), nil },
	"validate_fqdn":             func(v string, _ rowView) (value, error) { return validateFQDN(v), nil },
	"convert_date":              func(v string, _ rowView) (value, error) { return convertDate(v), nil },
	"convert_date_utc":          func(v string, _ rowView) (value, error) { return convertDate(v + "+00:00"), nil },
	"force_base64":              func(v string, _ rowView) (value, error) { return forceBase64(v), nil },
	"scan_exchange_taxonomy": func(v string, _ rowView) (value, error) {
		return text(ifWebshell(v, "intrusions", "vulnerable")), nil
	},
	"scan_exchange_type": func(v string, _ rowView) (value, error) {
		return text(ifWebshell(v, "system-compromise", "vulnerable-system")), nil
	},
	"scan_exchange_identifier": func(v string, _ rowView) (value, error) {
		return text(ifWebshell(v, "exchange-server-webshell", "vulnerable-exchange-server")), nil
	},
	"category_or_detail":   categoryOrDetail,
	"extract_cve_from_tag": func(v string, _ rowView) (value, error) { return extractCVEFromTag(v), nil },
	"set_tor_node":         func(v string, _ rowView) (value, error) { return setTorNode(v), nil },
}

// Conversions lists the names of the conversion functions the parser
// knows, sorted.
func Conversions() []string {
	names := make([]string, 0, len(conversions))
	for k := range conversions {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// addUTC marks a time as UTC by appending " UTC". Shadowserver's usual
// form, "2006-01-02 15:04:05", is also read here, which saves the event
// the general date parser; the result is the same instant.
func addUTC(v string) value {
	if sec, ok := plainTime(v); ok {
		return value{k: kTime, s: v, n: sec}
	}
	return text(v + " UTC")
}

// plainTime reads exactly "2006-01-02 15:04:05" as UTC, in Unix seconds.
func plainTime(v string) (int64, bool) {
	if len(v) != 19 || v[4] != '-' || v[7] != '-' || v[10] != ' ' || v[13] != ':' || v[16] != ':' {
		return 0, false
	}
	var n [6]int
	for i, at := range [6]int{0, 5, 8, 11, 14, 17} {
		width := 2
		if i == 0 {
			width = 4
		}
		for j := at; j < at+width; j++ {
			c := v[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	y, m, d := n[0], n[1], n[2]
	if !sanitize.ValidDate(y, m, d) || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return 0, false
	}
	return daysFromCivil(y, m, d)*86400 + int64(n[3]*3600+n[4]*60+n[5]), true
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d
// (proleptic Gregorian; years from 1).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}

// convertBool reads yes/no words; anything else is none.
func convertBool(v string) value {
	switch strings.ToLower(v) {
	case "y", "yes", "true", "enabled", "1":
		return boolean(true)
	case "n", "no", "false", "disabled", "0":
		return boolean(false)
	}
	return none
}

// validateToNone drops empty text, "0" and "unknown".
func validateToNone(v string) value {
	if v == "" || v == "0" || v == "unknown" {
		return none
	}
	return text(v)
}

// convertInt reads an integer; empty text is none, other text that is no
// integer fails.
func convertInt(v string) (value, error) {
	if v == "" {
		return none, nil
	}
	return pyInt(v)
}

// invalidateZero is convertInt that also drops 0.
func invalidateZero(v string) (value, error) {
	if v == "" {
		return none, nil
	}
	n, err := pyInt(v)
	if err != nil {
		return none, err
	}
	if n.k == kInt && n.n == 0 {
		return none, nil
	}
	return n, nil
}

// convertFloat reads a number as a float; empty text is none.
func convertFloat(v string) (value, error) {
	if v == "" {
		return none, nil
	}
	f, err := pyFloat(v)
	if err != nil {
		return none, err
	}
	return float(f), nil
}

// validateIP keeps a single IP address (not 0.0.0.0, not a network).
func validateIP(v string) value {
	if v == "0.0.0.0" || strings.Contains(v, "/") {
		return none
	}
	if _, err := sanitize.IPAddress(v); err != nil {
		return none
	}
	return text(v)
}

// validateNetwork keeps a network in CIDR notation.
func validateNetwork(v string) value {
	if !strings.Contains(v, "/") {
		return none
	}
	if _, err := sanitize.IPNetwork(v); err != nil {
		return none
	}
	return text(v)
}

// validateFQDN keeps a valid domain name.
func validateFQDN(v string) value {
	if v == "" {
		return none
	}
	if _, err := sanitize.FQDN(v); err != nil {
		return none
	}
	return text(v)
}

// convertDate reads a date and time as IntelMQ's DateTime sanitation does
// (a canonical value is kept as written, anything else parsed loosely) and
// returns IntelMQ's form of it; text that is no date is none.
func convertDate(v string) value {
	if strings.HasSuffix(v, "+00:00") && len(v) >= 25 && v[10] == 'T' {
		if s, err := sanitize.DateTimeString(v); err == nil {
			return text(s) // IntelMQ's own form, kept as written
		}
	}
	if s, ok := sanitize.HTTPDate(v); ok {
		return text(s)
	}
	if t, ok := httpDate(v); ok {
		return text(sanitize.FormatDateTime(t))
	}
	t, err := sanitize.FromFuzzy(v)
	if err != nil {
		return none
	}
	return text(sanitize.FormatDateTime(t))
}

// httpDate reads the HTTP date form, "Mon, 02 Jan 2006 15:04:05 GMT",
// quickly; the general parser gives the same instant (the weekday is not
// checked by either).
func httpDate(v string) (time.Time, bool) {
	if len(v) != 29 || v[3] != ',' || !strings.HasSuffix(v, " GMT") {
		return time.Time{}, false
	}
	t, err := time.Parse("Mon, 02 Jan 2006 15:04:05 GMT", v) // a literal GMT: no zone to make
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// forceBase64 keeps base64 text and encodes anything else.
func forceBase64(v string) value {
	if v == "" {
		return none
	}
	if !strings.ContainsAny(v, "\r\n") {
		if _, err := base64.StdEncoding.DecodeString(v); err == nil {
			return text(v)
		}
	}
	return text(base64.StdEncoding.EncodeToString([]byte(v)))
}

func ifWebshell(v, yes, no string) string {
	if strings.Contains(v, "webshell") {
		return yes
	}
	return no
}

// categoryOrDetail returns the row's category, or when that is empty its
// detail.
func categoryOrDetail(_ string, row rowView) (value, error) {
	c, ok := row.get("category")
	if !ok && row.has("category") {
		return none, nil // Python's None is not "": it is returned
	}
	if c != "" {
		return text(c), nil
	}
	d, ok := row.get("detail")
	if !ok && row.has("detail") {
		return none, nil
	}
	return text(d), nil // a missing column reads as ""

}

// extractCVEFromTag returns the CVE ids among the ";"-separated tags,
// sorted and joined by ";", or none.
func extractCVEFromTag(v string) value {
	if !strings.Contains(v, "cve-") {
		return none
	}
	// Most tags name one CVE: it is returned as a part of v.
	var one string
	var cves []string
	for t := range strings.SplitSeq(v, ";") {
		switch {
		case !isCVE(t) || t == one || slices.Contains(cves, t):
		case one == "":
			one = t
		default:
			if cves == nil {
				cves = append(cves, one)
			}
			cves = append(cves, t)
		}
	}
	switch {
	case one == "":
		return none
	case cves == nil:
		return text(one)
	}
	slices.Sort(cves)
	return text(strings.Join(cves, ";"))
}

// isCVE matches ^cve-[0-9]+-[0-9]+$ as Python's re.match does ($ also
// matches before a final newline).
func isCVE(t string) bool {
	t = strings.TrimSuffix(t, "\n")
	rest, ok := strings.CutPrefix(t, "cve-")
	if !ok {
		return false
	}
	a, b, ok := strings.Cut(rest, "-")
	return ok && asciiDigits(a) && asciiDigits(b)
}

func asciiDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// setTorNode marks a Tor node when the column holds anything.
func setTorNode(v string) value {
	if v == "" {
		return none
	}
	return boolean(true)
}

// convertHTTPHostAndURL builds a URL from the row's host and path columns,
// whose names differ between reports (cc_dns, http_host, hostname or ip;
// url or http_url); without both it returns the column's own text.
func convertHTTPHostAndURL(v string, row rowView) (value, error) {
	host := ""
	for _, col := range []string{"cc_dns", "http_host", "hostname", "ip"} {
		if host != "" {
			break
		}
		if row.has(col) {
			host, _ = row.get(col)
		}
	}
	path := ""
	if row.has("url") {
		path, _ = row.get("url")
	} else if row.has("http_url") {
		path, _ = row.get("http_url")
	}
	if host == "" || path == "" {
		return text(v), nil
	}
	// Keep the path from its first "/" up to the first white space: some
	// reports give the whole request line ("GET /x HTTP/1.1").
	if i := strings.IndexByte(path, '/'); i >= 0 {
		path = path[i:]
	} else {
		path = ""
	}
	if i := indexPySpace(path); i >= 0 {
		path = path[:i]
	}
	app := "http"
	if a, ok := row.get("application"); ok && (a == "http" || a == "https") {
		app = a
	}
	return text(app + "://" + host + path), nil
}

// indexPySpace returns the index of the first character Python's \s
// matches, or -1.
func indexPySpace(s string) int {
	for i, r := range s {
		if r < utf8.RuneSelf {
			if r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f) {
				return i
			}
		} else if unicode.IsSpace(r) {
			return i
		}
	}
	return -1
}

// errNotNumber is wrapped by the errors of pyInt and pyFloat.
var errNotNumber = errors.New("not a number")

// trimPySpace strips what Python's int() and float() ignore around a
// number.
func trimPySpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f) || (r >= utf8.RuneSelf && unicode.IsSpace(r))
	})
}

// pyInt reads an integer as Python's int(text) does: white space around,
// an optional sign, ASCII digits with single underscores between them.
// Integers beyond 64 bits keep their digits.
func pyInt(s string) (value, error) {
	if n, ok := plainInt(s); ok {
		return value{k: kInt, n: n}, nil
	}
	t := trimPySpace(s)
	digits, ok := pyDigits(t)
	if !ok {
		return none, fmt.Errorf("%w: invalid literal for int(): %q", errNotNumber, s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err == nil {
		return value{k: kInt, n: n}, nil
	}
	// Beyond int64: keep the digits, without leading zeros.
	neg := strings.HasPrefix(digits, "-")
	d := strings.TrimLeft(strings.TrimPrefix(digits, "-"), "0")
	if neg {
		d = "-" + d
	}
	return value{k: kBigInt, s: d}, nil
}

// plainInt reads the common case quickly: an optional "-" and at most 18
// ASCII digits.
func plainInt(s string) (int64, bool) {
	t := s
	neg := false
	if t != "" && t[0] == '-' {
		neg, t = true, t[1:]
	}
	if t == "" || len(t) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// pyDigits checks [+-]?digits(_digits)* and returns it without "+" and
// underscores.
func pyDigits(t string) (string, bool) {
	sign := ""
	if t != "" && (t[0] == '+' || t[0] == '-') {
		if t[0] == '-' {
			sign = "-"
		}
		t = t[1:]
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(sign) + len(t))
	b.WriteString(sign)
	prevUnderscore := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			prevUnderscore = false
		case c == '_' && !prevUnderscore:
			prevUnderscore = true
		default:
			return "", false
		}
	}
	return b.String(), true
}

// pyFloat reads a number as Python's float(text) does: decimal notation
// with an optional exponent, underscores between digits, "nan", "inf" and
// "infinity" in any case, white space around. Too large a number is
// infinite, as in Python.
func pyFloat(s string) (float64, error) {
	t := trimPySpace(s)
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", errNotNumber, s)
	}
	switch strings.ToLower(body) {
	case "nan", "inf", "infinity":
		f, _ := strconv.ParseFloat(t, 64)
		return f, nil
	}
	if !pyDecimal(body) {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", errNotNumber, s)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", errNotNumber, s)
	}
	return f, nil
}

// pyDecimal checks digits[.digits][(e|E)[+-]digits] where either side of
// the point may be empty (not both) and single underscores may separate
// digits.
func pyDecimal(s string) bool {
	i := 0
	run := func() int { // digits with single underscores between them
		start := i
		for i < len(s) {
			if s[i] >= '0' && s[i] <= '9' {
				i++
			} else if s[i] == '_' && i > start && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				i++
			} else {
				break
			}
		}
		return i - start
	}
	n := run()
	if i < len(s) && s[i] == '.' {
		i++
		n += run()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if run() == 0 {
			return false
		}
	}
	return i == len(s)
}
