package api

import (
	"context"
	"net/http"
)

// maxStateImport bounds the body of a state import (ImportState holds the
// whole state in memory); larger states go through intelstream state
// import.
const maxStateImport = 256 << 20

// firstWrite is a ResponseWriter that sends the header of a successful
// answer only when the first bytes come, so that an error before them
// still gets its status.
type firstWrite struct {
	w       http.ResponseWriter
	ct      string
	started bool
}

func (f *firstWrite) Write(b []byte) (int, error) {
	if !f.started {
		f.started = true
		f.w.Header().Set("Content-Type", f.ct)
		f.w.WriteHeader(http.StatusOK)
	}
	return f.w.Write(b)
}

func (s *Server) stateExport(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	fw := &firstWrite{w: w, ct: "application/x-ndjson"}
	err := s.ctl.ExportState(ctx, name, fw)
	if err == nil {
		if !fw.started {
			fw.Write(nil)
		}
		return
	}
	if !fw.started {
		s.writeError(w, r, err)
		return
	}
	// Part of the state went out already: cut the connection so that the
	// client sees an incomplete answer, not a short state.
	s.log.Error("control API: state export failed midway", "node", name, "err", err)
	panic(http.ErrAbortHandler)
}

func (s *Server) stateImport(r *http.Request) (any, error) {
	name := r.PathValue("name")
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if err := s.ctl.ImportState(ctx, name, r.Body); err != nil {
		return nil, err
	}
	s.log.Info("control API: state imported", "node", name)
	return s.ctl.Status(name)
}

// WorkersRequest is the body of PUT /api/v1/nodes/{name}/workers.
type WorkersRequest struct {
	Workers *int `json:"workers"`
}

func (s *Server) putWorkers(r *http.Request) (any, error) {
	name := r.PathValue("name")
	if _, err := s.ctl.Status(name); err != nil {
		return nil, err // an unknown node before a bad body
	}
	var req WorkersRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.Workers == nil {
		return nil, errorf(http.StatusBadRequest, "request body: give {\"workers\": N}")
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if err := s.ctl.Scale(ctx, name, *req.Workers); err != nil {
		return nil, err
	}
	s.log.Info("control API: node scaled", "node", name, "workers", *req.Workers)
	return s.ctl.Status(name)
}
