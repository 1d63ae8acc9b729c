package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/transformers"
	"github.com/intelstream/intelstream/transformers/idea"
	"github.com/intelstream/intelstream/transformers/n6"
)

func init() { addCommand(newTransformCmd) }

type transformOptions struct {
	from, to      string
	input, output string
	strict        bool
}

// transformFormats are the formats transform reads and writes: how a line
// becomes a DHO event and how an event becomes a line.
var transformFormats = map[string]struct {
	decode transformers.Decoder
	encode transformers.Encoder
}{
	"dho":  {decodeFlat, appendFlat},
	"idea": {idea.DecodeDHO, idea.AppendJSON},
	"n6":   {n6.DecodeDHO, n6.AppendJSON},
}

func decodeFlat(raw []byte, _ ...transformers.Option) (*dho.Event, transformers.Losses, error) {
	e, err := dho.ParseEvent(raw)
	return e, nil, err
}

func appendFlat(dst []byte, e *dho.Event, _ ...transformers.Option) ([]byte, transformers.Losses, error) {
	return e.AppendFlat(dst, dho.FlatOptions{}), nil, nil
}

func newTransformCmd() *cobra.Command {
	var o transformOptions
	cmd := &cobra.Command{
		Use:   "transform",
		Short: "Convert JSON lines between DHO (IntelMQ flat JSON), IDEA and n6",
		Long: `Convert a file of JSON lines from one format to another: dho (IntelMQ's
flat JSON, as intelstream parse writes it), idea (CESNET's IDEA0 messages) or
n6 (CERT Polska's n6 events). Every line goes through a DHO event; what a
conversion cannot represent (an IPv6 address in n6, a field IDEA has no key
for) is reported on stderr with the line number, and the line is written
without it.

A line that cannot be read is reported with its line number and skipped; the
command exits 0. With --strict a line that cannot be read or would lose
something is reported and not written, and the command exits non-zero when
any line failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTransform(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "input format: dho, idea or n6 (required)")
	f.StringVar(&o.to, "to", "", "output format: dho, idea or n6 (required)")
	f.StringVarP(&o.input, "input", "i", "-", "file to read, - for stdin")
	f.StringVarP(&o.output, "output", "o", "-", "file to write, - for stdout")
	f.BoolVar(&o.strict, "strict", false, "refuse lossy conversions and fail on bad lines")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func runTransform(stdin io.Reader, stdout, stderr io.Writer, o transformOptions) error {
	from, ok := transformFormats[o.from]
	if !ok {
		return fmt.Errorf("--from %q: not dho, idea or n6", o.from)
	}
	to, ok := transformFormats[o.to]
	if !ok {
		return fmt.Errorf("--to %q: not dho, idea or n6", o.to)
	}
	in := stdin
	if o.input != "-" && o.input != "" {
		f, err := os.Open(o.input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	out := stdout
	var file *os.File
	if o.output != "-" && o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			return err
		}
		defer f.Close()
		out, file = f, f
	}
	w := bufio.NewWriter(out)
	var opts []transformers.Option
	if o.strict {
		opts = append(opts, transformers.Strict())
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	var buf []byte
	written, failed := 0, 0
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		e, inLosses, err := from.decode(line, opts...)
		var outLosses transformers.Losses
		if err == nil {
			buf, outLosses, err = to.encode(buf[:0], e, opts...)
		}
		if err != nil {
			// A strict conversion's error lists its losses.
			fmt.Fprintf(stderr, "line %d: %v\n", n, err)
			failed++
			continue
		}
		for _, l := range inLosses {
			fmt.Fprintf(stderr, "line %d: %s → DHO lost %s\n", n, o.from, l)
		}
		for _, l := range outLosses {
			fmt.Fprintf(stderr, "line %d: DHO → %s lost %s\n", n, o.to, l)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
		written++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Sync(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "%d lines written, %d failed\n", written, failed)
	if o.strict && failed > 0 {
		return fmt.Errorf("%d lines failed (--strict)", failed)
	}
	return nil
}
