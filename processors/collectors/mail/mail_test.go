package mail

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intelstream/intelstream/internal/syncbuf"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/topology"
)

// startIMAP starts an in-memory IMAP server on 127.0.0.1 with user u,
// password p and the given mails in INBOX (in this order: UIDs 1, 2, ...).
func startIMAP(t *testing.T, mails ...string) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("u", "p")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       slogLogger{},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	cl := client(t, l.Addr().String())
	defer cl.Close()
	for _, m := range mails {
		m = strings.ReplaceAll(m, "\n", "\r\n")
		cmd := cl.Append("INBOX", int64(len(m)), nil)
		if _, err := cmd.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return l.Addr().String()
}

type slogLogger struct{}

func (slogLogger) Printf(string, ...any) {}
func (slogLogger) Println(...any)        {}

func client(t *testing.T, addr string) *imapclient.Client {
	t.Helper()
	cl, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Login("u", "p").Wait(); err != nil {
		t.Fatal(err)
	}
	return cl
}

// seenUIDs returns the UIDs of INBOX's mails flagged seen.
func seenUIDs(t *testing.T, addr string) []imap.UID {
	t.Helper()
	cl := client(t, addr)
	defer cl.Close()
	if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := cl.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return data.AllUIDs()
}

func mailWith(subject, from, body string, attachments ...[2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Feed <%s>\nTo: cert@example.org\nSubject: %s\nDate: Fri, 20 Nov 2026 09:00:00 +0100\nMessage-ID: <%s@example.org>\nMIME-Version: 1.0\n",
		from, subject, strings.ReplaceAll(strings.ToLower(subject), " ", "-"))
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=BOUNDARY\n\n--BOUNDARY\nContent-Type: text/plain; charset=utf-8\n\n%s\n", body)
	for _, a := range attachments {
		fmt.Fprintf(&b, "--BOUNDARY\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n",
			a[0], base64.StdEncoding.EncodeToString([]byte(a[1])))
	}
	b.WriteString("--BOUNDARY--\n")
	return b.String()
}

func zipOf(t *testing.T, files ...string) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		w, _ := zw.Create(files[i])
		w.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fixture is a mailbox of four mails and a web server for the URL one.
