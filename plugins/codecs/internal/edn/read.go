// Package edn reads and writes EDN (extensible data notation) as the Ruby
// `edn` gem 1.1.1 does, which Logstash's edn and edn_lines codecs use:
// Read parses the first value of a text into event values, Append writes
// an event value the way the gem's to_edn does.
package edn

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// The gem's values that have no event counterpart. Logstash cannot store
// them in an event (no converter for their Ruby classes), so a document
// holding one falls back to a plain-text event.
type (
	// symbol is an EDN symbol (`foo`): the gem's EDN::Type::Symbol.
	symbol string
	// keyword is an EDN keyword (`:foo`): a Ruby Symbol.
	keyword string
	// set is `#{...}`: a Ruby Set.
	set []any
	// tagged is a `#tag value` the gem has no reader for, or an #inst
	// (a Ruby DateTime).
	tagged struct {
		tag   string
		value any
	}
	// pairs is a map before its keys become event field names.
	pairs []any
)

// nothing is what `#_ value` reads as: the value is discarded.
type nothingType struct{}

var nothing = nothingType{}

// eofValue is what reading at the end of the text returns.
type eofType struct{}

var eofValue = eofType{}

type reader struct {
	s   string
	i   int // offset of the current character
	cur string
	eof bool
}

func newReader(s string) *reader {
	r := &reader{s: s, i: -1}
	r.advance()
	return r
}

// advance moves to the next character (a rune, or a single invalid byte).
func (r *reader) advance() {
	if r.eof {
		return
	}
	if r.i >= 0 {
		r.i += len(r.cur)
	} else {
		r.i = 0
	}
	if r.i >= len(r.s) {
		r.eof, r.cur = true, ""
		return
	}
	_, n := utf8.DecodeRuneInString(r.s[r.i:])
	r.cur = r.s[r.i : r.i+n]
}

func (r *reader) is(c string) bool { return !r.eof && r.cur == c }

func (r *reader) digit() bool { return !r.eof && len(r.cur) == 1 && r.cur[0] >= '0' && r.cur[0] <= '9' }

func (r *reader) alpha() bool {
	return !r.eof && len(r.cur) == 1 && (r.cur[0] >= 'a' && r.cur[0] <= 'z' || r.cur[0] >= 'A' && r.cur[0] <= 'Z')
}

func (r *reader) ws() bool {
	return !r.eof && len(r.cur) == 1 && strings.IndexByte(" \t\r\n,", r.cur[0]) >= 0
}

// skipWS skips whitespace, commas and ; comments.
func (r *reader) skipWS() {
	for !r.eof {
		switch {
		case r.ws():
			r.advance()
		case r.cur == ";":
			for !r.eof && r.cur != "\n" && r.cur != "\r" {
				r.advance()
			}
		default:
			return
		}
	}
}

func symbolChar(c string) bool {
	if len(c) != 1 {
		return false
	}
	b := c[0]
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte(".#*!-_+?$%&=<>:", b) >= 0
}

// Read parses the first EDN value of text into event values: maps become
// *event.Map (keys as Ruby's to_s gives them), vectors and lists []any,
// integers int64 or *big.Int, keywords their name. Anything Logstash cannot
// hold in an event (symbols, sets, tagged values but #uuid) is an error,
// as is text that is not EDN or holds no value.
func Read(text string) (any, error) {
	r := newReader(text)
	v, err := r.read(false)
	if err != nil {
		return nil, err
	}
	if v == eofValue {
		return nil, errors.New("Unexpected end of file")
	}
	return convert(v)
}

