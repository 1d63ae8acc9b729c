package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// CSVDialect is a Python csv dialect, as IntelMQ's parsers configure
// Python's csv module: how fields are separated and quoted.
type CSVDialect struct {
	// Delimiter separates fields (an ASCII character).
	Delimiter byte
	// Quote encloses fields holding special characters; 0 for none.
	Quote byte
	// DoubleQuote says a quote inside a quoted field is written twice.
	DoubleQuote bool
	// SkipInitialSpace drops spaces that follow a delimiter when reading.
	SkipInitialSpace bool
	// QuoteAll makes the writer quote every field (csv.QUOTE_ALL);
	// otherwise only fields that need it (csv.QUOTE_MINIMAL).
	QuoteAll bool
}

var (
	// UnixDialect is Python's "unix" dialect (comma, double quotes, every
	// field quoted when writing), which IntelMQ's Shadowserver parser uses.
	UnixDialect = CSVDialect{Delimiter: ',', Quote: '"', DoubleQuote: true, QuoteAll: true}
	// ExcelDialect is Python's default "excel" dialect (comma, double
	// quotes, minimal quoting when writing).
	ExcelDialect = CSVDialect{Delimiter: ',', Quote: '"', DoubleQuote: true}
)

// MaxCSVField is the longest field Python's csv module reads by default
// (csv.field_size_limit()); a longer field fails its record.
const MaxCSVField = 131072

// ErrCSVField is wrapped by the error for a record with a field longer
// than MaxCSVField.
var ErrCSVField = errors.New("CSV field larger than the field limit")

// CSVRecord is one record read by CSVReader.
type CSVRecord struct {
	// Fields are the record's fields, unquoted. The slice is reused by the
	// next call of Next (the strings are not): copy it to keep it.
	Fields []string
	// Text is the record as it is in the input: its physical line (or
	// lines, when a quoted field spans lines) with their line endings.
	Text []byte
	// Line is the 1-based number, in the original input, of the record's
	// first line.
	Line int
}

// CSVReader reads CSV records exactly as Python's csv.reader does in the
// non-strict mode IntelMQ uses: a quote inside an unquoted field is kept,
// text after a closing quote is appended to the field, a quoted field may
// span lines, an unterminated quoted field ends at the end of the input,
// and blank lines are records without fields.
//
// Like IntelMQ's ParserBot it first strips white space from both ends of
// the input and removes NUL characters, and it notes the input's line
// ending (see LineEnding).
type CSVReader struct {
	d          CSVDialect
	data       []byte
	pos        int
	line       int // number of the next physical line
	lineEnding string
	buf        []byte
	ends       []int
	fields     []string
	// general turns the quick path off (tests compare the two).
	general bool
}

// NewCSVReader reads data with dialect d.
func NewCSVReader(data []byte, d CSVDialect) *CSVReader {
	start, end := PyStrip(data)
	r := &CSVReader{d: d, line: 1 + countLines(data[:start])}
	body := data[start:end]
	if bytes.IndexByte(body, 0) >= 0 {
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c != 0 {
				clean = append(clean, c)
			}
		}
		body = clean
	}
	r.data = body
	r.lineEnding = detectLineEnding(body)
	return r
}

// LineEnding is the line ending IntelMQ writes when it re-encodes rows of
// this input: the input's own when all its lines end the same way
// ("\n", "\r\n" or "\r"), otherwise (mixed, or a single line) "\r\n",
// the csv module's default.
func (r *CSVReader) LineEnding() string { return r.lineEnding }

// countLines counts line breaks (\n, \r\n, \r) in b.
func countLines(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			n++
		case '\r':
			n++
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		}
	}
	return n
}

func detectLineEnding(b []byte) string {
	lf := bytes.Count(b, []byte{'\n'})
	cr := bytes.Count(b, []byte{'\r'})
	switch {
	case lf > 0 && cr == 0:
		return "\n"
	case cr > 0 && lf == 0:
		return "\r"
	case lf > 0 && lf == cr && bytes.Count(b, []byte("\r\n")) == lf:
		return "\r\n"
	}
	return "\r\n"
}

