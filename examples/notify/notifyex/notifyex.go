// Package notifyex is the notification example topology: a bundled scan
// report (CSV) → the generic CSV parser → the constituency expert (which
// member owns each address, and its contact; the output is keyed by
// contact) → the notify expert (one digest per contact and interval) →
// the SMTP digest output, which mails each contact one message listing
// all their events. Without an SMTP server given, an in-process mail sink
// on loopback receives the mails and prints them. It registers itself as
// "notify" for intelstream describe and intelstream run.
package notifyex

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/smtp"
	"github.com/intelstream/intelstream/processors/experts/constituency"
	"github.com/intelstream/intelstream/processors/experts/notify"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/csv"
	"github.com/intelstream/intelstream/topology"
)

// Name is the topology's name.
const Name = "notify"

// Report is the bundled scan report: nine made-up events in the
// documentation address ranges, one of them outside the constituency.
//
//go:embed data/scans.csv
var Report []byte

// Members is the bundled constituency: three organisations and their
// networks and contacts.
//
//go:embed data/members.csv
var Members []byte

func init() {
	topology.Define(topology.Definition{
		Name: Name,
		Doc:  "bundled scan CSV → csv parser → constituency (contacts) → notify (one digest per contact) → SMTP digest output (--set smtp=HOST:PORT, interval=DURATION, members=FILE; no smtp: an in-process mail sink prints the mails)",
		Build: func(params map[string]string) (*topology.Topology, error) {
			return Build(params, os.Stdout)
		},
	})
}

// Build makes the topology. Parameters: smtp (host:port of the mail
// server; none starts an in-process mail sink that writes each mail to
// mails), interval (how long the notify node collects, default 3s) and
// members (a constituency CSV file instead of the bundled one).
func Build(params map[string]string, mails io.Writer) (*topology.Topology, error) {
	cfg := map[string]string{"interval": "3s"}
	for k, v := range params {
		switch k {
		case "smtp", "interval", "members":
			cfg[k] = v
		default:
			return nil, fmt.Errorf("%s: unknown parameter %q (smtp, interval, members)", Name, k)
		}
	}
	parser, err := csv.New(csv.Config{
		// The report's first line is a "#" comment, which the parser
		// skips as IntelMQ's does: no header to skip.
		Columns: []string{"time.source", "source.ip", "source.port", "classification.type", "event_description.text"},
	})
	if err != nil {
		return nil, err
	}
	members, cleanup, err := membersFile(cfg["members"])
	if err != nil {
		return nil, err
	}
	cp, err := constituency.Spec.Validate(map[string]any{"files": members, "reload_interval": "1h"})
	if err != nil {
		cleanup()
		return nil, err
	}
	contacts, err := constituency.New(context.Background(), cp)
	cleanup() // loaded; the reload interval outlasts the example
	if err != nil {
		return nil, err
	}
	np, err := notify.Spec.Validate(map[string]any{"interval": cfg["interval"], "group_by": "classification.type"})
	if err != nil {
		return nil, err
	}
	grouper, err := notify.New(np)
	if err != nil {
		return nil, err
	}
	out, err := digestOutput(cfg["smtp"], mails)
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	reports := topology.Source(t, "collect", Collector(), topology.Produces("feed.name"))
	events := topology.Map(t, "parse", reports, topology.Processor[dho.Report, dho.Event](parsers.Node(parser)),
		topology.Produces("source.ip", "classification.type", "time.source"))
	owned := topology.Map(t, "contacts", events, topology.Processor[dho.Event, dho.Event](contacts),
		topology.KeyBy(notify.KeyByRecipient(nil)))
	digests := topology.Map(t, "group", owned, topology.Processor[dho.Event, dho.Digest](grouper), topology.TickEvery(500*time.Millisecond))
	topology.Sink(t, "mail", digests, out)
	return t, nil
}

// membersFile is the constituency file: the given one, or the bundled one
// written to a temporary file (removed by cleanup).
func membersFile(path string) (string, func(), error) {
	if path != "" {
		return path, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "intelstream-notify-")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, "members.csv")
	if err := os.WriteFile(path, Members, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// digestOutput is the SMTP digest output to addr, or to an in-process
// sink that writes the mails to w (closed with the output).
func digestOutput(addr string, w io.Writer) (topology.Output[dho.Digest], error) {
	var sink *MailSink
	if addr == "" {
		var err error
		sink, err = StartMailSink(func(m Mail) { printMail(w, m) })
		if err != nil {
			return nil, err
		}
		addr = sink.Addr().String()
	}
	host, port, ok := strings.Cut(addr, ":")
	n, err := strconv.Atoi(port)
	if !ok || err != nil {
		return nil, fmt.Errorf("%s: smtp %q: want HOST:PORT", Name, addr)
	}
	p, err := smtp.DigestSpec.Validate(map[string]any{
		"mail_from": "Example CERT <cert@cert.example>", "smtp_host": host, "smtp_port": n, "starttls": false,
		"subject": `{{.Count}} security events in your network ({{.First.Format "2006-01-02 15:04"}} to {{.Last.Format "15:04"}} UTC)`,
	})
	if err != nil {
		return nil, err
	}
	o, err := smtp.NewDigest(p)
	if err != nil {
		return nil, err
	}
	return &output{o, sink}, nil
}

// output is the digest output, closing the mail sink with it.
type output struct {
	*smtp.DigestOutput
	sink *MailSink
}

// Close stops the in-process mail sink (the SMTP output dials a connection
// per batch and holds none).
func (o *output) Close() error {
	if o.sink != nil {
		return o.sink.Close()
	}
	return nil
}

func printMail(w io.Writer, m Mail) {
	fmt.Fprintf(w, "=== mail to %s: %s\n%s\n", strings.Join(m.To, ", "), m.Header("Subject"), m.Data)
}

// Collector emits the bundled report once.
func Collector() topology.Collector[dho.Report] {
	return topology.CollectorFunc[dho.Report](func(ctx context.Context, emit func(*dho.Report) error) error {
		r := &dho.Report{Raw: Report}
		for field, v := range map[string]any{"feed.name": "Example scan report", "time.observation": time.Now()} {
			if err := r.Set(field, v); err != nil {
				return err
			}
		}
		return emit(r)
	})
}
