package event

import (
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// JSONSyntaxError is a document DecodeJSON rejects. Msg is the message
// Jackson's byte-input parser gives for the same input (Logstash puts it in
// its json codec and json filter warnings); Line and Column are 1-based and
// locate Jackson's read position, counting bytes as it does. Offset is that
// position as a byte offset.
type JSONSyntaxError struct {
	Msg    string
	Offset int
	Line   int
	Column int
}

// Error formats the error as Jackson does when the source is not included
// in locations (Jackson 2.16+ default).
func (e *JSONSyntaxError) Error() string {
	return fmt.Sprintf("%s\n at [Source: %s; line: %d, column: %d]", e.Msg, redactedSource, e.Line, e.Column)
}

const redactedSource = "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"

// Limits Logstash configures for Jackson's StreamReadConstraints
// (logstash.jackson.stream-read-constraints.*): deeper nesting or longer
// numbers are parse errors rather than resource exhaustion.
const (
	jsonMaxDepth        = 1000
	jsonMaxNumberLength = 10000
)

// DecodeJSON parses a JSON document into event values the way Logstash's
// JrJackson-based LogStash::Json.load does, except for decimals (see
// DecodeJSONDecimal): objects become *Map in document order (a repeated
// key keeps its first position and takes the last value), arrays []any,
// integers int64 or *big.Int when they do not fit, numbers with a fraction
// or exponent float64 (overflow gives ±Inf, as Double.parseDouble), strings
// string, and true/false/null bool/nil.
//
// It is as strict as Jackson's defaults: no comments, NaN, single quotes,
// unquoted names, trailing commas, leading zeros, plus signs, raw control
// characters in strings or unknown escapes. Like Jackson's byte parser it
// rejects bytes that cannot start or continue a UTF-8 sequence but decodes
// overlong forms and encoded surrogates; like JRuby it turns a lone
// surrogate (escaped or encoded) into '?'. A leading UTF-8 BOM is skipped.
// Like JrJackson it reads a sequence of root values separated by optional
// whitespace and returns the last one, so whitespace-only input gives
// (nil, nil) and `{"a":1} {"b":2}` gives {"b":2}; anything else after a
// value (`{} x`) is an error.
func DecodeJSON(data []byte) (any, error) {
	return decodeJSON(data, false)
}

// DecodeJSONDecimal is DecodeJSON with LogStash::Json.load's default
// use_bigdecimal: a number with a fraction or an exponent becomes an exact
// Decimal keeping the text's digits and scale, not a float64. The json
// filter and the twitter input read JSON this way; the json codecs
// (Event.from_json, a plain Jackson ObjectMapper) give doubles, see
// DecodeJSONFirst.
func DecodeJSONDecimal(data []byte) (any, error) {
	return decodeJSON(data, true)
}

func decodeJSON(data []byte, decimals bool) (any, error) {
	d := jsonDecoderPool.Get().(*jsonDecoder)
	d.data, d.pos, d.tok, d.decimals = data, 0, tokNone, decimals
	defer func() {
		// An error can leave entries on the stacks.
		clear(d.vals)
		d.data, d.keys, d.vals = nil, d.keys[:0], d.vals[:0]
		jsonDecoderPool.Put(d)
	}()
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		d.pos = 3
	}
	var result any
	for {
		if err := d.ws(); err != nil {
			return nil, err
		}
		if d.pos >= len(d.data) {
			return result, nil
		}
		if c := d.data[d.pos]; c == ']' || c == '}' {
			return nil, d.errorf(d.pos+1, "Unexpected close marker '%c': expected '%c' (for root starting at [Source: %s; line: 1, column: 0])", c, otherCloser(c), redactedSource)
		}
		v, err := d.valueIn(0, 0)
		if err != nil {
			return nil, err
		}
		result = v
		if err := d.checkRootSpace(); err != nil {
			return nil, err
		}
	}
}

// otherCloser is the closing bracket Jackson names as expected when a stray
// one appears at the root.
func otherCloser(c byte) byte {
	if c == ']' {
		return '}'
	}
	return ']'
}

// checkRootSpace enforces Jackson's rule that a number at the root is
// followed by whitespace or the end.
func (d *jsonDecoder) checkRootSpace() error {
	if d.rootNumber && d.pos < len(d.data) && !isJSONSpace(d.data[d.pos]) {
		return d.errorf(d.pos+1, "Unexpected character (%s): Expected space separating root-level values", d.byteDesc(d.pos))
	}
	return nil
}

