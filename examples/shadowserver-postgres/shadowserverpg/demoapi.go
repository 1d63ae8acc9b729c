package shadowserverpg

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/examples/quickstart/quickstart"
	"github.com/intelstream/intelstream/processors/collectors/shadowserverapi"
)

// DemoAPI plays Shadowserver's reports API on loopback for the tutorial and
// its test: reports/list answers only requests whose HMAC2 header is the
// HMAC-SHA256 of the body under the key's secret, as Shadowserver's API
// does, and /dl/ID serves the reports (the quickstart's bundled
// Shadowserver-style CSV files).
type DemoAPI struct {
	Key, Secret string
	// URL is the server's base URL: give the collector URL+"/api2/" and
	// URL+"/dl/".
	URL string

	srv     *http.Server
	entries []shadowserverapi.Entry
	files   map[string][]byte

	mu       sync.Mutex
	listed   int // accepted list requests
	refused  int // list requests with a bad key or signature
	download int
}

// StartDemoAPI starts the demo API on 127.0.0.1 with key and secret.
func StartDemoAPI(key, secret string) (*DemoAPI, error) {
	a := &DemoAPI{Key: key, Secret: secret, files: map[string][]byte{}}
	err := quickstart.Samples().Run(context.Background(), func(r *dho.Report) error {
		id := strconv.Itoa(len(a.entries) + 1)
		file, _ := r.Extra["file_name"].Str()
		typ := "unknown"
		if m := reportType(file); m != "" {
			typ = m
		}
		a.entries = append(a.entries, shadowserverapi.Entry{ID: id, Type: typ, File: file, Timestamp: time.Now().UTC().Format(time.DateOnly), Report: "demo"})
		a.files[id] = r.Raw
		return nil
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api2/reports/list", a.list)
	mux.HandleFunc("GET /dl/{id}", a.serveFile)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a.URL = "http://" + ln.Addr().String()
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	return a, nil
}

// reportType is the Shadowserver report type in a file name such as
// 2026-11-20-scan_http-quickstart.csv.
func reportType(file string) string {
	var date, rest string
	if len(file) > 11 {
		date, rest = file[:10], file[11:]
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return ""
	}
	for i := range len(rest) {
		if rest[i] == '-' {
			return rest[:i]
		}
	}
	return ""
}

func (a *DemoAPI) list(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		APIKey string `json:"apikey"`
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	want := shadowserverapi.Sign(a.Secret, body)
	if json.Unmarshal(body, &req) != nil || req.APIKey != a.Key || !hmac.Equal([]byte(r.Header.Get("HMAC2")), []byte(want)) {
		a.refused++
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"authentication failed"}`)
		return
	}
	a.listed++
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(a.entries) //nolint:errcheck // the client sees a short answer
}

func (a *DemoAPI) serveFile(w http.ResponseWriter, r *http.Request) {
	data, ok := a.files[r.PathValue("id")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	a.download++
	a.mu.Unlock()
	w.Write(data) //nolint:errcheck // the client sees a short answer
}

// Counts returns the accepted and refused list requests and the downloads.
func (a *DemoAPI) Counts() (listed, refused, downloads int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.listed, a.refused, a.download
}

// Reports is how many reports the API offers.
func (a *DemoAPI) Reports() int { return len(a.entries) }

// Params are the collector parameters that point at the demo API.
func (a *DemoAPI) Params() map[string]string {
	return map[string]string{"api_key": a.Key, "secret": a.Secret, "api.api_url": a.URL + "/api2/", "api.download_url": a.URL + "/dl/",
		"api.rate_limit": "0s"}
}

// Close stops the server.
func (a *DemoAPI) Close() error { return a.srv.Close() }
