package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/intelstream/intelstream/internal/logging"
)

// LogControl serves GET and PUT /api/v1/log: the level and the
// destination of the process's logger (one per process, so the setting is
// topology-wide).
func LogControl(c *logging.Control) Option {
	return func(s *Server) error { s.logCtl = c; return nil }
}

// LogSettings is the body of GET and PUT /api/v1/log. In a PUT, an empty
// field is left as it is.
type LogSettings struct {
	// Level is debug, info, warn or error.
	Level string `json:"level,omitempty"`
	// Output is stderr, stdout, file:PATH, syslog (the local daemon),
	// syslog://HOST:PORT (RFC 5424 over UDP), syslog+tcp://HOST:PORT or
	// syslog+unix://PATH.
	Output string `json:"output,omitempty"`
}

// logLevels are the levels the API sets, by name.
var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func levelName(l slog.Level) string {
	for name, v := range logLevels {
		if v == l {
			return name
		}
	}
	return strings.ToLower(l.String()) // a level set otherwise, e.g. INFO+2
}

func (s *Server) logControl() (*logging.Control, error) {
	if s.logCtl == nil {
		return nil, errorf(http.StatusNotFound, "log control is not configured (api.LogControl)")
	}
	return s.logCtl, nil
}

func (s *Server) getLog(*http.Request) (any, error) {
	c, err := s.logControl()
	if err != nil {
		return nil, err
	}
	return LogSettings{Level: levelName(c.Level()), Output: c.Output()}, nil
}

// fieldError is a 400 naming the body field at fault.
func fieldError(field, format string, args ...any) error {
	e := errorf(http.StatusBadRequest, format, args...).(*httpError)
	e.body.Param = field
	return e
}

// putLog changes the level and the destination; on any error neither
// changes (the level is checked before the destination is opened, and a
// destination that does not open leaves the old one in place).
func (s *Server) putLog(r *http.Request) (any, error) {
	c, err := s.logControl()
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errorf(http.StatusBadRequest, "request body: want a JSON object with level and/or output")
	}
	for k := range raw {
		if k != "level" && k != "output" {
			return nil, fieldError(k, "request body: unknown field %q (want level, output)", k)
		}
	}
	var want LogSettings
	for field, dst := range map[string]*string{"level": &want.Level, "output": &want.Output} {
		if v, ok := raw[field]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				return nil, fieldError(field, "%s: want a string", field)
			}
		}
	}
	level, setLevel := slog.Level(0), want.Level != ""
	if setLevel {
		l, ok := logLevels[strings.ToLower(want.Level)]
		if !ok {
			return nil, fieldError("level", "level %q: want debug, info, warn or error", want.Level)
		}
		level = l
	}
	if want.Output != "" && want.Output != c.Output() {
		if err := c.SetOutput(want.Output); err != nil {
			return nil, fieldError("output", "output: %v", err)
		}
	}
	if setLevel {
		c.SetLevel(level)
	}
	s.log.Info("control API: logging changed", "level", levelName(c.Level()), "output", c.Output())
	return LogSettings{Level: levelName(c.Level()), Output: c.Output()}, nil
}
