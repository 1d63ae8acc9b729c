package pyjson

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the kind of the next JSON value, as reported by [Decoder.Kind].
type Kind uint8

// The kinds of JSON values. Number includes Python's NaN, Infinity and
// -Infinity. Invalid means the next bytes cannot start a value (or an error
// has already occurred).
const (
	Invalid Kind = iota
	Null
	False
	True
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"invalid", "null", "false", "true", "number", "string", "array", "object"}

// String returns the lowercase name of k, for messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error causes, to be tested with errors.Is on an [*Error].
var (
	// ErrSyntax: the input is not JSON (as Python's json.loads reads it).
	ErrSyntax = errors.New("pyjson: syntax error")
	// ErrType: the input is well-formed so far, but the next value is not
	// of the kind the caller asked for (e.g. Int on a string).
	ErrType = errors.New("pyjson: unexpected value kind")
	// ErrRange: a number does not fit the requested Go type.
	ErrRange = errors.New("pyjson: number out of range")
	// ErrUsage: the Decoder's methods were called in an order that does
	// not follow the document structure (a bug in the caller).
	ErrUsage = errors.New("pyjson: decoder used out of order")
)

// Error is the error returned by [Decoder] methods and [Unmarshal]. It gives
// the byte offset in the input and says what was expected and what was
// found, e.g. "pyjson: at offset 17: expected ':' after object key, found
// '}'".
type Error struct {
	Offset int    // byte offset in the input where the problem was found
	Msg    string // what was expected and found
	Err    error  // ErrSyntax, ErrType, ErrRange or ErrUsage
}

// Error implements error.
func (e *Error) Error() string {
	return "pyjson: at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Unwrap returns the error class, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// maxDepth is the deepest nesting accepted; the same limit as encoding/json,
// so that both accept the same documents. It also bounds the recursion of
// Skip and Value.
const maxDepth = 10000

// Decoder is a pull tokenizer over a JSON document held in a string. The
// caller walks the document with Kind, the value readers (String, Number,
// Int, Float, Bool, Null, Skip, RawValue, Value), BeginObject/NextMember,
// BeginArray/NextElem, and finally End.
//
// Working on a string lets String and NextMember return escape-free strings
// as substrings of the input without allocating; the result therefore keeps
// the whole input alive. Strings with escapes or invalid UTF-8 are decoded
// into new strings.
//
// Errors are sticky: after the first error every method returns it again.
// The zero Decoder reads an empty (invalid) document; use [NewDecoder], or
// [Decoder.Reset] to reuse one without allocating. A Decoder is not safe for concurrent use.
type Decoder struct {
	s     string
	pos   int
	err   error
	depth int    // number of open containers
	stack uint64 // bit i set: open container i (i < 64) is an object
	deep  []bool // open containers 64 and deeper: true for an object
	idle  bool   // no value may be read now (false: one is expected)
	first bool   // the innermost container has had no member/element yet
}

// NewDecoder returns a Decoder reading the single JSON document in s.
func NewDecoder(s string) *Decoder {
	d := new(Decoder)
	d.Reset(s)
	return d
}

// Reset makes d read the document s from the start, reusing d's memory, so
// a long-lived Decoder decodes many events without allocating.
func (d *Decoder) Reset(s string) {
	*d = Decoder{s: s, deep: d.deep[:0]}
}

// Offset returns the byte offset of the next unread input byte.
func (d *Decoder) Offset() int { return d.pos }

// Err returns the sticky error, if any.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) fail(off int, class error, msg string) error {
	d.err = &Error{Offset: off, Msg: msg, Err: class}
	return d.err
}

// found describes the input at off for an error message.
func (d *Decoder) found(off int) string {
	if off >= len(d.s) {
		return "end of input"
	}
	c := d.s[off]
	switch {
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	case c < utf8.RuneSelf:
		return fmt.Sprintf("byte 0x%02x", c)
	}
	r, size := utf8.DecodeRuneInString(d.s[off:])
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("invalid UTF-8 byte 0x%02x", c)
	}
	return fmt.Sprintf("%U", r)
}

func (d *Decoder) syntax(off int, expected string) error {
	return d.fail(off, ErrSyntax, "expected "+expected+", found "+d.found(off))
}