// read reads a value with its optional ^metadata. keepNothing returns a
// discarded value (#_) as nothing instead of reading on.
func (r *reader) read(keepNothing bool) (any, error) {
	hasMeta, err := r.readMeta()
	if err != nil {
		return nil, err
	}
	v, err := r.readBasic(keepNothing)
	if err != nil || !hasMeta || v == nothing {
		return v, err
	}
	// Ruby extends the value with the metadata module, which immediate
	// values refuse.
	switch v.(type) {
	case int64, float64, bool, nil, keyword, eofType:
		return nil, fmt.Errorf("can't define singleton")
	}
	if _, big := v.(interface{ BitLen() int }); big {
		return nil, fmt.Errorf("can't define singleton")
	}
	return v, nil
}

// readMeta reads ^meta prefixes; each must be a keyword, a symbol or a map.
func (r *reader) readMeta() (bool, error) {
	found := false
	r.skipWS()
	for r.is("^") {
		r.advance()
		m, err := r.readBasic(false)
		if err != nil {
			return false, err
		}
		switch m.(type) {
		case keyword, symbol, pairs:
		default:
			return false, fmt.Errorf("no implicit conversion into Hash")
		}
		if p, ok := m.(pairs); !ok || len(p) > 0 {
			found = true
		}
		r.skipWS()
	}
	return found, nil
}

func (r *reader) readBasic(keepNothing bool) (any, error) {
	for {
		r.skipWS()
		v, err := r.dispatch()
		if err != nil || v != nothing || keepNothing {
			return v, err
		}
	}
}

func (r *reader) dispatch() (any, error) {
	if r.eof {
		return eofValue, nil
	}
	switch c := r.cur; c {
	case "{":
		r.advance()
		items, err := r.collection("}")
		if err != nil {
			return nil, err
		}
		if len(items)%2 != 0 {
			return nil, errors.New("Need an even number of items for a map")
		}
		return pairs(items), nil
	case "[", "(":
		r.advance()
		closing := "]"
		if c == "(" {
			closing = ")"
		}
		items, err := r.collection(closing)
		if err != nil {
			return nil, err
		}
		return items, nil
	case `\`:
		return r.readChar()
	case `"`:
		return r.readString()
	case ".", "+", "-":
		r.advance()
		if r.digit() {
			return r.readNumber(c), nil
		}
		return r.readSymbol(c), nil
	case "/":
		r.advance()
		return symbol("/"), nil
	case ":":
		r.advance()
		return keyword(r.symbolChars()), nil
	case "#":
		return r.readExtension()
	}
	if r.digit() {
		return r.readNumber(""), nil
	}
	if symbolChar(r.cur) {
		return r.readSymbol(""), nil
	}
	return nil, fmt.Errorf("Don't know what to do with %s String", r.cur)
}

func (r *reader) collection(closing string) ([]any, error) {
	items := []any{}
	for {
		r.skipWS()
		if r.eof {
			return nil, errors.New("Unexpected eof")
		}
		if r.cur == closing {
			r.advance()
			return items, nil
		}
		v, err := r.read(true)
		if err != nil {
			return nil, err
		}
		if v != nothing {
			items = append(items, v)
		}
	}
}

func (r *reader) symbolChars() string {
	var b strings.Builder
	for symbolChar(r.cur) && !r.eof {
		b.WriteString(r.cur)
		r.advance()
	}
	if !r.is("/") {
		return b.String()
	}
	r.advance()
	b.WriteByte('/')
	for symbolChar(r.cur) && !r.eof {
		b.WriteString(r.cur)
		r.advance()
	}
	return b.String()
}

func (r *reader) readSymbol(leading string) any {
	switch token := leading + r.symbolChars(); token {
	case "true":
		return true
	case "false":
		return false
	case "nil":
		return nil
	default:
		return symbol(token)
	}
}

// readChar reads \c, \newline, \return, \tab or \space.
func (r *reader) readChar() (any, error) {
	r.advance()
	if r.eof {
		return nil, errors.New("Unknown char eof")
	}
	name := r.cur
	r.advance()
	for !r.eof && (r.digit() || r.alpha()) {
		name += r.cur
		r.advance()
	}
	if utf8.RuneCountInString(name) == 1 {
		return name, nil
	}
	switch name {
	case "newline":
		return "\n", nil
	case "return":
		return "\r", nil
	case "tab":
		return "\t", nil
	case "space":
		return " ", nil
	}
	return nil, fmt.Errorf("Unknown char %s", name)
}

