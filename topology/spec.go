package topology

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what a node does in a topology.
type Kind string

// The node kinds.
const (
	KindCollector Kind = "collector" // brings reports in from outside
	KindParser    Kind = "parser"    // turns reports into events
	KindExpert    Kind = "expert"    // enriches, filters or rewrites events
	KindOutput    Kind = "output"    // delivers events outside
	KindTable     Kind = "table"     // keeps state (deduplication, grouping ...)
)

// ParamType is the type of a node parameter.
type ParamType string

// The parameter types. Values arrive from Go code, JSON, YAML or the command
// line, so each type accepts the usual spellings (see Spec.Validate).
const (
	ParamString   ParamType = "string"
	ParamInt      ParamType = "int"
	ParamFloat    ParamType = "float"
	ParamBool     ParamType = "bool"
	ParamDuration ParamType = "duration" // "30s", "5m" or a number of seconds
	ParamStrings  ParamType = "strings"  // a list, or one comma-separated string
	ParamObject   ParamType = "object"   // a JSON object
	ParamJSON     ParamType = "json"     // any JSON value (IntelMQ parameters that are a boolean or an object)
)

// Param declares one parameter of a node.
type Param struct {
	Name     string    `json:"name"`
	Type     ParamType `json:"type"`
	Default  any       `json:"default,omitempty"` // nil: no default
	Required bool      `json:"required,omitempty"`
	Doc      string    `json:"doc"`
	Example  any       `json:"example,omitempty"`
	// Runtime says the parameter may change while the node runs.
	Runtime bool `json:"runtime,omitempty"`
	// Enum, when set, lists the allowed values of a string parameter.
	Enum []string `json:"enum,omitempty"`
	// IntelMQ is IntelMQ's name of the parameter when it differs.
	IntelMQ string `json:"intelmq,omitempty"`
}

// Spec declares a node kind: its name, parameters and the DHO fields it
// requires and produces. Validation, defaults, documentation, the control
// API's parameter schema and topology checks all come from it.
type Spec struct {
	// Name is our name of the node kind, e.g. "taxonomy".
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	Doc  string `json:"doc"`
	// IntelMQ is the IntelMQ module this node replaces, if any, e.g.
	// "intelmq.bots.experts.taxonomy.expert".
	IntelMQ  string   `json:"intelmq,omitempty"`
	Params   []Param  `json:"params,omitempty"`
	Requires []string `json:"requires,omitempty"` // DHO field names the node needs in its input
	Produces []string `json:"produces,omitempty"` // DHO field names the node adds
	// ParamsByFactory says the node's parameters are checked by its
	// factory rather than declared in Params (nodes bridged from a registry
	// of their own, such as the parsers): Validate passes them through
	// as given, and the factory refuses unknown or invalid ones by name.
	ParamsByFactory bool `json:"params_by_factory,omitempty"`
	// Examples are the kind's built-in examples: parameters, an input and
	// the output the node must give (RunExamples runs them as a
	// self-test).
	Examples []Example `json:"examples,omitempty"`
}

// Params are validated parameter values with defaults filled in, by name.
type Params map[string]any

// String returns a string parameter ("" when unset).
func (p Params) String(name string) string { s, _ := p[name].(string); return s }

// Int returns an int parameter.
func (p Params) Int(name string) int64 { n, _ := p[name].(int64); return n }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { f, _ := p[name].(float64); return f }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { b, _ := p[name].(bool); return b }

// Duration returns a duration parameter.
func (p Params) Duration(name string) time.Duration { d, _ := p[name].(time.Duration); return d }

// Strings returns a list parameter.
func (p Params) Strings(name string) []string { s, _ := p[name].([]string); return s }

// Object returns an object parameter.
func (p Params) Object(name string) map[string]any { m, _ := p[name].(map[string]any); return m }

// Value returns the parameter's value as given (for ParamJSON: nil, a
// bool, float64, string, []any or map[string]any).
func (p Params) Value(name string) any { return p[name] }

// Has reports whether the parameter has a value (given or default).
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

// ParamError says which parameter of which node is wrong and why.
type ParamError struct {
	Node, Param string
	Err         error
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("node %s: parameter %s: %v", e.Node, e.Param, e.Err)
}

func (e *ParamError) Unwrap() error { return e.Err }

