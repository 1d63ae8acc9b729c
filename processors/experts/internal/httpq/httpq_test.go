package httpq

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/intelstream/intelstream/topology"
)

var spec = topology.Spec{Name: "httpqtest", Params: Params}

func client(t *testing.T, raw map[string]any) *Client {
	t.Helper()
	p, err := spec.Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromParams("httpqtest", p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDoJSON(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			if r.Header.Get("User-Agent") != "tester" || r.Header.Get("X-Key") != "k" {
				http.Error(w, "headers", http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"method": "` + r.Method + `"}`))
		case "/busy":
			http.Error(w, "busy", http.StatusTooManyRequests)
		case "/broken":
			http.Error(w, "oops", http.StatusInternalServerError)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/garbage":
			w.Write([]byte("not json"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	c := client(t, map[string]any{"ca_file": ca, "user_agent": "tester", "timeout": "100ms"})
	ctx := context.Background()

	var v struct{ Method string }
	if err := c.DoJSON(ctx, http.MethodPost, srv.URL+"/echo", http.Header{"X-Key": {"k"}}, map[string]int{"a": 1}, &v); err != nil || v.Method != "POST" {
		t.Errorf("POST: %v %v", v, err)
	}
	for path, transient := range map[string]bool{"/busy": true, "/broken": true, "/slow": true, "/missing": false, "/garbage": false} {
		err := c.GetJSON(ctx, srv.URL+path, nil, &v)
		if err == nil || topology.IsTransient(err) != transient {
			t.Errorf("%s: %v, transient want %v", path, err, transient)
		}
	}
	var se *StatusError
	if err := c.GetJSON(ctx, srv.URL+"/missing", nil, &v); !errors.As(err, &se) || se.Status != 404 || string(se.Body) != "404 page not found\n" {
		t.Errorf("404: %#v", err)
	}
	// Without the CA, the server's certificate is refused (not transient).
	plain := client(t, nil)
	if err := plain.GetJSON(ctx, srv.URL+"/echo", nil, &v); err == nil || topology.IsTransient(err) {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestFromParams(t *testing.T) {
	for raw, param := range map[string]map[string]any{
		"timeout": {"timeout": "0s"},
		"ca_file": {"ca_file": "httpq.go"},
	} {
		p, _ := spec.Validate(param)
		_, err := FromParams("httpqtest", p)
		var pe *topology.ParamError
		if !errors.As(err, &pe) || pe.Param != raw {
			t.Errorf("%v: %v", param, err)
		}
	}
}
