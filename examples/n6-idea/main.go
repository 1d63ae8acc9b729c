// Command n6-idea runs the tutorial's topology on an embedded Kafka broker
// and schema registry: n6 events arrive over STOMP, become DHO events, get
// their taxonomy and leave as IDEA0 messages, one JSON line each. Without
// -server it starts a demo STOMP server on loopback that streams the
// idea-export example's ten n6 events. It stops once the stream has been
// quiet for -until-idle (or on Ctrl-C).
//
//	go run ./examples/n6-idea                          # IDEA on stdout
//	go run ./examples/n6-idea -server n6stream.cert.pl -exchange /exchange/ORG/# -cert client.pem -key client.key -until-idle 0
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/intelstream/intelstream/examples/idea-export/ideaexport"
	"github.com/intelstream/intelstream/examples/internal/exrun"
	"github.com/intelstream/intelstream/examples/n6-idea/n6idea"
)

func main() {
	server := flag.String("server", "", "n6 STOMP server; empty: a demo server on loopback")
	port := flag.Int("port", 61614, "STOMP port")
	exchange := flag.String("exchange", "/exchange/my.org/#", "destination to subscribe to")
	cert := flag.String("cert", "", "TLS client certificate (PEM), as n6 authenticates")
	key := flag.String("key", "", "key of -cert")
	output := flag.String("output", "-", "file to append IDEA messages to, - for stdout")
	strict := flag.Bool("strict", false, "dead-letter events that would lose a value in IDEA")
	idle := flag.Duration("until-idle", 2*time.Second, "stop when nothing happened for this long after the first events; 0 runs until Ctrl-C")
	flag.Parse()
	params := map[string]string{"output": *output, "strict": strconv.FormatBool(*strict), "stomp.exchange": *exchange}
	if *server != "" {
		params["stomp.server"] = *server
		params["stomp.port"] = strconv.Itoa(*port)
		params["stomp.ssl_client_certificate"] = *cert
		params["stomp.ssl_client_certificate_key"] = *key
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, params, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "n6-idea:", err)
		os.Exit(1)
	}
}

// run starts a demo STOMP server unless params name one, and runs the
// topology until it is idle.
func run(ctx context.Context, params map[string]string, idle time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if params["stomp.server"] == "" {
		demo, err := n6idea.StartDemoStream(params["stomp.exchange"], "demo", "demo-pass", ideaexport.Report)
		if err != nil {
			return err
		}
		defer demo.Close()
		for k, v := range demoParams(demo) {
			params[k] = v
		}
	}
	t, err := n6idea.Build(params)
	if err != nil {
		return err
	}
	if idle == 0 {
		idle = 1<<63 - 1
	}
	return exrun.UntilIdle(ctx, t, idle, log)
}

// demoParams are the STOMP collector's parameters for the demo server:
// plain TCP and a login instead of n6's TLS client certificate.
func demoParams(demo *n6idea.DemoStream) map[string]string {
	return map[string]string{
		"stomp.server": "127.0.0.1", "stomp.port": strconv.Itoa(demo.Port()), "stomp.use_ssl": "false",
		"stomp.auth_by_ssl_client_certificate": "false", "stomp.username": demo.Login, "stomp.password": demo.Passcode,
		"stomp.heartbeat": "0", "stomp.reconnect_delay": "100ms", "stomp.exchange": demo.Exchange,
	}
}
