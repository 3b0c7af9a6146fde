// Package urldecode is Logstash's urldecode filter: it decodes %XX escapes
// in a field (or every field).
package urldecode

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optField        = plugin.String("field").Default("message").Doc("The field to decode (strings, and the strings inside lists and objects). A missing field is set to null, as in Logstash.")
	optAllFields    = plugin.Bool("all_fields").Default(false).Doc("Decode every top-level field instead.")
	optTagOnFailure = plugin.Strings("tag_on_failure").Default([]string{"_urldecodefailure"}).Doc("Tags added when decoding fails.")
	optCharset      = plugin.String("charset").Default("UTF-8").Validate(checkCharset).Doc("The charset of the decoded bytes; they are converted to UTF-8 (invalid UTF-8 is kept in Ruby's escaped form).")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "urldecode",
			Summary: "Decodes URL-encoded (%XX) text.",
			Options: []plugin.Declared{optField, optAllFields, optTagOnFailure, optCharset},
			Examples: []plugin.Example{{
				Title: "Decode a query string (a + stays a +)",
				Config: `input { stdin { } }
filter {
  urldecode { }
  mutate { remove_field => ["event", "host", "@version", "@timestamp"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  "q=caf%C3%A9+cr%c3%a8me%2x%41\n",
				Output: `{"message":"q=café+crème%2xA"}` + "\n",
			}},
		},
		New: newURLDecode,
	})
}

// InvalidCharsetWarning is what Logstash's charset converter logs when the
// decoded bytes are not valid in the charset.
const InvalidCharsetWarning = "Received an event that has a different character encoding than you configured."

func decoderFor(name string) (*encoding.Decoder, error) {
	switch strings.ToUpper(name) {
	case "UTF-8", "BINARY", "ASCII-8BIT":
		return nil, nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unsupported charset %q", name)
	}
	return enc.NewDecoder(), nil
}

func checkCharset(name string) error {
	_, err := decoderFor(name)
	return err
}

type urldecode struct {
	log          *slog.Logger
	field        string
	allFields    bool
	tagOnFailure []string
	charset      string
	binary       bool
	decoder      *encoding.Decoder
}

func newURLDecode(s *plugin.Settings) (plugin.Filter, error) {
	f := &urldecode{
		log:          s.Logger(),
		field:        optField.Get(s),
		allFields:    optAllFields.Get(s),
		tagOnFailure: optTagOnFailure.Get(s),
		charset:      optCharset.Get(s),
	}
	f.binary = strings.EqualFold(f.charset, "BINARY") || strings.EqualFold(f.charset, "ASCII-8BIT")
	f.decoder, _ = decoderFor(f.charset)
	return f, nil
}

var escapes = regexp.MustCompile(`(?:%[0-9a-fA-F]{2})+`)

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// unescape turns every %XX run into its bytes; a + is left as it is.
func unescape(s string) string {
	return escapes.ReplaceAllStringFunc(s, func(run string) string {
		b := make([]byte, 0, len(run)/3)
		for i := 0; i+2 < len(run); i += 3 {
			b = append(b, unhex(run[i+1])<<4|unhex(run[i+2]))
		}
		return string(b)
	})
}

// convert is Logstash's charset conversion of the decoded text.
func (f *urldecode) convert(s string) string {
	switch {
	case f.binary:
		return s
	case f.decoder != nil:
		out, err := f.decoder.String(s)
		if err != nil {
			return strings.ToValidUTF8(s, "\uFFFD")
		}
		return out
	case utf8.ValidString(s):
		return s
	}
	escaped := string(ruby.AppendInspectBody(nil, s))
	f.log.Warn(InvalidCharsetWarning, slog.String("text", escaped), slog.String("expected_charset", f.charset))
	return escaped
}

func (f *urldecode) decode(v any) any {
	switch t := v.(type) {
	case string:
		return f.convert(unescape(t))
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = f.decode(x)
		}
		return out
	case *event.Map:
		out := event.NewMap(t.Len())
		t.Range(func(k string, x any) bool {
			out.Set(k, f.decode(x))
			return true
		})
		return out
	}
	return v
}

// Filter always matches; a field that cannot be set tags the event.
func (f *urldecode) Filter(e *event.Event, _ func(*event.Event)) bool {
	var err error
	if f.allFields {
		keys := append([]string(nil), e.Data().Keys()...)
		for _, k := range keys {
			v, _ := e.Data().Get(k)
			if err = e.Set(k, f.decode(v)); err != nil {
				break
			}
		}
	} else {
		v, _ := e.Get(f.field)
		err = e.Set(f.field, f.decode(v))
	}
	if err != nil {
		for _, t := range f.tagOnFailure {
			e.Tag(t)
		}
	}
	return true
}
