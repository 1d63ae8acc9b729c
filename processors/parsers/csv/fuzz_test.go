package csv

import (
	"testing"

	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/internal/parsertest"
)

// FuzzParse feeds arbitrary reports to parsers of several configurations:
// no panic, and every event survives IntelMQ's flat form both ways.
func FuzzParse(f *testing.F) {
	for _, b := range parsertest.Inputs("testdata") {
		f.Add(b)
	}
	f.Add([]byte("a,\"b\nc\",d\r\n#x\n\x00,,\n"))
	var ps []parsers.Parser
	for _, c := range []Config{
		{Columns: []string{"time.source", "source.ip|source.network", "source.url", "extra.x"}, Type: "scanner",
			DataType: map[string]string{"extra.x": "json"}, ComposeFields: map[string]string{"source.fqdn": "{1}"}},
		{Columns: []string{"classification.type", "__IGNORE__", "source.port"}, Delimiter: "\t", SkipHeader: 1,
			TypeTranslation: map[string]string{"a": "phishing"}, ColumnsRequired: []bool{false, false, false},
			FilterType: "whitelist", FilterText: "1", TimeFormat: "epoch_millis",
			ColumnRegexSearch: map[string]string{"source.port": `\d+`}},
	} {
		p, err := New(c)
		if err != nil {
			f.Fatal(err)
		}
		ps = append(ps, p)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { parsertest.Fuzz(t, raw, ps...) })
}
