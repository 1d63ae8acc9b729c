package shodanes

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Banners are the bundled Shodan banners, one JSON object a line, made up
// by us with addresses from the documentation ranges (and one private
// address, which the sieve drops).
//
//go:embed data/banners.jsonl
var Banners []byte

// serve starts an HTTP server on a loopback port and returns its base URL.
func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	return srv, "http://" + ln.Addr().String(), nil
}

// DemoStream plays Shodan's streaming API on loopback: /shodan/banners
// with the right key streams the bundled banners, one line each, and keeps
// the connection open as Shodan does; another key gets 401.
type DemoStream struct {
	Key, URL string
	srv      *http.Server
}

// StartDemoStream starts the stream server.
func StartDemoStream(key string) (*DemoStream, error) {
	d := &DemoStream{Key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /shodan/banners", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") != d.Key {
			http.Error(w, `{"error": "Invalid API key"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(Banners) //nolint:errcheck // the client reconnects
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	srv, url, err := serve(mux)
	if err != nil {
		return nil, err
	}
	d.srv, d.URL = srv, url
	return d, nil
}

// Close stops the server.
func (d *DemoStream) Close() error { return d.srv.Close() }

// DemoES is an in-process Elasticsearch speaking what the output uses:
// PUT _index_template/NAME and POST _bulk (NDJSON, create semantics: an
// existing _id answers 409, the real answer format with errors and items).
type DemoES struct {
	URL string
	srv *http.Server

	mu        sync.Mutex
	docs      map[string]map[string]json.RawMessage // index → _id → document
	templates map[string]json.RawMessage
}

// StartDemoES starts the server.
func StartDemoES() (*DemoES, error) {
	es := &DemoES{docs: map[string]map[string]json.RawMessage{}, templates: map[string]json.RawMessage{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /_index_template/{name}", es.template)
	mux.HandleFunc("POST /_bulk", es.bulk)
	srv, url, err := serve(mux)
	if err != nil {
		return nil, err
	}
	es.srv, es.URL = srv, url
	return es, nil
}

func esError(w http.ResponseWriter, status int, typ, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "reason": reason}, "status": status}) //nolint:errcheck // best effort
}

func (es *DemoES) template(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var tpl struct {
		IndexPatterns []string `json:"index_patterns"`
	}
	if json.Unmarshal(body, &tpl) != nil || len(tpl.IndexPatterns) == 0 {
		esError(w, 400, "x_content_parse_exception", "an index template needs index_patterns")
		return
	}
	es.mu.Lock()
	es.templates[r.PathValue("name")] = body
	es.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"acknowledged":true}`)
}

func (es *DemoES) bulk(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-ndjson") {
		esError(w, 406, "media_type_header_exception", "Content-Type header ["+ct+"] is not supported")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	start := time.Now()
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 64<<20)
	var items []map[string]any
	errs := false
	es.mu.Lock()
	defer es.mu.Unlock()
	for sc.Scan() {
		var action map[string]struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || len(action) != 1 {
			esError(w, 400, "illegal_argument_exception", "Malformed action/metadata line")
			return
		}
		if !sc.Scan() {
			esError(w, 400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
			return
		}
		for op, meta := range action {
			res := map[string]any{"_index": meta.Index, "_id": meta.ID}
			switch {
			case op != "create" && op != "index":
				res["status"], errs = 400, true
				res["error"] = map[string]any{"type": "illegal_argument_exception", "reason": "unsupported action " + op}
			case !json.Valid(sc.Bytes()):
				res["status"], errs = 400, true
				res["error"] = map[string]any{"type": "document_parsing_exception", "reason": "failed to parse"}
			case es.docs[meta.Index][meta.ID] != nil && op == "create":
				res["status"], errs = 409, true
				res["error"] = map[string]any{"type": "version_conflict_engine_exception", "reason": "[" + meta.ID + "]: version conflict, document already exists"}
			default:
				if es.docs[meta.Index] == nil {
					es.docs[meta.Index] = map[string]json.RawMessage{}
				}
				es.docs[meta.Index][meta.ID] = append(json.RawMessage(nil), sc.Bytes()...)
				res["status"], res["result"] = 201, "created"
			}
			items = append(items, map[string]any{op: res})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"took": time.Since(start).Milliseconds(), "errors": errs, "items": items}) //nolint:errcheck // best effort
}

// Docs returns the documents of every index whose name starts with prefix.
func (es *DemoES) Docs(prefix string) map[string]json.RawMessage {
	es.mu.Lock()
	defer es.mu.Unlock()
	out := map[string]json.RawMessage{}
	for index, docs := range es.docs {
		if strings.HasPrefix(index, prefix) {
			for id, d := range docs {
				out[id] = d
			}
		}
	}
	return out
}

// Templates returns the names of the installed index templates.
func (es *DemoES) Templates() []string {
	es.mu.Lock()
	defer es.mu.Unlock()
	var out []string
	for name := range es.templates {
		out = append(out, name)
	}
	return out
}

// Close stops the server.
func (es *DemoES) Close() error { return es.srv.Close() }
