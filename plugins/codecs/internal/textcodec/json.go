package textcodec

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"unicode"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// JSONDecoder is what the json and json_lines codecs share: charset
// conversion, the target option, and the events of one JSON document (or
// the _jsonparsefailure event of text that is not one).
type JSONDecoder struct {
	charset *Charset
	target  *event.FieldRef
	logger  *slog.Logger
	// parseErrorLevel is the level a parse error is logged at: Logstash's
	// json codec logs it as an error, json_lines as a warning.
	parseErrorLevel slog.Level
}

// NewJSONDecoder reads the charset and target options. In an ECS mode
// without a target it logs ecsTargetAdvice once per plugin block.
func NewJSONDecoder(s *plugin.Settings, charsetOpt, target plugin.Opt[string], parseErrorLevel slog.Level) (*JSONDecoder, error) {
	charset, err := NewCharset(s, charsetOpt)
	if err != nil {
		return nil, err
	}
	d := &JSONDecoder{charset: charset, logger: s.Logger(), parseErrorLevel: parseErrorLevel}
	if target.IsSet(s) {
		ref := event.MustFieldRef(target.Get(s))
		d.target = &ref
	} else if s.ECS() != "disabled" {
		LogOnce("target:"+s.Pos().String(), func() { d.logger.Info(ecsTargetAdvice) })
	}
	return d, nil
}

// Decode converts data to UTF-8 text and parses it as one JSON document
// (see eventsFromJSON). When the text is not an object or an array of
// objects, it logs the parse error and gives the one _jsonparsefailure
// event holding the text, with parsed false.
func (d *JSONDecoder) Decode(data []byte) (text []byte, events []*event.Event, parsed bool) {
	text = d.charset.TextBytes(data)
	events, err := eventsFromJSON(text, d.newEvent)
	if err != nil {
		d.logger.Log(context.Background(), d.parseErrorLevel, "JSON parse error, original data now in message field",
			"message", err.Error(), "exception", "LogStash::Json::ParserError", "data", string(text))
		return text, []*event.Event{failureEvent(string(text))}, false
	}
	return text, events, true
}

// newEvent makes an event of a decoded object, at the root or under the
// target.
func (d *JSONDecoder) newEvent(m *event.Map) *event.Event {
	if d.target == nil {
		return event.NewEventFromMap(m)
	}
	e := event.NewEvent()
	_ = e.SetRef(*d.target, m)
	return e
}

// JSONParseFailureTag marks events whose data was not the JSON expected.
const JSONParseFailureTag = "_jsonparsefailure"

// eventsFromJSON is Logstash's Event.from_json as the json codecs use it:
// blank text gives no events; an object one event; an array of objects one
// per element (none for []); anything else is an error, as is a syntax
// error. Only the first JSON value is read (Jackson's readValue ignores
// what follows). newEvent builds an event from an object (at the root, or
// under a target).
func eventsFromJSON(text []byte, newEvent func(*event.Map) *event.Event) ([]*event.Event, error) {
	if IsJavaBlank(text) {
		return nil, nil
	}
	if !utf8.Valid(text) {
		// Java reads the text as a String first: invalid bytes become U+FFFD.
		text = []byte(string([]rune(string(text))))
	}
	v, err := event.DecodeJSONFirst(text)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case *event.Map:
		return []*event.Event{newEvent(t)}, nil
	case []any:
		events := make([]*event.Event, 0, len(t))
		for _, x := range t {
			m, ok := x.(*event.Map)
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

// failureEvent is the event the json codecs make of text they could not
// use: the text in message, tagged _jsonparsefailure.
func failureEvent(text string) *event.Event {
	m := event.NewMap(2)
	m.Set("message", text)
	m.Set(event.TagsField, []any{JSONParseFailureTag})
	return event.NewEventFromMap(m)
}

// ecsTargetAdvice is what Logstash logs (at info) when a json codec runs in
// an ECS mode without a target.
const ecsTargetAdvice = "ECS compatibility is enabled but `target` option was not specified. " +
	"This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. " +
	"It is recommended to set the `target` option to avoid potential schema conflicts " +
	"(if your data is ECS compliant or non-conflicting, feel free to ignore this message)"
