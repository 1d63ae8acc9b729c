package logging

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"
)

func TestFormatsAndLevel(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf syncbuf.Buffer
			log, ctl, err := New(Options{Format: format, Stderr: &buf})
			if err != nil {
				t.Fatal(err)
			}
			sub := log.With("node", "parse").WithGroup("g")
			sub.Debug("hidden")
			sub.Info("shown", "n", 1)
			ctl.SetLevel(slog.LevelDebug)
			if ctl.Level() != slog.LevelDebug {
				t.Errorf("level %v", ctl.Level())
			}
			sub.Debug("now shown")
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("lines %q", lines)
			}
			if format == "json" {
				var m map[string]any
				if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
					t.Fatal(err)
				}
				if m["msg"] != "shown" || m["node"] != "parse" || m["g"].(map[string]any)["n"] != 1.0 {
					t.Errorf("json line %v", m)
				}
			} else if !strings.Contains(lines[0], "msg=shown node=parse g.n=1") || !strings.Contains(lines[1], "level=DEBUG msg=\"now shown\"") {
				t.Errorf("text lines %q", lines)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Format: "xml"},
		{Output: "kafka"},
		{Output: "file:"},
		{Output: "file:" + filepath.Join(t.TempDir(), "no", "such", "dir", "x.log")},
		{Output: "syslog+smoke://127.0.0.1:514"},
		{Output: "syslog+unix://"},
	} {
		if _, _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// rfc5424 matches our RFC 5424 header: PRI, version, time, host, app, pid.
var rfc5424 = regexp.MustCompile(`^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \S+ intelstream-test \d+ - - (.*)$`)

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	log, ctl, err := New(Options{Output: "syslog://" + pc.LocalAddr().String(), AppName: "intelstream-test", Level: slog.LevelDebug})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	tests := []struct {
		log  func(string, ...any)
		pri  int
		text string
	}{
		{log.Debug, 3*8 + 7, "level=DEBUG msg=d"},
		{log.Info, 3*8 + 6, "level=INFO msg=i"},
		{log.Warn, 3*8 + 4, "level=WARN msg=w"},
		{log.Error, 3*8 + 3, "level=ERROR msg=e"},
	}
	buf := make([]byte, 65536)
	for _, tc := range tests {
		tc.log(tc.text[strings.Index(tc.text, "msg=")+4:], "k", "v w")
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		m := rfc5424.FindStringSubmatch(string(buf[:n]))
		if m == nil {
			t.Fatalf("not RFC 5424: %q", buf[:n])
		}
		if pri, _ := strconv.Atoi(m[1]); pri != tc.pri {
			t.Errorf("%q: PRI %d, want %d", buf[:n], pri, tc.pri)
		}
		if want := tc.text + ` k="v w"`; m[2] != want {
			t.Errorf("message %q, want %q (no time attribute, no newline)", m[2], want)
		}
	}
}

func TestSyslogTCPFramesAndSwitching(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 10)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			lenText, err := r.ReadString(' ')
			if err != nil {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(lenText))
			if err != nil {
				got <- "bad frame: " + lenText
				return
			}
			msg := make([]byte, n)
			if _, err := ioReadFull(r, msg); err != nil {
				return
			}
			got <- string(msg)
		}
	}()
	var stderr syncbuf.Buffer
	log, ctl, err := New(Options{Format: "json", Stderr: &stderr, AppName: "intelstream-test"})
	if err != nil {
		t.Fatal(err)
	}
	log = log.With("node", "out")
	log.Info("before")
	if err := ctl.SetOutput("syslog+tcp://" + ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if ctl.Output() != "syslog+tcp://"+ln.Addr().String() {
		t.Errorf("output %s", ctl.Output())
	}
	log.Warn("one\ntwo")
	log.Info("three")
	for _, want := range []string{`"level":"WARN","msg":"one\ntwo","node":"out"}`, `"msg":"three"`} {
		select {
		case m := <-got:
			if !rfc5424.MatchString(m) || !strings.Contains(m, want) || strings.Contains(m, `"time"`) {
				t.Errorf("frame %q, want %s", m, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no frame")
		}
	}
	path := filepath.Join(t.TempDir(), "node.log")
	if err := ctl.SetOutput("file:" + path); err != nil {
		t.Fatal(err)
	}
	log.Info("to the file")
	if err := ctl.SetOutput("file:" + filepath.Join(path, "not-a-dir")); err == nil {
		t.Error("an unopenable file was taken")
	}
	log.Info("still to the file")
	if err := ctl.Close(); err != nil {
		t.Fatal(err)
	}
	log.Info("dropped after Close")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 2 || !strings.Contains(string(data), `"msg":"still to the file","node":"out"`) {
		t.Errorf("file:\n%s", data)
	}
	if s := stderr.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, `"msg":"before"`) {
		t.Errorf("stderr:\n%s", s)
	}
}

// TestConcurrentControl logs from many goroutines while the level and the
// destination change; run with -race. Every line lands whole in one of
// the files.
func TestConcurrentControl(t *testing.T) {
	dir := t.TempDir()
	log, ctl, err := New(Options{Output: "file:" + filepath.Join(dir, "0.log")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	const writers, lines = 4, 200
	for w := range writers {
		wg.Go(func() {
			l := log.With("writer", w)
			for i := range lines {
				l.Warn("line", "i", i)
			}
		})
	}
	wg.Go(func() {
		for i := 1; i <= 20; i++ {
			if err := ctl.SetOutput(fmt.Sprintf("file:%s/%d.log", dir, i%3)); err != nil {
				t.Error(err)
			}
			ctl.SetLevel(slog.Level(i % 2 * 4)) // info or warn: warn lines always pass
			ctl.Level()
		}
	})
	wg.Wait()
	ctl.Close()
	total := 0
	for i := range 3 {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.log", i)))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if l == "" {
				continue
			}
			if !strings.Contains(l, "level=WARN msg=line writer=") {
				t.Fatalf("torn line %q", l)
			}
			total++
		}
	}
	if total != writers*lines {
		t.Errorf("%d lines, want %d", total, writers*lines)
	}
}

func ioReadFull(r *bufio.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func TestSyslogUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.sock")
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Skip("no unixgram sockets here:", err)
	}
	defer pc.Close()
	log, ctl, err := New(Options{Output: "syslog+unix://" + path, AppName: "intelstream-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	log.Error("disk full", "node", "out")
	buf := make([]byte, 4096)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	m := rfc5424.FindStringSubmatch(string(buf[:n]))
	if m == nil || m[1] != "27" || m[2] != `level=ERROR msg="disk full" node=out` {
		t.Errorf("datagram %q", buf[:n])
	}
}
