package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShadowserverUpdateSchema(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "..", "processors", "parsers", "shadowserver", "schema", "shadowserver-intelmq.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/schema":
			_, _ = w.Write(good)
		case "/broken":
			_, _ = w.Write([]byte("<html>maintenance</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "schema.json")
	stdout, _, err := run(t, "", "shadowserver", "update-schema", "--url", srv.URL+"/schema", "-o", out)
	if err != nil || !strings.Contains(stdout, "report types") {
		t.Fatalf("update-schema: %q, %v", stdout, err)
	}
	if got, _ := os.ReadFile(out); string(got) != string(good) {
		t.Fatal("the written schema differs from the served one")
	}
	for _, path := range []string{"/broken", "/missing"} {
		if _, _, err := run(t, "", "shadowserver", "update-schema", "--url", srv.URL+path, "-o", out); err == nil {
			t.Errorf("%s accepted", path)
		}
		if got, _ := os.ReadFile(out); string(got) != string(good) {
			t.Errorf("%s: the old schema was overwritten", path)
		}
	}
}
