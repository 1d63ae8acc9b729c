package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/internal/atomicfile"
	"github.com/intelstream/intelstream/internal/runner"
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
	cmd.AddCommand(dump, newStateExportCmd(), newStateImportCmd())
	return cmd
}

// stateNodeCmd is what export and import share: the topology, the node
// and the cluster.
type stateNodeCmd struct {
	cf   clusterFlags
	node string
	sets []string
}

func (s *stateNodeCmd) add(cmd *cobra.Command, what string) {
	s.cf.add(cmd)
	cmd.Flags().StringVar(&s.node, "node", "", "the node whose state to "+what)
	cmd.Flags().StringArrayVar(&s.sets, "set", nil, "a topology parameter NAME=VALUE, as given to run")
	_ = cmd.MarkFlagRequired("node")
}

// do builds the topology, connects and calls fn.
func (s *stateNodeCmd) do(cmd *cobra.Command, name string, fn func(*topology.Topology, *runner.Env) error) error {
	params, err := parseSets(s.sets)
	if err != nil {
		return err
	}
	t, err := topology.Build(name, params)
	if err != nil {
		return err
	}
	env, err := s.cf.connectExisting(cmd.Context())
	if err != nil {
		return err
	}
	defer env.Close()
	return fn(t, env)
}

func newStateExportCmd() *cobra.Command {
	var (
		s   stateNodeCmd
		out string
	)
	cmd := &cobra.Command{
		Use:   "export TOPOLOGY --node NAME [-o FILE]",
		Short: "Write a node's state (tables and consumer group offsets) as JSON lines, to move it to another cluster",
		Long: `Write the node's state so that "state import" can load it into another
cluster: a header line (format, version, topology, node, group, tables
with their changelog partitions), one line per live table entry
{"table", "partition", "key", "value"} (key and value base64, read from
the changelog topics) and one line per committed offset of the node's
consumer group {"topic", "partition", "offset"}. Stop the node first for
a consistent copy.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.do(cmd, args[0], func(t *topology.Topology, env *runner.Env) error {
				if out == "" || out == "-" {
					return topology.ExportState(cmd.Context(), env.Transport, t, s.node, cmd.OutOrStdout())
				}
				// Written beside the target and renamed: a failed export
				// leaves no half file.
				return atomicfile.Write(out, 0o600, func(w io.Writer) error {
					return topology.ExportState(cmd.Context(), env.Transport, t, s.node, w)
				})
			})
		},
	}
	s.add(cmd, "export")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default standard output)")
	return cmd
}

func newStateImportCmd() *cobra.Command {
	var (
		s  stateNodeCmd
		in string
	)
	cmd := &cobra.Command{
		Use:   "import TOPOLOGY --node NAME -i FILE",
		Short: "Load a node's state written by state export into this cluster",
		Long: `Load a state written by "state export": the header must name this
topology, node and tables. The changelog topics are created when missing
and made to hold exactly the exported entries, and the node's consumer
group gets the exported offsets. The node must not run anywhere (the
group must have no members); when it starts it restores its tables from
the changelogs and goes on from the offsets.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader
			switch in {
			case "":
				return fmt.Errorf("give the file to import with -i (- for standard input)")
			case "-":
				r = cmd.InOrStdin()
			default:
				f, err := os.Open(in)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			return s.do(cmd, args[0], func(t *topology.Topology, env *runner.Env) error {
				if err := topology.ImportState(cmd.Context(), env.Transport, t, s.node, r); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "imported the state of %s/%s\n", t.Name(), s.node)
				return nil
			})
		},
	}
	s.add(cmd, "import")
	cmd.Flags().StringVarP(&in, "input", "i", "", "the file to read (- for standard input)")
	return cmd
}
