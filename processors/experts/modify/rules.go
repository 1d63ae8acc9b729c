package modify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/fieldval"
)

// Rule is one rule of a modify configuration: when every condition holds,
// every action is applied.
type Rule struct {
	Name    string
	conds   []cond
	actions []action
}

// cond is one entry of a rule's "if".
type cond struct {
	field  string
	absent bool           // "": the field must not be set
	re     *regexp.Regexp // a string: a regular expression search
	num    float64        // a number: equal by value
	isNum  bool
	b      bool // a boolean: equal
	isBool bool
}

// action is one entry of a rule's "then": a constant or a format string.
type action struct {
	field string
	value any    // a number or boolean, or text without replacement fields
	parts []part // a format string
}

// part is literal text or a replacement field of a format string.
type part struct {
	text  string
	field string // {msg[field]} or {matches[field][group]}
	group string // "" for msg
	index int    // numeric group, -1 for a named one
	match bool
}

// ParseRules reads a modify configuration: a JSON (or YAML) list of rules, each
// {"rulename": ..., "if": {field: condition}, "then": {field: value}}.
// Conditions are regular expressions (strings; "" means the field must not
// be set), numbers or booleans; values are numbers, booleans or format
// strings with {msg[field]} (the event's value) and {matches[field][N]}
// (group N, or a named group, of the field's condition). Every field,
// pattern, format string and constant is checked here; the error names
// the rule.
func ParseRules(data []byte, caseSensitive bool) ([]Rule, error) {
	if !json.Valid(data) {
		// IntelMQ reads its configurations as YAML, of which JSON is
		// a part; YAML is turned into JSON here.
		var y any
		if err := yaml.Unmarshal(data, &y); err != nil {
			return nil, fmt.Errorf("neither JSON nor YAML: %w", err)
		}
		var err error
		if data, err = json.Marshal(y); err != nil {
			return nil, fmt.Errorf("YAML: %w", err)
		}
	}
	var raw []map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON list of rules: %w", err)
	}
	rules := make([]Rule, 0, len(raw))
	for i, r := range raw {
		rule, err := parseRule(r, caseSensitive)
		if err != nil {
			name := rule.Name
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			return nil, fmt.Errorf("rule %q: %w", name, err)
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func parseRule(r map[string]json.RawMessage, caseSensitive bool) (Rule, error) {
	var rule Rule
	for k := range r {
		if k != "rulename" && k != "if" && k != "then" {
			return rule, fmt.Errorf("unknown key %q (a rule has rulename, if and then)", k)
		}
	}
	if err := json.Unmarshal(r["rulename"], &rule.Name); err != nil || rule.Name == "" {
		return rule, errors.New(`"rulename" must be a non-empty string`)
	}
	ifs, err := object(r, "if")
	if err != nil {
		return rule, err
	}
	thens, err := object(r, "then")
	if err != nil {
		return rule, err
	}
	regexFields := map[string]bool{}
	for _, f := range slices.Sorted(maps.Keys(ifs)) {
		if err := fieldval.Check(f); err != nil {
			return rule, fmt.Errorf("if: %w", err)
		}
		c := cond{field: f}
		switch v := ifs[f].(type) {
		case string:
			if v == "" {
				c.absent = true
				break
			}
			p := v
			if !caseSensitive {
				p = "(?i)" + p
			}
			if c.re, err = regexp.Compile(p); err != nil {
				return rule, fmt.Errorf("if %s: regular expression %q: %v", f, v, err)
			}
			regexFields[f] = true
		case json.Number:
			c.isNum = true
			c.num, _ = v.Float64()
		case bool:
			c.isBool, c.b = true, v
		default:
			return rule, fmt.Errorf("if %s: a condition is a string (regular expression), a number or a boolean, not %s", f, jsonKind(v))
		}
		rule.conds = append(rule.conds, c)
	}
	for _, f := range slices.Sorted(maps.Keys(thens)) {
		if err := fieldval.Check(f); err != nil {
			return rule, fmt.Errorf("then: %w", err)
		}
		a := action{field: f}
		switch v := thens[f].(type) {
		case string:
			parts, err := parseFormat(v)
			if err != nil {
				return rule, fmt.Errorf("then %s: %w", f, err)
			}
			for _, p := range parts {
				if p.match && !regexFields[p.field] {
					return rule, fmt.Errorf("then %s: {matches[%s]...}: the rule has no regular expression condition on %s", f, p.field, p.field)
				}
				if p.field != "" {
					if err := fieldval.Check(p.field); err != nil {
						return rule, fmt.Errorf("then %s: %w", f, err)
					}
				}
			}
			if len(parts) == 1 && parts[0].field == "" {
				a.value = parts[0].text
			} else if len(parts) == 0 {
				a.value = ""
			} else {
				a.parts = parts
			}
		case json.Number:
			if i, err := v.Int64(); err == nil {
				a.value = i
			} else {
				f, _ := v.Float64()
				a.value = f
			}
		case bool:
			a.value = v
		default:
			return rule, fmt.Errorf("then %s: a value is a string, a number or a boolean, not %s", f, jsonKind(v))
		}
		if a.parts == nil {
			var e dho.Event
			if err := setValue(&e, f, a.value); err != nil {
				return rule, fmt.Errorf("then: %w", err)
			}
		}
		rule.actions = append(rule.actions, a)
	}
	return rule, nil
}

func object(r map[string]json.RawMessage, key string) (map[string]any, error) {
	b, ok := r[key]
	if !ok {
		return nil, fmt.Errorf("%q is missing", key)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("%q must be an object of field names", key)
	}
	return m, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// parseFormat reads the subset of Python's str.format that modify rules
// use: literal text ({{ and }} for braces) and the replacement fields
// {msg[FIELD]} and {matches[FIELD][GROUP]}, optionally with !s.
func parseFormat(s string) ([]part, error) {
	var parts []part
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			return nil, fmt.Errorf("format %q: single } (write }} for a brace)", s)
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("format %q: { not closed (write {{ for a brace)", s)
			}
			p, err := parseReplacement(s[i+1 : i+end])
			if err != nil {
				return nil, fmt.Errorf("format %q: %w", s, err)
			}
			if lit.Len() > 0 {
				parts = append(parts, part{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, p)
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, part{text: lit.String()})
	}
	return parts, nil
}

func parseReplacement(f string) (part, error) {
	f = strings.TrimSuffix(f, "!s")
	if strings.ContainsAny(f, ":!") {
		return part{}, fmt.Errorf("{%s}: conversions and format specs are not supported", f)
	}
	if rest, ok := strings.CutPrefix(f, "msg["); ok {
		field, ok := strings.CutSuffix(rest, "]")
		if !ok || field == "" || strings.ContainsAny(field, "[]") {
			return part{}, fmt.Errorf("{%s}: write {msg[FIELD]}", f)
		}
		return part{field: field}, nil
	}
	if rest, ok := strings.CutPrefix(f, "matches["); ok {
		field, group, ok := strings.Cut(rest, "][")
		group, ok2 := strings.CutSuffix(group, "]")
		if !ok || !ok2 || field == "" || group == "" || strings.ContainsAny(group, "[]") {
			return part{}, fmt.Errorf("{%s}: write {matches[FIELD][GROUP]}", f)
		}
		p := part{field: field, group: group, index: -1, match: true}
		if n, err := strconv.Atoi(group); err == nil {
			p.index = n
		}
		return p, nil
	}
	return part{}, fmt.Errorf("{%s}: the names are msg and matches", f)
}

// setValue writes a value into a field: text fields take numbers and
// booleans as text.
func setValue(e *dho.Event, field string, v any) error {
	if !fieldval.IsExtra(field) && fieldval.IsText(field) {
		switch x := v.(type) {
		case int64:
			v = strconv.FormatInt(x, 10)
		case float64:
			v = fieldval.Text(x)
		case bool:
			v = pyBool(x)
		}
	}
	return e.Set(field, v)
}

// pyBool is a boolean as Python's str() writes it.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// equalNumber reports whether one of the values of v (from Event.Get) is
// the number n.
func equalNumber(v any, n float64) bool {
	switch v := v.(type) {
	case int64:
		return float64(v) == n
	case float64:
		return v == n
	case []int64:
		for _, x := range v {
			if float64(x) == n {
				return true
			}
		}
	case dho.Value:
		if f, ok := v.Float(); ok && v.Kind() != dho.KindBool {
			return f == n && !math.IsNaN(f)
		}
	}
	return false
}

// equalBool reports whether v is the boolean b.
func equalBool(v any, b bool) bool {
	switch v := v.(type) {
	case bool:
		return v == b
	case dho.Value:
		x, ok := v.Bool()
		return ok && x == b
	}
	return false
}
