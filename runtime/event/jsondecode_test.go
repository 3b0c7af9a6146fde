package event

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync"
	"testing"
)

func TestDecodeJSONValues(t *testing.T) {
	big20, _ := new(big.Int).SetString("123456789012345678901", 10)
	negBig, _ := new(big.Int).SetString("-9223372036854775809", 10)
	cases := []struct {
		in   string
		want string // AppendJSON of the result, with Go-distinct types checked below
	}{
		{`{}`, `{}`},
		{`[]`, `[]`},
		{` {"a" : 1 , "b":[true,false,null]} `, `{"a":1,"b":[true,false,null]}`},
		{`{"b":1,"a":2,"b":3}`, `{"b":3,"a":2}`},
		{`"x"`, `"x"`},
		{`12`, `12`},
		{`-0`, `0`},
		{`-0.0`, `-0.0`},
		{`1.5`, `1.5`},
		{`1e2`, `100.0`},
		{`1E+2`, `100.0`},
		{`1.0e-5`, `1.0E-5`},
		{`1e400`, `"Infinity"`}, // the writer quotes non-finite numbers
		{`9223372036854775807`, `9223372036854775807`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`"a\"b\\c\/d\b\f\n\r\t"`, `"a\"b\\c/d\b\f\n\r\t"`},
		{`"\u00e9\u20AC\ud83d\ude00"`, `"é€😀"`},
		{`"\ud83d"`, `"?"`}, // a lone surrogate: JRuby turns it into '?'
		{`"\ude00x"`, `"?x"`},
		{`"\ud83d\u0041"`, `"?A"`},
		{"\"\xed\xa0\x80\"", `"?"`},      // an encoded surrogate, which Jackson decodes
		{"\"\xc0\xaf\"", `"/"`},          // an overlong form, which Jackson decodes
		{"\"\xf4\x90\x80\x80\"", `"??"`}, // past U+10FFFF: two lone surrogates
		{"\xef\xbb\xbf{}", `{}`},         // a BOM is skipped
		{`"é😀"`, `"é😀"`},
		{"\t\r\n[1,\n2]\n", `[1,2]`},
		{`{"a":{"b":{"c":[{"d":[]}]}}}`, `{"a":{"b":{"c":[{"d":[]}]}}}`},
		{`{"a":1} {"b":2}`, `{"b":2}`},
		{`{"a":1}{"b":2}`, `{"b":2}`},
		{`1 2`, `2`},
		{`"a""b"`, `"b"`},
	}
	for _, c := range cases {
		v, err := DecodeJSON([]byte(c.in))
		if err != nil {
			t.Errorf("DecodeJSON(%q): %v", c.in, err)
			continue
		}
		if got := string(AppendJSON(nil, v)); got != c.want {
			t.Errorf("DecodeJSON(%q) = %s, want %s", c.in, got, c.want)
		}
	}

	types := []struct {
		in   string
		want any
	}{
		{`12`, int64(12)},
		{`-7`, int64(-7)},
		{`1.0`, float64(1)},
		{`1e2`, float64(100)},
		{`true`, true},
		{`false`, false},
		{`null`, nil},
	}
	for _, c := range types {
		v, err := DecodeJSON([]byte(c.in))
		if err != nil || v != c.want {
			t.Errorf("DecodeJSON(%q) = %#v, %v; want %#v", c.in, v, err, c.want)
		}
	}
	for in, want := range map[string]*big.Int{"123456789012345678901": big20, "-9223372036854775809": negBig} {
		v, err := DecodeJSON([]byte(in))
		b, ok := v.(*big.Int)
		if err != nil || !ok || b.Cmp(want) != 0 {
			t.Errorf("DecodeJSON(%q) = %#v, %v; want big %v", in, v, err, want)
		}
	}
	if v, _ := DecodeJSON([]byte(`-0.0`)); !math.Signbit(v.(float64)) {
		t.Errorf("-0.0 lost its sign")
	}
	m, _ := DecodeJSON([]byte(`{"z":1,"a":2,"m":3}`))
	if got := strings.Join(m.(*Map).Keys(), ","); got != "z,a,m" {
		t.Errorf("keys in order %s, want document order z,a,m", got)
	}
}

func TestDecodeJSONEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\n\t\r "} {
		v, err := DecodeJSON([]byte(in))
		if v != nil || err != nil {
			t.Errorf("DecodeJSON(%q) = %v, %v; want nil, nil", in, v, err)
		}
	}
}