func fixture(t *testing.T) (imapAddr string, web *httptest.Server) {
	t.Helper()
	web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feeds/daily.csv":
			w.Write([]byte("ip\n192.0.2.9\n"))
		case "/download":
			w.Header().Set("Content-Disposition", `attachment; filename="named.csv"`)
			w.Write([]byte("ip\n192.0.2.10\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(web.Close)
	imapAddr = startIMAP(t,
		mailWith("Report CSV", "feed@example.org", "See attachment.", [2]string{"data.csv", "ip\n192.0.2.1\n"}),
		mailWith("Report ZIP", "feed@example.org", "Zipped.", [2]string{"data.zip", zipOf(t, "a.csv", "ip\n192.0.2.2\n", "b.csv", "ip\n192.0.2.3\n")}),
		mailWith("Report URLs", "links@example.org", "Your report: "+web.URL+"/feeds/daily.csv\nand "+web.URL+"/other"),
		mailWith("Newsletter", "feed@example.org", "Not a report.", [2]string{"news.csv", "ip\n198.51.100.1\n"}),
	)
	return imapAddr, web
}

func newCollector(t *testing.T, name, addr string, raw map[string]any) (*Collector, *syncbuf.Buffer) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	params := map[string]any{"mail_host": host, "mail_port": port, "mail_user": "u", "mail_password": "p",
		"mail_ssl": false, "rate_limit": 0, "feed_name": "Mail feed", "mail_timeout": "10s"}
	for k, v := range raw {
		params[k] = v
	}
	reg, ok := topology.Lookup(name)
	if !ok {
		t.Fatalf("%s not registered", name)
	}
	p, err := reg.Spec.Validate(params)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(name, p)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	c.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return c, logs
}

func collect(t *testing.T, c *Collector) []*dho.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*dho.Report
	if err := c.Run(ctx, func(r *dho.Report) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func extra(r *dho.Report, name string) string {
	v, _ := r.Get("extra." + name)
	switch x := v.(type) {
	case string:
		return x
	case dho.Value:
		s, _ := x.Str()
		return s
	}
	return ""
}

func TestAttachments(t *testing.T) {
	addr, _ := fixture(t)
	c, _ := newCollector(t, AttachName, addr, map[string]any{"subject_regex": "^Report", "attach_regex": `\.(csv|zip)$`})
	flushed := 0
	c.flush = func(context.Context) error { flushed++; return nil }
	got := collect(t, c)
	var summary []string
	for _, r := range got {
		summary = append(summary, extra(r, "file_name")+"="+string(r.Raw))
	}
	want := []string{"data.csv=ip\n192.0.2.1\n", "a.csv=ip\n192.0.2.2\n", "b.csv=ip\n192.0.2.3\n"}
	if !slices.Equal(summary, want) {
		t.Errorf("reports %q, want %q", summary, want)
	}
	if len(got) > 0 {
		r := got[0]
		if extra(r, "email_subject") != "Report CSV" || extra(r, "email_from") != "feed@example.org" ||
			extra(r, "email_message_id") != "<report-csv@example.org>" || extra(r, "email_date") != "Fri, 20 Nov 2026 09:00:00 +0100" ||
			r.Feed.Name != "Mail feed" || !r.Has("time.observation") {
			t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
		}
	}
	if flushed != 1 {
		t.Errorf("%d flushes", flushed)
	}
	// The two mails with attachments are seen; the URL mail (no
	// attachment) and the newsletter (subject) are left alone.
	if seen := seenUIDs(t, addr); !slices.Equal(seen, []imap.UID{1, 2}) {
		t.Errorf("seen %v, want [1 2]", seen)
	}
	// A second round finds nothing new.
	if got := collect(t, c); len(got) != 0 {
		t.Errorf("second round: %d reports", len(got))
	}

	// Without extract_files the zip is one report, named as attached;
	// from_regex and sent_from select mails.
	addr, _ = fixture(t)
	c, _ = newCollector(t, AttachName, addr, map[string]any{"attach_regex": "zip", "extract_files": false, "from_regex": `^feed@`, "sent_from": "example.org"})
	got = collect(t, c)
	if len(got) != 1 || extra(got[0], "file_name") != "data.zip" || !bytes.HasPrefix(got[0].Raw, []byte("PK")) {
		t.Errorf("%d reports", len(got))
	}
	if seen := seenUIDs(t, addr); !slices.Equal(seen, []imap.UID{2}) {
		t.Errorf("seen %v, want [2]", seen)
	}
}

func TestURLs(t *testing.T) {
	addr, web := fixture(t)
	c, _ := newCollector(t, URLName, addr, map[string]any{"url_regex": `http://127\.0\.0\.1:\d+/\S+`})
	got := collect(t, c)
	if len(got) != 1 {
		t.Fatalf("%d reports", len(got))
	}
	r := got[0]
	if string(r.Raw) != "ip\n192.0.2.9\n" || r.Feed.URL != web.URL+"/feeds/daily.csv" || extra(r, "file_name") != "daily.csv" ||
		extra(r, "email_subject") != "Report URLs" || extra(r, "email_from") != "links@example.org" {
		t.Errorf("report %s", r.MarshalFlat(dho.FlatOptions{}))
	}
	if seen := seenUIDs(t, addr); !slices.Equal(seen, []imap.UID{3}) {
		t.Errorf("seen %v, want [3]", seen)
	}

	// A download that fails leaves its mail unread.
	addr = startIMAP(t, mailWith("Report", "x@example.org", "get "+web.URL+"/missing.csv"),
		mailWith("Report 2", "x@example.org", "get "+web.URL+"/download"))
	c, logs := newCollector(t, URLName, addr, map[string]any{"url_regex": `http://\S+`, "http_timeout_max_tries": 1})
	got = collect(t, c)
	if len(got) != 1 || extra(got[0], "file_name") != "named.csv" {
		t.Errorf("%d reports", len(got))
	}
	if seen := seenUIDs(t, addr); !slices.Equal(seen, []imap.UID{2}) {
		t.Errorf("seen %v, want [2]", seen)
	}
	if !strings.Contains(logs.String(), "download failed") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestBodies(t *testing.T) {
	addr, _ := fixture(t)
	c, _ := newCollector(t, BodyName, addr, map[string]any{"subject_regex": "URLs|Newsletter", "content_types": "plain"})
	got := collect(t, c)
	if len(got) != 2 || !strings.HasPrefix(string(got[0].Raw), "Your report: http://") || string(got[1].Raw) != "Not a report." {
		t.Errorf("%d reports", len(got))
	}
	if seen := seenUIDs(t, addr); !slices.Equal(seen, []imap.UID{3, 4}) {
		t.Errorf("seen %v, want [3 4]", seen)
	}
}

// Mails are marked seen only once the broker has their reports: a failed
// flush leaves them unread and ends the run.
func TestFlushFailureLeavesMailsUnread(t *testing.T) {
	addr, _ := fixture(t)
	c, _ := newCollector(t, AttachName, addr, map[string]any{"attach_regex": "csv"})
	boom := errors.New("broker down")
	c.flush = func(context.Context) error { return boom }
	if err := c.Run(context.Background(), func(*dho.Report) error { return nil }); !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
	if seen := seenUIDs(t, addr); len(seen) != 0 {
		t.Errorf("seen %v after a failed flush", seen)
	}
	// An emit error ends the run too, nothing marked.
	c, _ = newCollector(t, AttachName, addr, map[string]any{"attach_regex": "csv", "rate_limit": "1s"})
	if err := c.Run(context.Background(), func(*dho.Report) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v", err)
	}
	if seen := seenUIDs(t, addr); len(seen) != 0 {
		t.Errorf("seen %v after a failed emit", seen)
	}
}

func TestServerFailures(t *testing.T) {
	// Wrong password, and no server: errors, no panic.
	addr, _ := fixture(t)
	c, _ := newCollector(t, BodyName, addr, map[string]any{"mail_password": "wrong"})
	if err := c.Run(context.Background(), func(*dho.Report) error { return nil }); err == nil {
		t.Error("wrong password accepted")
	}
	// A server that accepts and says nothing: mail_timeout ends the try.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c, _ = newCollector(t, BodyName, l.Addr().String(), map[string]any{"mail_timeout": "200ms"})
	start := time.Now()
	if err := c.Run(context.Background(), func(*dho.Report) error { return nil }); err == nil {
		t.Error("silent server: no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("silent server took %s", d)
	}
}

func TestParameters(t *testing.T) {
	for module, name := range map[string]string{
		"intelmq.bots.collectors.mail.collector_mail_attach": AttachName,
		"intelmq.bots.collectors.mail.collector_mail_url":    URLName,
		"intelmq.bots.collectors.mail.collector_mail_body":   BodyName,
	} {
		reg, ok := topology.Lookup(module)
		if !ok || reg.Spec.Name != name {
			t.Errorf("%s not registered under %s", name, module)
		}
	}
	// An IntelMQ configuration, with its names.
	p, err := AttachSpec.ValidateIntelMQ(map[string]any{
		"mail_host": "imap.example.org", "mail_user": "u", "mail_password": "p", "mail_ssl": true,
		"attach_regex": "csv.zip", "attach_unzip": true, "folder": "INBOX", "subject_regex": "Report",
		"rate_limit": 3600, "name": "Feed", "provider": "P", "logging_level": "INFO",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(AttachName, p)
	if err != nil {
		t.Fatal(err)
	}
	if c.port != 993 || c.interval != time.Hour || !c.extract {
		t.Errorf("collector %+v", c)
	}
	base := map[string]any{"mail_host": "h", "mail_user": "u", "mail_password": "p"}
	for _, tc := range []struct {
		name, param string
		raw         map[string]any
	}{
		{AttachName, "mail_host", map[string]any{"mail_user": "u", "mail_password": "p"}},
		{AttachName, "mail_port", map[string]any{"mail_port": 70000}},
		{AttachName, "mail_starttls", map[string]any{"mail_starttls": true}},
		{AttachName, "subject_regex", map[string]any{"subject_regex": "("}},
		{AttachName, "from_regex", map[string]any{"from_regex": "[a-"}},
		{AttachName, "attach_regex", map[string]any{"attach_regex": "*"}},
		{AttachName, "ssl_ca_certificate", map[string]any{"ssl_ca_certificate": "/nonexistent/ca.pem"}},
		{URLName, "url_regex", map[string]any{"url_regex": ""}},
		{URLName, "url_regex", map[string]any{"url_regex": "(?<"}},
		{BodyName, "content_types", map[string]any{"content_types": true}},
		{BodyName, "feed_accuracy", map[string]any{"feed_accuracy": 500}},
	} {
		raw := map[string]any{}
		for k, v := range base {
			raw[k] = v
		}
		for k, v := range tc.raw {
			raw[k] = v
		}
		if _, ok := tc.raw["mail_user"]; ok {
			delete(raw, "mail_host")
		}
		reg, _ := topology.Lookup(tc.name)
		p, err := reg.Spec.Validate(raw)
		if err == nil {
			_, err = New(tc.name, p)
		}
		var perr *topology.ParamError
		if err == nil {
			t.Errorf("%s %v accepted", tc.name, tc.raw)
		} else if tc.param != "feed_accuracy" && (!errors.As(err, &perr) || perr.Param != tc.param) {
			t.Errorf("%s %v: %v does not name %s", tc.name, tc.raw, err, tc.param)
		}
	}
}

func TestParseMessage(t *testing.T) {
	raw := "From: =?utf-8?q?J=C3=B6rg?= <j@example.org>, b@example.org\r\nSubject: =?utf-8?b?UmVwb3J0IMOk?=\r\nMessage-ID: <x@y>\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n" +
		"--b\r\nContent-Type: text/csv\r\nContent-Disposition: inline; filename=inline.csv\r\n\r\na,b\r\n--b--\r\n"
	m, err := ParseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Report ä" || !slices.Equal(m.From, []string{"j@example.org", "b@example.org"}) || m.MessageID != "<x@y>" ||
		string(m.Bodies["plain"][0]) != "Grüße" || string(m.Bodies["html"][0]) != "<p>x</p>" ||
		len(m.Attachments) != 1 || m.Attachments[0].Name != "inline.csv" {
		t.Errorf("%+v", m)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(mailWith("Report", "a@example.org", "body", [2]string{"a.csv", "x"})))
	f.Add([]byte("Subject: x\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"))
	f.Add([]byte("From: <\r\nContent-Type: text/plain; charset=nope\r\nContent-Transfer-Encoding: x-unknown\r\n\r\n=ZZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseMessage(data)
	})
}
