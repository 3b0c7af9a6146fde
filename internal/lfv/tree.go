package lfv

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
)

// kind is the JSON type of a node. YAML documents map onto the same kinds.
type kind int

const (
	nullKind kind = iota
	boolKind
	numberKind
	stringKind
	objectKind
	arrayKind
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// node is one value of a test case file with the range it was written
// at, so that problems in the file and failed expectations can point at the
// text to fix. Numbers keep their literal text (for messages) next to their
// value: int64 or *big.Int for integers, float64 otherwise.
type node struct {
	pos   lang.Pos
	end   lang.Pos // just after the value; no line when only its start is known
	kind  kind
	str   string // the string, or the literal text of a number
	num   any
	b     bool
	keys  []*node // objectKind: key nodes (stringKind), parallel to items
	items []*node // objectKind: values; arrayKind: elements
}

// Span is the text the value was written as.
func (n *node) Span() lang.Range { return lang.Range{Start: n.pos, End: n.end} }

// get returns the value under key, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k.str == key {
			return n.items[i]
		}
	}
	return nil
}

// set replaces the value under key, or appends the pair. JSON and YAML both
// allow a key twice in practice; the last one wins, as in Go's decoders that
// Logstash Filter Verifier reads files with.
func (n *node) set(key, value *node) {
	for i, k := range n.keys {
		if k.str == key.str {
			n.keys[i], n.items[i] = key, value
			return
		}
	}
	n.keys = append(n.keys, key)
	n.items = append(n.items, value)
}

// locator turns byte offsets into line/column positions.
type locator struct {
	file       string
	src        []byte
	lineStarts []int
}

func newLocator(file string, src []byte) *locator {
	l := &locator{file: file, src: src, lineStarts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			l.lineStarts = append(l.lineStarts, i+1)
		}
	}
	return l
}

func (l *locator) pos(off int) lang.Pos {
	off = min(max(off, 0), len(l.src))
	line := sort.SearchInts(l.lineStarts, off+1) - 1
	start := l.lineStarts[line]
	return lang.Pos{File: l.file, Offset: off, Line: line + 1, Column: utf8.RuneCount(l.src[start:off]) + 1}
}

// lineCol is the position of a 1-based line and column (YAML counts columns
// in characters, like lang.Pos).
func (l *locator) lineCol(line, col int) lang.Pos {
	off := len(l.src)
	if line >= 1 && line <= len(l.lineStarts) {
		off = l.lineStarts[line-1]
		for i := 1; i < col && off < len(l.src) && l.src[off] != '\n'; i++ {
			_, size := utf8.DecodeRune(l.src[off:])
			off += size
		}
	}
	return lang.Pos{File: l.file, Offset: off, Line: line, Column: col}
}

// span is the range from byte offset start up to end.
func (l *locator) span(start, end int) lang.Range {
	return lang.Range{Start: l.pos(start), End: l.pos(end)}
}

// parseJSON reads a JSON document keeping every value's position. Go's
// decoder checks the syntax first (its errors give the offset of the
// offending byte); positions come from the decoder's offset after each
// token, past the separators before the next one.
func parseJSON(l *locator) (*node, *lang.Diagnostic) {
	var probe any
	if err := json.Unmarshal(l.src, &probe); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			if syn.Error() == "unexpected end of JSON input" {
				return nil, lang.Errorf(l.pos(len(l.src)), "invalid JSON: unexpected end of file")
			}
			return nil, lang.Errorf(l.span(int(syn.Offset)-1, int(syn.Offset)), "invalid JSON: %s", syn.Error())
		}
		return nil, lang.Errorf(l.pos(0), "invalid JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(l.src))
	dec.UseNumber()
	p := &jsonParser{l: l, dec: dec}
	root, err := p.value()
	if err != nil {
		// The text parsed above; reading it again cannot fail.
		return nil, lang.Errorf(l.pos(p.nextOffset()), "invalid JSON: %v", err)
	}
	return root, nil
}

type jsonParser struct {
	l   *locator
	dec *json.Decoder
}

// nextOffset is where the next token starts.
func (p *jsonParser) nextOffset() int {
	off := int(p.dec.InputOffset())
	for off < len(p.l.src) && strings.IndexByte(" \t\r\n:,", p.l.src[off]) >= 0 {
		off++
	}
	return off
}