// jsonDecoderPool recycles decoders for their scratch buffers and stacks.
var jsonDecoderPool = sync.Pool{New: func() any { return new(jsonDecoder) }}

type jsonDecoder struct {
	data       []byte
	pos        int
	rootNumber bool // the last value parsed at depth 0 was a number
	decimals   bool // numbers with a fraction or exponent become Decimal
	scratch    []byte
	// keys and vals hold the entries of the objects and arrays being
	// parsed, innermost last, so each container is allocated once at its
	// final size.
	keys []string
	vals []any
	// tok is the last token completed; Jackson names it in some
	// end-of-input messages ("Unexpected end-of-input in FIELD_NAME").
	tok jsonToken
}

type jsonToken uint8

const (
	tokNone jsonToken = iota
	tokStartObject
	tokEndObject
	tokStartArray
	tokEndArray
	tokFieldName
	tokString
	tokInt
	tokFloat
	tokTrue
	tokFalse
	tokNull
)

var jsonTokenNames = [...]string{"null", "START_OBJECT", "END_OBJECT", "START_ARRAY", "END_ARRAY", "FIELD_NAME", "VALUE_STRING", "VALUE_NUMBER_INT", "VALUE_NUMBER_FLOAT", "VALUE_TRUE", "VALUE_FALSE", "VALUE_NULL"}

// eofInToken is Jackson's "end-of-input in <last token>" error.
func (d *jsonDecoder) eofInToken() error {
	return d.errorf(len(d.data), "Unexpected end-of-input in %s", jsonTokenNames[d.tok])
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) && isJSONSpace(d.data[d.pos]) {
		d.pos++
	}
}

// ws skips whitespace between tokens; any other control character there is
// an error.
func (d *jsonDecoder) ws() error {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] < 0x20 {
		return d.errorf(d.pos+1, "Illegal character (%s): only regular white space (\\r, \\n, \\t) is allowed between tokens", d.byteDesc(d.pos))
	}
	return nil
}

// errorf builds a JSONSyntaxError at read position ptr (bytes consumed):
// Jackson reports the column just past the character it last read.
// Lines end at \n, \r or \r\n.
func (d *jsonDecoder) errorf(ptr int, format string, args ...any) error {
	ptr = min(max(ptr, 0), len(d.data))
	line, lineStart := 1, 0
	for i := 0; i < ptr; i++ {
		switch d.data[i] {
		case '\n':
			line, lineStart = line+1, i+1
		case '\r':
			if i+1 < ptr && d.data[i+1] == '\n' {
				i++
			}
			line, lineStart = line+1, i+1
		}
	}
	return &JSONSyntaxError{Msg: fmt.Sprintf(format, args...), Offset: ptr, Line: line, Column: ptr - lineStart + 1}
}

// charDesc renders a character as Jackson's messages do.
func charDesc(r rune) string {
	switch {
	case r < 0x20 || r >= 0x7F && r <= 0x9F:
		return fmt.Sprintf("(CTRL-CHAR, code %d)", r)
	case r > 0xFF:
		return fmt.Sprintf("'%c' (code %d / 0x%x)", r, r, r)
	}
	return fmt.Sprintf("'%c' (code %d)", r, r)
}

// byteDesc describes the byte at off, taken as a Latin-1 character the way
// Jackson reads it there.
func (d *jsonDecoder) byteDesc(off int) string {
	return charDesc(rune(d.data[off]))
}

const expectedValue = "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// value parses the value at d.pos as a root value.
func (d *jsonDecoder) value(depth int) (any, error) { return d.valueIn(depth, 0) }

