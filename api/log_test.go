package api

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/intelstream/intelstream/internal/logging"
)

// TestLogSettings changes the process logger's level and destination
// through the API and checks where the logger's lines really go.
func TestLogSettings(t *testing.T) {
	stderr := &syncbuf.Buffer{}
	log, ctl, err := logging.New(logging.Options{Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	f := start(t, LogControl(ctl))

	code, m := f.call(t, RoleAdmin, "GET", "/api/v1/log", "")
	if code != 200 || m["level"] != "info" || m["output"] != "stderr" {
		t.Fatalf("GET /api/v1/log: %d %v", code, m)
	}
	log.Debug("hidden")
	if strings.Contains(stderr.String(), "hidden") {
		t.Fatal("a debug line was written at level info")
	}

	// Level only.
	code, m = f.call(t, RoleAdmin, "PUT", "/api/v1/log", `{"level": "debug"}`)
	if code != 200 || m["level"] != "debug" || m["output"] != "stderr" || ctl.Level() != slog.LevelDebug {
		t.Fatalf("PUT level debug: %d %v (control: %v)", code, m, ctl.Level())
	}
	log.Debug("shown-on-stderr")
	if !strings.Contains(stderr.String(), "shown-on-stderr") {
		t.Fatalf("stderr: %q", stderr.String())
	}

	// A file, and the level back to warn, in one call.
	path := filepath.Join(t.TempDir(), "run.log")
	code, m = f.call(t, RoleAdmin, "PUT", "/api/v1/log", fmt.Sprintf(`{"level": "WARN", "output": "file:%s"}`, path))
	if code != 200 || m["level"] != "warn" || m["output"] != "file:"+path {
		t.Fatalf("PUT file: %d %v", code, m)
	}
	log.Info("info-dropped")
	log.Warn("warn-in-file")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "warn-in-file") || strings.Contains(string(b), "info-dropped") {
		t.Fatalf("file: %q", b)
	}
	if strings.Contains(stderr.String(), "warn-in-file") {
		t.Fatal("a line went to stderr after the switch to a file")
	}

	// Bad values: 400 naming the field, nothing changed.
	for _, c := range []struct{ body, field, says string }{
		{`{"level": "loud"}`, "level", `level "loud"`},
		{`{"level": "loud", "output": "stderr"}`, "level", `level "loud"`},
		{`{"level": "debug", "output": "ftp://example.org"}`, "output", "ftp://example.org"},
		{`{"output": "file:` + filepath.Join(t.TempDir(), "no", "such", "dir", "x.log") + `"}`, "output", "no such file"},
		{`{"output": "file:"}`, "output", "no path"},
		{`{"output": 3}`, "output", "want a string"},
		{`{"colour": "red"}`, "colour", "unknown field"},
		{`[]`, "", "request body"},
	} {
		code, m := f.call(t, RoleAdmin, "PUT", "/api/v1/log", c.body)
		if code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(m["error"]), c.says) || (c.field != "" && m["param"] != c.field) {
			t.Errorf("PUT %s: %d %v", c.body, code, m)
		}
		if ctl.Level() != slog.LevelWarn || ctl.Output() != "file:"+path {
			t.Fatalf("PUT %s changed the logger: %v %s", c.body, ctl.Level(), ctl.Output())
		}
	}

	// Syslog over UDP to a listener of the test.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	code, m = f.call(t, RoleAdmin, "PUT", "/api/v1/log", fmt.Sprintf(`{"output": "syslog://%s", "level": "error"}`, pc.LocalAddr()))
	if code != 200 || m["output"] != "syslog://"+pc.LocalAddr().String() || m["level"] != "error" {
		t.Fatalf("PUT syslog: %d %v", code, m)
	}
	log.Error("to-syslog")
	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 5424: <PRI>1 ...; error is severity 3, facility daemon (3*8+3).
	if msg := string(buf[:n]); !strings.HasPrefix(msg, "<27>1 ") || !strings.Contains(msg, "to-syslog") {
		t.Fatalf("syslog message %q", msg)
	}

	// Roles: reading and changing the logger are the admin's.
	for _, role := range []Role{RoleRead, RoleOperate} {
		if code, m := f.call(t, role, "GET", "/api/v1/log", ""); code != http.StatusForbidden {
			t.Errorf("GET as %s: %d %v", role, code, m)
		}
		if code, m := f.call(t, role, "PUT", "/api/v1/log", `{"level": "debug"}`); code != http.StatusForbidden {
			t.Errorf("PUT as %s: %d %v", role, code, m)
		}
	}
	if ctl.Level() != slog.LevelError {
		t.Fatal("a refused PUT changed the level")
	}
}

// TestLogNotConfigured: without LogControl the routes answer 404.
func TestLogNotConfigured(t *testing.T) {
	f := start(t, LogControl(nil))
	if code, m := f.call(t, RoleAdmin, "GET", "/api/v1/log", ""); code != http.StatusNotFound || !strings.Contains(fmt.Sprint(m["error"]), "not configured") {
		t.Fatalf("GET: %d %v", code, m)
	}
	if code, m := f.call(t, RoleAdmin, "PUT", "/api/v1/log", `{"level": "debug"}`); code != http.StatusNotFound {
		t.Fatalf("PUT: %d %v", code, m)
	}
}
