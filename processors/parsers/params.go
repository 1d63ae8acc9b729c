package parsers

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ErrParameter is wrapped by every error about a parser's parameters: an
// unknown name, a value of the wrong kind, an invalid value.
var ErrParameter = errors.New("bad parameter")

// genericParams are the parameters every IntelMQ bot accepts (IntelMQ's
// Bot class: logging, pipelines, error handling, HTTP, statistics) and the
// keys of a bot's runtime entry. They concern the IntelMQ process, not the
// parsing, so parsers accept them and ignore them; test_mode is set by
// IntelMQ's test harness.
var genericParams = map[string]bool{
	"accuracy": true, "bot_id": true, "description": true, "destination_pipeline_broker": true,
	"destination_pipeline_db": true, "destination_pipeline_host": true,
	"destination_pipeline_password": true, "destination_pipeline_port": true,
	"destination_queues": true, "enabled": true, "error_dump_message": true,
	"error_log_exception": true, "error_log_message": true, "error_max_retries": true,
	"error_procedure": true, "error_retry_delay": true, "group": true, "http_proxy": true,
	"http_timeout_max_tries": true, "http_timeout_sec": true, "http_user_agent": true,
	"http_verify_cert": true, "https_proxy": true, "instances_threads": true,
	"load_balance": true, "log_processed_messages_count": true,
	"log_processed_messages_seconds": true, "logging_handler": true, "logging_level": true,
	"logging_path": true, "logging_syslog": true, "module": true, "name": true,
	"process_manager": true, "rate_limit": true, "run_mode": true,
	"source_pipeline_broker": true, "source_pipeline_db": true, "source_pipeline_host": true,
	"source_pipeline_password": true, "source_pipeline_port": true, "source_queue": true,
	"ssl_ca_certificate": true, "statistics_database": true, "statistics_host": true,
	"statistics_password": true, "statistics_port": true, "test_mode": true, "testing": true,
}

// GenericParameter reports whether name is one of IntelMQ's generic bot
// parameters, which parsers accept and ignore.
func GenericParameter(name string) bool { return genericParams[name] }

// Params reads a parser's parameters as IntelMQ gives them (a JSON object)
// and remembers which were read, so that Err can refuse the names no
// parser knows. Getters record a kind mismatch and return the default.
type Params struct {
	m    map[string]any
	used map[string]bool
	errs []error
}

// NewParams wraps m. Generic IntelMQ parameters count as read.
func NewParams(m map[string]any) *Params {
	return &Params{m: m, used: map[string]bool{}}
}

// Has reports whether the parameter is given (and not null).
func (p *Params) Has(name string) bool {
	p.used[name] = true
	v, ok := p.m[name]
	return ok && v != nil
}

func (p *Params) get(name string) (any, bool) {
	p.used[name] = true
	v, ok := p.m[name]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

func (p *Params) bad(name string, v any, want string) {
	p.errs = append(p.errs, fmt.Errorf("%w: %s is %v (%T), want %s", ErrParameter, name, v, v, want))
}

// Fail records an error about parameter name, for checks of the value
// that only the parser can make.
func (p *Params) Fail(name string, err error) {
	p.errs = append(p.errs, fmt.Errorf("%w: %s: %v", ErrParameter, name, err))
}

// String returns the text parameter name, or def.
func (p *Params) String(name, def string) string {
	v, ok := p.get(name)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		p.bad(name, v, "text")
		return def
	}
	return s
}

// OptionalString returns the text parameter name and whether it is given.
// IntelMQ tells an empty text from a missing one in places (feedname).
func (p *Params) OptionalString(name string) (string, bool) {
	if !p.Has(name) {
		return "", false
	}
	return p.String(name, ""), true
}

// Bool returns the boolean parameter name, or def. Like IntelMQ's
// configuration it takes JSON booleans, and the texts "true" and "false".
func (p *Params) Bool(name string, def bool) bool {
	v, ok := p.get(name)
	if !ok {
		return def
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	p.bad(name, v, "true or false")
	return def
}

// Strings returns the list parameter name: a JSON list of texts, or one
// text of comma-separated items (IntelMQ accepts both in many places).
func (p *Params) Strings(name string) []string {
	v, ok := p.get(name)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				p.bad(name, v, "a list of texts")
				return nil
			}
			out = append(out, s)
		}
		return out
	case string:
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	p.bad(name, v, "a list of texts")
	return nil
}

// Map returns the object parameter name.
func (p *Params) Map(name string) map[string]any {
	v, ok := p.get(name)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.bad(name, v, "an object")
		return nil
	}
	return m
}

// Err returns the recorded errors and an error naming every given
// parameter that was neither read nor generic, or nil.
func (p *Params) Err() error {
	var unknown []string
	for k := range p.m {
		if !p.used[k] && !genericParams[k] {
			unknown = append(unknown, k)
		}
	}
	errs := slices.Clone(p.errs)
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(p.used))
		for k := range p.used {
			known = append(known, k)
		}
		sort.Strings(known)
		errs = append(errs, fmt.Errorf("%w: unknown parameter(s) %s (known: %s, and IntelMQ's generic bot parameters)",
			ErrParameter, quoteAll(unknown), strings.Join(known, ", ")))
	}
	return errors.Join(errs...)
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
