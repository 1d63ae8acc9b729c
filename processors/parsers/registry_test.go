package parsers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/dho"
)

// lineParser makes one event per line, with the line as raw, and fails
// lines that say "bad".
type lineParser struct{ field string }

func (p lineParser) Parse(_ context.Context, r *dho.Report, emit func(*dho.Event) error, fail func(Failure)) error {
	for i, line := range strings.Split(string(r.Raw), "\n") {
		if line == "bad" {
			fail(Failure{Line: i + 1, Raw: []byte(line), Err: errors.New("bad line")})
			continue
		}
		ev, err := NewEvent(r)
		if err != nil {
			return err
		}
		ev.Raw = []byte(line)
		if p.field != "" {
			if _, err := Add(ev, p.field, line, Refuse); err != nil {
				return err
			}
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	Register("test-lines", "intelmq.bots.parsers.test.lines", func(params map[string]any) (Parser, error) {
		ps := NewParams(params)
		p := lineParser{field: ps.String("field", "")}
		return p, ps.Err()
	})
}

func TestRegistry(t *testing.T) {
	found := false
	for _, info := range Registered() {
		found = found || info == Info{"test-lines", "intelmq.bots.parsers.test.lines"}
	}
	if !found {
		t.Fatalf("Registered() = %v", Registered())
	}
	if _, err := New("nope", nil); !errors.Is(err, ErrUnknownParser) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := NewIntelMQ("intelmq.bots.parsers.nope.parser", nil); !errors.Is(err, ErrUnknownParser) {
		t.Errorf("unknown module: %v", err)
	}
	_, err := New("test-lines", map[string]any{"logging_level": "DEBUG", "rate_limit": 3, "colums": "x", "zzz": 1})
	if !errors.Is(err, ErrParameter) || !strings.Contains(err.Error(), `"colums", "zzz"`) || !strings.Contains(err.Error(), "field") {
		t.Errorf("unknown parameters: %v", err)
	}
	if _, err := New("test-lines", map[string]any{"field": 3}); !errors.Is(err, ErrParameter) {
		t.Errorf("wrong kind: %v", err)
	}
	if _, err := New("test-lines", map[string]any{"default_fields": map[string]any{"source.ip": "x"}}); !errors.Is(err, ErrParameter) {
		t.Errorf("invalid default field: %v", err)
	}
}

func TestParserBotParams(t *testing.T) {
	p, err := NewIntelMQ("intelmq.bots.parsers.test.lines", map[string]any{
		"field":                          "comment",
		"default_fields":                 map[string]any{"classification.type": "scanner", "comment": "default"},
		"copy_collector_provided_fields": []any{"extra.file_name"},
		"test_mode":                      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &dho.Report{Raw: []byte("one\nbad\ntwo")}
	if err := r.Set("extra.file_name", "f.txt"); err != nil {
		t.Fatal(err)
	}
	var got []string
	var fails []Failure
	err = p.Parse(context.Background(), r, func(ev *dho.Event) error {
		got = append(got, string(ev.MarshalFlat(dho.FlatOptions{OmitType: true})))
		return nil
	}, func(f Failure) { fails = append(fails, f) })
	if err != nil {
		t.Fatal(err)
	}
	want := `{"classification.type": "scanner", "comment": "one", "extra.file_name": "f.txt", "raw": "b25l"}`
	if len(got) != 2 || got[0] != want {
		t.Errorf("events %q, want 2, the first %s", got, want)
	}
	if len(fails) != 1 || fails[0].Line != 2 || fails[0].Error() != "line 2: bad line" {
		t.Errorf("failures %v", fails)
	}
}
