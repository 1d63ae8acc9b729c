// Package mail holds the mail collectors: they read the unread mails of an
// IMAP folder, every rate_limit, as IntelMQ's mail collectors do, and turn
// their attachments (mail-attach-collector), the files behind the URLs in
// their bodies (mail-url-collector) or their bodies (mail-body-collector)
// into reports with extra.email_subject, extra.email_from,
// extra.email_message_id and extra.email_date.
//
// A mail that gave reports is marked seen only once those reports are in
// the broker (topology.Flush); a mail that does not match subject_regex or
// from_regex, or that gave nothing, is left unread for other collectors.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/collectors/internal/archive"
	"github.com/intelstream/intelstream/processors/collectors/internal/feed"
	"github.com/intelstream/intelstream/processors/collectors/internal/httpclient"
	"github.com/intelstream/intelstream/processors/collectors/internal/schedule"
	"github.com/intelstream/intelstream/topology"
)

// The node kinds' names.
const (
	AttachName = "mail-attach-collector"
	URLName    = "mail-url-collector"
	BodyName   = "mail-body-collector"
)

// mode is what a collector takes from a mail.
type mode int

const (
	modeAttach mode = iota
	modeURL
	modeBody
)

// commonParams are the parameters of every mail collector, with IntelMQ's
// names.
func commonParams() []topology.Param {
	return []topology.Param{
		{Name: "mail_host", Type: topology.ParamString, Required: true, Doc: "The IMAP server.", Example: "imap.example.org"},
		{Name: "mail_port", Type: topology.ParamInt, Default: 0, Doc: "The IMAP port; 0: 993 with mail_ssl, else 143."},
		{Name: "mail_user", Type: topology.ParamString, Required: true, Doc: "The IMAP user."},
		{Name: "mail_password", Type: topology.ParamString, Required: true, Doc: "The IMAP password."},
		{Name: "mail_ssl", Type: topology.ParamBool, Default: true, Doc: "Connect with TLS (IMAPS)."},
		{Name: "mail_starttls", Type: topology.ParamBool, Default: false, Doc: "Without mail_ssl: switch to TLS with STARTTLS."},
		{Name: "mail_timeout", Type: topology.ParamDuration, Default: "60s", Doc: "Give up on a silent IMAP server (connecting or answering) after this long."},
		{Name: "folder", Type: topology.ParamString, Default: "INBOX", Doc: "The folder whose unread mails are read."},
		{Name: "subject_regex", Type: topology.ParamString, Doc: "Only mails whose subject (folded lines joined) matches this regular expression (searched, as Python's re.search)."},
		{Name: "from_regex", Type: topology.ParamString, Doc: "Only mails with a From address matching this regular expression (ours; IntelMQ has sent_from only)."},
		{Name: "sent_from", Type: topology.ParamString, Doc: "Only mails whose From header contains this (an IMAP search)."},
		{Name: "sent_to", Type: topology.ParamString, Doc: "Only mails whose To header contains this (an IMAP search)."},
		{Name: "rate_limit", Type: topology.ParamDuration, Default: "60s", Runtime: true, Doc: "Look for new mails this often (IntelMQ: seconds); 0 looks once and stops."},
	}
}

// tlsParams are the TLS parameters of the collectors without HTTP (the
// URL collector has them from the HTTP parameters, which it shares with
// the mail connection as IntelMQ does).
func tlsParams() []topology.Param {
	return []topology.Param{
		{Name: "http_verify_cert", Type: topology.ParamBool, Default: true, Doc: "Verify the IMAP server's TLS certificate (IntelMQ's name)."},
		{Name: "ssl_ca_certificate", Type: topology.ParamString, Doc: "A PEM file of the CA certificates to trust instead of the system's."},
	}
}

var emailFields = []string{"extra.email_subject", "extra.email_from", "extra.email_message_id", "extra.email_date"}

