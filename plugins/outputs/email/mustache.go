package email

import (
	"fmt"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// The email output renders template_file with Ruby's mustache gem (1.x)
// over the event's to_hash. This is a renderer with that gem's behaviour,
// whitespace quirks included, checked against the gem by
// testdata/mustache (scripts/golden/mustache.sh): a standalone section or
// comment tag swallows its line only when a newline follows the tag
// directly, a standalone tag at the very end of the template loses its
// indentation, "" is truthy for a section and empty for an inverted one,
// and values print with Ruby's to_s (arrays and hashes as inspect).
//
// Lookups go through hashes only: the gem would also call a Ruby method of
// that name on a non-hash value ({{#message}}{{length}}{{/message}}), which
// has no meaning outside Ruby, so such names render empty. Partials would
// read files relative to the working directory; they are refused when the
// template is parsed.

// mnode is one piece of a parsed template.
type mnode struct {
	kind     byte     // 's' static text, 'e' escaped tag, 'u' unescaped tag, '#' section, '^' inverted section
	text     string   // static text
	names    []string // the dotted name, split; empty for {{.}}
	children *mlist   // a section's content
}

type mlist struct{ nodes []*mnode }

// insert puts n at index i, as the gem re-inserts a tag's indentation.
func (l *mlist) insert(i int, n *mnode) {
	l.nodes = append(l.nodes, nil)
	copy(l.nodes[i+1:], l.nodes[i:])
	l.nodes[i] = n
}

// mustacheTemplate is a parsed template.
type mustacheTemplate struct{ root *mlist }

// skipWhitespaceTypes are the tag types whose standalone line is removed.
const skipWhitespaceTypes = "#^/<>=!"

type mustacheParser struct {
	src        string
	pos        int
	otag, ctag string
	result     *mlist
	sections   []openSection
}

type openSection struct {
	name   string
	line   int
	result *mlist // the list the section's node sits in
}

// parseMustache parses src as the gem does, with its error messages.
func parseMustache(src string) (*mustacheTemplate, error) {
	p := &mustacheParser{src: src, otag: "{{", ctag: "}}", result: &mlist{}}
	root := p.result
	for p.pos < len(p.src) {
		ok, err := p.scanTag()
		if err != nil {
			return nil, err
		}
		if !ok {
			p.scanText()
		}
	}
	if n := len(p.sections); n > 0 {
		s := p.sections[n-1]
		return nil, fmt.Errorf("Unclosed section %q (line %d)", s.name, s.line)
	}
	return &mustacheTemplate{root: root}, nil
}

func (p *mustacheParser) line() int { return strings.Count(p.src[:p.pos], "\n") + 1 }

func (p *mustacheParser) errorf(format string, args ...any) error {
	return fmt.Errorf(format+" (line %d)", append(args, p.line())...)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// isSpace is Ruby's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isContent is the gem's allowed name characters: \w and ? ! / . -
func isContent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' ||
		c == '?' || c == '!' || c == '/' || c == '.' || c == '-'
}

func (p *mustacheParser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// scanTag reads a tag at the current position, with the blanks before it.
func (p *mustacheParser) scanTag() (bool, error) {
	startOfLine := p.pos == 0 || p.src[p.pos-1] == '\n'
	at := p.pos
	for at < len(p.src) && isBlank(p.src[at]) {
		at++
	}
	if !strings.HasPrefix(p.src[at:], p.otag) {
		return false, nil
	}
	padding := p.src[p.pos:at]
	p.pos = at + len(p.otag)
	if !startOfLine {
		if padding != "" {
			p.result.nodes = append(p.result.nodes, &mnode{kind: 's', text: padding})
		}
		padding = ""
	}
	prev, lastIndex := p.result, len(p.result.nodes)

	var typ byte
	if p.pos < len(p.src) && strings.IndexByte("#^/=!<>&{", p.src[p.pos]) >= 0 {
		typ = p.src[p.pos]
		p.pos++
	}
	p.skipSpace()
	var content string
	if typ == '!' || typ == '=' {
		end := p.anyContentEnd(typ)
		if end < 0 {
			return false, p.errorf("Unclosed tag")
		}
		content, p.pos = p.src[p.pos:end], end
	} else {
		start := p.pos
		for p.pos < len(p.src) && isContent(p.src[p.pos]) {
			p.pos++
		}
		content = p.src[start:p.pos]
	}
	if content == "" {
		return false, p.errorf("Illegal content in tag")
	}
	names := rubySplitDot(content)
	// A {{= }} tag is still closed by the delimiter it replaces.
	ctag := p.ctag

	switch typ {
	case 0:
		p.result.nodes = append(p.result.nodes, &mnode{kind: 'e', names: names})
	case '&', '{':
		p.result.nodes = append(p.result.nodes, &mnode{kind: 'u', names: names})
	case '#', '^':
		n := &mnode{kind: typ, names: names, children: &mlist{}}
		p.result.nodes = append(p.result.nodes, n)
		p.sections = append(p.sections, openSection{name: content, line: p.line(), result: p.result})
		p.result = n.children
	case '/':
		if len(p.sections) == 0 {
			return false, p.errorf("Closing unopened %q", content)
		}
		s := p.sections[len(p.sections)-1]
		p.sections = p.sections[:len(p.sections)-1]
		p.result = s.result
		if s.name != content {
			return false, fmt.Errorf("Unclosed section %q (line %d)", s.name, s.line)
		}
	case '!':
	case '=':
		fields := strings.Fields(content)
		if len(fields) == 0 {
			return false, p.errorf("Illegal content in tag")
		}
		p.otag = fields[0]
		p.ctag = strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(content, " \t\n\r\f\v"), fields[0]), " \t\n\r\f\v")
		if p.ctag == "" {
			return false, p.errorf("Illegal content in tag")
		}
	case '<', '>':
		return false, p.errorf("partials are not supported ({{>%s}} would read a file relative to the working directory)", content)
	}

	closer := typ
	if closer == '{' {
		closer = '}'
	}
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	if closer != 0 && p.pos < len(p.src) && p.src[p.pos] == closer {
		p.pos++
	}
	if !strings.HasPrefix(p.src[p.pos:], ctag) {
		return false, p.errorf("Unclosed tag")
	}
	p.pos += len(ctag)

	if startOfLine && p.pos < len(p.src) {
		peek := p.src[p.pos:min(p.pos+2, len(p.src))]
		if typ != 0 && strings.IndexByte(skipWhitespaceTypes, typ) >= 0 && strings.IndexByte(peek, '\n') >= 0 {
			// The gem looks for a newline anywhere in the next two
			// characters but skips one only right at the tag's end.
			if strings.HasPrefix(p.src[p.pos:], "\r\n") {
				p.pos += 2
			} else if strings.HasPrefix(p.src[p.pos:], "\n") {
				p.pos++
			}
		} else if padding != "" {
			prev.insert(lastIndex, &mnode{kind: 's', text: padding})
		}
	}
	return true, nil
}

