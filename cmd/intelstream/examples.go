package main

// The example topologies, so that intelstream describe and intelstream run
// know them by name.
import (
	_ "github.com/intelstream/intelstream/examples/notify/notifyex" // one mail per contact
)
