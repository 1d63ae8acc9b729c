package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
)

type normalizeOptions struct {
	input, output, errors, mode string
	ascii, noType, ids, strict  bool
}

func newNormalizeCmd() *cobra.Command {
	var o normalizeOptions
	cmd := &cobra.Command{
		Use:   "normalize",
		Short: "Validate and normalize IntelMQ events (flat JSON lines)",
		Long: `Read events or reports in IntelMQ's flat JSON form, one per line (an IntelMQ
file output or dump), sanitize every value as DHO does, and write them back
in IntelMQ's exact form (--mode intelmq) or in DHO 2.0's flat form
(--mode dho). A line that cannot be read is reported with its number and the
reason (on stderr, or as JSON lines in --errors FILE) and the rest go on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNormalize(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.input, "input", "i", "-", "file to read, - for stdin")
	f.StringVarP(&o.output, "output", "o", "-", "file to write, - for stdout")
	f.StringVar(&o.errors, "errors", "", "write refused lines as JSON lines (line, error, input) to this file instead of stderr")
	f.StringVar(&o.mode, "mode", "intelmq", "flat form to write: intelmq or dho")
	f.BoolVar(&o.ascii, "ascii", false, "escape non-ASCII characters (as IntelMQ's pipeline messages do)")
	f.BoolVar(&o.noType, "no-type", false, "leave out the __type key")
	f.BoolVar(&o.ids, "ids", false, "give every event without an id a new one")
	f.BoolVar(&o.strict, "strict", false, "exit with status 2 when any line was refused")
	return cmd
}

func runNormalize(stdin io.Reader, stdout, stderr io.Writer, o normalizeOptions) error {
	opts := dho.FlatOptions{ASCII: o.ascii, OmitType: o.noType}
	switch o.mode {
	case "intelmq":
		opts.Mode = dho.FlatIntelMQ
	case "dho":
		opts.Mode = dho.FlatDHO
	default:
		return fmt.Errorf("--mode %q: want intelmq or dho", o.mode)
	}
	in := stdin
	if o.input != "-" {
		f, err := os.Open(o.input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	out, closeOut, err := createOutput(o.output, stdout)
	if err != nil {
		return err
	}
	defer closeOut()
	var errOut *json.Encoder
	if o.errors != "" {
		f, err := os.Create(o.errors)
		if err != nil {
			return err
		}
		defer f.Close()
		errOut = json.NewEncoder(f)
	}

	w := bufio.NewWriterSize(out, 64<<10)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var (
		buf           []byte
		ev            dho.Event
		rep           dho.Report
		n, ok, failed int
	)
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var err error
		if isReport(line) {
			if err = rep.UnmarshalFlat(string(line)); err == nil {
				buf = rep.AppendFlat(buf[:0], opts)
			}
		} else if err = ev.UnmarshalFlat(string(line)); err == nil {
			if o.ids {
				ev.EnsureID()
			}
			buf = ev.AppendFlat(buf[:0], opts)
		}
		if err != nil {
			failed++
			if errOut != nil {
				if werr := errOut.Encode(map[string]any{"line": n, "error": err.Error(), "input": string(line)}); werr != nil {
					return werr
				}
			} else {
				fmt.Fprintf(stderr, "line %d: %v\n", n, err)
			}
			continue
		}
		ok++
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading line %d: %w", n+1, err)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d written, %d refused\n", ok, failed)
	if o.strict && failed > 0 {
		return fmt.Errorf("%d lines refused", failed)
	}
	return nil
}

// isReport tells reports from events by their __type without decoding twice.
func isReport(line []byte) bool {
	return bytes.Contains(line, []byte(`"__type": "Report"`)) || bytes.Contains(line, []byte(`"__type":"Report"`))
}

// createOutput opens path for writing, or returns stdout for "-"; the
// returned function closes what was opened.
func createOutput(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