// IntelMQGenericParams are the parameters every IntelMQ bot accepts
// (logging, error handling, pipeline, statistics, HTTP defaults ...). In
// the IntelMQ compatibility path they are accepted and ignored with a log
// line, so IntelMQ runtime configurations load as they are.
var IntelMQGenericParams = []string{
	"accuracy", "description", "destination_pipeline_broker", "destination_pipeline_db",
	"destination_pipeline_host", "destination_pipeline_password", "destination_pipeline_port",
	"destination_pipeline_ssl", "destination_queues", "enabled", "error_dump_message",
	"error_log_exception", "error_log_message", "error_max_retries", "error_procedure",
	"error_retry_delay", "group", "http_proxy", "http_timeout_max_tries", "http_timeout_sec",
	"http_user_agent", "http_verify_cert", "https_proxy", "instances_threads", "load_balance",
	"log_processed_messages_count", "log_processed_messages_seconds", "logging_handler",
	"logging_level", "logging_path", "logging_syslog", "module", "name", "process_manager",
	"rate_limit", "run_mode", "source_pipeline_broker", "source_pipeline_db",
	"source_pipeline_host", "source_pipeline_password", "source_pipeline_port",
	"source_pipeline_ssl", "ssl_ca_certificate", "statistics_database", "statistics_host",
	"statistics_password", "statistics_port", "test_mode",
}

// Validate checks raw parameters against the spec: every parameter known,
// every value of the declared type (converted from the usual spellings),
// enums respected, required ones present; defaults fill the rest. The error
// names the node and the parameter.
func (s *Spec) Validate(raw map[string]any) (Params, error) { return s.validate(raw, nil) }

// ValidateIntelMQ is Validate for IntelMQ configurations: parameters may
// carry IntelMQ's names, and IntelMQ's generic bot parameters are accepted
// and ignored, each with a log line on log (if not nil).
func (s *Spec) ValidateIntelMQ(raw map[string]any, log *slog.Logger) (Params, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return s.validate(raw, log)
}

