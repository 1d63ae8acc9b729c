package syslog

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelstream/intelstream/outputs/internal/outtest"
	"github.com/intelstream/intelstream/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// collector is an in-process syslog receiver: octet-counted frames over
// TCP (or TLS), kept whole; it can drop connections after some frames.
type collector struct {
	ln        net.Listener
	mu        sync.Mutex
	raw       bytes.Buffer
	frames    []string
	dropAfter []int
}

func newCollector(t *testing.T, tlsConf *tls.Config) *collector {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	c := &collector{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.handle(conn)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return c
}

func (c *collector) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

// readFrame reads one octet-counted frame: MSG-LEN SP SYSLOG-MSG.
func readFrame(r *bufio.Reader) (string, error) {
	n, err := r.ReadString(' ')
	if err != nil {
		return "", err
	}
	size, err := strconv.Atoi(strings.TrimSuffix(n, " "))
	if err != nil || size <= 0 || size > 1<<20 {
		return "", errors.New("bad frame length")
	}
	msg := make([]byte, size)
	_, err = io.ReadFull(r, msg)
	return string(msg), err
}

func (c *collector) handle(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(io.TeeReader(conn, writerFunc(func(b []byte) {
		c.mu.Lock()
		c.raw.Write(b)
		c.mu.Unlock()
	})))
	n := 0
	for {
		f, err := readFrame(r)
		if err != nil {
			io.Copy(io.Discard, r) // not octet counted: keep the raw bytes
			return
		}
		n++
		c.mu.Lock()
		drop := len(c.dropAfter) > 0 && n == c.dropAfter[0]
		if drop {
			c.dropAfter = c.dropAfter[1:]
		} else {
			c.frames = append(c.frames, f)
		}
		c.mu.Unlock()
		if drop {
			return
		}
	}
}

type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) { w(b); return len(b), nil }

var sdID = regexp.MustCompile(`\[intelstream@32473 id="([^"]+)"\]`)

func (c *collector) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	for _, f := range c.frames {
		if m := sdID.FindStringSubmatch(f); m != nil {
			seen[m[1]] = true
		}
	}
	return len(seen)
}

func newOutput(t *testing.T, raw map[string]any) *Output {
	t.Helper()
	base := outtest.Merge(map[string]any{"host": "127.0.0.1", "hostname": "sensor1.example.org"}, raw)
	p, err := Spec.Validate(base)
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	o.procID = "4242"
	o.now = func() time.Time { return time.Date(2026, 3, 14, 10, 0, 0, 123456000, time.UTC) }
	t.Cleanup(func() { o.Close() })
	return o
}

func (c *collector) waitRaw(t *testing.T, n int) []byte {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c.mu.Lock()
		done := len(c.frames) >= n
		raw := append([]byte(nil), c.raw.Bytes()...)
		c.mu.Unlock()
		if done {
			return raw
		}
	}
	t.Fatalf("fewer than %d frames", n)
	return nil
}

func TestOctetCountedJSON(t *testing.T) {
	c := newCollector(t, nil)
	o := newOutput(t, map[string]any{"port": c.port()})
	events := outtest.Events(t, 2)
	events[1].Severity = "high"
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	outtest.Golden(t, "json-octet-counting.txt", c.waitRaw(t, 2), *update)
}

func TestCEFOverTLS(t *testing.T) {
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	cert := hs.TLS.Certificates[0]
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600)
	hs.Close()
	c := newCollector(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	o := newOutput(t, map[string]any{"port": c.port(), "protocol": "tls", "ssl_ca_certificate": ca, "format": "cef", "facility": "security", "severity": "warning"})
	events := outtest.Events(t, 2)
	events[0].Comment = "a=b\\c\nnext"
	events[1].EventDescription.Text = "Mirai | infected"
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	c.waitRaw(t, 2)
	c.mu.Lock()
	outtest.Golden(t, "cef-tls.txt", []byte(strings.Join(c.frames, "\n")+"\n"), *update)
	c.mu.Unlock()
	bad := newOutput(t, map[string]any{"port": c.port(), "protocol": "tls"}) // the test CA is unknown
	if err := bad.Write(context.Background(), events); err == nil || topology.IsTransient(err) {
		t.Errorf("unknown CA: %v, want a permanent error", err)
	}
}

func TestUDPDatagramsAndLineFraming(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	o := newOutput(t, map[string]any{"port": pc.LocalAddr().(*net.UDPAddr).Port, "protocol": "udp"})
	events := outtest.Events(t, 2)
	if err := o.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	for i, e := range events {
		pc.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if want := string(o.Message(e, o.now())); string(buf[:n]) != want {
			t.Errorf("datagram %d:\n%s\nwant\n%s", i, buf[:n], want)
		}
	}
	c := newCollector(t, nil)
	lf := newOutput(t, map[string]any{"port": c.port(), "framing": "lf"})
	if err := lf.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	lf.Close()
	time.Sleep(50 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	if want := string(o.Message(events[0], o.now())) + "\n" + string(o.Message(events[1], o.now())) + "\n"; c.raw.String() != want {
		t.Errorf("lf framing:\n%s", c.raw.String())
	}
}

func TestBadParams(t *testing.T) {
	outtest.BadParams(t, Spec, New, []outtest.BadParam{
		{Raw: map[string]any{"port": 0}, Param: "port"},
		{Raw: map[string]any{"facility": "local9"}, Param: "facility"},
		{Raw: map[string]any{"severity": "loud"}, Param: "severity"},
		{Raw: map[string]any{"protocol": "relp"}, Param: "protocol"},
		{Raw: map[string]any{"protocol": "tls", "ssl_client_certificate": "x.pem"}, Param: "ssl_ca_certificate"},
	})
}

// The receiver drops connections in the middle of batches and goes away
// for a while: every event arrives (counted by the id in the structured
// data; a batch cut off is sent again, so repeats are possible).
func TestFaultReceiverGoesAway(t *testing.T) {
	c := newCollector(t, nil)
	c.dropAfter = []int{40, 25, 60}
	proxy := outtest.NewProxy(t, c.ln.Addr().String())
	o := newOutput(t, map[string]any{"port": proxy.Port(), "timeout": "2s", "check_wait": "20ms"})
	events := outtest.Events(t, 1000)
	go func() {
		for c.distinct() < 400 {
			time.Sleep(time.Millisecond)
		}
		proxy.Cut()
		time.Sleep(200 * time.Millisecond)
		proxy.Restore()
	}()
	outtest.Run(t, events, o, func() bool { return c.distinct() == len(events) }, 60*time.Second, topology.Batch(50, 5*time.Millisecond))
}

// FuzzCEFValue checks that the extension escaping can be undone: a CEF
// reader splitting on unescaped = and reading \n gets the value back.
func FuzzCEFValue(f *testing.F) {
	for _, s := range []string{"", "a=b", `back\slash`, "line\nend\r", "x==\\=\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := string(appendCEFValue(nil, s))
		var b strings.Builder
		for i := 0; i < len(esc); i++ {
			c := esc[i]
			if c == '=' {
				t.Fatalf("unescaped = in %q", esc)
			}
			if c == '\n' || c == '\r' {
				t.Fatalf("raw line end in %q", esc)
			}
			if c != '\\' {
				b.WriteByte(c)
				continue
			}
			i++
			switch esc[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(esc[i])
			}
		}
		if b.String() != s {
			t.Errorf("%q escaped %q reads back %q", s, esc, b.String())
		}
	})
}
