package sieve

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/dho/sanitize"
	"github.com/intelstream/intelstream/processors/experts/internal/experttest"
	"github.com/intelstream/intelstream/topology"
)

// base is the event most cases start from.
func base() map[string]any {
	return map[string]any{
		"source.ip":           "192.0.2.7",
		"source.port":         []int64{80, 443},
		"source.fqdn":         "www.example.com",
		"classification.type": "scanner",
		"feed.name":           "acme-security",
		"feed.accuracy":       90.0,
		"source.asn":          int64(64496),
		"malware.name":        []string{"mirai", "gafgyt"},
		"time.source":         "2024-01-02T03:04:05+00:00",
		"extra.tags":          []any{"iot", "vulnerable", "ics"},
		"extra.host_tuple":    []any{"dns.google", 53},
		"extra.known_vulns":   true,
		"extra.count":         7,
		"extra.note":          "hello world",
	}
}

// ifMark wraps a condition in a rule that marks a matching event.
func ifMark(cond string) string { return "if " + cond + " { add! comment = 'match' }" }

func TestConditions(t *testing.T) {
	tests := []struct {
		cond string
		want bool
	}{
		{":exists source.fqdn", true},
		{":exists destination.fqdn", false},
		{":notexists destination.fqdn", true},
		{":notexists source.fqdn", false},
		{":exists extra.note", true},
		{":exists extra.nope", false},
		// == and != on text
		{"feed.name == 'acme-security'", true},
		{"feed.name == 'other'", false},
		{"feed.name != 'other'", true},
		{"feed.name != 'acme-security'", false},
		{"destination.fqdn != 'x'", true}, // missing: != holds against text
		{"destination.fqdn == 'x'", false},
		{"source.ip == '192.0.2.7'", true},
		{"time.source == '2024-01-02T03:04:05+00:00'", true},
		{"malware.name == 'gafgyt'", true}, // one of the values
		{"malware.name != 'gafgyt'", false},
		{"malware.name != 'emotet'", true},
		// numbers
		{"feed.accuracy == 90", true},
		{"feed.accuracy == 90.0", true},
		{"feed.accuracy != 90", false},
		{"feed.accuracy != 50", true},
		{"source.asn == 64496", true},
		{"source.port == 443", true},
		{"source.port != 443", false},
		{"source.port < 100", true},
		{"source.port > 500", false},
		{"source.port >= 443", true},
		{"source.port <= 79", false},
		{"feed.accuracy > 89.5", true},
		{"feed.accuracy < 89.5", false},
		{"extra.count >= 7", true},
		{"extra.note > 1", false}, // text is no number
		{"destination.port == 1", false},
		{"destination.port != 1", false}, // missing: numeric != is false
		// booleans
		{"extra.known_vulns == true", true},
		{"extra.known_vulns == false", false},
		{"extra.known_vulns != false", true},
		{"extra.note == true", false},
		{"extra.missing != true", false},
		// text operators
		{"source.fqdn :contains 'example'", true},
		{"source.fqdn :contains 'exempel'", false},
		{"source.fqdn =~ '^www\\.'", true},
		{"source.fqdn =~ '^ftp\\.'", false},
		{"source.fqdn !~ '^ftp\\.'", true},
		{"source.fqdn !~ 'example'", false},
		{"destination.fqdn !~ 'x'", true},
		{"destination.fqdn =~ 'x'", false},
		{"source.port =~ '^44'", true},                  // numbers read as text
		{"extra.tags :contains 'vulnerable'", true},     // a list reads as JSON
		{"time.source :contains '2024-01-02T03'", true}, // a time reads as ISO text
		{"extra.known_vulns =~ '^true$'", true},         // booleans read as true/false
		{"source.fqdn =~ \"example\\.com$\"", true},     // double quotes
		// lists of strings and numbers
		{"classification.type :in ['phishing', 'scanner']", true},
		{"classification.type :in ['phishing']", false},
		{"source.port :in [22, 80]", true},
		{"source.port :in [22, 23]", false},
		{"source.ip :in ['192.0.2.7', '192.0.2.8']", true},
		{"source.fqdn :containsany ['foo', 'exam']", true},
		{"source.fqdn :containsany ['foo', 'bar']", false},
		{"source.fqdn :regexin ['^ftp', 'com$']", true},
		{"source.fqdn :regexin ['^ftp', 'net$']", false},
		{"destination.fqdn :in ['x']", false},
		// IP ranges
		{"source.ip << '192.0.2.0/24'", true},
		{"source.ip << '192.0.2.5/24'", true}, // host bits allowed
		{"source.ip << '10.0.0.0/8'", false},
		{"source.ip << ['10.0.0.0/8', '192.0.0.0/16']", true},
		{"source.ip << '192.0.2.7'", true},
		{"source.ip << '2001:db8::/32'", false},
		{"destination.ip << '0.0.0.0/0'", false},
		// dates
		{"time.source :before '2024-01-03'", true},
		{"time.source :before '2024-01-02'", false},
		{"time.source :after '2024-01-02'", true},
		{"time.source :after '2024-01-02T03:04:05+00:00'", false},
		{"time.source :before '1 day'", true}, // long ago
		{"time.source :after '1 week'", false},
		{"time.observation :before '1 day'", false}, // missing
		// list operators
		{"extra.host_tuple :equals ['dns.google', 53]", true},
		{"extra.host_tuple :equals [53, 'dns.google']", false},
		{"extra.tags :setequals ['ics', 'iot', 'vulnerable', 'iot']", true},
		{"extra.tags :setequals ['ics', 'iot']", false},
		{"extra.tags :overlaps ['database', 'ics']", true},
		{"extra.tags :overlaps ['database']", false},
		{"extra.tags :subsetof ['iot', 'vulnerable', 'ics', 'database']", true},
		{"extra.tags :subsetof ['iot', 'vulnerable']", false},
		{"extra.tags :supersetof ['iot', 'vulnerable']", true},
		{"extra.tags :supersetof ['iot', 'database']", false},
		{"malware.name :equals ['mirai', 'gafgyt']", true},
		{"source.port :setequals [443, 80]", true},
		{"extra.note :equals ['hello world']", false}, // not a list
		{"malware.name :equals []", false},
		// boolean logic
		{"feed.name == 'x' || source.port == 80", true},
		{"feed.name == 'x' || source.port == 81", false},
		{"feed.name == 'acme-security' && source.port == 80", true},
		{"feed.name == 'acme-security' && source.port == 81", false},
		{"! feed.name == 'x'", true},
		{"!feed.name == 'acme-security'", false},
		{"! (feed.name == 'acme-security' && source.port == 81)", true},
		{"(source.ip == '192.0.2.7') && (comment == 'x' || classification.type == 'scanner')", true},
		{"feed.name == 'x' || feed.name == 'y' && source.port == 80", false}, // && binds tighter
		{"feed.name == 'acme-security' || feed.name == 'y' && source.port == 81", true},
		{"! source.ip :contains '127.0.0.' || ! ( source.ip == '172.16.0.5' && source.port == 25 )", true},
		{"!!(:exists source.ip)", true},
	}
	for _, tc := range tests {
		t.Run(tc.cond, func(t *testing.T) {
			prog, err := Parse(ifMark(tc.cond))
			if err != nil {
				t.Fatal(err)
			}
			e := experttest.Event(t, base())
			if _, err := prog.Run(e); err != nil {
				t.Fatal(err)
			}
			if got := e.Comment == "match"; got != tc.want {
				t.Errorf("matched %v, want %v", got, tc.want)
			}
		})
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		name    string
		rules   string
		event   map[string]any
		want    map[string]string // nil: dropped
		verdict Verdict
		paths   []string
	}{
		{"add sets an unset field", "add comment = 'hello, world'",
			map[string]any{}, map[string]string{"comment": "hello, world"}, Continue, nil},
		{"add leaves a set field", "add comment = 'new'",
			map[string]any{"comment": "old"}, map[string]string{"comment": "old"}, Continue, nil},
		{"add! overwrites", "add! comment = 'new'",
			map[string]any{"comment": "old"}, map[string]string{"comment": "new"}, Continue, nil},
		{"update changes a set field", "update feed.accuracy = 50",
			map[string]any{"feed.accuracy": 90.0}, map[string]string{"feed.accuracy": "50.0"}, Continue, nil},
		{"update leaves an unset field", "update feed.accuracy = 50",
			map[string]any{}, map[string]string{}, Continue, nil},
		{"add a number and a boolean to extra", "add extra.n = 5 add extra.f = 1.5 add extra.b = false",
			map[string]any{}, map[string]string{"extra.n": "5", "extra.f": "1.5", "extra.b": "false"}, Continue, nil},
		{"number into a text field", "add comment = 12",
			map[string]any{}, map[string]string{"comment": "12"}, Continue, nil},
		{"add to a multi-valued field replaces nothing", "add source.ip = '192.0.2.9'",
			map[string]any{"source.ip": "192.0.2.1"}, map[string]string{"source.ip": "192.0.2.1"}, Continue, nil},
		{"add! on a multi-valued field replaces its values", "add! source.ip = '192.0.2.9'",
			map[string]any{"source.ip": []string{"192.0.2.1", "192.0.2.2"}}, map[string]string{"source.ip": "192.0.2.9"}, Continue, nil},
		{"time arithmetic", "update time.source += '1 hour' add! time.observation -= '2 days'",
			map[string]any{"time.source": "2024-01-02T03:04:05+00:00", "time.observation": "2024-01-02T00:00:00+00:00"},
			map[string]string{"time.source": "2024-01-02T04:04:05+00:00", "time.observation": "2023-12-31T00:00:00+00:00"}, Continue, nil},
		{"time arithmetic on extra text", "update extra.seen += '30 minutes'",
			map[string]any{"extra.seen": "2024-01-02T03:04:05+00:00"}, map[string]string{"extra.seen": "2024-01-02T03:34:05+00:00"}, Continue, nil},
		{"time arithmetic with add on an unset field does nothing", "add time.source += '1 hour'",
			map[string]any{}, map[string]string{}, Continue, nil},
		{"remove", "remove comment remove extra.x remove feed.code",
			map[string]any{"comment": "c", "extra.x": 1, "feed.name": "f"}, map[string]string{"feed.name": "f"}, Continue, nil},
		{"append to unset extra", "append extra.list 'a'",
			map[string]any{}, map[string]string{"extra.list": `["a"]`}, Continue, nil},
		{"append to an extra list", "append extra.list 2",
			map[string]any{"extra.list": []any{"a"}}, map[string]string{"extra.list": `["a", 2]`}, Continue, nil},
		{"append leaves an extra single value", "append extra.one 'b'",
			map[string]any{"extra.one": "a"}, map[string]string{"extra.one": "a"}, Continue, nil},
		{"append! turns an extra single value into a list", "append! extra.one 'b'",
			map[string]any{"extra.one": "a"}, map[string]string{"extra.one": `["a", "b"]`}, Continue, nil},
		{"append to a multi-valued field", "append malware.name 'Emotet' append! source.port 8080",
			map[string]any{"malware.name": "mirai", "source.port": 80}, map[string]string{"malware.name": "mirai,emotet", "source.port": "80,8080"}, Continue, nil},
		{"drop", "add comment = 'x' drop add feed.name = 'y'",
			map[string]any{}, nil, Drop, nil},
		{"keep stops", "if :exists feed.name { keep } add comment = 'not reached'",
			map[string]any{"feed.name": "f"}, map[string]string{"feed.name": "f"}, Keep, nil},
		{"path", "path 'other-path'",
			map[string]any{}, map[string]string{}, Continue, []string{"other-path"}},
		{"path list, last one wins", "path 'a' path ['one', 'two']",
			map[string]any{}, map[string]string{}, Continue, []string{"one", "two"}},
		{"if elif else: if", "if feed.name == 'a' { add comment = 'if' } elif feed.name == 'b' { add comment = 'elif' } else { add comment = 'else' }",
			map[string]any{"feed.name": "a"}, map[string]string{"feed.name": "a", "comment": "if"}, Continue, nil},
		{"if elif else: elif", "if feed.name == 'a' { add comment = 'if' } elif feed.name == 'b' { add comment = 'elif' } else { add comment = 'else' }",
			map[string]any{"feed.name": "b"}, map[string]string{"feed.name": "b", "comment": "elif"}, Continue, nil},
		{"if elif else: else", "if feed.name == 'a' { add comment = 'if' } elif feed.name == 'b' { add comment = 'elif' } else { add comment = 'else' }",
			map[string]any{"feed.name": "c"}, map[string]string{"feed.name": "c", "comment": "else"}, Continue, nil},
		{"nested rules and actions in one scope", `
			add extra.a = 1
			if :exists feed.name {
				add extra.b = 2
				if feed.name == 'f' { add extra.c = 3 } else { add extra.d = 4 }
				add extra.e = 5
			}
			add extra.f = 6`,
			map[string]any{"feed.name": "f"}, map[string]string{"feed.name": "f", "extra.a": "1", "extra.b": "2", "extra.c": "3", "extra.e": "5", "extra.f": "6"}, Continue, nil},
		{"drop inside a nested rule ends the program", "if :exists feed.name { if feed.name == 'f' { drop } } add comment = 'x'",
			map[string]any{"feed.name": "f"}, nil, Drop, nil},
		{"variables as value and key", `
			$name = feed.name
			$k = extra.target
			if feed.code == $name { add! $k = $name }`,
			map[string]any{"feed.name": "acme", "feed.code": "acme", "extra.target": "comment"},
			map[string]string{"feed.name": "acme", "feed.code": "acme", "extra.target": "comment", "comment": "acme"}, Continue, nil},
		{"variable pattern", "$p = extra.p if feed.name =~ $p { add comment = 'm' }",
			map[string]any{"feed.name": "acme", "extra.p": "^ac"}, map[string]string{"feed.name": "acme", "extra.p": "^ac", "comment": "m"}, Continue, nil},
		{"variable number", "$n = extra.n if source.port > $n { add comment = 'm' }",
			map[string]any{"source.port": 80, "extra.n": 10}, map[string]string{"source.port": "80", "extra.n": "10", "comment": "m"}, Continue, nil},
		{"comments", "# a comment\nadd comment = 'x' // another\n// add feed.name = 'y'",
			map[string]any{}, map[string]string{"comment": "x"}, Continue, nil},
		{"escaped quote", `add comment = 'it\'s'`,
			map[string]any{}, map[string]string{"comment": "it's"}, Continue, nil},
		{"IntelMQ's documented example", `
			if :exists source.fqdn {
			 keep // aborts processing of subsequent rules and forwards the event.
			}
			if :notexists source.abuse_contact || source.abuse_contact =~ '.*@example.com' {
			 drop // aborts processing of subsequent rules and drops the event.
			}`,
			map[string]any{"source.abuse_contact": "abuse@example.org"}, map[string]string{"source.abuse_contact": "abuse@example.org"}, Continue, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := Parse(tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			e := experttest.Event(t, tc.event)
			r, err := prog.Run(e)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tc.verdict {
				t.Errorf("verdict %v, want %v", r.Verdict, tc.verdict)
			}
			if strings.Join(r.Paths, "|") != strings.Join(tc.paths, "|") {
				t.Errorf("paths %q, want %q", r.Paths, tc.paths)
			}
			if tc.want != nil {
				if d := experttest.Diff(e, tc.want); d != "" {
					t.Errorf("fields differ:%s", d)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct{ rules, want string }{
		{"if feed.name == $x { drop }", "line 1, column 17: variable $x used before it is set"},
		{"$x = feed.code", "the event has no feed.code"},
		{"add! classification.type = $v", "$v used before"},
		{"$v = extra.v add! source.ip = $v", "source.ip"},
		{"$k = extra.list add! $k = 1", "not a field name"},
		{"$k = extra.bad add! $k = 1", "unknown field"},
		{"update extra.v += '1 hour'", "not a time to add to"},
		{"$p = extra.v if feed.name =~ $p { drop }", "regular expression"},
	}
	for _, tc := range tests {
		prog, err := Parse(tc.rules)
		if err != nil {
			t.Fatalf("%s: %v", tc.rules, err)
		}
		e := experttest.Event(t, map[string]any{"feed.name": "f", "extra.v": "not an ip (", "extra.list": []any{1}, "extra.bad": "No Field"})
		_, err = prog.Run(e)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.rules, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"if", "line 1, column 3: expected a field name, found end of file"},
		{"if :exists source.fqdn { keep", `line 1, column 30: expected "}"`},
		{"if :exists source.fqdn keep }", `line 1, column 24: expected "{"`},
		{"\n  if feed.nme == 'x' { drop }", `line 2, column 6: unknown field "feed.nme"`},
		{"if Feed.Name == 'x' { drop }", "not a field name"},
		{"if feed.name =~ '(' { drop }", "line 1, column 17: regular expression"},
		{"if feed.name :regexin ['a', '['] { drop }", "line 1, column 29: regular expression"},
		{"if source.ip << '10.0.0.0/33' { drop }", "line 1, column 17: invalid IP range"},
		{"if source.ip << [] { drop }", "at least one network"},
		{"if source.ip == '10.0.0.300' { drop }", "not an IP address"},
		{"if source.ip :in ['10.0.0.1', 'x'] { drop }", "line 1, column 31: \"x\" is not an IP address"},
		{"if feed.name == 5 { drop }", "numbers compare only with"},
		{"if feed.name < 5 { drop }", "numbers compare only with"},
		{"if feed.accuracy < 'x' { drop }", "compares with a number"},
		{"if feed.name :in ['a', 1] { drop }", "not both"},
		{"if feed.name :containsany [1] { drop }", "takes strings"},
		{"if feed.name :in [] { drop }", "at least one value"},
		{"if time.source :before 'yesterday-ish' { drop }", "neither a time nor a relative time"},
		{"if feed.name ~= 'x' { drop }", "unexpected character '~'"},
		{"if feed.name 'x' { drop }", "expected an operator"},
		{"if feed.name :like 'x' { drop }", `unknown operator ":like"`},
		{"if feed.name == 'x { drop }", "string not closed"},
		{"elif feed.name == 'x' { drop }", "elif without if"},
		{"frobnicate", `unknown action "frobnicate"`},
		{"add comment 'x'", "expected =, += or -="},
		{"add classification.type = 'nonsense'", "classification.type"},
		{"add feed.accuracy = 'x'", "feed.accuracy"},
		{"add comment += '1 hour'", "works on time fields"},
		{"add time.source += 'an hour'", "not a relative time"},
		{"add time.source += 5", "relative time in quotes"},
		{"append comment 'x'", "holds one value"},
		{"path []", "at least one path name"},
		{"path [1]", "path names are strings"},
		{"$a = $b", "expected a field name"},
		{"if feed.name == 'x' { drop } @", "unexpected character '@'"},
		{"if feed.name == yes { drop }", "expected a value"},
		{"if : feed.name { drop }", "an operator name follows :"},
		{"if $ == 'x' { drop }", "a variable name follows $"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.src)
		var se *Error
		if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestNumbersAndWords(t *testing.T) {
	// 1.2.3.4 unquoted is a word, not a number; numbers take signs and exponents.
	if _, err := Parse("if feed.accuracy > -1.5e1 { drop }"); err != nil {
		t.Error(err)
	}
	if _, err := Parse("if source.port == 1.2.3.4 { drop }"); err == nil {
		t.Error("unquoted address accepted as a value")
	}
	prog, err := Parse("if extra.x == 3 { add comment = 'int' } if extra.y == 0.5 { add! output = '\"f\"' }")
	if err != nil {
		t.Fatal(err)
	}
	e := experttest.Event(t, map[string]any{"extra.x": 3.0, "extra.y": 0.5})
	if _, err := prog.Run(e); err != nil {
		t.Fatal(err)
	}
	if e.Comment != "int" || e.Output != `"f"` {
		t.Errorf("comment %q output %q", e.Comment, e.Output)
	}
}

func TestRelativeTimes(t *testing.T) {
	now := time.Now().UTC()
	recent := sanitize.FormatDateTime(now.Add(-time.Hour))
	prog, err := Parse("if time.source :after '2 hours' { add comment = 'recent' } if time.source :before '30 minutes' { add! extra.old = true }")
	if err != nil {
		t.Fatal(err)
	}
	e := experttest.Event(t, map[string]any{"time.source": recent})
	if _, err := prog.Run(e); err != nil {
		t.Fatal(err)
	}
	if e.Comment != "recent" || !e.Has("extra.old") {
		t.Errorf("fields %v", experttest.Fields(e))
	}
}

func TestExpertPaths(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"rules": `
		if feed.name == 'drop-me' { drop }
		if feed.name == 'both' { path ['abuse', 'other'] }
		elif feed.name == 'one' { path 'abuse' }`})
	run := func(name string, tags ...string) []*dho.Event {
		e := experttest.Event(t, map[string]any{"feed.name": name})
		e.Tags = tags
		out, err := experttest.Run(t, x, e)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run("drop-me"); len(out) != 0 {
		t.Errorf("dropped event emitted %d times", len(out))
	}
	if out := run("plain"); len(out) != 1 || len(out[0].Tags) != 0 {
		t.Errorf("plain event: %d emitted", len(out))
	}
	out := run("one", "keep-me", "path:earlier")
	if len(out) != 1 || strings.Join(out[0].Tags, ",") != "keep-me,path:abuse" {
		t.Fatalf("one path: %d emitted, tags %v", len(out), out[0].Tags)
	}
	out = run("both")
	if len(out) != 2 || out[0] == out[1] {
		t.Fatalf("two paths: %d events", len(out))
	}
	for i, want := range []string{"abuse", "other"} {
		if p, ok := Path(out[i]); !ok || p != want {
			t.Errorf("copy %d has path %q, want %q", i, p, want)
		}
		r := Route(want)
		if r.Name != want || !r.Match(out[i]) || r.Match(out[1-i]) {
			t.Errorf("route %s does not take exactly copy %d", want, i)
		}
	}
	if _, ok := Path(&dho.Event{}); ok {
		t.Error("path of an untagged event")
	}
}

func TestParams(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sieve")
	bad := filepath.Join(dir, "bad.sieve")
	os.WriteFile(good, []byte("if :exists source.ip { drop }\n"), 0o644)
	os.WriteFile(bad, []byte("if :exists source.ip {\n  dorp\n}\n"), 0o644)
	if _, err := experttest.Build("intelmq.bots.experts.sieve.expert", map[string]any{"file": good, "logging_level": "DEBUG"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, "parameter file: required"},
		{map[string]any{"file": good, "rules": "drop"}, "parameter rules: give file or rules, not both"},
		{map[string]any{"file": filepath.Join(dir, "missing")}, "no such file"},
		{map[string]any{"file": bad}, "bad.sieve: line 2, column 3: unknown action \"dorp\""},
		{map[string]any{"rules": "if"}, "parameter rules: line 1"},
		{map[string]any{"flie": good}, "unknown parameter"},
	} {
		_, err := experttest.Build(Name, tc.params)
		var pe *topology.ParamError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &pe) {
			t.Errorf("%v: error %v, want %q", tc.params, err, tc.want)
		}
	}
}

func TestProcessError(t *testing.T) {
	x := experttest.New(t, Name, map[string]any{"rules": "$v = extra.v add! source.ip = $v"})
	e := experttest.Event(t, map[string]any{"extra.v": "no address"})
	out, err := experttest.Run(t, x, e)
	if err == nil || len(out) != 0 {
		t.Errorf("bad value: emitted %d, error %v", len(out), err)
	}
}