// TestDecodeJSONErrors pins Jackson's messages and locations (checked with
// Jackson 2.14's byte parser) for each kind of error.
func TestDecodeJSONErrors(t *testing.T) {
	const valid = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
	const src = "[Source: " + redactedSource + "; line: 1, column: "
	cases := []struct {
		in, msg string
		line, c int
	}{
		{`{"a":1} x`, "Unrecognized token 'x': was expecting " + valid, 1, 10},
		{`nul}`, "Unrecognized token 'nul': was expecting " + valid, 1, 5},
		{`tru`, "Unrecognized token 'tru': was expecting " + valid, 1, 4},
		{`trUe`, "Unrecognized token 'trUe': was expecting " + valid, 1, 5},
		{`truex`, "Unrecognized token 'truex': was expecting " + valid, 1, 6},
		{`[nulll]`, "Unrecognized token 'nulll': was expecting " + valid, 1, 8},
		{`NaN`, "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", 1, 4},
		{`[Infinity]`, "Non-standard token 'Infinity': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", 1, 10},
		{`-Infinity`, "Non-standard token '-Infinity': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", 1, 10},
		{`-Inf`, "Unrecognized token '-Inf': was expecting " + valid, 1, 5},
		{"{\"a\":1 // c\n}", "Unexpected character ('/' (code 47)): was expecting comma to separate Object entries", 1, 9},
		{`/* c */ {}`, "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)", 1, 2},
		{`# c`, "Unexpected character ('#' (code 35)): expected a valid value " + valid, 1, 2},
		{`'a'`, "Unexpected character (''' (code 39)): expected a valid value " + valid, 1, 2},
		{`{'a':1}`, "Unexpected character (''' (code 39)): was expecting double-quote to start field name", 1, 3},
		{`{"a":1,}`, "Unexpected character ('}' (code 125)): was expecting double-quote to start field name", 1, 9},
		{"{\xc3\xa9}", "Unexpected character ('é' (code 233)): was expecting double-quote to start field name", 1, 4},
		{`[1,]`, "Unexpected character (']' (code 93)): expected a value", 1, 5},
		{`[,1]`, "Unexpected character (',' (code 44)): expected a value", 1, 3},
		{`{"a":]`, "Unexpected character (']' (code 93)): expected a valid value " + valid, 1, 7},
		{`{"a":}`, "Unexpected character ('}' (code 125)): expected a value", 1, 7},
		{`[1 2]`, "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries", 1, 5},
		{`{"a" 1}`, "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value", 1, 7},
		{`[1}`, "Unexpected close marker '}': expected ']' (for Array starting at " + src + "1])", 1, 4},
		{`{"a":1]`, "Unexpected close marker ']': expected '}' (for Object starting at " + src + "1])", 1, 8},
		{`[]]`, "Unexpected close marker ']': expected '}' (for root starting at " + src + "0])", 1, 4},
		{`01`, "Invalid numeric value: Leading zeroes not allowed", 1, 2},
		{`[-01]`, "Invalid numeric value: Leading zeroes not allowed", 1, 4},
		{`-`, "Unexpected end-of-input in null", 1, 2},
		{`{">":-`, "Unexpected end-of-input in FIELD_NAME", 1, 7},
		{`{}-`, "Unexpected end-of-input in END_OBJECT", 1, 4},
		{`-x`, "Unexpected character ('x' (code 120)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", 1, 3},
		{`1.`, "Unexpected character ('.' (code 46)) in numeric value: Decimal point not followed by a digit", 1, 3},
		{`[1.]`, "Unexpected character (']' (code 93)) in numeric value: Decimal point not followed by a digit", 1, 5},
		{`1e`, "Unexpected end-of-input in null", 1, 3},
		{`1ex`, "Unexpected character ('x' (code 120)) in numeric value: Exponent indicator not followed by a digit", 1, 4},
		{`.5`, "Unexpected character ('.' (code 46)): expected a valid value " + valid, 1, 2},
		{`+1`, "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow", 1, 3},
		{`+`, "Unexpected end-of-input in a Number value", 1, 2},
		{`12x`, "Unexpected character ('x' (code 120)): Expected space separating root-level values", 1, 4},
		{`1.5E+2x`, "Unexpected character ('x' (code 120)): Expected space separating root-level values", 1, 8},
		{"\"a\nb\"", "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value", 1, 4},
		{"{\"abc\r\":1}", "Illegal unquoted character ((CTRL-CHAR, code 13)): has to be escaped using backslash to be included in name", 1, 7},
		{"[\x01]", `Illegal character ((CTRL-CHAR, code 1)): only regular white space (\r, \n, \t) is allowed between tokens`, 1, 3},
		{"\x7f", "Unexpected character ((CTRL-CHAR, code 127)): expected a valid value " + valid, 1, 2},
		{`"\x"`, "Unrecognized character escape 'x' (code 120)", 1, 4},
		{`"\u12G4"`, "Unexpected character ('G' (code 71)): expected a hex-digit for character escape sequence", 1, 7},
		{`"\u12`, "Unexpected end-of-input in character escape sequence", 1, 6},
		{`"abc`, "Unexpected end-of-input in VALUE_STRING", 1, 5},
		{`{"ab`, "Unexpected end-of-input in field name", 1, 5},
		{"\"a\xffb\"", "Invalid UTF-8 start byte 0xff", 1, 4},
		{"\"a\xc3x\"", "Invalid UTF-8 middle byte 0x78", 1, 5},
		{"{\"a\xff\":1}", "Invalid UTF-8 start byte 0xff", 1, 6},
		{"[\xc3\xa9]", "Invalid UTF-8 start byte 0xa9", 1, 4},
		{"[\xff]", "Unrecognized token 'ÿ': was expecting " + valid, 1, 4},
		{"[\x80]", "Unexpected character ((CTRL-CHAR, code 128)): expected a valid value " + valid, 1, 3},
		{`[1,2`, "Unexpected end-of-input: expected close marker for Array (start marker at " + src + "1])", 1, 5},
		{`[1,`, "Unexpected end-of-input within/between Array entries", 1, 4},
		{"{\"a\": \n", "Unexpected end-of-input within/between Object entries", 2, 1},
		{"{\n\"a\":1", "Unexpected end-of-input: expected close marker for Object (start marker at " + src + "1])", 2, 6},
		{"\r\n x", "Unrecognized token 'x': was expecting " + valid, 2, 3},
		{"\r x", "Unrecognized token 'x': was expecting " + valid, 2, 3},
		{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), "Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)", 1, 1002},
		{strings.Repeat("9", 10001), "Number value length (10001) exceeds the maximum allowed (10000, from `StreamReadConstraints.getMaxNumberLength()`)", 1, 1},
	}
	for _, c := range cases {
		v, err := DecodeJSON([]byte(c.in))
		var se *JSONSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("DecodeJSON(%q) = %v, %v; want a syntax error", c.in, v, err)
			continue
		}
		if se.Msg != c.msg || se.Line != c.line || se.Column != c.c {
			t.Errorf("DecodeJSON(%q) error\n %q at %d:%d\nwant %q at %d:%d", c.in, se.Msg, se.Line, se.Column, c.msg, c.line, c.c)
		}
	}
	_, err := DecodeJSON([]byte(`[1,]`))
	if want := "Unexpected character (']' (code 93)): expected a value\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 5]"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// TestDecodeJSONRoundTrip checks that what the writer prints, the decoder
