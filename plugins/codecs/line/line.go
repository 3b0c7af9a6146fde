// Package line is Logstash's line codec: input split into lines on a
// delimiter, one event per line; events encode as text plus the delimiter.
package line

import (
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optFormat    = plugin.String("format").Doc("A sprintf format for encoding events, such as \"%{message}\"; without it events encode as \"<@timestamp> <host> <message>\".")
	optCharset   = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
	optDelimiter = plugin.String("delimiter").Default("\n").Doc("The text that ends a line, when decoding and encoding; it may be several characters long.")
	// Logstash's line codec has no such option and buffers a line without
	// bound; see textcodec.DefaultLineLimit for the default.
	optDecodeSizeLimitBytes = plugin.Int("decode_size_limit_bytes").Default(textcodec.DefaultLineLimit).AtLeast(1).Doc("The longest line, in bytes, that is decoded (a gostash option; Logstash has no limit). A longer line closes the connection it came on (tcp), gets the request refused with 413 (http), or is discarded with an error where the input cannot refuse it (file, stdin).")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "line",
			Summary: "Line-oriented text: one event per delimited line; events encode as text followed by the delimiter.",
			Options: []plugin.Declared{optFormat, optCharset, optDelimiter, optDecodeSizeLimitBytes, plugin.ECS},
		},
		New: newCodec,
	})
}

// Codec is a line codec instance: decoding state for one stream, and an
// encoder any number of goroutines may share.
type Codec struct {
	text      *textcodec.Text
	delimiter string
	tokenizer *textcodec.Tokenizer
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{delimiter: optDelimiter.Get(s)}
	if c.delimiter == "" {
		return nil, optDelimiter.Errorf(s, "the delimiter must not be empty")
	}
	c.tokenizer = textcodec.NewTokenizer(c.delimiter, int(optDecodeSizeLimitBytes.Get(s)), optDecodeSizeLimitBytes.Name(), s.Logger())
	var err error
	if c.text, err = textcodec.NewText(s, optCharset, optFormat); err != nil {
		return nil, err
	}
	return c, nil
}

// Decode emits an event for every line data completes; an unterminated
// last line waits for more data or Flush.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.tokenizer.Extract(data, func(line []byte) { emit(c.text.Event(line)) })
}

// DecodeStream is Decode that stops at a line longer than
// decode_size_limit_bytes with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.tokenizer.ExtractStream(data, func(line []byte) { emit(c.text.Event(line)) })
}

// Flush emits the buffered unterminated line, if it is not empty.
func (c *Codec) Flush(emit func(*event.Event)) {
	if rest := c.tokenizer.Flush(); len(rest) > 0 {
		emit(c.text.Event(rest))
	}
}

// Encode appends the formatted event, or Event#to_s, and the delimiter.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return append(c.text.AppendEncoded(dst, e), c.delimiter...)
}
