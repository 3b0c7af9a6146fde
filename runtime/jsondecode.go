package runtime

import (
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// JSONSyntaxError is a document DecodeJSON rejects. Msg follows the wording
// of Jackson's JsonParseException, which Logstash puts in its json codec and
// json filter warnings; Line and Column are 1-based, Column counting bytes
// (as Jackson's byte-input parser does).
type JSONSyntaxError struct {
	Msg    string
	Offset int
	Line   int
	Column int
}

// Error formats the error as Jackson does when the source is not included
// in locations (Jackson 2.16+ default).
func (e *JSONSyntaxError) Error() string {
	return fmt.Sprintf("%s\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: %d, column: %d]", e.Msg, e.Line, e.Column)
}

// Limits Logstash configures for Jackson's StreamReadConstraints
// (logstash.jackson.stream-read-constraints.*): deeper nesting or longer
// numbers are parse errors rather than resource exhaustion.
const (
	jsonMaxDepth        = 1000
	jsonMaxNumberLength = 10000
)

// DecodeJSON parses a JSON document into event values the way Logstash's
// JrJackson-based LogStash::Json.load does: objects become *Map in document
// order (a repeated key keeps its first position and takes the last value),
// arrays []any, integers int64 or *big.Int when they do not fit, numbers with
// a fraction or exponent float64 (overflow gives ±Inf, as Double.parseDouble),
// strings string, and true/false/null bool/nil.
//
// It is as strict as Jackson's defaults: no comments, NaN, single quotes,
// unquoted names, trailing commas, leading zeros, raw control characters in
// strings, unknown escapes or invalid UTF-8. Like JrJackson it reads a
// sequence of root values separated by optional whitespace and returns the
// last one, so whitespace-only input gives (nil, nil) and `{"a":1} {"b":2}`
// gives {"b":2}; anything else after a value (`{} x`) is an error.
func DecodeJSON(data []byte) (any, error) {
	d := jsonDecoderPool.Get().(*jsonDecoder)
	d.data, d.pos = data, 0
	defer func() {
		// An error can leave entries on the stacks.
		clear(d.vals)
		d.data, d.keys, d.vals = nil, d.keys[:0], d.vals[:0]
		jsonDecoderPool.Put(d)
	}()
	var result any
	for {
		d.skipSpace()
		if d.pos >= len(d.data) {
			return result, nil
		}
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		result = v
		if d.rootNumber && d.pos < len(d.data) && !isJSONSpace(d.data[d.pos]) {
			return nil, d.errorf(d.pos, "Expected space separating root-level values")
		}
	}
}

// jsonDecoderPool recycles decoders for their scratch buffers and stacks.
var jsonDecoderPool = sync.Pool{New: func() any { return new(jsonDecoder) }}

type jsonDecoder struct {
	data       []byte
	pos        int
	rootNumber bool // the last value parsed at depth 0 was a number
	scratch    []byte
	// keys and vals hold the entries of the objects and arrays being
	// parsed, innermost last, so each container is allocated once at its
	// final size.
	keys []string
	vals []any
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) && isJSONSpace(d.data[d.pos]) {
		d.pos++
	}
}

// errorf builds a JSONSyntaxError located at byte offset off.
func (d *jsonDecoder) errorf(off int, format string, args ...any) error {
	if off > len(d.data) {
		off = len(d.data)
	}
	line, col := 1, 1
	for _, c := range d.data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &JSONSyntaxError{Msg: fmt.Sprintf(format, args...), Offset: off, Line: line, Column: col}
}

// describeChar renders a character the way Jackson's error messages do:
// ('x' (code 120)).
func (d *jsonDecoder) describeChar(off int) string {
	r, _ := utf8.DecodeRune(d.data[off:])
	if r < 0x20 {
		return fmt.Sprintf("(CTRL-CHAR, code %d)", r)
	}
	return fmt.Sprintf("('%c' (code %d))", r, r)
}

func (d *jsonDecoder) eofError(context string) error {
	return d.errorf(len(d.data), "Unexpected end-of-input%s", context)
}

const expectedValue = "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

