package htmltable

import (
	"bytes"
	"html"
	"slices"
	"strings"
	"unicode"

	nethtml "golang.org/x/net/html"
)

// The tree here is built as BeautifulSoup builds it with Python's
// html.parser, which IntelMQ's HTML table parser uses, rather than by the
// HTML5 tree construction rules: no implied elements (html, tbody), no
// implicitly closed cells or rows, an end tag closes the nearest open
// element of its name (and everything opened inside it) or nothing. Its
// serialization is BeautifulSoup's str(tag), which IntelMQ writes into
// raw.

type nodeKind uint8

const (
	elementNode nodeKind = iota
	textNode
	commentNode
	doctypeNode
)

type attr struct{ key, val string }

type node struct {
	kind     nodeKind
	name     string // element name, lower case
	attrs    []attr // in input order; a repeated key keeps its last value
	text     string // text, comment or doctype content
	children []*node
	parent   *node
}

// voidElements close as soon as they open (BeautifulSoup's empty-element
// tags for HTML).
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "keygen": true, "link": true, "menuitem": true, "meta": true, "param": true,
	"source": true, "track": true, "wbr": true, "basefont": true, "bgsound": true, "command": true,
	"frame": true, "image": true, "isindex": true, "nextid": true, "spacer": true,
}

// listAttrs are the attributes BeautifulSoup reads as white-space separated
// lists, and writes back joined by single spaces.
var listAttrs = map[string][]string{
	"*": {"class", "accesskey", "dropzone"}, "a": {"rel", "rev"}, "link": {"rel", "rev"},
	"td": {"headers"}, "th": {"headers"}, "form": {"accept-charset"}, "object": {"archive"},
	"area": {"rel"}, "icon": {"sizes"}, "iframe": {"sandbox"}, "output": {"for"},
}

func isListAttr(elem, key string) bool {
	return slices.Contains(listAttrs["*"], key) || slices.Contains(listAttrs[elem], key)
}

// builder builds the tree from x/net/html's tokens.
type builder struct {
	root    *node
	stack   []*node
	text    strings.Builder
	closed  []string // void elements closed at their start tag, whose end tag is still due
	hasText bool
}

// parseTree parses an HTML document.
func parseTree(doc []byte) *node {
	b := &builder{root: &node{kind: elementNode, name: "[document]"}}
	b.stack = []*node{b.root}
	z := nethtml.NewTokenizer(bytes.NewReader(doc))
	for {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			b.flush()
			return b.root
		case nethtml.TextToken:
			raw := string(z.Raw())
			if cur := b.current().name; cur != "script" && cur != "style" {
				raw = html.UnescapeString(raw)
			}
			b.text.WriteString(raw)
			b.hasText = true
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			b.flush()
			name, more := z.TagName()
			n := &node{kind: elementNode, name: string(name)}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				key := string(k)
				if i := slices.IndexFunc(n.attrs, func(a attr) bool { return a.key == key }); i >= 0 {
					n.attrs[i].val = string(v)
				} else {
					n.attrs = append(n.attrs, attr{key, string(v)})
				}
			}
			b.push(n)
			switch {
			case tt == nethtml.SelfClosingTagToken:
				b.end(n.name)
			case voidElements[n.name]:
				b.popTo(n.name)
				b.closed = append(b.closed, n.name)
			}
			// Python's parser reads only script and style as raw text.
			if tt == nethtml.StartTagToken && n.name != "script" && n.name != "style" {
				z.NextIsNotRawText()
			}
		case nethtml.EndTagToken:
			b.flush()
			name, _ := z.TagName()
			b.end(string(name))
		case nethtml.CommentToken:
			b.flush()
			b.append(&node{kind: commentNode, text: string(z.Text())})
		case nethtml.DoctypeToken:
			b.flush()
			b.append(&node{kind: doctypeNode, text: string(z.Text())})
		}
	}
}

func (b *builder) current() *node { return b.stack[len(b.stack)-1] }

func (b *builder) append(n *node) {
	p := b.current()
	n.parent = p
	p.children = append(p.children, n)
}

func (b *builder) push(n *node) {
	b.append(n)
	b.stack = append(b.stack, n)
}

// end handles an end tag: the end tag of a void element closed at its
// start is dropped once; otherwise the nearest open element of that name
// closes.
func (b *builder) end(name string) {
	if i := slices.Index(b.closed, name); i >= 0 {
		b.closed = slices.Delete(b.closed, i, i+1)
		return
	}
	b.popTo(name)
}

// popTo closes the nearest open element named name and everything inside
// it; nothing when no such element is open.
func (b *builder) popTo(name string) {
	for i := len(b.stack) - 1; i > 0; i-- {
		if b.stack[i].name == name {
			b.stack = b.stack[:i]
			return
		}
	}
}

