// Command intelstream processes threat intelligence as typed streams: it
// lists the DHO data model, normalizes IntelMQ event files, and (as the
// project grows) runs topologies and single nodes.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "intelstream:", err)
		os.Exit(1)
	}
}