func (p *jsonParser) value() (*node, error) {
	pos := p.l.pos(p.nextOffset())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{pos: pos}
	switch t := tok.(type) {
	case nil:
		n.kind = nullKind
	case bool:
		n.kind, n.b = boolKind, t
	case string:
		n.kind, n.str = stringKind, t
	case json.Number:
		n.kind, n.str, n.num = numberKind, t.String(), numberValue(t.String())
	case json.Delim:
		switch t {
		case '{':
			n.kind = objectKind
			for p.dec.More() {
				keyPos := p.l.pos(p.nextOffset())
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key := &node{pos: keyPos, end: p.end(), kind: stringKind, str: kt.(string)}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.set(key, v)
			}
		case '[':
			n.kind = arrayKind
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	}
	n.end = p.end()
	return n, nil
}

// end is where the token just read ends.
func (p *jsonParser) end() lang.Pos { return p.l.pos(int(p.dec.InputOffset())) }

// numberValue is a JSON or YAML number literal as an event value.
func numberValue(lit string) any {
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return i
	}
	if b, ok := new(big.Int).SetString(lit, 10); ok {
		return b
	}
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of the YAML parser stage. For them
// the YAML library reports the 0-based line of the construct the problem is
// in (for scanner problems the 1-based one), so one is added.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// parseYAML reads the first YAML document into nodes. Anchors and aliases
// are followed and `<<` merge keys applied, as YAML decoders do.
func parseYAML(l *locator) (*node, *lang.Diagnostic) {
	var doc yaml.Node
	if err := yaml.Unmarshal(l.src, &doc); err != nil {
		msg := err.Error()
		pos := l.lineCol(1, 1)
		if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			if yamlParserProblems[m[2]] {
				line++
			}
			pos, msg = l.lineCol(line, 1), m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		return nil, lang.Errorf(pos, "invalid YAML: %s", msg)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &node{pos: l.lineCol(1, 1), kind: nullKind}, nil
	}
	return yamlNode(l, doc.Content[0], 0)
}

// maxAliasDepth bounds alias chains, which could otherwise expand without end.
const maxAliasDepth = 64

func yamlNode(l *locator, y *yaml.Node, depth int) (*node, *lang.Diagnostic) {
	pos := l.lineCol(y.Line, y.Column)
	if depth > maxAliasDepth {
		return nil, lang.Errorf(pos, "invalid YAML: aliases nested too deeply")
	}
	switch y.Kind {
	case yaml.AliasNode:
		n, d := yamlNode(l, y.Alias, depth+1)
		if n != nil {
			// The alias, `*name`, stands where the value is used.
			n.pos, n.end = pos, l.pos(pos.Offset+1+len(y.Value))
		}
		return n, d
	case yaml.DocumentNode:
		return yamlNode(l, y.Content[0], depth)
	case yaml.SequenceNode:
		n := &node{pos: pos, end: pos, kind: arrayKind}
		for _, c := range y.Content {
			v, d := yamlNode(l, c, depth)
			if d != nil {
				return nil, d
			}
			n.items = append(n.items, v)
			if v.end.Line != 0 {
				n.end = v.end
			}
		}
		n.end = l.flowEnd(y, n.end)
		return n, nil
	case yaml.MappingNode:
		n := &node{pos: pos, end: pos, kind: objectKind}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			val, d := yamlNode(l, v, depth)
			if d != nil {
				return nil, d
			}
			if val.end.Line != 0 {
				n.end = val.end
			}
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := mergeInto(l, n, val, v); err != nil {
					return nil, err
				}
				continue
			}
			key, d := yamlNode(l, k, depth)
			if d != nil {
				return nil, d
			}
			if key.kind == objectKind || key.kind == arrayKind {
				return nil, lang.Errorf(key, "a key must be a scalar, not %s", key.kind)
			}
			key.kind = stringKind
			n.set(key, val)
		}
		n.end = l.flowEnd(y, n.end)
		return n, nil
	}
	n, d := yamlScalar(pos, y)
	n.end = l.scalarEnd(y, pos.Offset)
	return n, d
}