// nextLine returns the next physical line with its ending.
func (r *CSVReader) nextLine() []byte {
	b := r.data[r.pos:]
	end := len(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		end = i + 1
	}
	if j := bytes.IndexByte(b[:end], '\r'); j >= 0 {
		end = j + 1 // a line ending in \r, or in \r\n
		if end < len(b) && b[end] == '\n' {
			end++
		}
	}
	r.pos += end
	return b[:end]
}

// The states of Python's csv reader (Modules/_csv.c).
const (
	stStartRecord = iota
	stStartField
	stInField
	stInQuoted
	stQuoteInQuoted
	stEatCRNL
)

// Next returns the next record, or io.EOF. A record whose field exceeds
// MaxCSVField, or whose text is not UTF-8, is returned with an error (and
// its Text and Line, so the caller can report it); reading goes on after it.
func (r *CSVReader) Next() (CSVRecord, error) {
	if r.pos >= len(r.data) {
		return CSVRecord{}, io.EOF
	}
	if rec, ok := r.quick(); ok {
		return rec, nil
	}
	rec := CSVRecord{Line: r.line}
	start := r.pos
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]
	fieldStart := 0
	state := stStartRecord
	var err error
	save := func() {
		if len(r.buf)-fieldStart > MaxCSVField && err == nil {
			err = fmt.Errorf("%w (%d)", ErrCSVField, MaxCSVField)
		}
		r.ends = append(r.ends, len(r.buf))
		fieldStart = len(r.buf)
	}
	d := &r.d
	for {
		if r.pos >= len(r.data) {
			// End of input: Python saves a pending field (even an
			// unterminated quoted one) in non-strict mode.
			if state == stInQuoted {
				save()
			}
			break
		}
		line := r.nextLine()
		r.line++
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch state {
			case stStartRecord:
				if c == '\n' || c == '\r' {
					state = stEatCRNL
					continue
				}
				state = stStartField
				fallthrough
			case stStartField:
				switch {
				case c == '\n' || c == '\r':
					save()
					state = stEatCRNL
				case d.Quote != 0 && c == d.Quote:
					state = stInQuoted
				case c == ' ' && d.SkipInitialSpace:
				case c == d.Delimiter:
					save()
				default:
					// Take the rest of an unquoted field at once.
					j := i + 1
					for j < len(line) && line[j] != d.Delimiter && line[j] != '\n' && line[j] != '\r' {
						j++
					}
					r.buf = append(r.buf, line[i:j]...)
					i = j - 1
					state = stInField
				}
			case stInField:
				switch c {
				case '\n', '\r':
					save()
					state = stEatCRNL
				case d.Delimiter:
					save()
					state = stStartField
				default:
					r.buf = append(r.buf, c)
				}
			case stInQuoted:
				if c == d.Quote {
					if d.DoubleQuote {
						state = stQuoteInQuoted
					} else {
						state = stInField
					}
				} else {
					// Take everything up to the next quote at once.
					j := bytes.IndexByte(line[i:], d.Quote)
					if j < 0 {
						j = len(line) - i
					}
					r.buf = append(r.buf, line[i:i+j]...)
					i += j - 1
				}
			case stQuoteInQuoted:
				switch {
				case c == d.Quote:
					r.buf = append(r.buf, c)
					state = stInQuoted
				case c == d.Delimiter:
					save()
					state = stStartField
				case c == '\n' || c == '\r':
					save()
					state = stEatCRNL
				default:
					r.buf = append(r.buf, c)
					state = stInField
				}
			case stEatCRNL:
				// Lines end at \r and \n, so nothing follows them here.
			}
		}
		// End of the physical line (Python's EOL marker).
		switch state {
		case stStartField, stInField, stQuoteInQuoted:
			save()
			state = stStartRecord
		case stEatCRNL:
			state = stStartRecord
		}
		if state == stStartRecord {
			break
		}
	}
	rec.Text = r.data[start:r.pos]
	if !utf8.Valid(rec.Text) && err == nil {
		err = errors.New("the record is not valid UTF-8")
	}
	if len(r.ends) > 0 {
		all := string(r.buf)
		r.fields = r.fields[:0]
		from := 0
		for _, to := range r.ends {
			r.fields = append(r.fields, all[from:to])
			from = to
		}
		rec.Fields = r.fields
	}
	return rec, err
}

