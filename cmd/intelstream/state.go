package main

import (
	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/topology"
)

func init() { addCommand(newStateCmd) }

func newStateCmd() *cobra.Command {
	var (
		cf   clusterFlags
		node string
		sets []string
	)
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Inspect the state (tables) of a topology's nodes",
	}
	dump := &cobra.Command{
		Use:   "dump TOPOLOGY --node NAME",
		Short: "Print a node's table entries as JSON lines, read from their changelog topics",
		Long: `Print every live entry of the node's tables (deduplicator hashes, open
windows, notification batches ...) as JSON lines {"table", "partition",
"key", "value"}. The entries are read from the tables' compacted changelog
topics on the broker, so the node may be running elsewhere.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			params, err := parseSets(sets)
			if err != nil {
				return err
			}
			t, err := topology.Build(args[0], params)
			if err != nil {
				return err
			}
			env, err := cf.connectExisting(cmd.Context())
			if err != nil {
				return err
			}
			defer env.Close()
			return t.DumpState(cmd.Context(), env.Transport, node, func(e topology.StateEntry) error {
				return writeJSON(cmd.OutOrStdout(), e)
			})
		},
	}
	cf.add(dump)
	dump.Flags().StringVar(&node, "node", "", "the node whose tables to print")
	dump.Flags().StringArrayVar(&sets, "set", nil, "a topology parameter NAME=VALUE, as given to run")
	_ = dump.MarkFlagRequired("node")
	cmd.AddCommand(dump)
	return cmd
}
