package main

import (
	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/dho"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "intelstream",
		Short:         "Threat intelligence as typed streams on Kafka",
		Version:       version + " (DHO " + dho.Version + ")",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newFieldsCmd(), newNormalizeCmd(), newSchemaCmd(), newNodesCmd(), newParseCmd(), newBrokerCmd(), newRunCmd(), newDescribeCmd(), newDLQCmd(), newShadowserverCmd())
	return root
}

// version is the command's version; release builds set it with -ldflags.
var version = "dev"