// valueIn parses the value at d.pos; container is '[' or '{' when inside
// one (it decides how a stray ']' is reported).
func (d *jsonDecoder) valueIn(depth int, container byte) (any, error) {
	d.rootNumber = false
	if d.pos >= len(d.data) {
		return nil, d.errorf(len(d.data), "Unexpected end-of-input: expected a value")
	}
	c := d.data[d.pos]
	switch {
	case c == '"':
		s, err := d.str(false)
		d.tok = tokString
		return s, err
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '-' || c >= '0' && c <= '9':
		v, err := d.number()
		d.rootNumber = depth == 0
		return v, err
	case c == 't':
		d.tok = tokTrue
		return true, d.keyword("true")
	case c == 'f':
		d.tok = tokFalse
		return false, d.keyword("false")
	case c == 'n':
		d.tok = tokNull
		return nil, d.keyword("null")
	case c == 'N':
		return nil, d.nonStandard(d.pos, "NaN")
	case c == 'I':
		return nil, d.nonStandard(d.pos, "Infinity")
	case c == '+':
		if d.pos+1 >= len(d.data) {
			return nil, d.errorf(len(d.data), "Unexpected end-of-input in a Number value")
		}
		return nil, d.errorf(d.pos+2, "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow")
	case c == ']' && container == '[' || c == ',' || c == '}':
		return nil, d.errorf(d.pos+1, "Unexpected character (%s): expected a value", d.byteDesc(d.pos))
	case c == '/':
		return nil, d.errorf(d.pos+1, "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)")
	case isJavaIdentifierStart(rune(c)):
		// Jackson reads the byte as a Latin-1 character.
		return nil, d.invalidToken(d.pos+1, string(rune(c)))
	}
	return nil, d.errorf(d.pos+1, "Unexpected character (%s): %s", d.byteDesc(d.pos), expectedValue)
}

// isJavaIdentifierStart and isJavaIdentifierPart approximate Java's
// Character methods, which decide where Jackson's quoted bad token ends.
func isJavaIdentifierStart(r rune) bool {
	return unicode.IsLetter(r) || r == '_' || r == '$' || unicode.Is(unicode.Sc, r) || unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Nl, r)
}

func isJavaIdentifierPart(r rune) bool {
	return isJavaIdentifierStart(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		r <= 0x08 || r >= 0x0E && r <= 0x1B || r >= 0x7F && r <= 0x9F || unicode.Is(unicode.Cf, r)
}

// invalidToken reports an unrecognized bare word: prefix (already read, up
// to ptr) continued by the identifier characters that follow. The first
// character that ends the word is consumed too, as Jackson does.
func (d *jsonDecoder) invalidToken(ptr int, prefix string) error {
	tok := []byte(prefix)
	for ptr < len(d.data) && len(tok) < 256 {
		b := d.data[ptr]
		var r rune
		if b < utf8.RuneSelf {
			r = rune(b)
			ptr++
		} else {
			n, ok := utf8Expect(b)
			if !ok {
				return d.errorf(ptr+1, "Invalid UTF-8 start byte 0x%02x", b)
			}
			r = rune(b) & (0x3F >> n)
			for k := 1; k <= n; k++ {
				if ptr+k >= len(d.data) {
					return d.errorf(len(d.data), "Unexpected end-of-input in a value")
				}
				if !isContinuation(d.data[ptr+k]) {
					return d.errorf(ptr+k+1, "Invalid UTF-8 middle byte 0x%02x", d.data[ptr+k])
				}
				r = r<<6 | rune(d.data[ptr+k]&0x3F)
			}
			ptr += n + 1
		}
		if !isJavaIdentifierPart(r) {
			break
		}
		tok = utf8.AppendRune(tok, r)
	}
	return d.errorf(ptr, "Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", tok)
}

// utf8Expect is how many continuation bytes a lead byte announces to
// Jackson, which checks only the lead's high bits (so overlong forms pass).
func utf8Expect(b byte) (int, bool) {
	switch {
	case b&0xE0 == 0xC0:
		return 1, true
	case b&0xF0 == 0xE0:
		return 2, true
	case b&0xF8 == 0xF0:
		return 3, true
	}
	return 0, false
}

// wordEnd is the end of the run of identifier bytes starting at i.
func (d *jsonDecoder) wordEnd(i int) int {
	for i < len(d.data) && d.data[i] < utf8.RuneSelf && isJavaIdentifierPart(rune(d.data[i])) {
		i++
	}
	return i
}

// keyword matches true, false or null, which must not run on into more
// identifier characters.
func (d *jsonDecoder) keyword(word string) error {
	start := d.pos
	for i := 1; i < len(word); i++ {
		if d.pos+i >= len(d.data) || d.data[d.pos+i] != word[i] {
			return d.invalidToken(d.pos+i, string(d.data[start:d.pos+i]))
		}
	}
	end := d.pos + len(word)
	if end < len(d.data) {
		r, size := rune(d.data[end]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(d.data[end:])
		}
		if r == utf8.RuneError && size == 1 || isJavaIdentifierPart(r) {
			return d.invalidToken(end, word)
		}
	}
	d.pos = end
	return nil
}

// nonStandard rejects NaN, Infinity and -Infinity the way Jackson does when
// ALLOW_NON_NUMERIC_NUMBERS is off; other words starting alike are
// unrecognized tokens.
func (d *jsonDecoder) nonStandard(start int, word string) error {
	wordStart := start
	if d.data[start] == '-' {
		wordStart++
	}
	end := d.wordEnd(wordStart)
	if string(d.data[wordStart:end]) == word && (end >= len(d.data) || d.data[end] < utf8.RuneSelf) {
		return d.errorf(end, "Non-standard token '%s': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", d.data[start:end])
	}
	return d.invalidToken(end, string(d.data[start:end]))
}

func (d *jsonDecoder) object(depth int) (any, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf(d.pos+1, "Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", depth, jsonMaxDepth)
	}
	open := d.pos
	d.pos++ // {
	d.tok = tokStartObject
	base := len(d.keys)
	for first := true; ; first = false {
		if err := d.ws(); err != nil {
			return nil, err
		}
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Object", open)
		}
		switch c := d.data[d.pos]; c {
		case '}':
			d.pos++
			d.tok = tokEndObject
			n := len(d.keys) - base
			m := &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
			for i := base; i < len(d.keys); i++ {
				m.Set(d.keys[i], d.vals[i]) // a repeated key keeps its place, last value wins
			}
			clear(d.vals[base:])
			d.keys, d.vals = d.keys[:base], d.vals[:base]
			return m, nil
		case ']':
			return nil, d.mismatchedClose(c, "Object", open)
		}
		if !first {
			if d.data[d.pos] != ',' {
				return nil, d.errorf(d.pos+1, "Unexpected character (%s): was expecting comma to separate Object entries", d.byteDesc(d.pos))
			}
			d.pos++
			if err := d.between("Object"); err != nil {
				return nil, err
			}
		}
		if d.data[d.pos] != '"' {
			return nil, d.badNameStart()
		}
		key, err := d.str(true)
		if err != nil {
			return nil, err
		}
		d.tok = tokFieldName
		if err := d.between("Object"); err != nil {
			return nil, err
		}
		if d.data[d.pos] != ':' {
			return nil, d.errorf(d.pos+1, "Unexpected character (%s): was expecting a colon to separate field name and value", d.byteDesc(d.pos))
		}
		d.pos++
		if err := d.between("Object"); err != nil {
			return nil, err
		}
		v, err := d.valueIn(depth, '{')
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, key)
		d.vals = append(d.vals, v)
	}
}