// quick reads the next record when it is the usual line of a feed: one
// physical line of UTF-8 whose fields are plain or quoted without a quote
// inside. Its fields are then substrings of one copy of the line, with
// no state machine and no field buffer. For anything else (a blank line,
// a quoted field that spans lines or holds a quote, text after a closing
// quote, a space to skip, a \r inside the line, a long line) it reads
// nothing and reports false, and the general reader decides.
func (r *CSVReader) quick() (CSVRecord, bool) {
	if r.general {
		return CSVRecord{}, false
	}
	end, next, ascii, ok := r.scanLine()
	if !ok {
		return CSVRecord{}, false
	}
	line := r.data[r.pos : r.pos+end]
	if !ascii && !utf8.Valid(line) {
		return CSVRecord{}, false
	}
	s := string(line)
	fields := r.fields[:0]
	for i := 0; i < len(r.ends); i += 2 {
		fields = append(fields, s[r.ends[i]:r.ends[i+1]])
	}
	r.fields = fields
	rec := CSVRecord{Line: r.line, Text: r.data[r.pos : r.pos+next], Fields: fields}
	r.pos += next
	r.line++
	return rec, true
}

// scanLine finds, in one pass, the fields of the line at r.pos for quick:
// their bounds go to r.ends in pairs, relative to the line. end is the
// line's length without its line ending, next the length with it; ascii
// says no byte was above 0x7f. ok is false for a line quick leaves to the
// general reader.
func (r *CSVReader) scanLine() (end, next int, ascii, ok bool) {
	b := r.data[r.pos:]
	if len(b) > MaxCSVField+2 {
		b = b[:MaxCSVField+2]
	}
	quote, delim := r.d.Quote, r.d.Delimiter
	if delim == '\n' || delim == '\r' || delim == quote {
		return 0, 0, false, false
	}
	ends := r.ends[:0]
	var high byte
	i := 0
	for {
		// i is at the start of a field.
		if quote != 0 && i < len(b) && b[i] == quote {
			j := i + 1
			for j < len(b) && b[j] != quote {
				c := b[j]
				if c == '\n' || c == '\r' {
					return 0, 0, false, false // it goes on in the next line, or holds \r
				}
				high |= c
				j++
			}
			if j == len(b) {
				return 0, 0, false, false // no closing quote
			}
			ends = append(ends, i+1, j)
			i = j + 1
		} else {
			if r.d.SkipInitialSpace && i < len(b) && b[i] == ' ' {
				return 0, 0, false, false
			}
			j := i
			for j < len(b) {
				c := b[j]
				if c == delim || c == '\n' || c == '\r' {
					break
				}
				high |= c
				j++
			}
			ends = append(ends, i, j)
			i = j
		}
		// i is after a field: a delimiter, the line's end, or the data's.
		switch {
		case i == len(b):
			end, next = i, i
		case b[i] == delim:
			i++
			continue
		case b[i] == '\n':
			end, next = i, i+1
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			end, next = i, i+2
		default:
			return 0, 0, false, false // text after a closing quote, or a lone \r
		}
		break
	}
	r.ends = ends
	if end == 0 || end > MaxCSVField || (end == len(b) && len(b) < len(r.data)-r.pos) {
		return 0, 0, false, false // blank, or too long
	}
	return end, next, high < 0x80, true
}

// PyStrip returns the bounds of b without the white space Python's
// str.strip() removes at both ends (Unicode white space and the
// separators U+001C..U+001F).
func PyStrip(b []byte) (start, end int) {
	start, end = 0, len(b)
	for start < end {
		c, n := utf8.DecodeRune(b[start:end])
		if !pySpace(c) {
			break
		}
		start += n
	}
	for end > start {
		c, n := utf8.DecodeLastRune(b[start:end])
		if !pySpace(c) {
			break
		}
		end -= n
	}
	return start, end
}

func pySpace(c rune) bool {
	if c < utf8.RuneSelf {
		return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
	}
	return c != utf8.RuneError && unicode.IsSpace(c)
}
