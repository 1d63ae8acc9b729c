// Command shodan-elasticsearch runs the tutorial's topology on an embedded
// Kafka broker and schema registry: Shodan stream banners are parsed,
// filtered and reclassified by a sieve, given their taxonomy and indexed in
// Elasticsearch. Without -api-key it streams the bundled banners from a
// demo Shodan stream on loopback; without -es-url it indexes into an
// in-process Elasticsearch and prints what it holds. It stops once the
// stream has been quiet for -until-idle (or on Ctrl-C).
//
//	go run ./examples/shodan-elasticsearch
//	go run ./examples/shodan-elasticsearch -api-key K -countries DE,AT -es-url http://127.0.0.1:9200 -until-idle 0
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/internal/exrun"
	"github.com/intelstream/intelstream/examples/shodan-elasticsearch/shodanes"
)

func main() {
	apiKey := flag.String("api-key", "", "Shodan API key; empty: a demo stream of the bundled banners")
	countries := flag.String("countries", "", "stream only these countries' banners (DE,AT)")
	esURL := flag.String("es-url", "", "Elasticsearch base URL; empty: an in-process one whose documents are printed at the end")
	index := flag.String("index", "shodan", "index name")
	sieveFile := flag.String("sieve", "", "a sieve file instead of the bundled rules")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events; 0 runs until Ctrl-C")
	flag.Parse()
	params := map[string]string{"es.elastic_index": *index}
	if *countries != "" {
		params["shodan.countries"] = *countries
	}
	if *sieveFile != "" {
		params["sieve.file"] = *sieveFile
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *apiKey, *esURL, params, *idle, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shodan-elasticsearch:", err)
		os.Exit(1)
	}
}

// run streams from Shodan (or the demo stream when apiKey is empty) into
// esURL (or an in-process Elasticsearch, whose documents it prints to out).
func run(ctx context.Context, apiKey, esURL string, params map[string]string, idle time.Duration, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if apiKey == "" {
		stream, err := shodanes.StartDemoStream("demo-key")
		if err != nil {
			return err
		}
		defer stream.Close()
		apiKey = stream.Key
		params["shodan.shodan_stream_url"] = stream.URL
		params["shodan.reconnect_delay"] = "100ms"
	}
	params["api_key"] = apiKey
	var es *shodanes.DemoES
	if esURL == "" {
		var err error
		if es, err = shodanes.StartDemoES(); err != nil {
			return err
		}
		defer es.Close()
		esURL = es.URL
	}
	params["es.url"] = esURL
	t, err := shodanes.Build(params)
	if err != nil {
		return err
	}
	if idle == 0 {
		idle = 1<<63 - 1
	}
	if err := exrun.UntilIdle(ctx, t, idle, log); err != nil {
		return err
	}
	if es != nil {
		docs := es.Docs(params["es.elastic_index"])
		ids := make([]string, 0, len(docs))
		for id := range docs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			var d map[string]any
			if err := json.Unmarshal(docs[id], &d); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s %v %v %v\n", id, d["source.ip"], d["classification.taxonomy"], d["classification.type"])
		}
	}
	return nil
}
