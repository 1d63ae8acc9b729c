package api

import (
	_ "embed"
	"net/http"
)

// consolePage is the web console: one page, no build step, no CDN. It
// reads /api/v1/topology every second and draws the graph and each node's
// state, rates, lag and errors, with pause and resume buttons (which send
// the token the user typed in, kept in the browser's local storage).
//
//go:embed console/index.html
var consolePage []byte

func (s *Server) console(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
	_, _ = w.Write(consolePage)
}
