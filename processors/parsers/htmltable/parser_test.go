package htmltable

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// TestGolden parses our fixtures in testdata and compares with the golden
// files byte for byte.
func TestGolden(t *testing.T) { parsertest.Golden(t, Name, "testdata") }

func TestBadParams(t *testing.T) {
	parsertest.BadParams(t, Name, map[string]map[string]any{
		"ignore_values: has 1 items": {"columns": "source.ip,source.fqdn", "ignore_values": "x"},
		"not a field name":           {"columns": []any{"source.ipp"}},
		"table_index":                {"table_index": 1.5},
		"time_format":                {"time_format": "sometimes"},
		"type":                       {"type": "bad type"},
	})
}

// TestSerialization holds rows as BeautifulSoup writes them back.
func TestSerialization(t *testing.T) {
	for in, want := range map[string]string{
		`<table><TR Class="b  a" id=x><td>a &amp; b<br></td><td>c<img src='i'/></td></tr></table>`: `<tr class="b a" id="x"><td>a &amp; b<br/></td><td>c<img src="i"/></td></tr>`,
		"<table><tr>\n   <td title='x\"y'>1</td>\t</tr></table>":                                   "<tr>\n<td title='x\"y'>1</td> </tr>",
		`<table><tr><td>open<td>nested</tr></table>`:                                               `<tr><td>open<td>nested</td></td></tr>`,
	} {
		rows := parseTree([]byte(in)).findAll("tr", nil)
		if len(rows) != 1 {
			t.Fatalf("%q: %d rows", in, len(rows))
		}
		if got := string(rows[0].appendHTML(nil)); got != want {
			t.Errorf("%q:\n got %s\nwant %s", in, got, want)
		}
	}
}

// FuzzParse: no panic, and every event survives IntelMQ's flat form.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Add([]byte("<table><tr><td>1<tr><td>2</table><br/><br></br><table x=1><tr><td>"))
	p, err := New(Config{Columns: []string{"time.source", "source.url|source.ip", "extra.x"}, SkipTableHead: true, Type: "scanner"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, p) })
}
