package main

// The example topologies, so that intelstream describe and intelstream run
// know them by name.
import (
	_ "github.com/intelstream/intelstream/examples/n6-idea/n6idea"                       // n6 STOMP → IDEA
	_ "github.com/intelstream/intelstream/examples/notify/notifyex"                      // one mail per contact
	_ "github.com/intelstream/intelstream/examples/shadowserver-postgres/shadowserverpg" // Shadowserver API → PostgreSQL
	_ "github.com/intelstream/intelstream/examples/shodan-elasticsearch/shodanes"        // Shodan stream → Elasticsearch
)
