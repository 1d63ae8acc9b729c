package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intelstream/intelstream/topology/config"
)

func TestImportIntelMQ(t *testing.T) {
	in, err := filepath.Abs(filepath.Join("testdata", "intelmq-runtime.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, notes, err := run(t, "", "import-intelmq", in)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "intelmq-runtime.topology.yaml", out)
	golden(t, "intelmq-runtime.notes.txt", notes)
	for _, want := range []string{
		"bot feodo-collector: disabled, left out",
		"module intelmq.bots.experts.national_cert_contact_certat.expert has no node kind",
		"bot sieve-expert: named path urgent",
		"bot filter-expert: parameter colour",
		"global: logging_level",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q", want)
		}
	}

	// The file loads as a topology, where the paths it names exist.
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("reports", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("rules.sieve", []byte("if :exists source.fqdn { keep }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "", "import-intelmq", in, "-o", "topology.yaml", "--name", "imported"); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load("topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(f.Topology.Nodes(), ",")
	want := "shadowserver-file-collector,spamhaus-file-collector,spamhaus-drop-parser,shadowserver-parser," +
		"taxonomy-expert-merge,taxonomy-expert,filter-expert,filter-expert-filter_no_match,sieve-expert,file-output-merge,file-output,dropped-output"
	if f.Name != "imported" || got != want {
		t.Errorf("topology %s: %s\nwant %s", f.Name, got, want)
	}
	if n := f.Nodes[4]; n.Name != "taxonomy-expert" || n.Options.Retries != 5 || n.Options.RetryBackoff.Seconds() != 15 {
		t.Errorf("%s retries %d, %v", n.Name, n.Options.Retries, n.Options.RetryBackoff)
	}
	if v, _ := f.Param("spamhaus-file-collector", "interval"); v != 3600 {
		t.Errorf("rate_limit of a continuous file collector: interval %v", v)
	}
}

func TestImportIntelMQRefusesUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"list.yaml":   "- a\n- b\n",
		"broken.yaml": "a: [\n",
		"bot.yaml":    "my-bot: 3\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, "", "import-intelmq", path); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := run(t, "", "import-intelmq", filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file was read")
	}
	// An empty configuration is readable: an empty topology file comes out,
	// with nothing to say.
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, []byte("global: {logging_level: INFO}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, "", "import-intelmq", empty); err != nil || !strings.Contains(out, "name: intelmq") {
		t.Errorf("empty: %q, %v", out, err)
	}
}

func TestNodeName(t *testing.T) {
	taken := map[string]bool{}
	for _, c := range []struct{ id, want string }{
		{"Shadowserver-Parser", "shadowserver-parser"},
		{"shadowserver parser", "shadowserver-parser-2"},
		{"--x.y--", "x-y"},
		{"ÄÖ", "bot"},
		{"a_b", "a_b"},
	} {
		if got := uniqueName(nodeName(c.id), taken); got != c.want {
			t.Errorf("%q: %q, want %q", c.id, got, c.want)
		}
	}
}