// reads back to the same bytes.
func TestDecodeJSONRoundTrip(t *testing.T) {
	m := NewMap(4)
	m.Set("s", "ctl\x01\x1f\"\\ é \u2028 😀")
	m.Set("n", int64(-42))
	m.Set("f", 1.0e10)
	b, _ := new(big.Int).SetString("98765432109876543210", 10)
	m.Set("b", b)
	inner := NewMap(1)
	inner.Set("k", []any{"v", nil, true})
	m.Set("m", inner)
	doc := AppendJSON(nil, m)
	v, err := DecodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendJSON(nil, v); string(got) != string(doc) {
		t.Errorf("round trip %s, want %s", got, doc)
	}
}

var benchJSONDoc = []byte(`{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"GET /index.html HTTP/1.1 200 5120 \"-\" \"Mozilla/5.0\"","host":{"name":"web-01","ip":["10.0.0.1","fe80::1"]},"event":{"original":"x","duration":123456789,"ratio":0.25},"tags":["a","b"],"ok":true,"nothing":null}`)

func BenchmarkDecodeJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchJSONDoc)))
	for b.Loop() {
		if _, err := DecodeJSON(benchJSONDoc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeJSONAfterError checks that a failed parse leaves nothing behind
// for the next one (decoders are pooled).
func TestDecodeJSONAfterError(t *testing.T) {
	for i := 0; i < 3; i++ {
		if _, err := DecodeJSON([]byte(`{"a":[1,{"b":2,"c":`)); err == nil {
			t.Fatal("truncated document accepted")
		}
		v, err := DecodeJSON([]byte(`{"x":[true]}`))
		if err != nil || string(AppendJSON(nil, v)) != `{"x":[true]}` {
			t.Fatalf("after an error: %v, %v", v, err)
		}
	}
}

// TestDecodeJSONConcurrent decodes from many goroutines at once: decoders
// are pooled and field names interned in a shared table.
func TestDecodeJSONConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				doc := fmt.Sprintf(`{"k%d":%d,"message":"m%d","host":{"name":"h"}}`, (g+i)%7, i, g)
				v, err := DecodeJSON([]byte(doc))
				if err != nil || string(AppendJSON(nil, v)) != doc {
					t.Errorf("DecodeJSON(%s) = %v, %v", doc, v, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
