package splunk

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeHEC is an in-process HTTP Event Collector speaking HEC's request
// and answer formats: token checks (codes 2, 3, 4), concatenated event
// objects (code 6 with invalid-event-number, 12, 13), channels and
// indexer acknowledgement (codes 10, 11, 14), a busy collector (code 9).
type fakeHEC struct {
	*httptest.Server
	token string
	ack   bool

	mu      sync.Mutex
	bodies  [][]byte
	events  []map[string]any
	pending map[int64][]map[string]any // ack id → events indexed once acknowledged
	nextAck int64
	polls   int // acknowledgements turn true after this many polls
	lost    map[int64]bool
	busy    int // answer 503 code 9 this many times
	refuse  func(event map[string]any) bool
}

func newFakeHEC(t testing.TB, token string, ack bool) *fakeHEC {
	f := &fakeHEC{token: token, ack: ack, pending: map[int64][]map[string]any{}, lost: map[int64]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func hec(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (f *fakeHEC) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func (f *fakeHEC) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		hec(w, 401, map[string]any{"text": "Token is required", "code": 2})
		return
	case !strings.HasPrefix(auth, "Splunk "):
		hec(w, 401, map[string]any{"text": "Invalid authorization", "code": 3})
		return
	case strings.TrimPrefix(auth, "Splunk ") != f.token:
		hec(w, 403, map[string]any{"text": "Invalid token", "code": 4})
		return
	}
	channel := r.Header.Get("X-Splunk-Request-Channel")
	if channel == "" {
		channel = r.URL.Query().Get("channel")
	}
	switch r.URL.Path {
	case "/services/collector/event":
		f.event(w, r, channel)
	case "/services/collector/ack":
		f.acks(w, r, channel)
	default:
		hec(w, 404, map[string]any{"text": "The requested URL was not found on this server.", "code": 404})
	}
}

func (f *fakeHEC) event(w http.ResponseWriter, r *http.Request, channel string) {
	if f.busy > 0 {
		f.busy--
		hec(w, 503, map[string]any{"text": "Server is busy", "code": 9})
		return
	}
	if f.ack && channel == "" {
		hec(w, 400, map[string]any{"text": "Data channel is missing", "code": 10})
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.bodies = append(f.bodies, body)
	if len(bytes.TrimSpace(body)) == 0 {
		hec(w, 400, map[string]any{"text": "No data", "code": 5})
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var batch []map[string]any
	for n := 0; dec.More(); n++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			hec(w, 400, map[string]any{"text": "Invalid data format", "code": 6, "invalid-event-number": n})
			return
		}
		ev, ok := obj["event"]
		if !ok {
			hec(w, 400, map[string]any{"text": "Event field is required", "code": 12, "invalid-event-number": n})
			return
		}
		if ev == nil || ev == "" {
			hec(w, 400, map[string]any{"text": "Event field cannot be blank", "code": 13, "invalid-event-number": n})
			return
		}
		if f.refuse != nil && f.refuse(obj) {
			hec(w, 400, map[string]any{"text": "Invalid data format", "code": 6, "invalid-event-number": n})
			return
		}
		batch = append(batch, obj)
	}
	if !f.ack {
		f.events = append(f.events, batch...)
		hec(w, 200, map[string]any{"text": "Success", "code": 0})
		return
	}
	id := f.nextAck
	f.nextAck++
	f.pending[id] = batch
	hec(w, 200, map[string]any{"text": "Success", "code": 0, "ackId": id})
}

func (f *fakeHEC) acks(w http.ResponseWriter, r *http.Request, channel string) {
	if !f.ack {
		hec(w, 400, map[string]any{"text": "ACK is disabled", "code": 14})
		return
	}
	if channel == "" {
		hec(w, 400, map[string]any{"text": "Data channel is missing", "code": 10})
		return
	}
	var req struct{ Acks []int64 }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		hec(w, 400, map[string]any{"text": "Invalid data format", "code": 6})
		return
	}
	out := map[string]bool{}
	if f.polls > 0 {
		f.polls--
		for _, id := range req.Acks {
			out[strconv.FormatInt(id, 10)] = false
		}
	} else {
		for _, id := range req.Acks {
			batch, ok := f.pending[id]
			if ok && !f.lost[id] {
				f.events = append(f.events, batch...)
				delete(f.pending, id)
			}
			out[strconv.FormatInt(id, 10)] = ok && !f.lost[id]
		}
	}
	hec(w, 200, map[string]any{"acks": out})
}
