// Command intelstream processes threat intelligence as typed streams: it
// lists the DHO data model, normalizes IntelMQ event files, and (as the
// project grows) runs topologies and single nodes.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		// An error may carry its exit code (the check plugins' 1, 2, 3);
		// one with an empty message has said everything already.
		code := 1
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			code = coded.ExitCode()
		}
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "intelstream:", msg)
		}
		os.Exit(code)
	}
}
