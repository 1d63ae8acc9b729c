package elasticsearch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeES is an in-process cluster speaking the parts of the REST API the
// output uses: _bulk (NDJSON request, the real answer with errors and
// items, create semantics with 409 for an existing id) and _index_template.
type fakeES struct {
	*httptest.Server
	mu        sync.Mutex
	docs      map[string]map[string]json.RawMessage // index → id → document
	templates map[string][]byte
	bodies    [][]byte // every _bulk body received
	attempts  int      // documents received, including repeated ones

	// Faults, consumed as they fire.
	status     []int            // whole-request answers before the real one (e.g. 503, 429)
	retryAfter string           // Retry-After of those answers
	itemStatus map[string][]int // per document id: item answers before it is stored
	refuse     func(doc map[string]any) string
	dropAfter  int // close the connection after reading this many body bytes, once
	auth       string
}

func newFakeES(t testing.TB) *fakeES {
	f := &fakeES{docs: map[string]map[string]json.RawMessage{}, templates: map[string][]byte{}, itemStatus: map[string][]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeES) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, docs := range f.docs {
		n += len(docs)
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func esError(typ, reason string) map[string]any {
	return map[string]any{"type": typ, "reason": reason}
}

func (f *fakeES) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.auth != "" && r.Header.Get("Authorization") != f.auth {
		writeJSON(w, 401, map[string]any{"error": esError("security_exception", "missing authentication credentials"), "status": 401})
		return
	}
	switch {
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/_index_template/"):
		body, _ := io.ReadAll(r.Body)
		var tpl map[string]any
		if err := json.Unmarshal(body, &tpl); err != nil || tpl["index_patterns"] == nil {
			writeJSON(w, 400, map[string]any{"error": esError("x_content_parse_exception", "bad template"), "status": 400})
			return
		}
		f.templates[strings.TrimPrefix(r.URL.Path, "/_index_template/")] = body
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case r.Method == http.MethodPost && r.URL.Path == "/_bulk":
		f.bulk(w, r)
	default:
		writeJSON(w, 404, map[string]any{"error": esError("no_handler", r.URL.Path), "status": 404})
	}
}

func (f *fakeES) bulk(w http.ResponseWriter, r *http.Request) {
	if f.dropAfter > 0 {
		n := f.dropAfter
		f.dropAfter = 0
		io.CopyN(io.Discard, r.Body, int64(n))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if r.Header.Get("Content-Type") != "application/x-ndjson" {
		writeJSON(w, 406, map[string]any{"error": "Content-Type header is not supported", "status": 406})
		return
	}
	if len(f.status) > 0 {
		code := f.status[0]
		f.status = f.status[1:]
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		writeJSON(w, code, map[string]any{"error": esError("es_rejected_execution_exception", "rejected execution"), "status": code})
		return
	}
	f.bodies = append(f.bodies, body)
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<24)
	var items []map[string]any
	hasErrors := false
	for sc.Scan() {
		var action map[string]map[string]string
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || len(action) != 1 {
			writeJSON(w, 400, map[string]any{"error": esError("illegal_argument_exception", "Malformed action/metadata line"), "status": 400})
			return
		}
		if !sc.Scan() {
			writeJSON(w, 400, map[string]any{"error": esError("illegal_argument_exception", "The bulk request must be terminated by a newline"), "status": 400})
			return
		}
		doc := append(json.RawMessage(nil), sc.Bytes()...)
		f.attempts++
		var op string
		var meta map[string]string
		for op, meta = range action {
		}
		index, id := meta["_index"], meta["_id"]
		res := map[string]any{"_index": index, "_id": id}
		status := 201
		var parsed map[string]any
		if err := json.Unmarshal(doc, &parsed); err != nil {
			status = 400
			res["error"] = esError("document_parsing_exception", "failed to parse")
		} else if q := f.itemStatus[id]; len(q) > 0 {
			status = q[0]
			f.itemStatus[id] = q[1:]
			res["error"] = esError("es_rejected_execution_exception", "queue full")
		} else if reason := f.refuseReason(parsed); reason != "" {
			status = 400
			res["error"] = esError("document_parsing_exception", reason)
		} else if _, dup := f.docs[index][id]; dup && op == "create" {
			status = 409
			res["error"] = esError("version_conflict_engine_exception", fmt.Sprintf("[%s]: version conflict, document already exists", id))
		} else {
			if f.docs[index] == nil {
				f.docs[index] = map[string]json.RawMessage{}
			}
			f.docs[index][id] = doc
			res["result"] = "created"
		}
		res["status"] = status
		if status >= 300 {
			hasErrors = true
		}
		items = append(items, map[string]any{op: res})
	}
	writeJSON(w, 200, map[string]any{"took": 3, "errors": hasErrors, "items": items})
}

func (f *fakeES) refuseReason(doc map[string]any) string {
	if f.refuse == nil {
		return ""
	}
	return f.refuse(doc)
}