// AttachSpec is the node spec of the mail attachment collector.
var AttachSpec = topology.Spec{
	Name: AttachName,
	Kind: topology.KindCollector,
	Doc: "Reads the attachments of unread mails whose file name matches attach_regex: one report per attachment (per file of an archive with extract_files), " +
		"raw the content, extra.file_name its name, extra.email_* the mail's headers. Processed mails are marked seen once their reports are in the broker.",
	IntelMQ: "intelmq.bots.collectors.mail.collector_mail_attach",
	Params: slices.Concat(commonParams(), tlsParams(), []topology.Param{
		{Name: "attach_regex", Type: topology.ParamString, Default: "csv.zip", Doc: "Attachments whose file name matches this regular expression (searched) are read."},
		{Name: "extract_files", Type: topology.ParamBool, Default: true, IntelMQ: "attach_unzip", Doc: "Unpack zip, tar and gzip attachments: one report per file. An attachment that is no archive is read as it is."},
		{Name: "extract_max_bytes", Type: topology.ParamInt, Default: 1 << 30, Doc: "The most bytes unpacked from one attachment (a guard against archive bombs)."},
	}, feed.Params()),
	Produces: slices.Concat([]string{"extra.file_name"}, emailFields, feed.Produces),
}

// URLSpec is the node spec of the mail URL collector.
var URLSpec = topology.Spec{
	Name: URLName,
	Kind: topology.KindCollector,
	Doc: "Downloads the first URL matching url_regex in each plain-text body of unread mails: one report per download, raw the content, feed.url the URL, " +
		"extra.file_name from Content-Disposition or the URL, extra.email_* the mail's headers. A mail whose download failed stays unread, to be tried again.",
	IntelMQ: "intelmq.bots.collectors.mail.collector_mail_url",
	Params: slices.Concat(commonParams(), []topology.Param{
		{Name: "url_regex", Type: topology.ParamString, Default: "http://", Doc: "The regular expression whose first match in a plain-text body is the URL to download.", Example: `https://example\.org/\S+`},
	}, httpclient.Params(), feed.Params()),
	Produces: slices.Concat([]string{"feed.url", "extra.file_name"}, emailFields, feed.Produces),
}

// BodySpec is the node spec of the mail body collector.
var BodySpec = topology.Spec{
	Name:    BodyName,
	Kind:    topology.KindCollector,
	Doc:     "Reads the bodies of unread mails: one report per non-empty body of each type in content_types, raw the decoded body, extra.email_* the mail's headers.",
	IntelMQ: "intelmq.bots.collectors.mail.collector_mail_body",
	Params: slices.Concat(commonParams(), tlsParams(), []topology.Param{
		{Name: "content_types", Type: topology.ParamStrings, Default: []string{"plain", "html"}, Doc: "The text subtypes whose bodies are read, in this order."},
	}, feed.Params()),
	Produces: slices.Concat(emailFields, feed.Produces),
}

func init() {
	topology.Register(AttachSpec, func(p topology.Params) (any, error) { return New(AttachName, p) })
	topology.Register(URLSpec, func(p topology.Params) (any, error) { return New(URLName, p) })
	topology.Register(BodySpec, func(p topology.Params) (any, error) { return New(BodyName, p) })
}

var _ topology.Collector[dho.Report] = (*Collector)(nil)

// Collector reads an IMAP folder's unread mails into reports.
type Collector struct {
	name, host    string
	spec          topology.Spec
	mode          mode
	port          int
	user, pass    string
	ssl, starttls bool
	tls           *tls.Config
	timeout       time.Duration
	folder        string
	subject, from *regexp.Regexp
	sentFrom      string
	sentTo        string
	interval      time.Duration
	attach        *regexp.Regexp
	extract       bool
	maxBytes      int64
	urlRe         *regexp.Regexp
	client        *httpclient.Client
	contentTypes  []string
	feed          *feed.Fields
	log           *slog.Logger
	customLog     bool
	now           func() time.Time
	flush         func(context.Context) error // topology.Flush; tests replace it
}