// between skips whitespace inside a container where more must follow.
func (d *jsonDecoder) between(kind string) error {
	if err := d.ws(); err != nil {
		return err
	}
	if d.pos >= len(d.data) {
		return d.errorf(len(d.data), "Unexpected end-of-input within/between %s entries", kind)
	}
	return nil
}

// badNameStart reports what stands where a field name's quote should be;
// Jackson decodes a non-ASCII character there before naming it.
func (d *jsonDecoder) badNameStart() error {
	b := d.data[d.pos]
	if b < utf8.RuneSelf {
		return d.errorf(d.pos+1, "Unexpected character (%s): was expecting double-quote to start field name", d.byteDesc(d.pos))
	}
	n, ok := utf8Expect(b)
	if !ok {
		return d.errorf(d.pos+1, "Invalid UTF-8 start byte 0x%02x", b)
	}
	r := rune(b) & (0x3F >> n)
	for k := 1; k <= n; k++ {
		if d.pos+k >= len(d.data) {
			return d.errorf(len(d.data), "Unexpected end-of-input in a value")
		}
		c := d.data[d.pos+k]
		if !isContinuation(c) {
			return d.errorf(d.pos+k+1, "Invalid UTF-8 middle byte 0x%02x", c)
		}
		r = r<<6 | rune(c&0x3F)
	}
	return d.errorf(d.pos+n+1, "Unexpected character (%s): was expecting double-quote to start field name", charDesc(r))
}

