// Package json_lines is Logstash's json_lines codec: a stream of JSON
// documents, one per delimited line; events encode as compact JSON plus
// the delimiter.
package json_lines

import (
	"log/slog"

	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// defaultSizeLimit is Logstash's default decode_size_limit_bytes, 512 MiB.
const defaultSizeLimit = 512 * 1024 * 1024

var (
	optCharset              = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
	optDelimiter            = plugin.String("delimiter").Default("\n").Doc("The text that ends a line, when decoding and encoding.")
	optDecodeSizeLimitBytes = plugin.Int("decode_size_limit_bytes").Default(defaultSizeLimit).Doc("The longest line, in bytes, that is decoded. A longer line closes the connection it came on (tcp), gets the request refused with 413 (http), or is discarded with an error where the input cannot refuse it (file, stdin).")
	optTarget               = plugin.FieldRef("target").Doc("The field to put each decoded object under; without it its fields go to the top level of the event.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "json_lines",
			Summary: "Newline-delimited JSON: one event per line; events encode as compact JSON followed by the delimiter.",
			Options: []plugin.Declared{optCharset, optDelimiter, optDecodeSizeLimitBytes, optTarget, plugin.ECS},
		},
		New: newCodec,
	})
}

// Codec is a json_lines codec instance: decoding state for one stream, and
// an encoder any number of goroutines may share.
type Codec struct {
	delimiter string
	tokenizer *textcodec.Tokenizer
	decoder   *textcodec.JSONDecoder
	logger    *slog.Logger
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{delimiter: optDelimiter.Get(s), logger: s.Logger()}
	if c.delimiter == "" {
		return nil, optDelimiter.Errorf(s, "the delimiter must not be empty")
	}
	limit := optDecodeSizeLimitBytes.Get(s)
	if limit <= 0 {
		return nil, optDecodeSizeLimitBytes.Errorf(s, "decode_size_limit_bytes must be a positive number of bytes, got %d", limit)
	}
	if !optDecodeSizeLimitBytes.IsSet(s) {
		textcodec.LogOnce("limit:"+s.Pos().String(), func() {
			c.logger.With(logging.LoggerKey, "deprecation.logstash.codecs.jsonlines").Warn(
				"The default value for `decode_size_limit_bytes`, currently at 512MB, will be lowered in a future version to prevent Out of Memory errors from abnormally large messages or missing delimiters. Please set a value that reflects the largest expected message size (e.g. 20971520 for 20MB)")
		})
	}
	c.tokenizer = textcodec.NewTokenizer(c.delimiter, int(limit), optDecodeSizeLimitBytes.Name(), c.logger)
	var err error
	if c.decoder, err = textcodec.NewJSONDecoder(s, optCharset, optTarget, slog.LevelWarn); err != nil {
		return nil, err
	}
	return c, nil
}

// Decode parses every line data completes; blank lines give no event and
// a line that is not a JSON object (or array of objects) gives a
// _jsonparsefailure event holding it.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.tokenizer.Extract(data, func(line []byte) { c.parse(line, emit) })
}

// DecodeStream is Decode that stops at a line longer than
// decode_size_limit_bytes with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.tokenizer.ExtractStream(data, func(line []byte) { c.parse(line, emit) })
}

// Flush parses the buffered unterminated line, if any.
func (c *Codec) Flush(emit func(*event.Event)) {
	if rest := c.tokenizer.Flush(); len(rest) > 0 {
		c.parse(rest, emit)
	}
}

func (c *Codec) parse(line []byte, emit func(*event.Event)) {
	_, events, _ := c.decoder.Decode(line)
	for _, e := range events {
		emit(e)
	}
}

// Encode appends the event as compact JSON (without @metadata) and the
// delimiter.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	dst = event.AppendJSON(dst, e.Data())
	return append(dst, c.delimiter...)
}