// readString reads a string; a backslash escapes the next character, with
// \n, \t and \r standing for control characters.
func (r *reader) readString() (any, error) {
	r.advance()
	var b strings.Builder
	for !r.is(`"`) {
		if r.eof {
			return nil, errors.New("Unexpected eof")
		}
		if r.cur == `\` {
			r.advance()
			switch r.cur {
			case "n":
				b.WriteByte('\n')
			case "t":
				b.WriteByte('\t')
			case "r":
				b.WriteByte('\r')
			default:
				b.WriteString(r.cur)
			}
		} else {
			b.WriteString(r.cur)
		}
		r.advance()
	}
	r.advance()
	return b.String(), nil
}

// digits reads an optional sign and decimal digits.
func (r *reader) digits() string {
	var b strings.Builder
	if r.is("+") || r.is("-") {
		b.WriteString(r.cur)
		r.advance()
	}
	for r.digit() {
		b.WriteString(r.cur)
		r.advance()
	}
	return b.String()
}

// readNumber reads an integer (an M or N suffix is skipped) or a float; a
// number is converted as Ruby's to_i and to_f read its text, so ".5" is 0.
func (r *reader) readNumber(leading string) any {
	text := leading + r.digits()
	if r.is(".") || r.is("e") || r.is("E") {
		if r.is(".") {
			text += "."
			r.advance()
			if r.digit() {
				text += r.digits()
			} else {
				text += "0"
			}
		}
		if r.is("e") || r.is("E") {
			r.advance()
			text += "e" + r.digits()
		}
		return ruby.ToF(text)
	}
	if r.is("M") || r.is("N") {
		r.advance()
	}
	return ruby.ToI(text)
}

func (r *reader) readExtension() (any, error) {
	r.advance()
	switch {
	case r.is("{"):
		r.advance()
		items, err := r.collection("}")
		if err != nil {
			return nil, err
		}
		return set(items), nil
	case r.is("_"):
		r.advance()
		if _, err := r.read(false); err != nil {
			return nil, err
		}
		return nothing, nil
	}
	tag := r.symbolChars()
	v, err := r.read(false)
	if err != nil {
		return nil, err
	}
	if tag == "uuid" {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("no implicit conversion into String")
		}
		return s, nil
	}
	return tagged{tag: tag, value: v}, nil
}

// convert turns parsed values into event values, failing as Logstash's
// value converter does on what an event cannot hold.
func convert(v any) (any, error) {
	switch t := v.(type) {
	case keyword:
		return string(t), nil
	case symbol:
		return nil, errors.New("Missing Converter handling for full class name=org.jruby.RubyObject, simple name=RubyObject")
	case set:
		return nil, errors.New("Missing Converter handling for full class name=org.jruby.ext.set.RubySet, simple name=RubySet")
	case tagged:
		return nil, fmt.Errorf("Missing Converter handling for the EDN tagged value #%s", t.tag)
	case eofType:
		return nil, errors.New("Unexpected end of file")
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			c, err := convert(it)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case pairs:
		m := event.NewMap(len(t) / 2)
		for i := 0; i < len(t); i += 2 {
			val, err := convert(t[i+1])
			if err != nil {
				return nil, err
			}
			m.Set(keyString(t[i]), val)
		}
		return m, nil
	}
	return v, nil
}

// keyString is a map key as Logstash stores it: Ruby's to_s of the key.
func keyString(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case keyword:
		return string(t)
	case symbol:
		return string(t)
	case nil:
		return ""
	case []any, pairs, set, tagged:
		if c, err := convert(k); err == nil {
			return ruby.Inspect(c)
		}
		return fmt.Sprint(t)
	}
	return ruby.ToS(k)
}
