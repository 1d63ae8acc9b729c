package csv

import "bytes"

// lineMap maps the lines of the cleaned input back to the report's lines
// (both 0-based here, the result 1-based); nil when cleaning removed no
// line.
type lineMap []int

func (m lineMap) original(i int) int {
	if m == nil || i < 0 || i >= len(m) {
		return i + 1
	}
	return m[i] + 1
}

// clean prepares the report's data as IntelMQ's generic CSV parser does
// before reading it: NUL characters are removed, then lines (ending in
// "\n") whose first character after spaces and tabs is '#', and lines of
// only spaces and tabs; the other lines lose their leading spaces and
// tabs. The input is not stripped otherwise. It returns the data unchanged
// (not copied) when there is nothing to remove.
func clean(data []byte) ([]byte, lineMap) {
	if bytes.IndexByte(data, 0) >= 0 {
		data = bytes.ReplaceAll(data, []byte{0}, nil)
	}
	if !needsCleaning(data) {
		return data, nil
	}
	out := make([]byte, 0, len(data))
	var m lineMap
	lone := hasLoneCR(data)
	for n := 0; len(data) > 0; n++ {
		end := bytes.IndexByte(data, '\n') + 1
		if end == 0 {
			end = len(data)
		}
		line := data[:end]
		data = data[end:]
		i := 0
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		rest := line[i:]
		if len(rest) > 0 && rest[0] == '#' || len(rest) == 0 || rest[0] == '\n' {
			continue
		}
		out = append(out, rest...)
		if !lone {
			m = append(m, n)
		}
	}
	return out, m
}

// needsCleaning reports whether a line of data starts with a space, a tab,
// '#' or is empty.
func needsCleaning(data []byte) bool {
	for i := 0; i < len(data); {
		switch data[i] {
		case ' ', '\t', '#', '\n':
			return true
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

func hasLoneCR(b []byte) bool {
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		if i+1 >= len(b) || b[i+1] != '\n' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// lineEnding is the line ending IntelMQ writes into raw for this data:
// its own when all its lines end alike ("\n", "\r\n" or "\r"), otherwise
// (mixed, or no line break at all) "\r\n", Python's csv default.
func lineEnding(b []byte) string {
	crlf := bytes.Count(b, []byte("\r\n"))
	lf := bytes.Count(b, []byte{'\n'}) - crlf
	cr := bytes.Count(b, []byte{'\r'}) - crlf
	switch {
	case lf > 0 && cr == 0 && crlf == 0:
		return "\n"
	case cr > 0 && lf == 0 && crlf == 0:
		return "\r"
	}
	return "\r\n"
}

// cutLine returns the first line of b with its ending ("\n", "\r\n" or
// "\r", as Python's readline with newline="" reads lines) and the rest.
func cutLine(b []byte) (line, rest []byte) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			return b[:i+1], b[i+1:]
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				return b[:i+2], b[i+2:]
			}
			return b[:i+1], b[i+1:]
		}
	}
	return b, nil
}
