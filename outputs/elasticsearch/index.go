package elasticsearch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/intelstream/intelstream/dho"
)

// rotations are IntelMQ's rotate_index values as index name patterns.
var rotations = map[string]string{
	"never":   "",
	"daily":   "%Y-%m-%d",
	"weekly":  "%G-%V",
	"monthly": "%Y-%m",
	"yearly":  "%Y",
}

// indexNamer gives the index of an event: a fixed name, or a pattern with
// strftime-like date parts filled from the event's time.source (else
// time.observation, else now).
type indexNamer struct {
	fixed   string
	pattern string // "" for fixed
	now     func() time.Time
}

// newIndexNamer checks pattern: the conversions %Y %m %d %G %V %H and %%.
func newIndexNamer(index, pattern string) (indexNamer, error) {
	if pattern == "" {
		if err := checkIndexName(index); err != nil {
			return indexNamer{}, err
		}
		return indexNamer{fixed: index}, nil
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '%' {
			continue
		}
		if i+1 == len(pattern) || !strings.ContainsRune("YmdGVH%", rune(pattern[i+1])) {
			return indexNamer{}, fmt.Errorf("%q: unknown conversion at %d (known: %%Y %%m %%d %%G %%V %%H %%%%)", pattern, i)
		}
		i++
	}
	if err := checkIndexName(regexp.MustCompile(`%.`).ReplaceAllString(pattern, "0")); err != nil {
		return indexNamer{}, err
	}
	return indexNamer{pattern: pattern, now: time.Now}, nil
}

// checkIndexName applies Elasticsearch's rules for index names.
func checkIndexName(n string) error {
	switch {
	case n == "":
		return errors.New("empty index name")
	case strings.ToLower(n) != n:
		return fmt.Errorf("%q: index names are lower case", n)
	case strings.ContainsAny(n, `\/*?"<>| ,#:`):
		return fmt.Errorf("%q: index names may not contain any of %q or a space", n, `\/*?"<>|,#:`)
	case strings.HasPrefix(n, "-") || strings.HasPrefix(n, "_") || strings.HasPrefix(n, "+"):
		return fmt.Errorf("%q: index names may not start with - _ +", n)
	case len(n) > 255:
		return errors.New("index name longer than 255 bytes")
	}
	return nil
}

// name returns e's index.
func (n indexNamer) name(e *dho.Event, buf []byte) []byte {
	if n.pattern == "" {
		return append(buf, n.fixed...)
	}
	t := n.now().UTC()
	if e.Time.Source != nil {
		t = e.Time.Source.UTC()
	} else if e.Time.Observation != nil {
		t = e.Time.Observation.UTC()
	}
	for i := 0; i < len(n.pattern); i++ {
		c := n.pattern[i]
		if c != '%' {
			buf = append(buf, c)
			continue
		}
		i++
		switch n.pattern[i] {
		case 'Y':
			buf = fmt.Appendf(buf, "%04d", t.Year())
		case 'm':
			buf = fmt.Appendf(buf, "%02d", int(t.Month()))
		case 'd':
			buf = fmt.Appendf(buf, "%02d", t.Day())
		case 'H':
			buf = fmt.Appendf(buf, "%02d", t.Hour())
		case 'G':
			y, _ := t.ISOWeek()
			buf = fmt.Appendf(buf, "%04d", y)
		case 'V':
			_, w := t.ISOWeek()
			buf = fmt.Appendf(buf, "%02d", w)
		case '%':
			buf = append(buf, '%')
		}
	}
	return buf
}