func (d *Decoder) usage(msg string) error {
	return d.fail(d.pos, ErrUsage, msg)
}

// skipWS skips JSON whitespace (space, tab, LF, CR, as Python). The check
// for the common case of no whitespace is kept small enough to inline.
func (d *Decoder) skipWS() {
	if d.pos < len(d.s) && d.s[d.pos] > ' ' {
		return
	}
	d.pos = skipWSAt(d.s, d.pos)
}

func kindOf(c byte) Kind {
	switch c {
	case '{':
		return Object
	case '[':
		return Array
	case '"':
		return String
	case 't':
		return True
	case 'f':
		return False
	case 'n':
		return Null
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'N', 'I':
		return Number
	}
	return Invalid
}

// Kind skips whitespace and reports the kind of the next value from its
// first byte, without consuming or validating it. It returns Invalid at the
// end of input, before a byte that cannot start a value, and after an error.
func (d *Decoder) Kind() Kind {
	if d.err != nil {
		return Invalid
	}
	d.skipWS()
	if d.pos >= len(d.s) {
		return Invalid
	}
	return kindOf(d.s[d.pos])
}

// beginValue checks that a value may be read now and positions d at its
// first byte.
func (d *Decoder) beginValue() error {
	if d.err != nil || d.idle {
		return d.notReady()
	}
	d.skipWS()
	return nil
}

// notReady is beginValue's error path, kept apart so beginValue inlines.
//
//go:noinline
func (d *Decoder) notReady() error {
	if d.err != nil {
		return d.err
	}
	return d.usage(d.notWanted())
}

func (d *Decoder) notWanted() string {
	switch {
	case d.depth == 0:
		return "value read after the top-level value"
	case d.top():
		return "value read inside an object without NextMember"
	default:
		return "value read inside an array without NextElem"
	}
}

// mismatch reports that the value at d.pos is not of the wanted kind.
func (d *Decoder) mismatch(wanted string) error {
	if d.pos < len(d.s) && kindOf(d.s[d.pos]) != Invalid {
		return d.fail(d.pos, ErrType, "expected "+wanted+", found "+kindOf(d.s[d.pos]).String()+" "+d.found(d.pos))
	}
	return d.syntax(d.pos, "value")
}

func (d *Decoder) top() bool {
	l := d.depth - 1
	if l < 64 {
		return d.stack>>uint(l)&1 != 0
	}
	return d.deep[l-64]
}

func (d *Decoder) push(obj bool) error {
	if d.depth >= maxDepth {
		return d.fail(d.pos, ErrSyntax, "nesting deeper than "+strconv.Itoa(maxDepth)+" levels")
	}
	if d.depth < 64 {
		if obj {
			d.stack |= 1 << uint(d.depth)
		} else {
			d.stack &^= 1 << uint(d.depth)
		}
	} else {
		d.deep = append(d.deep[:d.depth-64], obj)
	}
	d.depth++
	return nil
}

// BeginObject consumes the '{' that starts an object; then call NextMember
// until it returns false.
func (d *Decoder) BeginObject() error {
	if err := d.beginValue(); err != nil {
		return err
	}
	if d.pos >= len(d.s) || d.s[d.pos] != '{' {
		return d.mismatch("object")
	}
	if err := d.push(true); err != nil {
		return err
	}
	d.pos++
	d.idle, d.first = true, true
	return nil
}

// BeginArray consumes the '[' that starts an array; then call NextElem
// until it returns false.
func (d *Decoder) BeginArray() error {
	if err := d.beginValue(); err != nil {
		return err
	}
	if d.pos >= len(d.s) || d.s[d.pos] != '[' {
		return d.mismatch("array")
	}
	if err := d.push(false); err != nil {
		return err
	}
	d.pos++
	d.idle, d.first = true, true
	return nil
}

