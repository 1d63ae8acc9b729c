package outkit

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// FieldText is a field's value as text ("" when unset), see ValueText.
func FieldText(e *dho.Event, name string) string {
	v, ok := e.Get(name)
	if !ok {
		return ""
	}
	return ValueText(v)
}

// ValueText formats a value of Event.Get as text, as IntelMQ formats
// fields into strings: times in ISO 8601 with offset, lists joined with
// commas, bytes in base64, extra as JSON.
func ValueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	case int64:
		return strconv.FormatInt(x, 10)
	case []int64:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(s, ",")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05-07:00")
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case dho.Value:
		return x.Text()
	case dho.Extra:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// intelmqRef is IntelMQ's Python format reference {ev[NAME]}.
var intelmqRef = regexp.MustCompile(`\{ev\[([a-z0-9_.\-]+)\]\}`)

// ExpandIntelMQ replaces IntelMQ's {ev[NAME]} references in s (routing
// keys, topics, mail headers in IntelMQ configurations) with the event's
// field values.
func ExpandIntelMQ(s string, e *dho.Event) string {
	return intelmqRef.ReplaceAllStringFunc(s, func(ref string) string {
		return FieldText(e, intelmqRef.FindStringSubmatch(ref)[1])
	})
}

// IntelMQToTemplate rewrites IntelMQ's {ev[NAME]} references into Go
// template actions {{field .Event "NAME"}}.
func IntelMQToTemplate(s string) string {
	return intelmqRef.ReplaceAllString(s, `{{field .Event "$1"}}`)
}