// unclosed reports end of input where the object or array opened at open
// could have been closed.
func (d *jsonDecoder) unclosed(kind string, open int) error {
	at := d.errorf(open, "").(*JSONSyntaxError)
	return d.errorf(len(d.data), "Unexpected end-of-input: expected close marker for %s (start marker at [Source: %s; line: %d, column: %d])", kind, redactedSource, at.Line, at.Column)
}

func (d *jsonDecoder) mismatchedClose(c byte, kind string, open int) error {
	at := d.errorf(open, "").(*JSONSyntaxError)
	return d.errorf(d.pos+1, "Unexpected close marker '%c': expected '%c' (for %s starting at [Source: %s; line: %d, column: %d])", c, otherCloser(c), kind, redactedSource, at.Line, at.Column)
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf(d.pos+1, "Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", depth, jsonMaxDepth)
	}
	open := d.pos
	d.pos++ // [
	d.tok = tokStartArray
	base := len(d.vals)
	for first := true; ; first = false {
		if err := d.ws(); err != nil {
			return nil, err
		}
		if d.pos >= len(d.data) {
			return nil, d.unclosed("Array", open)
		}
		switch c := d.data[d.pos]; c {
		case ']':
			d.pos++
			d.tok = tokEndArray
			list := append([]any(nil), d.vals[base:]...)
			if list == nil {
				list = []any{}
			}
			clear(d.vals[base:])
			d.keys, d.vals = d.keys[:base], d.vals[:base]
			return list, nil
		case '}':
			return nil, d.mismatchedClose(c, "Array", open)
		}
		if !first {
			if d.data[d.pos] != ',' {
				return nil, d.errorf(d.pos+1, "Unexpected character (%s): was expecting comma to separate Array entries", d.byteDesc(d.pos))
			}
			d.pos++
			if err := d.between("Array"); err != nil {
				return nil, err
			}
		}
		v, err := d.valueIn(depth, '[')
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.keys = append(d.keys, "")
	}
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *jsonDecoder) number() (any, error) {
	start := d.pos
	i := d.pos
	if d.data[i] == '-' {
		i++
		if i >= len(d.data) {
			return nil, d.eofInToken()
		}
		if d.data[i] == 'I' {
			return nil, d.nonStandard(start, "Infinity")
		}
		if d.data[i] < '0' || d.data[i] > '9' {
			return nil, d.errorf(i+1, "Unexpected character (%s) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", d.byteDesc(i))
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
				return nil, d.errorf(len(d.data), "Unexpected character ('.' (code 46)) in numeric value: Decimal point not followed by a digit")
			}
			return nil, d.errorf(i+1, "Unexpected character (%s) in numeric value: Decimal point not followed by a digit", d.byteDesc(i))
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
				return nil, d.eofInToken()
			}
			return nil, d.errorf(i+1, "Unexpected character (%s) in numeric value: Exponent indicator not followed by a digit", d.byteDesc(i))
		}
	}
	if i-start > jsonMaxNumberLength {
		return nil, d.errorf(start, "Number value length (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNumberLength()`)", i-start, jsonMaxNumberLength)
	}
	d.pos = i
	text := d.data[start:i]
	d.tok = tokInt
	if isFloat {
		d.tok = tokFloat
		if d.decimals {
			dec, err := parseDecimal(text)
			if err != nil {
				// Only an exponent beyond Java's int scale gets here.
				return nil, d.errorf(start, "Malformed numeric value ('%s')", text)
			}
			return dec, nil
		}
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

// str scans a string starting at the opening quote; name selects the
// field-name rules (Jackson decodes names without checking continuation
// bytes and words its errors differently).
func (d *jsonDecoder) str(name bool) (string, error) {
	start := d.pos + 1
	i := start
	// Fast path: printable ASCII without escapes.
	for i < len(d.data) {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			if name {
				return internKey(d.data[start:i]), nil
			}
			return string(d.data[start:i]), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	u := utf16Builder{buf: append(d.scratch[:0], d.data[start:i]...)}
	eof := "Unexpected end-of-input in VALUE_STRING"
	if name {
		eof = "Unexpected end-of-input in field name"
	}
	for {
		if i >= len(d.data) {
			return "", d.errorf(len(d.data), "%s", eof)
		}
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			s := string(u.finish())
			d.scratch = u.buf
			return s, nil
		case c < 0x20:
			where := "string value"
			if name {
				where = "name"
			}
			// Jackson counts lines only between tokens, so a line break
			// here does not start a new line.
			e := d.errorf(i, "Illegal unquoted character (%s): has to be escaped using backslash to be included in %s", d.byteDesc(i), where).(*JSONSyntaxError)
			e.Offset++
			e.Column++
			return "", e
		case c == '\\':
			i++
			if i >= len(d.data) {
				return "", d.errorf(len(d.data), "Unexpected end-of-input in character escape sequence")
			}
			switch e := d.data[i]; e {
			case '"', '\\', '/':
				u.unit(uint16(e))
			case 'b':
				u.unit('\b')
			case 'f':
				u.unit('\f')
			case 'n':
				u.unit('\n')
			case 'r':
				u.unit('\r')
			case 't':
				u.unit('\t')
			case 'u':
				var v uint16
				for k := 1; k <= 4; k++ {
					if i+k >= len(d.data) {
						return "", d.errorf(len(d.data), "Unexpected end-of-input in character escape sequence")
					}
					h, ok := unhex(d.data[i+k])
					if !ok {
						return "", d.errorf(i+k+1, "Unexpected character (%s): expected a hex-digit for character escape sequence", d.byteDesc(i+k))
					}
					v = v<<4 | uint16(h)
				}
				i += 4
				u.unit(v)
			default:
				return "", d.errorf(i+1, "Unrecognized character escape %s", charDesc(rune(e)))
			}
			i++
		case c < utf8.RuneSelf:
			u.unit(uint16(c))
			i++
		default:
			if r, size := utf8.DecodeRune(d.data[i:]); r != utf8.RuneError || size > 1 {
				// Well-formed UTF-8 decodes the same in Jackson.
				u.flush()
				u.buf = append(u.buf, d.data[i:i+size]...)
				i += size
				continue
			}
			n, ok := utf8Expect(c)
			if !ok {
				ptr := i + 1
				if name {
					ptr++
				}
				return "", d.errorf(ptr, "Invalid UTF-8 start byte 0x%02x", c)
			}
			r := rune(c) & (0x3F >> n)
			for k := 1; k <= n; k++ {
				if i+k >= len(d.data) {
					return "", d.errorf(len(d.data), "%s", eof)
				}
				cc := d.data[i+k]
				if !name && !isContinuation(cc) {
					return "", d.errorf(i+k+1, "Invalid UTF-8 middle byte 0x%02x", cc)
				}
				r = r<<6 | rune(cc&0x3F)
			}
			i += n + 1
			if n < 3 {
				u.unit(uint16(r))
			} else {
				// Jackson splits into UTF-16 without range checks.
				v := int32(r) - 0x10000
				u.unit(uint16(0xD800 | v>>10))
				u.unit(uint16(0xDC00 | v&0x3FF))
			}
		}
	}
}

// utf16Builder collects a Java string's UTF-16 units as UTF-8, turning a
// lone surrogate into '?' the way JRuby does when it converts the Java
// string Jackson produced into a Ruby string.
type utf16Builder struct {
	buf  []byte
	high uint16 // a pending high surrogate, or 0
}

func (b *utf16Builder) unit(u uint16) {
	switch {
	case u >= 0xD800 && u < 0xDC00:
		if b.high != 0 {
			b.buf = append(b.buf, '?')
		}
		b.high = u
		return
	case u >= 0xDC00 && u < 0xE000:
		if b.high != 0 {
			b.buf = utf8.AppendRune(b.buf, utf16.DecodeRune(rune(b.high), rune(u)))
			b.high = 0
			return
		}
		b.buf = append(b.buf, '?')
		return
	}
	if b.high != 0 {
		b.buf = append(b.buf, '?')
		b.high = 0
	}
	b.buf = utf8.AppendRune(b.buf, rune(u))
}

// flush ends a pending high surrogate, which is then alone.
func (b *utf16Builder) flush() {
	if b.high != 0 {
		b.buf = append(b.buf, '?')
		b.high = 0
	}
}

func (b *utf16Builder) finish() []byte {
	b.flush()
	return b.buf
}

// keyTable interns short field names: events of one stream repeat the same
// keys, and sharing their strings saves an allocation per key per event.
// Each slot holds the last name that hashed to it; a miss just replaces it.
var keyTable [1024]atomic.Pointer[string]

const maxInternedKey = 32

func internKey(b []byte) string {
	if len(b) > maxInternedKey {
		return string(b)
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &keyTable[h&uint32(len(keyTable)-1)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}
