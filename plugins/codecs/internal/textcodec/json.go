package textcodec

import (
	"fmt"
	"math/big"
	"unicode"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime"
)

// JSONParseFailureTag marks events whose data was not the JSON expected.
const JSONParseFailureTag = "_jsonparsefailure"

// EventsFromJSON is Logstash's Event.from_json as the json codecs use it:
// blank text gives no events; an object one event; an array of objects one
// per element (none for []); anything else is an error, as is a syntax
// error. Only the first JSON value is read (Jackson's readValue ignores
// what follows). newEvent builds an event from an object (at the root, or
// under a target).
func EventsFromJSON(text []byte, newEvent func(*runtime.Map) *runtime.Event) ([]*runtime.Event, error) {
	if IsJavaBlank(text) {
		return nil, nil
	}
	if !utf8.Valid(text) {
		// Java reads the text as a String first: invalid bytes become U+FFFD.
		text = []byte(string([]rune(string(text))))
	}
	v, err := runtime.DecodeJSONFirst(text)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case *runtime.Map:
		return []*runtime.Event{newEvent(t)}, nil
	case []any:
		events := make([]*runtime.Event, 0, len(t))
		for _, x := range t {
			m, ok := x.(*runtime.Map)
			if !ok {
				return nil, fmt.Errorf("class %s cannot be cast to class java.util.Map", javaClassName(x))
			}
			events = append(events, newEvent(m))
		}
		return events, nil
	case nil:
		return nil, fmt.Errorf("Cannot invoke \"Object.getClass()\" because \"o\" is null")
	}
	return nil, fmt.Errorf("incompatible json object type=%s , only hash map or arrays are supported", javaClassName(v))
}

// javaClassName is the class Jackson gives a decoded scalar, for error
// messages.
func javaClassName(v any) string {
	switch v.(type) {
	case string:
		return "java.lang.String"
	case int64:
		return "java.lang.Long"
	case *big.Int:
		return "java.math.BigInteger"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case nil:
		return "null"
	case []any:
		return "java.util.ArrayList"
	}
	return "java.util.LinkedHashMap"
}

// IsJavaBlank reports whether text is empty or only Java whitespace
// (Character.isWhitespace: ASCII \t\n\v\f\r, the separators 0x1C-0x1F, and
// Unicode space separators except the no-break ones).
func IsJavaBlank(text []byte) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c != ' ' && (c < 0x09 || c > 0x0D) && (c < 0x1C || c > 0x1F) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if !unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) || r == 0xA0 || r == 0x2007 || r == 0x202F {
			return false
		}
		i += size
	}
	return true
}

// FailureEvent is the event the json codecs make of text they could not
// use: the text in message, tagged _jsonparsefailure.
func FailureEvent(text string) *runtime.Event {
	m := runtime.NewMap(2)
	m.Set("message", text)
	m.Set(runtime.TagsField, []any{JSONParseFailureTag})
	return runtime.NewEventFromMap(m)
}

// ECSTargetAdvice is what Logstash logs (at info) when a json codec runs in
// an ECS mode without a target.
const ECSTargetAdvice = "ECS compatibility is enabled but `target` option was not specified. " +
	"This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. " +
	"It is recommended to set the `target` option to avoid potential schema conflicts " +
	"(if your data is ECS compliant or non-conflicting, feel free to ignore this message)"