// New returns the collector of the node kind name (AttachName, URLName or
// BodyName) from validated parameters.
func New(name string, p topology.Params) (*Collector, error) {
	c := &Collector{
		name: name, host: p.String("mail_host"), port: int(p.Int("mail_port")),
		user: p.String("mail_user"), pass: p.String("mail_password"),
		ssl: p.Bool("mail_ssl"), starttls: p.Bool("mail_starttls"), timeout: p.Duration("mail_timeout"),
		folder: p.String("folder"), sentFrom: p.String("sent_from"), sentTo: p.String("sent_to"),
		interval: p.Duration("rate_limit"), now: time.Now, flush: topology.Flush,
	}
	bad := func(param string, err error) error { return &topology.ParamError{Node: name, Param: param, Err: err} }
	switch name {
	case AttachName:
		c.spec, c.mode = AttachSpec, modeAttach
	case URLName:
		c.spec, c.mode = URLSpec, modeURL
	case BodyName:
		c.spec, c.mode = BodySpec, modeBody
	default:
		return nil, fmt.Errorf("mail: unknown collector %q", name)
	}
	if c.host == "" {
		return nil, bad("mail_host", errors.New("empty"))
	}
	if c.port == 0 {
		c.port = 143
		if c.ssl {
			c.port = 993
		}
	}
	if c.port < 1 || c.port > 65535 {
		return nil, bad("mail_port", fmt.Errorf("%d is not a TCP port", c.port))
	}
	if c.ssl && c.starttls {
		return nil, bad("mail_starttls", errors.New("excludes mail_ssl"))
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if c.folder == "" {
		c.folder = "INBOX"
	}
	compile := func(param string) (*regexp.Regexp, error) {
		s := p.String(param)
		if s == "" {
			return nil, nil
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, bad(param, err)
		}
		return re, nil
	}
	var err error
	if c.subject, err = compile("subject_regex"); err != nil {
		return nil, err
	}
	if c.from, err = compile("from_regex"); err != nil {
		return nil, err
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.host}
	if p.Has("http_verify_cert") && !p.Bool("http_verify_cert") {
		conf.InsecureSkipVerify = true
	}
	if f := p.String("ssl_ca_certificate"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, bad("ssl_ca_certificate", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, bad("ssl_ca_certificate", fmt.Errorf("%s holds no PEM certificate", f))
		}
		conf.RootCAs = pool
	}
	c.tls = conf
	switch c.mode {
	case modeAttach:
		if p.String("attach_regex") == "" {
			return nil, bad("attach_regex", errors.New("empty"))
		}
		if c.attach, err = compile("attach_regex"); err != nil {
			return nil, err
		}
		c.extract, c.maxBytes = p.Bool("extract_files"), p.Int("extract_max_bytes")
	case modeURL:
		if p.String("url_regex") == "" {
			return nil, bad("url_regex", errors.New("empty"))
		}
		if c.urlRe, err = compile("url_regex"); err != nil {
			return nil, err
		}
		if c.client, err = httpclient.New(name, p); err != nil {
			return nil, err
		}
	case modeBody:
		c.contentTypes = p.Strings("content_types")
		if len(c.contentTypes) == 0 {
			c.contentTypes = []string{"plain", "html"}
		}
		for i, ct := range c.contentTypes {
			c.contentTypes[i] = strings.TrimPrefix(strings.TrimSpace(ct), "text/")
		}
	}
	if c.feed, err = feed.New(name, p); err != nil {
		return nil, err
	}
	c.log = slog.Default().With("node", name)
	return c, nil
}

// SetLogger makes the collector log on l (default: the node's logger).
func (c *Collector) SetLogger(l *slog.Logger) {
	c.log = l.With("node", c.name)
	c.customLog = true
	if c.client != nil {
		c.client.Log = c.log
	}
}

// Spec returns the node spec.
func (c *Collector) Spec() topology.Spec { return c.spec }

// Run reads the folder once (rate_limit 0: the error is returned) or every
// rate_limit until ctx ends (a failed round is logged, the next comes on
// schedule).
func (c *Collector) Run(ctx context.Context, emit func(*dho.Report) error) error {
	if !c.customLog {
		c.log = topology.Logger(ctx) // it names the node already
		if c.client != nil {
			c.client.Log = c.log
		}
	}
	return schedule.Run(ctx, c.interval, c.log, func(ctx context.Context) error { return c.Fetch(ctx, emit) })
}

// dial connects and logs in.
func (c *Collector) dial() (*imapclient.Client, error) {
	addr := net.JoinHostPort(c.host, strconv.Itoa(c.port))
	opts := &imapclient.Options{TLSConfig: c.tls, Dialer: &net.Dialer{Timeout: c.timeout}}
	var cl *imapclient.Client
	var err error
	switch {
	case c.ssl:
		cl, err = imapclient.DialTLS(addr, opts)
	case c.starttls:
		cl, err = imapclient.DialStartTLS(addr, opts)
	default:
		cl, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	if err := c.wait(cl, cl.Login(c.user, c.pass).Wait); err != nil {
		cl.Close()
		return nil, fmt.Errorf("%s: login: %w", addr, err)
	}
	return cl, nil
}

// wait runs an IMAP command's wait, closing the connection when the server
// is silent for mail_timeout (which ends the wait with an error).
func (c *Collector) wait(cl *imapclient.Client, f func() error) error {
	t := time.AfterFunc(c.timeout, func() { cl.Close() })
	defer t.Stop()
	return f()
}

// Fetch reads the unread mails of the folder once, emits their reports and
// marks the processed mails seen once the reports are in the broker.
// Errors of emit are wrapped with schedule.Stop.
func (c *Collector) Fetch(ctx context.Context, emit func(*dho.Report) error) error {
	cl, err := c.dial()
	if err != nil {
		return err
	}
	defer cl.Close()
	stop := context.AfterFunc(ctx, func() { cl.Close() })
	defer stop()
	if err := c.wait(cl, func() error { _, err := cl.Select(c.folder, nil).Wait(); return err }); err != nil {
		return fmt.Errorf("folder %s: %w", c.folder, err)
	}
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
	if c.sentFrom != "" {
		criteria.Header = append(criteria.Header, imap.SearchCriteriaHeaderField{Key: "From", Value: c.sentFrom})
	}
	if c.sentTo != "" {
		criteria.Header = append(criteria.Header, imap.SearchCriteriaHeaderField{Key: "To", Value: c.sentTo})
	}
	var uids []imap.UID
	if err := c.wait(cl, func() error {
		data, err := cl.UIDSearch(criteria, nil).Wait()
		if err == nil {
			uids = data.AllUIDs()
		}
		return err
	}); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if len(uids) == 0 {
		c.log.Debug("no unread mails")
	}
	var seen []imap.UID
	section := &imap.FetchItemBodySection{Peek: true}
	for _, uid := range uids {
		var raw []byte
		if err := c.wait(cl, func() error {
			msgs, err := cl.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err == nil && len(msgs) == 1 {
				raw = msgs[0].FindBodySection(section)
			}
			return err
		}); err != nil {
			return fmt.Errorf("fetch mail %d: %w", uid, err)
		}
		if raw == nil {
			continue // expunged meanwhile
		}
		m, err := ParseMessage(raw)
		if err != nil {
			c.log.Warn("unreadable mail left unread", "uid", uid, "err", err)
			continue
		}
		if !c.matches(m) {
			continue
		}
		ok, err := c.process(ctx, m, emit)
		if err != nil {
			return err
		}
		if ok {
			seen = append(seen, uid)
		}
	}
	if len(seen) == 0 {
		return c.wait(cl, cl.Logout().Wait)
	}
	if err := c.flush(ctx); err != nil {
		return schedule.Stop(fmt.Errorf("%s: reports not acknowledged by the broker, mails left unread: %w", c.name, err))
	}
	if err := c.wait(cl, func() error {
		return cl.Store(imap.UIDSetNum(seen...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	}); err != nil {
		return fmt.Errorf("marking %d mails seen (they will be read again): %w", len(seen), err)
	}
	c.log.Info("mails read", "folder", c.folder, "processed", len(seen))
	return c.wait(cl, cl.Logout().Wait)
}

var foldedSpace = regexp.MustCompile(`\r\n\s`)

// matches applies subject_regex and from_regex.
func (c *Collector) matches(m *Message) bool {
	if c.subject != nil && !c.subject.MatchString(foldedSpace.ReplaceAllString(m.Subject, " ")) {
		c.log.Debug("mail skipped: subject does not match", "subject", m.Subject, "date", m.Date)
		return false
	}
	if c.from != nil && !slices.ContainsFunc(m.From, c.from.MatchString) {
		c.log.Debug("mail skipped: sender does not match", "from", m.From, "date", m.Date)
		return false
	}
	return true
}

// report returns a report of raw with the mail's fields.
func (c *Collector) report(m *Message, raw []byte) (*dho.Report, error) {
	r, err := c.feed.Report(raw, c.now())
	if err != nil {
		return nil, err
	}
	for _, kv := range [][2]string{
		{"extra.email_subject", m.Subject},
		{"extra.email_from", strings.Join(m.From, ",")},
		{"extra.email_message_id", m.MessageID},
		{"extra.email_date", m.Date},
	} {
		if err := r.Set(kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", kv[0], err)
		}
	}
	return r, nil
}

// process emits the reports of a mail; ok says it is to be marked seen.
func (c *Collector) process(ctx context.Context, m *Message, emit func(*dho.Report) error) (ok bool, err error) {
	send := func(r *dho.Report) error {
		if err := emit(r); err != nil {
			return schedule.Stop(err)
		}
		return nil
	}
	switch c.mode {
	case modeAttach:
		for _, a := range m.Attachments {
			if a.Name == "" || !c.attach.MatchString(a.Name) {
				continue
			}
			files := []archive.File{{Name: a.Name, Data: a.Data}}
			if c.extract {
				fs, err := archive.Extract(a.Data, archive.All(c.maxBytes))
				switch {
				case err == nil:
					files = fs
				case errors.Is(err, archive.ErrNotArchive):
					c.log.Debug("attachment is no archive, read as it is", "file", a.Name)
				default:
					c.log.Warn("attachment not unpacked, mail left unread", "file", a.Name, "err", err)
					return false, nil
				}
			}
			for _, f := range files {
				r, err := c.report(m, f.Data)
				if err == nil && f.Name != "" {
					err = r.Set("extra.file_name", f.Name)
				}
				if err != nil {
					return false, err
				}
				if err := send(r); err != nil {
					return false, err
				}
			}
			ok = true
		}
	case modeBody:
		for _, ct := range c.contentTypes {
			for _, body := range m.Bodies[ct] {
				if len(body) == 0 {
					continue
				}
				r, err := c.report(m, body)
				if err != nil {
					return false, err
				}
				if err := send(r); err != nil {
					return false, err
				}
				ok = true
			}
		}
	case modeURL:
		failed := false
		for _, body := range m.Bodies["plain"] {
			u := strings.TrimSpace(c.urlRe.FindString(string(body)))
			if u == "" {
				continue
			}
			c.log.Info("downloading report", "url", u)
			resp, err := c.client.Get(ctx, func(ctx context.Context) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			})
			if err != nil {
				if ctx.Err() != nil {
					return false, schedule.Stop(ctx.Err())
				}
				c.log.Error("download failed, mail left unread", "url", u, "err", err)
				failed = true
				continue
			}
			if resp.StatusCode/100 != 2 {
				c.log.Error("download failed, mail left unread", "url", u, "status", resp.StatusCode)
				failed = true
				continue
			}
			if len(resp.Data) == 0 {
				c.log.Warn("empty download", "url", u)
			} else {
				r, err := c.report(m, resp.Data)
				if err == nil {
					err = r.Set("feed.url", u)
				}
				if name := fileName(resp.Response); err == nil && name != "" {
					err = r.Set("extra.file_name", name)
				}
				if err != nil {
					return false, err
				}
				if err := send(r); err != nil {
					return false, err
				}
			}
			ok = true
		}
		if failed {
			ok = false
		}
	}
	return ok, nil
}

// fileName is the file name of a download: Content-Disposition's, else the
// last segment of the URL's path, as IntelMQ takes it.
func fileName(resp *http.Response) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	if resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	u := *resp.Request.URL
	if p, err := url.PathUnescape(u.Path); err == nil {
		u.Path = p
	}
	base := path.Base(u.Path)
	if base == "/" || base == "." {
		return ""
	}
	return base
}
