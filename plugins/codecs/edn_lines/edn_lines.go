// Package edn_lines is Logstash's edn_lines codec: one EDN document per
// line, and events encode as EDN maps, one per line.
package edn_lines

import (
	"log/slog"

	ednfmt "github.com/gostash/gostash/plugins/codecs/internal/edn"
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var optTarget = plugin.FieldRef("target").Doc("The field to put each decoded value under; without it each document must be a map, whose keys become top-level fields.")

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "edn_lines",
			Summary: "Newline-delimited EDN: one EDN document per line; events encode as one EDN map per line.",
			Options: []plugin.Declared{optTarget},
			Examples: []plugin.Example{{
				Title: "Read EDN lines",
				Config: `input { stdin { codec => edn_lines } }
filter { mutate { remove_field => ["event", "host", "@version"] } }
output { stdout { codec => json_lines } }
`,
				Input:  "{:user \"ann\" :roles [:admin :dev] :logins 3}\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","user":"ann","roles":["admin","dev"],"logins":3}` + "\n",
			}},
		},
		New: newCodec,
	})
}

// Codec is an edn_lines codec instance: line buffering for one stream, and
// an encoder any number of goroutines may share.
type Codec struct {
	log       *slog.Logger
	decoder   *ednfmt.Decoder
	tokenizer *textcodec.Tokenizer
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	d, err := ednfmt.NewDecoder(s, optTarget)
	if err != nil {
		return nil, err
	}
	return &Codec{log: s.Logger(), decoder: d, tokenizer: textcodec.NewTokenizer("\n", textcodec.DefaultLineLimit, "the edn_lines codec's line limit", s.Logger())}, nil
}

// Decode makes an event of each complete line. A line that is not EDN
// gives an event whose message is the whole chunk being decoded, as
// Logstash's codec does.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.tokenizer.Extract(data, func(line []byte) { emit(c.decoder.Event(line, data)) })
}

// DecodeStream is Decode that stops at a line longer than
// textcodec.DefaultLineLimit with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.tokenizer.ExtractStream(data, func(line []byte) { emit(c.decoder.Event(line, data)) })
}

// Flush drops an unterminated last line: Logstash's codec has no flush.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the event as an EDN map and a newline.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return ednfmt.Encode(c.log, dst, e, "\n")
}
