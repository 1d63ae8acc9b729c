package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/sieve"
)

func init() { addCommand(newSieveCmd) }

func newSieveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sieve",
		Short: "Check sieve files and try them on events",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Check sieve files (syntax, fields, patterns, networks, times)",
		Long: `Check sieve files as the sieve expert does when it starts: the syntax, field
names, regular expressions, IP networks and addresses, times and values. Each
file is reported as ok or with the line and column of its first error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			bad := 0
			for _, f := range files {
				if _, err := parseSieveFile(f); err != nil {
					fmt.Fprintln(cmd.OutOrStdout(), err)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", f)
			}
			if bad > 0 {
				return fmt.Errorf("%d of %d sieve files have errors", bad, len(files))
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "test FILE [EVENTS]",
		Short: "Run a sieve file on events (flat IntelMQ JSON, one a line)",
		Long: `Run a sieve file on events given as flat IntelMQ JSON, one a line, from the
EVENTS file or standard input. Each event is written back with what the rules
decided: "drop", or "keep"/"continue" with the paths, then the changed event.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			prog, err := parseSieveFile(args[0])
			if err != nil {
				return err
			}
			in := cmd.InOrStdin()
			if len(args) == 2 {
				f, err := os.Open(args[1])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			return sieveTest(prog, in, cmd.OutOrStdout())
		},
	})
	return cmd
}

func parseSieveFile(name string) (*sieve.Program, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	prog, err := sieve.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return prog, nil
}

func sieveTest(prog *sieve.Program, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	var errs []error
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		e := &dho.Event{}
		if err := e.UnmarshalFlat(line); err != nil {
			errs = append(errs, fmt.Errorf("event %d: %w", n, err))
			continue
		}
		r, err := prog.Run(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("event %d: %w", n, err))
			continue
		}
		if r.Verdict == sieve.Drop {
			fmt.Fprintf(out, "%d\tdrop\n", n)
			continue
		}
		paths := "_default"
		if len(r.Paths) > 0 {
			paths = strings.Join(r.Paths, ",")
		}
		fmt.Fprintf(out, "%d\t%s\t%s\t%s\n", n, r.Verdict, paths, e.MarshalFlat(dho.FlatOptions{}))
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
