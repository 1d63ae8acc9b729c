package shadowserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// FuzzParse feeds arbitrary bytes to the parser as a scan_http and a
// test-schema report: it must never panic, and every event it emits must
// encode to IntelMQ's flat form and decode back to the same bytes.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("timestamp,ip,port\n2024-01-02 03:04:05,192.0.2.1,80\n"))
	f.Add([]byte("\"timestamp\",\"ip\"\n\"2024-01-02 03:04:05\",\"192.0.2.1\n2\"\r\n,,,,\n\x00\n"))
	f.Add([]byte("timestamp,ip,port,flag,old_name,odd,asn\n2024-01-02,::1,0,yes,x,o,0\n"))
	s, err := ParseSchema([]byte(testSchema))
	if err != nil {
		f.Fatal(err)
	}
	real, err := New(Config{ReportType: "scan_http"})
	if err != nil {
		f.Fatal(err)
	}
	test, err := New(Config{Schema: s, ReportType: "scan_thing"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, p := range []*Parser{real, test} {
			r := &dho.Report{Raw: raw}
			err := p.Parse(context.Background(), r, func(ev *dho.Event) error {
				flat := ev.MarshalFlat(dho.FlatOptions{})
				var back dho.Event
				if err := back.UnmarshalFlat(string(flat)); err != nil {
					t.Fatalf("event does not decode: %v\n%s", err, flat)
				}
				if again := back.MarshalFlat(dho.FlatOptions{}); string(again) != string(flat) {
					t.Fatalf("round trip changes the event:\n%s\n%s", flat, again)
				}
				return nil
			}, func(fl parsers.Failure) {
				if fl.Err == nil {
					t.Fatal("failure without a reason")
				}
			})
			// Only an unreadable header fails the whole report (the type is fixed).
			if err != nil && !strings.HasPrefix(err.Error(), "header line") {
				t.Fatalf("the whole report failed: %v", err)
			}
		}
	})
}