// NextMember advances to the next member of the innermost object. It
// returns its key and ok=true, after which exactly one value reader must be
// called for the member's value; or, at the closing '}', ok=false, having
// consumed the object. The key is a substring of the input when it has no
// escapes. Duplicate keys are returned as they come (Python keeps the last).
func (d *Decoder) NextMember() (key string, ok bool, err error) {
	if d.err != nil {
		return "", false, d.err
	}
	if d.depth == 0 || !d.top() {
		return "", false, d.usage("NextMember called outside an object")
	}
	if !d.idle {
		return "", false, d.usage("NextMember called before the previous member's value was read")
	}
	s := d.s
	d.skipWS()
	i := d.pos
	if d.first {
		if i < len(s) && s[i] == '}' {
			d.endContainer(i + 1)
			return "", false, nil
		}
	} else {
		if i >= len(s) || (s[i] != ',' && s[i] != '}') {
			return "", false, d.syntax(i, "',' or '}' after object member")
		}
		if s[i] == '}' {
			d.endContainer(i + 1)
			return "", false, nil
		}
		d.pos = i + 1
		d.skipWS()
		i = d.pos
	}
	if i >= len(s) || s[i] != '"' {
		return "", false, d.syntax(i, "string for object key")
	}
	key, end, err := d.readString(i)
	if err != nil {
		return "", false, err
	}
	// The usual ": " after a key is handled without the general loop.
	if end+1 < len(s) && s[end] == ':' && s[end+1] == ' ' {
		d.pos = end + 2
	} else {
		d.pos = end
		d.skipWS()
		if d.pos >= len(s) || s[d.pos] != ':' {
			return "", false, d.syntax(d.pos, "':' after object key")
		}
		d.pos++
	}
	d.idle, d.first = false, false
	return key, true, nil
}

// NextElem advances to the next element of the innermost array. It returns
// true, after which exactly one value reader must be called for the
// element; or, at the closing ']', false, having consumed the array.
func (d *Decoder) NextElem() (ok bool, err error) {
	if d.err != nil {
		return false, d.err
	}
	if d.depth == 0 || d.top() {
		return false, d.usage("NextElem called outside an array")
	}
	if !d.idle {
		return false, d.usage("NextElem called before the previous element was read")
	}
	s := d.s
	d.skipWS()
	i := d.pos
	if d.first {
		if i < len(s) && s[i] == ']' {
			d.endContainer(i + 1)
			return false, nil
		}
	} else {
		if i >= len(s) || (s[i] != ',' && s[i] != ']') {
			return false, d.syntax(i, "',' or ']' after array element")
		}
		if s[i] == ']' {
			d.endContainer(i + 1)
			return false, nil
		}
		d.pos = i + 1
	}
	d.idle, d.first = false, false
	return true, nil
}

func (d *Decoder) endContainer(pos int) {
	d.pos = pos
	d.depth--
	// The enclosing container, if any, has now had a complete member.
	d.idle, d.first = true, false
}

// End checks that the document has been read completely and that only
// whitespace follows the top-level value (Python: "Extra data").
func (d *Decoder) End() error {
	if d.err != nil {
		return d.err
	}
	d.skipWS()
	if !d.idle {
		if d.depth == 0 && d.pos >= len(d.s) {
			return d.syntax(d.pos, "value")
		}
		return d.usage("End called before a pending value was read")
	}
	if d.depth != 0 {
		return d.usage("End called inside an unfinished object or array")
	}
	if d.pos != len(d.s) {
		return d.syntax(d.pos, "end of input after top-level value")
	}
	return nil
}

// String reads a string value. Escape-free strings are returned as a
// substring of the input without allocating. \uXXXX escapes of lone
// surrogates and invalid UTF-8 in the input are replaced by U+FFFD (see the
// package documentation).
func (d *Decoder) String() (string, error) {
	if err := d.beginValue(); err != nil {
		return "", err
	}
	if d.pos >= len(d.s) || d.s[d.pos] != '"' {
		return "", d.mismatch("string")
	}
	v, end, err := d.readString(d.pos)
	if err != nil {
		return "", err
	}
	d.pos, d.idle = end, true
	return v, nil
}