// anyContentEnd is where a comment's or delimiter tag's content ends: the
// first place followed by blanks, the optional type character and the
// closing tag.
func (p *mustacheParser) anyContentEnd(typ byte) int {
	for end := p.pos; end <= len(p.src); end++ {
		at := end
		for at < len(p.src) && isSpace(p.src[at]) {
			at++
		}
		if at < len(p.src) && p.src[at] == typ && strings.HasPrefix(p.src[at+1:], p.ctag) {
			return end
		}
		if strings.HasPrefix(p.src[at:], p.ctag) {
			return end
		}
	}
	return -1
}

// scanText reads text up to the next tag, leaving a tag's indentation at
// the start of a line for scanTag.
func (p *mustacheParser) scanText() {
	start := p.pos
	for at := p.pos; at < len(p.src); at++ {
		if at == 0 || p.src[at-1] == '\n' {
			tag := at
			for tag < len(p.src) && isBlank(p.src[tag]) {
				tag++
			}
			if strings.HasPrefix(p.src[tag:], p.otag) {
				p.appendText(start, at)
				return
			}
		}
		if strings.HasPrefix(p.src[at:], p.otag) {
			p.appendText(start, at)
			return
		}
	}
	p.appendText(start, len(p.src))
}

func (p *mustacheParser) appendText(start, end int) {
	if end > start {
		p.result.nodes = append(p.result.nodes, &mnode{kind: 's', text: p.src[start:end]})
	}
	p.pos = end
}

// rubySplitDot is String#split('.'): trailing empty fields are dropped.
func rubySplitDot(s string) []string {
	parts := strings.Split(s, ".")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// render renders the template over the event's fields (without
// @metadata, as to_hash gives them).
func (t *mustacheTemplate) render(e *event.Event) string {
	var b strings.Builder
	stack := []any{e.Data()}
	renderList(&b, t.root, &stack)
	return b.String()
}

func renderList(b *strings.Builder, l *mlist, stack *[]any) {
	for _, n := range l.nodes {
		switch n.kind {
		case 's':
			b.WriteString(n.text)
		case 'e':
			b.WriteString(escapeHTML(ruby.ToS(lookup(*stack, n.names))))
		case 'u':
			b.WriteString(ruby.ToS(lookup(*stack, n.names)))
		case '#':
			switch v := lookup(*stack, n.names).(type) {
			case nil:
			case bool:
				if v {
					renderList(b, n.children, stack)
				}
			case []any:
				for _, item := range v {
					*stack = append(*stack, item)
					renderList(b, n.children, stack)
					*stack = (*stack)[:len(*stack)-1]
				}
			default:
				*stack = append(*stack, v)
				renderList(b, n.children, stack)
				*stack = (*stack)[:len(*stack)-1]
			}
		case '^':
			if isEmptyValue(lookup(*stack, n.names)) {
				renderList(b, n.children, stack)
			}
		}
	}
}

// isEmptyValue is the inverted section's test: nil, false, or empty?.
func isEmptyValue(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case *event.Map:
		return t.Len() == 0
	}
	return false
}

// lookup finds a dotted name: the first part from the innermost context
// that has it, the rest inside that value.
func lookup(stack []any, names []string) any {
	if len(names) == 0 {
		return stack[len(stack)-1]
	}
	var v any
	found := false
	for i := len(stack) - 1; i >= 0 && !found; i-- {
		v, found = member(stack[i], names[0])
	}
	if !found {
		return nil
	}
	for _, name := range names[1:] {
		if v == nil || v == false {
			return v
		}
		v, _ = member(v, name)
	}
	return v
}

func member(v any, name string) (any, bool) {
	if m, ok := v.(*event.Map); ok {
		return m.Get(name)
	}
	return nil, false
}

// escapeHTML is CGI.escapeHTML.
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
