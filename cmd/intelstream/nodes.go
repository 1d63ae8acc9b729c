package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	_ "github.com/intelstream/intelstream/processors/all" // register every node kind
	"github.com/intelstream/intelstream/topology"
)

func newNodesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "nodes",
		Short: "List the node kinds (collectors, parsers, experts, outputs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs := topology.Registered()
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), specs)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NODE\tKIND\tINTELMQ MODULE\tDESCRIPTION")
			for _, s := range specs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Kind, orDash(s.IntelMQ), s.Doc)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the specs as JSON")
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one node kind: parameters and the fields it requires and produces",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ok := topology.Lookup(args[0])
			if !ok {
				return fmt.Errorf("no node kind %q (see intelstream nodes)", args[0])
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), r.Spec)
			}
			return writeSpec(cmd.OutOrStdout(), r.Spec)
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print the spec as JSON")
	cmd.AddCommand(show)
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeSpec(w io.Writer, s topology.Spec) error {
	fmt.Fprintf(w, "%s (%s)\n\n%s\n\n", s.Name, s.Kind, s.Doc)
	if s.IntelMQ != "" {
		fmt.Fprintf(w, "Replaces IntelMQ's %s.\n\n", s.IntelMQ)
	}
	fmt.Fprintf(w, "Requires: %s\nProduces: %s\n\n", orDash(strings.Join(s.Requires, ", ")), orDash(strings.Join(s.Produces, ", ")))
	if len(s.Params) == 0 {
		fmt.Fprintln(w, "No parameters.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tTYPE\tDEFAULT\tREQUIRED\tRUNTIME\tDESCRIPTION")
	for _, p := range s.Params {
		def := "-"
		if p.Default != nil {
			def = fmt.Sprint(p.Default)
		}
		req, run := "-", "-"
		if p.Required {
			req = "yes"
		}
		if p.Runtime {
			run = "yes"
		}
		doc := p.Doc
		if len(p.Enum) > 0 {
			doc += " (one of " + strings.Join(p.Enum, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type, def, req, run, doc)
	}
	return tw.Flush()
}
