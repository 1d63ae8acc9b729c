package sieve

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a place in a sieve file: line and column, both from 1 (columns
// count characters, not bytes).
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Col) }

// Error is a syntax or semantic error in a sieve file, with its place.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // keyword, key, true/false: [A-Za-z0-9_.]+ (add! and append! with their "!")
	tVar            // $name
	tString         // '...' or "..." (text holds the value without quotes)
	tNumber         // 12, -3, 1.5, 2e3
	tColon          // :exists, :in, ... (text holds the whole operator)
	tOp             // == != =~ !~ <= >= << < > = += -= && || !
	tPunct          // ( ) { } [ ] ,
)

var tokNames = [...]string{"end of file", "word", "variable", "string", "number", "operator", "operator", "punctuation"}

type token struct {
	kind tokKind
	text string
	pos  Pos
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%s %q", tokNames[t.kind], t.text)
}

// lexer turns sieve text into tokens. Comments run from // or # to the end
// of the line.
type lexer struct {
	src       string
	off       int
	line, col int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) errf(p Pos, format string, args ...any) error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// advance moves over n bytes of the current line (no newlines).
func (l *lexer) advance(n int) {
	l.col += utf8.RuneCountInString(l.src[l.off : l.off+n])
	l.off += n
}

func (l *lexer) peekByte(i int) byte {
	if l.off+i < len(l.src) {
		return l.src[l.off+i]
	}
	return 0
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skip moves over white space and comments.
func (l *lexer) skip() {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == '\n':
			l.off++
			l.line++
			l.col = 1
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.advance(1)
		case c == '#' || c == '/' && l.peekByte(1) == '/':
			end := strings.IndexByte(l.src[l.off:], '\n')
			if end < 0 {
				end = len(l.src) - l.off
			}
			l.advance(end)
		default:
			return
		}
	}
}

var ops = []string{"==", "!=", "=~", "!~", "<=", ">=", "<<", "+=", "-=", "&&", "||", "<", ">", "=", "!"}

// next returns the next token.
func (l *lexer) next() (token, error) {
	l.skip()
	p := Pos{l.line, l.col}
	if l.off >= len(l.src) {
		return token{kind: tEOF, pos: p}, nil
	}
	c := l.src[l.off]
	switch {
	case c == '\'' || c == '"':
		return l.str(p)
	case c == '$':
		n := 1
		for l.off+n < len(l.src) && (isWordByte(l.src[l.off+n]) && l.src[l.off+n] != '.') {
			n++
		}
		if n == 1 {
			return token{}, l.errf(p, "a variable name follows $")
		}
		t := token{kind: tVar, text: l.src[l.off : l.off+n], pos: p}
		l.advance(n)
		return t, nil
	case c == ':':
		n := 1
		for l.off+n < len(l.src) && l.src[l.off+n] >= 'a' && l.src[l.off+n] <= 'z' {
			n++
		}
		if n == 1 {
			return token{}, l.errf(p, "an operator name follows : (such as :exists, :in, :contains)")
		}
		t := token{kind: tColon, text: l.src[l.off : l.off+n], pos: p}
		l.advance(n)
		return t, nil
	case strings.IndexByte("(){}[],", c) >= 0:
		l.advance(1)
		return token{kind: tPunct, text: string(c), pos: p}, nil
	}
	if n := l.number(); n > 0 {
		t := token{kind: tNumber, text: l.src[l.off : l.off+n], pos: p}
		l.advance(n)
		return t, nil
	}
	if isWordByte(c) {
		n := 0
		for l.off+n < len(l.src) && isWordByte(l.src[l.off+n]) {
			n++
		}
		w := l.src[l.off : l.off+n]
		if (w == "add" || w == "append") && l.peekByte(n) == '!' && l.peekByte(n+1) != '=' && l.peekByte(n+1) != '~' {
			n++
		}
		t := token{kind: tWord, text: l.src[l.off : l.off+n], pos: p}
		l.advance(n)
		return t, nil
	}
	for _, op := range ops {
		if strings.HasPrefix(l.src[l.off:], op) {
			l.advance(len(op))
			return token{kind: tOp, text: op, pos: p}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.off:])
	return token{}, l.errf(p, "unexpected character %q", r)
}

// number returns the length of a number at the current offset, 0 if there
// is none: an optional sign, digits with an optional fraction, an optional
// exponent, not followed by a word character (so 1abc is a word).
func (l *lexer) number() int {
	s := l.src[l.off:]
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	digits := i > start
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j > i+1 || digits {
			digits = digits || j > i+1
			i = j
		}
	}
	if !digits {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			i = k
		}
	}
	if i < len(s) && isWordByte(s[i]) {
		return 0
	}
	return i
}

// str reads a quoted string. A backslash before the quote character keeps
// the quote; every other backslash stays as it is, so regular expressions
// are written as in IntelMQ ('\.' is a backslash and a dot).
func (l *lexer) str(p Pos) (token, error) {
	q := l.src[l.off]
	var b strings.Builder
	i := 1
	for {
		if l.off+i >= len(l.src) {
			return token{}, l.errf(p, "string not closed")
		}
		c := l.src[l.off+i]
		switch {
		case c == '\\' && l.off+i+1 < len(l.src) && l.src[l.off+i+1] == q:
			b.WriteByte(q)
			i += 2
			continue
		case c == q:
			i++
			l.advanceMulti(i)
			return token{kind: tString, text: b.String(), pos: p}, nil
		}
		b.WriteByte(c)
		i++
	}
}

// advanceMulti moves over n bytes that may hold newlines.
func (l *lexer) advanceMulti(n int) {
	for n > 0 {
		nl := strings.IndexByte(l.src[l.off:l.off+n], '\n')
		if nl < 0 {
			l.advance(n)
			return
		}
		l.off += nl + 1
		n -= nl + 1
		l.line++
		l.col = 1
	}
}