// readString decodes the string whose opening quote is at s[i], returning
// the value and the offset just past the closing quote.
func (d *Decoder) readString(i int) (string, int, error) {
	s := d.s
	j := i + 1
	for {
		for j+8 <= len(s) {
			if m := specialMask(load64(s, j)); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(s) && safeUTF8[s[j]] {
			j++
		}
		if j >= len(s) {
			return "", 0, d.fail(i, ErrSyntax, "unterminated string")
		}
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, nil
		case c == '\\':
			return d.unescape(i, j)
		case c < 0x20:
			return "", 0, d.fail(j, ErrSyntax, "invalid control character "+d.found(j)+" in string")
		default:
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size == 1 {
				return d.unescape(i, j)
			}
			j += size
		}
	}
}

// unescape is the slow path of readString: the string starting at s[i]
// has an escape or invalid UTF-8 at s[j], so its value must be built.
func (d *Decoder) unescape(i, j int) (string, int, error) {
	s := d.s
	var b strings.Builder
	b.Grow(j - i + 16)
	b.WriteString(s[i+1 : j])
	for {
		k := j
		for k < len(s) && safeUTF8[s[k]] {
			k++
		}
		b.WriteString(s[j:k])
		j = k
		if j >= len(s) {
			return "", 0, d.fail(i, ErrSyntax, "unterminated string")
		}
		c := s[j]
		switch {
		case c == '"':
			return b.String(), j + 1, nil
		case c < 0x20:
			return "", 0, d.fail(j, ErrSyntax, "invalid control character "+d.found(j)+" in string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
				j += invalidLen(s[j:])
			} else {
				b.WriteString(s[j : j+size])
				j += size
			}
			continue
		}
		// c == '\\'
		if j+1 >= len(s) {
			return "", 0, d.fail(i, ErrSyntax, "unterminated string")
		}
		switch e := s[j+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, j+2)
			if !ok {
				return "", 0, d.fail(j, ErrSyntax, "invalid \\uXXXX escape")
			}
			j += 6
			if r >= 0xD800 && r < 0xE000 {
				// Python pairs a high surrogate with an immediately
				// following \u low surrogate; any other surrogate is kept
				// alone, which a Go string can only show as U+FFFD.
				if r < 0xDC00 && j+1 < len(s) && s[j] == '\\' && s[j+1] == 'u' {
					if r2, ok := hex4(s, j+2); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						j += 6
						b.WriteRune(r)
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", 0, d.fail(j, ErrSyntax, "invalid escape '\\"+d.found(j+1)+"' in string")
		}
		j += 2
	}
}

// hex4 parses four hex digits (either case, as Python) at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skipString validates the string at s[i] without building its value and
// returns the offset past its closing quote.
func (d *Decoder) skipString(i int) (int, error) {
	s := d.s
	j := i + 1
	for {
		for j+8 <= len(s) {
			if m := specialMask(load64(s, j)); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(s) && (safeUTF8[s[j]] || s[j] >= utf8.RuneSelf) {
			j++ // invalid UTF-8 is accepted (replaced when read)
		}
		if j >= len(s) {
			return 0, d.fail(i, ErrSyntax, "unterminated string")
		}
		switch c := s[j]; {
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, d.fail(j, ErrSyntax, "invalid control character "+d.found(j)+" in string")
		}
		// c == '\\'
		if j+1 >= len(s) {
			return 0, d.fail(i, ErrSyntax, "unterminated string")
		}
		switch s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			if _, ok := hex4(s, j+2); !ok {
				return 0, d.fail(j, ErrSyntax, "invalid \\uXXXX escape")
			}
			j += 6
		default:
			return 0, d.fail(j, ErrSyntax, "invalid escape '\\"+d.found(j+1)+"' in string")
		}
	}
}

// scanNumber validates the number starting at s[i] (JSON grammar plus
// Python's NaN, Infinity, -Infinity) and returns its end and whether it is
// an integer (no fraction, no exponent), which is when Python makes an int.
func (d *Decoder) scanNumber(i int) (end int, isInt bool, err error) {
	s := d.s
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	if j >= len(s) {
		return 0, false, d.syntax(j, "digit")
	}
	switch c := s[j]; {
	case c == '0':
		j++
	case c >= '1' && c <= '9':
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	case c == 'I' && strings.HasPrefix(s[j:], "Infinity"):
		return j + 8, false, nil
	case c == 'N' && j == i && strings.HasPrefix(s[j:], "NaN"):
		return j + 3, false, nil
	default:
		if j == i {
			return 0, false, d.syntax(j, "value")
		}
		return 0, false, d.syntax(j, "digit after '-'")
	}
	isInt = true
	if j < len(s) && s[j] == '.' {
		j++
		if j >= len(s) || s[j] < '0' || s[j] > '9' {
			return 0, false, d.syntax(j, "digit after decimal point")
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		isInt = false
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j >= len(s) || s[j] < '0' || s[j] > '9' {
			return 0, false, d.syntax(j, "digit in exponent")
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		isInt = false
	}
	return j, isInt, nil
}

// Number reads a number and returns its raw text, validated against the
// JSON number grammar or one of NaN, Infinity, -Infinity; isInt reports an
// integer without fraction or exponent (Python's int, unbounded).
func (d *Decoder) Number() (raw string, isInt bool, err error) {
	if err := d.beginValue(); err != nil {
		return "", false, err
	}
	i := d.pos
	if i >= len(d.s) || kindOf(d.s[i]) != Number {
		return "", false, d.mismatch("number")
	}
	end, isInt, err := d.scanNumber(i)
	if err != nil {
		return "", false, err
	}
	d.pos, d.idle = end, true
	return d.s[i:end], isInt, nil
}

// Int reads an integer that fits in int64. A number with a fraction or
// exponent (a Python float, even 1.0) is an ErrType error; an integer
// outside int64 is an ErrRange error (use Number or Value to get it).
func (d *Decoder) Int() (int64, error) {
	raw, isInt, err := d.Number()
	if err != nil {
		return 0, err
	}
	off := d.pos - len(raw)
	if !isInt {
		return 0, d.fail(off, ErrType, "expected integer, found float "+raw)
	}
	n, ok := parseInt(raw)
	if !ok {
		return 0, d.fail(off, ErrRange, "integer "+raw+" does not fit in int64")
	}
	return n, nil
}

// parseInt converts a validated JSON integer, reporting int64 overflow.
func parseInt(raw string) (int64, bool) {
	neg := raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	if len(digits) < 19 { // at most 18 digits cannot overflow
		var n int64
		for i := 0; i < len(digits); i++ {
			n = n*10 + int64(digits[i]-'0')
		}
		if neg {
			n = -n
		}
		return n, true
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	return n, err == nil
}

// Float reads any number as float64 like Python's float(): integers are
// converted, NaN, Infinity and -Infinity are accepted, and values beyond
// the float64 range become ±Inf (float("1e400") is inf in Python too).
func (d *Decoder) Float() (float64, error) {
	raw, _, err := d.Number()
	if err != nil {
		return 0, err
	}
	return parseFloat(raw), nil
}

// parseFloat converts a validated number token.
func parseFloat(raw string) float64 {
	switch raw {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	// Only ErrRange is possible for a validated token, and the returned
	// ±Inf or 0 is Python's result too.
	f, _ := strconv.ParseFloat(raw, 64)
	return f
}

// Bool reads true or false.
func (d *Decoder) Bool() (bool, error) {
	if err := d.beginValue(); err != nil {
		return false, err
	}
	s := d.s[d.pos:]
	switch {
	case strings.HasPrefix(s, "true"):
		d.pos += 4
		d.idle = true
		return true, nil
	case strings.HasPrefix(s, "false"):
		d.pos += 5
		d.idle = true
		return false, nil
	}
	if k := d.Kind(); k == True || k == False {
		return false, d.syntax(d.pos, "true or false")
	}
	return false, d.mismatch("boolean")
}

// Null reads null.
func (d *Decoder) Null() error {
	if err := d.beginValue(); err != nil {
		return err
	}
	if strings.HasPrefix(d.s[d.pos:], "null") {
		d.pos += 4
		d.idle = true
		return nil
	}
	if d.Kind() == Null {
		return d.syntax(d.pos, "null")
	}
	return d.mismatch("null")
}

// Skip reads and discards the next value, validating it completely.
func (d *Decoder) Skip() error {
	if err := d.beginValue(); err != nil {
		return err
	}
	end, err := d.skip(d.pos, d.depth)
	if err != nil {
		return err
	}
	d.pos, d.idle = end, true
	return nil
}

// RawValue reads the next value, validating it completely, and returns its
// raw text (a substring of the input, no allocation), e.g. to store or
// forward it without decoding.
func (d *Decoder) RawValue() (string, error) {
	if err := d.beginValue(); err != nil {
		return "", err
	}
	start := d.pos
	end, err := d.skip(start, d.depth)
	if err != nil {
		return "", err
	}
	d.pos, d.idle = end, true
	return d.s[start:end], nil
}

// skip validates the value at s[i] (no leading whitespace) and returns its
// end; depth is the number of containers already open around it.
func (d *Decoder) skip(i, depth int) (int, error) {
	s := d.s
	if i >= len(s) {
		return 0, d.syntax(i, "value")
	}
	switch c := s[i]; c {
	case '"':
		return d.skipString(i)
	case 't', 'f', 'n':
		lit := "null"
		if c == 't' {
			lit = "true"
		} else if c == 'f' {
			lit = "false"
		}
		if !strings.HasPrefix(s[i:], lit) {
			return 0, d.syntax(i, lit)
		}
		return i + len(lit), nil
	case '{', '[':
		if depth >= maxDepth {
			return 0, d.fail(i, ErrSyntax, "nesting deeper than "+strconv.Itoa(maxDepth)+" levels")
		}
		obj := c == '{'
		closer := byte(']')
		if obj {
			closer = '}'
		}
		j := skipWSAt(s, i+1)
		if j < len(s) && s[j] == closer {
			return j + 1, nil
		}
		for {
			var err error
			if obj {
				if j >= len(s) || s[j] != '"' {
					return 0, d.syntax(j, "string for object key")
				}
				if j, err = d.skipString(j); err != nil {
					return 0, err
				}
				j = skipWSAt(s, j)
				if j >= len(s) || s[j] != ':' {
					return 0, d.syntax(j, "':' after object key")
				}
				j = skipWSAt(s, j+1)
			}
			if j, err = d.skip(j, depth+1); err != nil {
				return 0, err
			}
			j = skipWSAt(s, j)
			if j < len(s) && s[j] == closer {
				return j + 1, nil
			}
			if j >= len(s) || s[j] != ',' {
				if obj {
					return 0, d.syntax(j, "',' or '}' after object member")
				}
				return 0, d.syntax(j, "',' or ']' after array element")
			}
			j = skipWSAt(s, j+1)
		}
	default:
		if kindOf(c) != Number {
			return 0, d.syntax(i, "value")
		}
		end, _, err := d.scanNumber(i)
		return end, err
	}
}

func skipWSAt(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// Value reads the next value generically, as [Unmarshal] does.
func (d *Decoder) Value() (any, error) {
	switch d.Kind() {
	case String:
		return d.String()
	case Number:
		raw, isInt, err := d.Number()
		if err != nil {
			return nil, err
		}
		if isInt {
			if n, ok := parseInt(raw); ok {
				return n, nil
			}
			return BigInt(raw), nil
		}
		return parseFloat(raw), nil
	case Object:
		if err := d.BeginObject(); err != nil {
			return nil, err
		}
		m := make(map[string]any)
		for {
			k, ok, err := d.NextMember()
			if err != nil {
				return nil, err
			}
			if !ok {
				return m, nil
			}
			v, err := d.Value()
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
	case Array:
		if err := d.BeginArray(); err != nil {
			return nil, err
		}
		a := []any{}
		for {
			ok, err := d.NextElem()
			if err != nil {
				return nil, err
			}
			if !ok {
				return a, nil
			}
			v, err := d.Value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case True, False:
		return d.Bool()
	case Null:
		return nil, d.Null()
	}
	// Let the generic path produce the right error (syntax, usage, sticky).
	return nil, d.Skip()
}

// Unmarshal decodes the single JSON document s, as Python's json.loads
// would, into nil, bool, int64, [BigInt] (integers outside int64), float64,
// string, []any and map[string]any. Strings without escapes share memory
// with s.
func Unmarshal(s string) (any, error) {
	var d Decoder
	d.Reset(s)
	v, err := d.Value()
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return v, nil
}
