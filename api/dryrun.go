package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/intelstream/intelstream/topology"
)

// DryRunRequest is the optional body of POST /api/v1/tests/dryrun: sample
// records per source node, as flat DHO fields.
type DryRunRequest struct {
	Samples map[string][]json.RawMessage `json:"samples"`
}

// dryRun pushes samples (or the downstream kinds' example inputs) through
// the graph in memory: would this topology work?
func (s *Server) dryRun(r *http.Request) (any, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err // too large: 413
	}
	var req DryRunRequest
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, errorf(http.StatusBadRequest, "request body: %v (want {\"samples\": {\"SOURCE\": [{FIELD: VALUE, ...}]}})", err)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	res, err := s.ctl.DryRun(ctx, req.Samples)
	if errors.Is(err, topology.ErrBadSamples) {
		return nil, errorf(http.StatusBadRequest, "%v", err)
	}
	return res, err
}
