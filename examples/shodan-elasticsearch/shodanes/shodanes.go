// Package shodanes is the Shodan-to-Elasticsearch topology of the tutorial
// docs/tutorials/shodan-elasticsearch.md: Shodan's streaming API (one
// report per banner) → the Shodan parser → a sieve that drops private
// addresses and reclassifies vulnerable and exposed services → the
// taxonomy expert → Elasticsearch (bulk, the event id as _id). It
// registers itself as "shodan-elasticsearch" for intelstream describe and
// intelstream run.
package shodanes

import (
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/elasticsearch"
	"github.com/intelstream/intelstream/processors/collectors/shodanstream"
	"github.com/intelstream/intelstream/processors/experts/sieve"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/shodan"
	"github.com/intelstream/intelstream/topology"
)

// Name is the topology's name.
const Name = "shodan-elasticsearch"

// Rules is the tutorial's sieve program: Shodan classifies every banner
// as "other"; these rules say which ones matter.
const Rules = `# Private addresses are someone else's network (or a Shodan artefact).
if source.ip << ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] { drop }
# Banners with known vulnerabilities (Shodan's vulns, verified or not).
if :exists extra.vulns {
    update classification.type = 'vulnerable-system'
    update classification.identifier = 'shodan-vulnerable'
# Services that should not face the Internet: telnet, SNMP, RDP.
} elif source.port :in [23, 161, 3389] {
    update classification.type = 'potentially-unwanted-accessible'
    update classification.identifier = 'shodan-exposed-service'
}
`

func init() {
	topology.Define(topology.Definition{
		Name: Name,
		Doc: "Shodan stream → shodan parser → sieve (drop private, reclassify) → taxonomy → Elasticsearch " +
			"(--set api_key=K; shodan.*, es.*, sieve.rules|sieve.file as in the tutorial)",
		Build: Build,
	})
}

// Build makes the topology. Parameters: "shodan.NAME" goes to the Shodan
// stream collector (api_key, countries, alert, shodan_stream_url;
// "api_key" alone works too), "es.NAME" to the Elasticsearch output (url,
// elastic_index, index_pattern, api_key, http_username, ...),
// "sieve.rules" or "sieve.file" replace the bundled Rules.
func Build(params map[string]string) (*topology.Topology, error) {
	collect := map[string]any{}
	es := map[string]any{"elastic_index": "shodan"}
	sv := map[string]any{}
	for k, v := range params {
		switch {
		case k == "api_key":
			collect[k] = v
		case strings.HasPrefix(k, "shodan."):
			collect[strings.TrimPrefix(k, "shodan.")] = v
		case strings.HasPrefix(k, "es."):
			es[strings.TrimPrefix(k, "es.")] = v
		case k == "sieve.rules" || k == "sieve.file":
			sv[strings.TrimPrefix(k, "sieve.")] = v
		default:
			return nil, fmt.Errorf("%s: unknown parameter %q (shodan.*, es.*, sieve.rules, sieve.file)", Name, k)
		}
	}
	if len(sv) == 0 {
		sv["rules"] = Rules
	}
	cp, err := shodanstream.Spec.Validate(collect)
	if err != nil {
		return nil, err
	}
	collector, err := shodanstream.New(cp)
	if err != nil {
		return nil, err
	}
	sp, err := sieve.Spec.Validate(sv)
	if err != nil {
		return nil, err
	}
	rules, err := sieve.FromParams(sp)
	if err != nil {
		return nil, err
	}
	ep, err := elasticsearch.Spec.Validate(es)
	if err != nil {
		return nil, err
	}
	out, err := elasticsearch.New(ep)
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	banners := topology.Source(t, "collect", topology.Collector[dho.Report](collector), topology.Produces(shodanstream.Spec.Produces...))
	events := topology.Map(t, "parse", banners, topology.Processor[dho.Report, dho.Event](parsers.Node(shodan.New(shodan.Config{}))),
		topology.Produces("source.ip", "source.port", "classification.type", "time.source"))
	kept := topology.Map(t, "sieve", events, topology.Processor[dho.Event, dho.Event](rules))
	classified := topology.Map(t, "taxonomy", kept, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	topology.Sink(t, "elasticsearch", classified, topology.Output[dho.Event](out), topology.Requires("classification.taxonomy"))
	return t, nil
}