func (s *Spec) validate(raw map[string]any, intelmq *slog.Logger) (Params, error) {
	out := Params{}
	if s.ParamsByFactory {
		for k, v := range raw {
			out[k] = v
		}
		return out, nil
	}
	var errs []error
	byName := map[string]*Param{}
	for i := range s.Params {
		p := &s.Params[i]
		byName[p.Name] = p
		if intelmq != nil && p.IntelMQ != "" {
			byName[p.IntelMQ] = p
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, ok := byName[k]
		if !ok {
			if intelmq != nil && slices.Contains(IntelMQGenericParams, k) {
				intelmq.Info("IntelMQ bot parameter ignored", "node", s.Name, "param", k)
				continue
			}
			errs = append(errs, &ParamError{Node: s.Name, Param: k, Err: fmt.Errorf("unknown parameter (known: %s)", strings.Join(s.paramNames(), ", "))})
			continue
		}
		v, err := convertParam(p, raw[k])
		if err != nil {
			errs = append(errs, &ParamError{Node: s.Name, Param: p.Name, Err: err})
			continue
		}
		out[p.Name] = v
	}
	for i := range s.Params {
		p := &s.Params[i]
		if _, ok := out[p.Name]; ok {
			continue
		}
		if p.Default != nil {
			v, err := convertParam(p, p.Default)
			if err != nil {
				errs = append(errs, &ParamError{Node: s.Name, Param: p.Name, Err: fmt.Errorf("bad default: %w", err)})
				continue
			}
			out[p.Name] = v
		} else if p.Required {
			errs = append(errs, &ParamError{Node: s.Name, Param: p.Name, Err: errors.New("required, not given")})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Spec) paramNames() []string {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// convertParam turns a raw value into the parameter's Go type: string,
// int64, float64, bool, time.Duration, []string or map[string]any.
func convertParam(p *Param, v any) (any, error) {
	bad := func() error { return fmt.Errorf("%v (%T) is not a %s", v, v, p.Type) }
	switch p.Type {
	case ParamString:
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, s) {
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(p.Enum, ", "))
		}
		return s, nil
	case ParamInt:
		switch n := v.(type) {
		case int:
			return int64(n), nil
		case int64:
			return n, nil
		case int32:
			return int64(n), nil
		case float64:
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return nil, bad()
			}
			return int64(n), nil
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
			if err != nil {
				return nil, bad()
			}
			return i, nil
		}
		return nil, bad()
	case ParamFloat:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		case int64:
			return float64(n), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			if err != nil {
				return nil, bad()
			}
			return f, nil
		}
		return nil, bad()
	case ParamBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(b)) {
			case "true", "yes", "on", "1":
				return true, nil
			case "false", "no", "off", "0":
				return false, nil
			}
		}
		return nil, bad()
	case ParamDuration:
		switch d := v.(type) {
		case time.Duration:
			return d, nil
		case int:
			return time.Duration(d) * time.Second, nil
		case int64:
			return time.Duration(d) * time.Second, nil
		case float64:
			return time.Duration(d * float64(time.Second)), nil
		case string:
			if n, err := strconv.ParseFloat(d, 64); err == nil {
				return time.Duration(n * float64(time.Second)), nil
			}
			td, err := time.ParseDuration(d)
			if err != nil {
				return nil, fmt.Errorf("%q is not a duration (e.g. 30s, 5m, or seconds)", d)
			}
			return td, nil
		}
		return nil, bad()
	case ParamStrings:
		switch l := v.(type) {
		case []string:
			return slices.Clone(l), nil
		case string:
			var out []string
			for _, part := range strings.Split(l, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out, nil
		case []any:
			out := make([]string, len(l))
			for i, e := range l {
				s, ok := listItem(e)
				if !ok {
					return nil, fmt.Errorf("item %d: %v (%T) is not a string or a whole number", i, e, e)
				}
				out[i] = s
			}
			return out, nil
		default:
			// A bare number, as IntelMQ configurations write a list of one
			// status code or port.
			if s, ok := listItem(v); ok {
				return []string{s}, nil
			}
		}
		return nil, bad()
	case ParamObject:
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		return nil, bad()
	case ParamJSON:
		// From a command line or an environment every value is text:
		// JSON text becomes its value, other text stays a string.
		if s, ok := v.(string); ok {
			var j any
			if err := json.Unmarshal([]byte(s), &j); err == nil {
				return j, nil
			}
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown parameter type %q", p.Type)
}

// listItem is one item of a string list parameter: a string, or a whole
// number (IntelMQ lists status codes and ports as numbers) in decimal.
func listItem(v any) (string, bool) {
	switch n := v.(type) {
	case string:
		return n, true
	case int:
		return strconv.Itoa(n), true
	case int64:
		return strconv.FormatInt(n, 10), true
	case json.Number:
		if _, err := n.Int64(); err == nil {
			return n.String(), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= 1<<53 {
			return strconv.FormatInt(int64(n), 10), true
		}
	}
	return "", false
}

// Factory builds a node's processor from validated parameters: a
// Collector, Processor, BatchProcessor or Output of the node's record types.
type Factory func(Params) (any, error)

// Registration is a registered node kind.
type Registration struct {
	Spec Spec
	New  Factory
}

var (
	regMu    sync.RWMutex
	registry = map[string]*Registration{}
	byModule = map[string]*Registration{}
)

// Register makes a node kind available by name (and by its IntelMQ module
// name). Node packages call it from init, so importing a package registers
// its nodes, as database/sql drivers do. It panics on a duplicate name or
// an invalid spec, which are programming errors.
func Register(spec Spec, newFn Factory) {
	if spec.Name == "" || newFn == nil {
		panic("topology: Register needs a name and a factory")
	}
	for _, p := range spec.Params {
		if p.Default != nil {
			if _, err := convertParam(&p, p.Default); err != nil {
				panic(fmt.Sprintf("topology: node %s: parameter %s: bad default: %v", spec.Name, p.Name, err))
			}
		}
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[spec.Name]; dup {
		panic("topology: node kind registered twice: " + spec.Name)
	}
	r := &Registration{Spec: spec, New: newFn}
	registry[spec.Name] = r
	if spec.IntelMQ != "" {
		byModule[spec.IntelMQ] = r
	}
}

// Lookup returns the node kind registered under name, or under an IntelMQ
// module name.
func Lookup(name string) (*Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	if r, ok := registry[name]; ok {
		return r, true
	}
	r, ok := byModule[name]
	return r, ok
}

// Registered returns the specs of every registered node kind, by name.
func Registered() []Spec {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Spec, 0, len(registry))
	for _, r := range registry {
		out = append(out, r.Spec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
