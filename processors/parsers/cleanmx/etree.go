package cleanmx

import (
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// element is an XML element as Python's ElementTree keeps it: the text
// before its first child, and the tail after its end tag. Comments and
// processing instructions are dropped, their surrounding text joined.
type element struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*element
	tail     string
}

// parseXML reads a whole document into its root element.
func parseXML(data string) (*element, error) {
	d := xml.NewDecoder(strings.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		// ASCII-compatible declarations; the data is read as UTF-8.
		return r, nil
	}
	var root *element
	var stack []*element
	var last *element // the element whose tail takes text, nil for the parent's text
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &element{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				e.attrs = append(e.attrs, a)
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("junk after the document element")
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
			last = nil
		case xml.EndElement:
			last = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case len(stack) == 0:
				if root != nil && strings.TrimSpace(string(t)) != "" {
					return nil, errors.New("junk after the document element")
				}
			case last != nil:
				last.tail += string(t)
			default:
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no element found")
	}
	return root, nil
}

// iter calls fn for e and its descendants named local (no namespace), in
// document order, as ElementTree's Element.iter(tag).
func (e *element) iter(local string, fn func(*element)) {
	if e.name.Space == "" && e.name.Local == local {
		fn(e)
	}
	for _, c := range e.children {
		c.iter(local, fn)
	}
}

// wellKnown are the prefixes ElementTree gives known namespaces.
var wellKnown = map[string]string{
	"http://www.w3.org/XML/1998/namespace":        "xml",
	"http://www.w3.org/1999/xhtml":                "html",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
	"http://schemas.xmlsoap.org/wsdl/":            "wsdl",
	"http://www.w3.org/2001/XMLSchema":            "xs",
	"http://www.w3.org/2001/XMLSchema-instance":   "xsi",
	"http://purl.org/dc/elements/1.1/":            "dc",
}

// toString is ElementTree.tostring(e, encoding="utf-8") decoded: the
// element, its descendants and its tail; namespaces get the prefixes
// ns0, ns1 ... in order of use, declared on e.
func (e *element) toString() string {
	prefixes := map[string]string{}
	declared := 0
	var collect func(*element)
	use := func(n xml.Name) {
		if n.Space == "" {
			return
		}
		if _, ok := prefixes[n.Space]; ok {
			return
		}
		p, ok := wellKnown[n.Space]
		if !ok {
			p = "ns" + strconv.Itoa(declared)
		}
		prefixes[n.Space] = p
		if p != "xml" {
			declared++
		}
	}
	collect = func(x *element) {
		use(x.name)
		for _, a := range x.attrs {
			use(a.Name)
		}
		for _, c := range x.children {
			collect(c)
		}
	}
	collect(e)
	var b strings.Builder
	e.write(&b, prefixes, true)
	return b.String()
}

func qname(n xml.Name, prefixes map[string]string) string {
	if n.Space == "" {
		return n.Local
	}
	return prefixes[n.Space] + ":" + n.Local
}

func (e *element) write(b *strings.Builder, prefixes map[string]string, top bool) {
	tag := qname(e.name, prefixes)
	b.WriteString("<" + tag)
	if top && len(prefixes) > 0 {
		type decl struct{ prefix, uri string }
		var decls []decl
		for uri, p := range prefixes {
			if p != "xml" {
				decls = append(decls, decl{p, uri})
			}
		}
		slices.SortFunc(decls, func(x, y decl) int { return strings.Compare(x.prefix, y.prefix) })
		for _, d := range decls {
			b.WriteString(` xmlns:` + d.prefix + `="` + escapeAttr(d.uri) + `"`)
		}
	}
	for _, a := range e.attrs {
		b.WriteString(" " + qname(a.Name, prefixes) + `="` + escapeAttr(a.Value) + `"`)
	}
	if e.text != "" || len(e.children) > 0 {
		b.WriteString(">")
		b.WriteString(escapeText(e.text))
		for _, c := range e.children {
			c.write(b, prefixes, false)
		}
		b.WriteString("</" + tag + ">")
	} else {
		b.WriteString(" />")
	}
	b.WriteString(escapeText(e.tail))
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
		"\r", "&#13;", "\n", "&#10;", "\t", "&#09;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