// flush adds the pending text. Text of ASCII white space only becomes one
// newline (when it has one) or one space, except inside pre and textarea,
// as BeautifulSoup does.
func (b *builder) flush() {
	if !b.hasText {
		return
	}
	s := b.text.String()
	b.text.Reset()
	b.hasText = false
	if s == "" {
		return
	}
	if strings.Trim(s, " \n\t\f\r") == "" && !b.inPre() {
		if strings.Contains(s, "\n") {
			s = "\n"
		} else {
			s = " "
		}
	}
	b.append(&node{kind: textNode, text: s})
}

func (b *builder) inPre() bool {
	for _, n := range b.stack {
		if n.name == "pre" || n.name == "textarea" {
			return true
		}
	}
	return false
}

// findAll returns the elements named name below n, in document order.
func (n *node) findAll(name string, match func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(p *node) {
		for _, c := range p.children {
			if c.kind != elementNode {
				continue
			}
			if c.name == name && (match == nil || match(c)) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

// attr returns the value of attribute key.
func (n *node) attr(key string) (string, bool) {
	for _, a := range n.attrs {
		if a.key == key {
			return a.val, true
		}
	}
	return "", false
}

// hasAttrValue matches an attribute as BeautifulSoup's find_all(attrs=...)
// does: the whole value, or for list attributes (class) one of its items.
func (n *node) hasAttrValue(key, want string) bool {
	v, ok := n.attr(key)
	if !ok {
		return false
	}
	if v == want {
		return true
	}
	if isListAttr(n.name, key) {
		fs := strings.FieldsFunc(v, unicode.IsSpace)
		return slices.Contains(fs, want) || strings.Join(fs, " ") == want
	}
	return false
}

// text returns the text of n and everything in it (BeautifulSoup's .text),
// without comments and the content of script and style.
func (n *node) textContent() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(p *node) {
		for _, c := range p.children {
			switch c.kind {
			case textNode:
				b.WriteString(c.text)
			case elementNode:
				if c.name != "script" && c.name != "style" {
					walk(c)
				}
			}
		}
	}
	walk(n)
	return b.String()
}

// appendHTML writes n as BeautifulSoup's str(tag) writes it with its
// default ("minimal") formatter: attributes sorted by name, values in
// double quotes (single ones when the value holds a double quote), &, <
// and > escaped in text and attribute values, void elements without
// content as <name/>.
func (n *node) appendHTML(dst []byte) []byte {
	switch n.kind {
	case textNode:
		if p := n.parent; p != nil && (p.name == "script" || p.name == "style") {
			return append(dst, n.text...)
		}
		return appendEscaped(dst, n.text)
	case commentNode:
		dst = append(dst, "<!--"...)
		dst = append(dst, n.text...)
		return append(dst, "-->"...)
	case doctypeNode:
		dst = append(dst, "<!DOCTYPE "...)
		dst = append(dst, n.text...)
		return append(dst, '>')
	}
	dst = append(dst, '<')
	dst = append(dst, n.name...)
	attrs := slices.Clone(n.attrs)
	slices.SortStableFunc(attrs, func(a, b attr) int { return strings.Compare(a.key, b.key) })
	for _, a := range attrs {
		v := a.val
		if isListAttr(n.name, a.key) {
			v = strings.Join(strings.FieldsFunc(v, unicode.IsSpace), " ")
		}
		dst = append(dst, ' ')
		dst = append(dst, a.key...)
		dst = append(dst, '=')
		dst = appendAttrValue(dst, v)
	}
	if len(n.children) == 0 && voidElements[n.name] {
		return append(dst, "/>"...)
	}
	dst = append(dst, '>')
	for _, c := range n.children {
		dst = c.appendHTML(dst)
	}
	dst = append(dst, "</"...)
	dst = append(dst, n.name...)
	return append(dst, '>')
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func appendAttrValue(dst []byte, v string) []byte {
	quote := byte('"')
	if strings.Contains(v, `"`) {
		if strings.Contains(v, "'") {
			v = strings.ReplaceAll(v, `"`, "&quot;")
			// The entity's own & must not be escaped again.
			dst = append(dst, '"')
			for _, part := range strings.SplitAfter(v, "&quot;") {
				body, isQuot := strings.CutSuffix(part, "&quot;")
				dst = appendEscaped(dst, body)
				if isQuot {
					dst = append(dst, "&quot;"...)
				}
			}
			return append(dst, '"')
		}
		quote = '\''
	}
	dst = append(dst, quote)
	dst = appendEscaped(dst, v)
	return append(dst, quote)
}
