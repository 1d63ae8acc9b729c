package main

import (
	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
)

// subcommands are the command's subcommands; each file that defines one
// adds its constructor here from an init function, so that commands can be
// added without touching this file.
var subcommands []func() *cobra.Command

// addCommand registers a subcommand's constructor (called from init).
func addCommand(newCmd func() *cobra.Command) { subcommands = append(subcommands, newCmd) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "intelstream",
		Short:         "Threat intelligence as typed streams on Kafka",
		Version:       version + " (DHO " + dho.Version + ")",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newFieldsCmd(), newNormalizeCmd(), newSchemaCmd(), newNodesCmd(), newParseCmd(), newBrokerCmd(), newRunCmd(), newDescribeCmd(), newDLQCmd(), newShadowserverCmd())
	for _, newCmd := range subcommands {
		root.AddCommand(newCmd())
	}
	return root
}

// version is the command's version; release builds set it with -ldflags.
var version = "dev"