func (d *jsonDecoder) value(depth int) (any, error) {
	d.rootNumber = false
	if d.pos >= len(d.data) {
		return nil, d.eofError(": expected a value")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		v, err := d.number()
		d.rootNumber = depth == 0
		return v, err
	case c == 't':
		return true, d.keyword("true")
	case c == 'f':
		return false, d.keyword("false")
	case c == 'n':
		return nil, d.keyword("null")
	default:
		if isJSONWordByte(c) {
			return nil, d.unrecognizedToken(d.pos)
		}
		return nil, d.errorf(d.pos, "Unexpected character %s: %s", d.describeChar(d.pos), expectedValue)
	}
}

func isJSONWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= utf8.RuneSelf
}

// unrecognizedToken reports a bare word such as NaN or True the way Jackson
// does, quoting the word up to the next separator.
func (d *jsonDecoder) unrecognizedToken(start int) error {
	end := start
	for end < len(d.data) && end-start < 256 && isJSONWordByte(d.data[end]) {
		end++
	}
	return d.errorf(end, "Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", d.data[start:end])
}

func (d *jsonDecoder) keyword(word string) error {
	start := d.pos
	for i := 0; i < len(word); i++ {
		if d.pos+i >= len(d.data) || d.data[d.pos+i] != word[i] {
			if d.pos+i >= len(d.data) {
				return d.errorf(len(d.data), "Unexpected end-of-input in a value: was expecting token '%s'", word)
			}
			return d.unrecognizedToken(start)
		}
	}
	d.pos += len(word)
	if d.pos < len(d.data) && isJSONWordByte(d.data[d.pos]) {
		return d.unrecognizedToken(start)
	}
	return nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf(d.pos, "Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", depth, jsonMaxDepth)
	}
	open := d.pos
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return &Map{}, nil
	}
	base := len(d.keys)
	for {
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Object", open)
		}
		if d.data[d.pos] != '"' {
			return nil, d.errorf(d.pos, "Unexpected character %s: was expecting double-quote to start field name", d.describeChar(d.pos))
		}
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Object", open)
		}
		if d.data[d.pos] != ':' {
			return nil, d.errorf(d.pos, "Unexpected character %s: was expecting a colon to separate field name and value", d.describeChar(d.pos))
		}
		d.pos++
		d.skipSpace()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, key)
		d.vals = append(d.vals, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Object", open)
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case '}':
			d.pos++
			n := len(d.keys) - base
			m := &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
			for i := base; i < len(d.keys); i++ {
				m.Set(d.keys[i], d.vals[i]) // a repeated key keeps its place, last value wins
			}
			clear(d.vals[base:])
			d.keys, d.vals = d.keys[:base], d.vals[:base]
			return m, nil
		default:
			return nil, d.errorf(d.pos, "Unexpected character %s: was expecting comma to separate Object entries", d.describeChar(d.pos))
		}
	}
}

