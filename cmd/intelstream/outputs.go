package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/outputs/postgres"
)

func init() { addCommand(newOutputsCmd) }

func newOutputsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "outputs",
		Short: "Tools for the outputs (database schemas, index templates)",
	}
	pg := &cobra.Command{Use: "postgres", Short: "PostgreSQL output tools"}
	var table string
	schema := &cobra.Command{
		Use:   "schema",
		Short: "Print the DDL of the PostgreSQL events table",
		Long: `Print the SQL that creates the events table of the PostgreSQL output: a typed
column per DHO field (arrays for multi-valued fields, JSONB for extra), the
event id as primary key, and indexes on the times, classification type, feed
name and source addresses.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ddl, err := postgres.DDL(table)
			if err != nil {
				return fmt.Errorf("--table: %w", err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), ddl)
			return err
		},
	}
	schema.Flags().StringVar(&table, "table", "events", "table name: TABLE or SCHEMA.TABLE")
	pg.AddCommand(schema)
	cmd.AddCommand(pg)
	return cmd
}
