package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
	_ "github.com/intelstream/intelstream/processors/parsers/all" // every parser, by name
)

type parseOptions struct {
	intelmqBot, bot       string
	input, report, params string
	output, errors        string
}

func newParseCmd() *cobra.Command {
	var o parseOptions
	cmd := &cobra.Command{
		Use:   "parse",
		Short: "Parse one feed file into events (IntelMQ flat JSON lines)",
		Long: `Parse one file of feed data with one parser, as an IntelMQ parser bot would
parse a report holding it, and print the events as IntelMQ flat JSON lines.

The parser is named by IntelMQ's module name (--intelmq-bot
intelmq.bots.parsers.shadowserver.parser) or by ours (--bot shadowserver).
--report gives the report's other fields as a flat JSON object as IntelMQ's
collector produced them (feed.name, extra.file_name, time.observation ...);
they are sanitized as IntelMQ does, and the report's raw data is the input
file. --params gives the parser's parameters as a JSON object, with IntelMQ's
names; IntelMQ's generic bot parameters (logging_level, ...) are accepted and
ignored, unknown ones refused.

Lines the parser cannot parse are reported on stderr (or as JSON lines in
--errors FILE: the reason, the line number and the report IntelMQ would send
to its error queue) and the command goes on; it exits 0 then too. It exits
non-zero for a bad command line, an unknown parser, bad parameters or an
unreadable file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runParse(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.intelmqBot, "intelmq-bot", "", "the parser, by IntelMQ's module name")
	f.StringVar(&o.bot, "bot", "", "the parser, by our name")
	f.StringVarP(&o.input, "input", "i", "", "the feed data to parse (required)")
	f.StringVar(&o.report, "report", "", "the report's fields as a flat JSON object")
	f.StringVar(&o.params, "params", "", "the parser's parameters as a JSON object")
	f.StringVarP(&o.output, "output", "o", "-", "file to write the events to, - for stdout")
	f.StringVar(&o.errors, "errors", "", "write failed lines as JSON lines to this file instead of stderr")
	cmd.MarkFlagsMutuallyExclusive("intelmq-bot", "bot")
	cmd.MarkFlagsOneRequired("intelmq-bot", "bot")
	_ = cmd.MarkFlagRequired("input")
	return cmd
}

func runParse(ctx context.Context, stdout, stderr io.Writer, o parseOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	params := map[string]any{}
	if o.params != "" {
		b, err := os.ReadFile(o.params)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &params); err != nil {
			return fmt.Errorf("--params %s: %w", o.params, err)
		}
		if params == nil {
			params = map[string]any{}
		}
	}
	var (
		p   parsers.Parser
		err error
	)
	if o.bot != "" {
		p, err = parsers.New(o.bot, params)
	} else {
		p, err = parsers.NewIntelMQ(o.intelmqBot, params)
	}
	if err != nil {
		return err
	}

	report := &dho.Report{}
	if o.report != "" {
		b, err := os.ReadFile(o.report)
		if err != nil {
			return err
		}
		if b, err = dropIgnored(b); err != nil {
			return fmt.Errorf("--report %s: %w", o.report, err)
		}
		if report, err = dho.ParseReport(b); err != nil {
			return fmt.Errorf("--report %s: %w", o.report, err)
		}
	}
	raw, err := os.ReadFile(o.input)
	if err != nil {
		return err
	}
	report.Raw = raw

	out, closeOut, err := createOutput(o.output, stdout)
	if err != nil {
		return err
	}
	defer closeOut()
	var errFile *os.File
	if o.errors != "" {
		if errFile, err = os.Create(o.errors); err != nil {
			return err
		}
		defer errFile.Close()
	}

	w := bufio.NewWriterSize(out, 64<<10)
	var (
		buf            []byte
		events, failed int
		writeErr       error
	)
	fail := func(f parsers.Failure) {
		failed++
		if errFile == nil {
			fmt.Fprintf(stderr, "%s: %v\n", o.input, f)
			return
		}
		if writeErr == nil {
			writeErr = writeFailure(errFile, report, f)
		}
	}
	if len(raw) == 0 {
		// IntelMQ's parsers skip a report without raw data.
		fmt.Fprintf(stderr, "%s: empty input, no events\n", o.input)
	} else {
		err = p.Parse(ctx, report, func(ev *dho.Event) error {
			events++
			buf = ev.AppendFlat(buf[:0], dho.FlatOptions{})
			buf = append(buf, '\n')
			dho.ReleaseEvent(ev) // written: the parser may reuse it
			_, err := w.Write(buf)
			return err
		}, fail)
		var fe parsers.Failure
		switch {
		case err == nil:
		case errors.As(err, &fe):
			return err
		case ctx.Err() != nil:
			return err
		default:
			// The report as a whole could not be parsed: IntelMQ sends it
			// to its error queue; so do we, and exit 0 as for failed lines.
			if isWriteError(err) {
				return err
			}
			fail(parsers.Failure{Raw: raw, Err: err})
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if failed > 0 || errFile != nil {
		fmt.Fprintf(stderr, "%d events, %d failed\n", events, failed)
	}
	return nil
}

// writeError marks an error of the output, which ends the command.
type writeError struct{ error }

func (e writeError) Unwrap() error { return e.error }

func isWriteError(err error) bool {
	var we writeError
	return errors.As(err, &we) || errors.Is(err, io.ErrShortWrite) || errors.Is(err, os.ErrClosed)
}

// writeFailure writes one failure as a JSON line: the reason, the line
// number, and the report IntelMQ would put in its error queue (the report
// with raw replaced by the failed data).
func writeFailure(w io.Writer, report *dho.Report, f parsers.Failure) error {
	dump := *report
	dump.Raw = f.Raw
	var b bytes.Buffer
	b.WriteString(`{"error": `)
	msg, _ := json.Marshal(f.Err.Error())
	b.Write(msg)
	fmt.Fprintf(&b, `, "line": %d, "report": `, f.Line)
	b.Write(dump.MarshalFlat(dho.FlatOptions{}))
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// dropIgnored removes the report fields IntelMQ ignores when it builds a
// message (null, "", "-", "N/A"), so that such a report is read as IntelMQ
// reads it rather than refused.
func dropIgnored(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	for k, v := range m {
		if parsers.Ignored(v) {
			delete(m, k)
		}
	}
	return json.Marshal(m)
}
