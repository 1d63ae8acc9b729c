package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
)

func newFieldsCmd() *cobra.Command {
	var asJSON, reportOnly bool
	cmd := &cobra.Command{
		Use:   "fields",
		Short: "List the fields of the DHO data model",
		Long: `List every DHO field with its value type, whether it holds several values,
the DHO version that added it, whether IntelMQ has it and whether reports have it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fields := dho.Fields()
			if reportOnly {
				fields = dho.ReportFields()
			}
			if asJSON {
				return writeFieldsJSON(cmd.OutOrStdout(), fields)
			}
			return writeFieldsTable(cmd.OutOrStdout(), fields)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the registry as JSON")
	cmd.Flags().BoolVar(&reportOnly, "report", false, "list only the fields of reports")
	return cmd
}

// fieldJSON is the JSON form of one registry entry.
type fieldJSON struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	GoType      string `json:"go_type"`
	Multi       bool   `json:"multi"`
	Since       string `json:"since"`
	IntelMQ     bool   `json:"intelmq"`
	Report      bool   `json:"report"`
	MaxLength   int    `json:"max_length,omitempty"`
	Pattern     string `json:"pattern,omitempty"`
	Min         *int64 `json:"min,omitempty"`
	Max         *int64 `json:"max,omitempty"`
	Description string `json:"description"`
}

func writeFieldsJSON(w io.Writer, fields []dho.Field) error {
	out := struct {
		Version string      `json:"dho_version"`
		Fields  []fieldJSON `json:"fields"`
	}{Version: dho.Version}
	for _, f := range fields {
		j := fieldJSON{
			Name: f.Name, Type: f.Type.String(), GoType: f.GoType(), Multi: f.Multi, Since: f.Since,
			IntelMQ: f.IntelMQ, Report: f.InReport, MaxLength: f.MaxLength, Pattern: f.Pattern,
			Description: f.Doc,
		}
		if f.Max != 0 {
			j.Min, j.Max = &f.Min, &f.Max
		}
		out.Fields = append(out.Fields, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeFieldsTable(w io.Writer, fields []dho.Field) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tTYPE\tMULTI\tSINCE\tINTELMQ\tREPORT\tDESCRIPTION")
	for _, f := range fields {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Type, yes(f.Multi), f.Since, yes(f.IntelMQ), yes(f.InReport), f.Doc)
	}
	return tw.Flush()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
