package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/internal/embedded"
)

// newBrokerCmd runs the embedded Kafka broker and schema registry as a
// process of their own, so that several intelstream processes on one
// machine can share them.
func newBrokerCmd() *cobra.Command {
	var listen, registryListen string
	var partitions int
	cmd := &cobra.Command{
		Use:   "broker",
		Short: "Run an in-memory Kafka broker and schema registry on loopback",
		Long: `Run an in-memory Kafka broker (franz-go's kfake) and a Confluent-compatible
schema registry (srfake) until interrupted (SIGINT or SIGTERM). Both listen on
loopback only and keep their data in memory: it is gone when the command ends.
Topics are created on first use with --partitions partitions.

It prints the two addresses, one per line:

  kafka: 127.0.0.1:9092
  registry: http://127.0.0.1:8081`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			c, err := embedded.Start(ctx,
				embedded.Listen(listen),
				embedded.RegistryListen(registryListen),
				embedded.Partitions(partitions))
			if err != nil {
				return err
			}
			defer c.Close()
			out := cmd.OutOrStdout()
			for _, b := range c.Brokers() {
				fmt.Fprintf(out, "kafka: %s\n", b)
			}
			fmt.Fprintf(out, "registry: %s\n", c.RegistryURL())
			<-c.Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:9092", "the broker's address (loopback only; port 0 picks one)")
	cmd.Flags().StringVar(&registryListen, "registry-listen", "127.0.0.1:8081", "the schema registry's address (loopback only; port 0 picks one)")
	cmd.Flags().IntVar(&partitions, "partitions", 3, "partitions of topics created on first use")
	return cmd
}
