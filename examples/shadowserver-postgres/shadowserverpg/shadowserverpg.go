// Package shadowserverpg is the Shadowserver-to-PostgreSQL topology of the
// tutorial docs/tutorials/shadowserver-postgres.md: Shadowserver's reports
// API (signed requests) → the schema-driven Shadowserver parser → the
// taxonomy expert → the deduplicator → a typed PostgreSQL table. It
// registers itself as "shadowserver-postgres" for intelstream describe and
// intelstream run.
package shadowserverpg

import (
	"fmt"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/outputs/postgres"
	"github.com/intelstream/intelstream/processors/collectors/shadowserverapi"
	"github.com/intelstream/intelstream/processors/experts/deduplicator"
	"github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/processors/parsers"
	"github.com/intelstream/intelstream/processors/parsers/shadowserver"
	"github.com/intelstream/intelstream/topology"
)

// Name is the topology's name.
const Name = "shadowserver-postgres"

func init() {
	topology.Define(topology.Definition{
		Name: Name,
		Doc: "Shadowserver reports API → shadowserver parser → taxonomy → deduplicator → PostgreSQL " +
			"(--set api_key=K --set secret=S; api.*, pg.* as in the tutorial)",
		Build: Build,
	})
}

// Build makes the topology. Parameters: "api.NAME" goes to the reports API
// collector (api_key, secret, reports, types, days, rate_limit, api_url,
// download_url; "api_key" and "secret" alone work too), "pg.NAME" to the
// PostgreSQL output (host, port, user, password, database, table,
// create_table, ...), "dedup.NAME" to the deduplicator.
func Build(params map[string]string) (*topology.Topology, error) {
	api := map[string]any{}
	pg := map[string]any{"create_table": true}
	dd := map[string]any{}
	for k, v := range params {
		switch {
		case k == "api_key" || k == "secret":
			api[k] = v
		case strings.HasPrefix(k, "api."):
			api[strings.TrimPrefix(k, "api.")] = v
		case strings.HasPrefix(k, "pg."):
			pg[strings.TrimPrefix(k, "pg.")] = v
		case strings.HasPrefix(k, "dedup."):
			dd[strings.TrimPrefix(k, "dedup.")] = v
		default:
			return nil, fmt.Errorf("%s: unknown parameter %q (api.*, pg.*, dedup.*)", Name, k)
		}
	}
	ap, err := shadowserverapi.Spec.Validate(api)
	if err != nil {
		return nil, err
	}
	collector, err := shadowserverapi.New(ap)
	if err != nil {
		return nil, err
	}
	pp, err := postgres.Spec.Validate(pg)
	if err != nil {
		return nil, err
	}
	out, err := postgres.New(pp)
	if err != nil {
		return nil, err
	}
	dp, err := deduplicator.Spec.Validate(dd)
	if err != nil {
		return nil, err
	}
	dedup, err := deduplicator.New(dp)
	if err != nil {
		return nil, err
	}
	parser, err := shadowserver.New(shadowserver.Config{})
	if err != nil {
		return nil, err
	}
	t := topology.New(Name)
	reports := topology.Source(t, "collect", topology.Collector[dho.Report](collector), topology.Produces(shadowserverapi.Spec.Produces...))
	events := topology.Map(t, "parse", reports, topology.Processor[dho.Report, dho.Event](parsers.Node(parser)),
		topology.Produces("source.ip", "classification.type", "time.source"))
	classified := topology.Map(t, "taxonomy", events, topology.Processor[dho.Event, dho.Event](taxonomy.New()))
	unique := topology.Map(t, "dedup", classified, topology.Processor[dho.Event, dho.Event](dedup))
	topology.Sink(t, "postgres", unique, topology.Output[dho.Event](out), topology.Requires("classification.taxonomy", "source.ip"))
	return t, nil
}
