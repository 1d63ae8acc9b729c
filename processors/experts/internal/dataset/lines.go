package dataset

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ScanLines calls fn for every line of r that is neither empty nor a
// comment (starting with one of comments, after leading space), with the
// line trimmed and its number. fn's error is returned with the line number.
func ScanLines(r io.Reader, comments string, fn func(line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.ContainsRune(comments, rune(line[0])) {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}
