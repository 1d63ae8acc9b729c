package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/topology"
)

func newNodesTestCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test [NAME...]",
		Short: "Run the built-in examples of node kinds (all without NAME) as a self-test",
		Long: `Run the built-in examples that node kinds ship (parameters, an input and the
output the node must give): one line per example, PASS or FAIL with what
differed. It exits non-zero when an example fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var regs []*topology.Registration
			if len(args) == 0 {
				for _, s := range topology.Registered() {
					r, _ := topology.Lookup(s.Name)
					regs = append(regs, r)
				}
			}
			for _, name := range args {
				r, ok := topology.Lookup(name)
				if !ok {
					return fmt.Errorf("no node kind %q (see intelstream nodes)", name)
				}
				if len(r.Spec.Examples) == 0 {
					return fmt.Errorf("node kind %s has no built-in examples", name)
				}
				regs = append(regs, r)
			}
			var results []topology.ExampleResult
			failed := 0
			for _, r := range regs {
				for _, res := range r.RunExamples(cmd.Context()) {
					results = append(results, res)
					if !res.Passed() {
						failed++
					}
				}
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), results); err != nil {
					return err
				}
			} else {
				for _, res := range results {
					if res.Passed() {
						fmt.Fprintf(cmd.OutOrStdout(), "PASS  %s: %s\n", res.Kind, res.Example)
					} else {
						fmt.Fprintf(cmd.OutOrStdout(), "FAIL  %s: %s: %v\n", res.Kind, res.Example, res.Err)
					}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d examples, %d failed\n", len(results), failed)
			}
			if failed > 0 {
				return errors.New("built-in examples failed")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}