// flowEnd is where a flow collection (`[a, b]`, `{a: 1}`) ends, after its
// closer, given where its last item ends; a block collection ends with its
// last item. A collection whose start is not known ends where it starts.
func (l *locator) flowEnd(y *yaml.Node, last lang.Pos) lang.Pos {
	if y.Style&yaml.FlowStyle == 0 || last.Line == 0 {
		return last
	}
	closer := byte(']')
	if y.Kind == yaml.MappingNode {
		closer = '}'
	}
	i := last.Offset
	if len(y.Content) == 0 {
		i++ // past the opener
	}
	for i < len(l.src) && strings.IndexByte(" \t\r\n,", l.src[i]) >= 0 {
		i++
	}
	if i < len(l.src) && l.src[i] == closer {
		return l.pos(i + 1)
	}
	return last
}

// scalarEnd is where the scalar written at off ends: after the closing
// quote of a quoted one, after the text of a plain one on one line. Other
// scalars (block literals, plain text folded over lines, tagged or anchored
// values) get no end, and their diagnostics point at their start.
func (l *locator) scalarEnd(y *yaml.Node, off int) lang.Pos {
	rest := l.src[min(off, len(l.src)):]
	switch {
	case y.Style&yaml.DoubleQuotedStyle != 0 && len(rest) > 0 && rest[0] == '"':
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++
			case '"':
				return l.pos(off + i + 1)
			}
		}
	case y.Style&yaml.SingleQuotedStyle != 0 && len(rest) > 0 && rest[0] == '\'':
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				return l.pos(off + i + 1)
			}
		}
	case y.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) == 0 && y.Value != "" && bytes.HasPrefix(rest, []byte(y.Value)):
		return l.pos(off + len(y.Value))
	}
	return lang.Pos{}
}

// mergeInto applies a `<<` merge key: keys of the merged mapping (or
// mappings) that n does not already have.
func mergeInto(l *locator, n, merged *node, y *yaml.Node) *lang.Diagnostic {
	sources := []*node{merged}
	if merged.kind == arrayKind {
		sources = merged.items
	}
	for _, src := range sources {
		if src.kind != objectKind {
			return lang.Errorf(l.lineCol(y.Line, y.Column), "a << merge key needs a mapping or a list of mappings")
		}
		for i, k := range src.keys {
			if n.get(k.str) == nil {
				n.keys = append(n.keys, k)
				n.items = append(n.items, src.items[i])
			}
		}
	}
	return nil
}

func yamlScalar(pos lang.Pos, y *yaml.Node) (*node, *lang.Diagnostic) {
	n := &node{pos: pos, kind: stringKind, str: y.Value}
	switch y.ShortTag() {
	case "!!null":
		n.kind = nullKind
	case "!!bool":
		var b bool
		if y.Decode(&b) == nil {
			n.kind, n.b = boolKind, b
		}
	case "!!int":
		var v any
		if y.Decode(&v) == nil {
			n.kind = numberKind
			switch t := v.(type) {
			case int:
				n.num = int64(t)
			case uint64:
				n.num = new(big.Int).SetUint64(t)
			case float64:
				n.num = t
			default:
				n.num = numberValue(y.Value)
			}
		}
	case "!!float":
		var f float64
		if y.Decode(&f) == nil {
			n.kind, n.num = numberKind, f
		}
	}
	return n, nil
}

// render prints a node as compact JSON for messages; numbers keep their
// literal text.
func (n *node) render() string {
	var b strings.Builder
	n.appendJSON(&b)
	return b.String()
}

func (n *node) appendJSON(b *strings.Builder) {
	switch n.kind {
	case nullKind:
		b.WriteString("null")
	case boolKind:
		b.WriteString(strconv.FormatBool(n.b))
	case numberKind:
		b.WriteString(n.str)
	case stringKind:
		b.Write(event.AppendJSONString(nil, n.str))
	case arrayKind:
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.appendJSON(b)
		}
		b.WriteByte(']')
	case objectKind:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(event.AppendJSONString(nil, k.str))
			b.WriteByte(':')
			n.items[i].appendJSON(b)
		}
		b.WriteByte('}')
	}
}