// unclosed reports end of input inside the object or array opened at open.
func (d *jsonDecoder) unclosed(kind string, open int) error {
	at := d.errorf(open, "").(*JSONSyntaxError)
	return d.eofError(fmt.Sprintf(": expected close marker for %s (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: %d, column: %d])", kind, at.Line, at.Column))
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf(d.pos, "Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", depth, jsonMaxDepth)
	}
	open := d.pos
	d.pos++ // [
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, nil
	}
	base := len(d.vals)
	for {
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Array", open)
		}
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.keys = append(d.keys, "")
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Array", open)
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case ']':
			d.pos++
			list := append([]any(nil), d.vals[base:]...)
			clear(d.vals[base:])
			d.keys, d.vals = d.keys[:base], d.vals[:base]
			return list, nil
		default:
			return nil, d.errorf(d.pos, "Unexpected character %s: was expecting comma to separate Array entries", d.describeChar(d.pos))
		}
	}
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *jsonDecoder) number() (any, error) {
	start := d.pos
	i := d.pos
	if d.data[i] == '-' {
		i++
		if i >= len(d.data) {
			return nil, d.errorf(i, "Unexpected end-of-input in numeric value: no digit following minus sign")
		}
		if d.data[i] < '0' || d.data[i] > '9' {
			return nil, d.errorf(i, "Unexpected character %s in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", d.describeChar(i))
		}
	}
	intStart := i
	for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
		i++
	}
	if d.data[intStart] == '0' && i-intStart > 1 {
		return nil, d.errorf(intStart+1, "Invalid numeric value: Leading zeroes not allowed")
	}
	isFloat := false
	if i < len(d.data) && d.data[i] == '.' {
		isFloat = true
		i++
		fracStart := i
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
		if i == fracStart {
			if i >= len(d.data) {
				return nil, d.errorf(i, "Unexpected end-of-input in floating-point value: Decimal point not followed by a digit")
			}
			return nil, d.errorf(i, "Unexpected character %s in numeric value: Decimal point not followed by a digit", d.describeChar(i))
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		isFloat = true
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		expStart := i
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
		if i == expStart {
			if i >= len(d.data) {
				return nil, d.errorf(i, "Unexpected end-of-input in floating-point value: Exponent indicator not followed by a digit")
			}
			return nil, d.errorf(i, "Unexpected character %s in numeric value: Exponent indicator not followed by a digit", d.describeChar(i))
		}
	}
	if i-start > jsonMaxNumberLength {
		return nil, d.errorf(start, "Number value length (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNumberLength()`)", i-start, jsonMaxNumberLength)
	}
	d.pos = i
	text := d.data[start:i]
	if isFloat {
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil && !isRangeError(err) {
			return nil, d.errorf(start, "Malformed numeric value ('%s')", text)
		}
		return f, nil
	}
	if len(text) <= 18 {
		var n int64
		neg := text[0] == '-'
		for _, c := range text {
			if c != '-' {
				n = n*10 + int64(c-'0')
			}
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	if n, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return n, nil
	}
	b, _ := new(big.Int).SetString(string(text), 10)
	return b, nil
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// str scans a string starting at the opening quote.
func (d *jsonDecoder) str() (string, error) {
	start := d.pos + 1
	i := start
	// Fast path: no escapes, ASCII or valid UTF-8, no control characters.
	for i < len(d.data) {
		c := d.data[i]
		if c == '"' {
			s := d.data[start:i]
			if !asciiOnly(s) && !utf8.Valid(s) {
				return "", d.invalidUTF8(start, i)
			}
			d.pos = i + 1
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	buf := append(d.scratch[:0], d.data[start:i]...)
	for {
		if i >= len(d.data) {
			return "", d.eofError(": was expecting closing quote for a string value")
		}
		c := d.data[i]
		switch {
		case c == '"':
			if !asciiOnly(buf) && !utf8.Valid(buf) {
				return "", d.invalidUTF8(start, i)
			}
			d.pos = i + 1
			d.scratch = buf
			return string(buf), nil
		case c < 0x20:
			return "", d.errorf(i, "Illegal unquoted character (%s): has to be escaped using backslash to be included in string value", ctrlName(c))
		case c == '\\':
			i++
			if i >= len(d.data) {
				return "", d.eofError(" in character escape sequence")
			}
			switch e := d.data[i]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := d.hex4(i + 1)
				if err != nil {
					return "", err
				}
				i += 4
				if utf16.IsSurrogate(r) && r < 0xDC00 && i+6 < len(d.data) && d.data[i+1] == '\\' && d.data[i+2] == 'u' {
					if r2, err := d.hex4(i + 3); err == nil && r2 >= 0xDC00 && r2 <= 0xDFFF {
						r = utf16.DecodeRune(r, r2)
						i += 6
					}
				}
				// A lone surrogate cannot be stored in UTF-8; it becomes
				// U+FFFD, as when JRuby transcodes the Java string.
				buf = utf8.AppendRune(buf, r)
			default:
				return "", d.errorf(i, "Unrecognized character escape %s", d.describeChar(i))
			}
			i++
		default:
			buf = append(buf, c)
			i++
		}
	}
}

func (d *jsonDecoder) hex4(at int) (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		if at+k >= len(d.data) {
			return 0, d.eofError(" in character escape sequence")
		}
		c := d.data[at+k]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, d.errorf(at+k, "Unexpected character %s: expected a hex-digit for character escape sequence", d.describeChar(at+k))
		}
		r = r<<4 | rune(v)
	}
	return r, nil
}

func ctrlName(c byte) string {
	return fmt.Sprintf("CTRL-CHAR, code %d", c)
}

func asciiOnly(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// invalidUTF8 reports the first invalid byte in data[start:end].
func (d *jsonDecoder) invalidUTF8(start, end int) error {
	for i := start; i < end; {
		r, size := utf8.DecodeRune(d.data[i:end])
		if r == utf8.RuneError && size == 1 {
			return d.errorf(i, "Invalid UTF-8 start byte 0x%x", d.data[i])
		}
		i += size
	}
	return d.errorf(start, "Invalid UTF-8")
}
