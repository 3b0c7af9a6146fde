// Package textcodec holds what Logstash's text codecs (plain, line, json,
// json_lines) share: charset conversion of input bytes, the buffered line
// tokenizer, the events of a text line or a JSON document, and Event#to_s,
// their default encoding.
package textcodec

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/gostash/gostash/internal/ruby"
)

// CharsetDoc is the doc line of the codecs' charset option.
const CharsetDoc = "The character encoding of the input; other encodings are converted to UTF-8. " +
	"Input that claims UTF-8 but is not valid keeps its invalid bytes as \\xNN escapes."

type charsetKind int

const (
	charsetUTF8 charsetKind = iota
	charsetBinary
	charsetASCII
	charsetSingleByte
	charsetTranscode
)

// Converter is Logstash's LogStash::Util::Charset: it turns input bytes in
// the configured charset into UTF-8 text. It is not safe for concurrent
// use (a codec instance decodes one stream).
type Converter struct {
	kind    charsetKind
	decoder *encoding.Decoder
	// table decodes a single-byte charset.
	table *[256]rune
}

// NewConverter returns the converter for a charset name Ruby knows (see
// CharsetNames), or an error when gostash cannot decode that charset.
func NewConverter(name string) (*Converter, error) {
	switch strings.ToUpper(name) {
	case "UTF-8", "CP65001", "LOCALE", "EXTERNAL", "FILESYSTEM", "INTERNAL":
		// Logstash runs with UTF-8 as Ruby's default external encoding.
		return &Converter{kind: charsetUTF8}, nil
	case "ASCII-8BIT", "BINARY":
		return &Converter{kind: charsetBinary}, nil
	case "US-ASCII", "ASCII", "ANSI_X3.4-1968", "646":
		return &Converter{kind: charsetASCII}, nil
	case "UTF8-MAC", "UTF-8-MAC", "UTF-8-HFS", "UTF8-DOCOMO", "UTF8-KDDI", "UTF8-SOFTBANK", "CESU-8":
		// Ruby transcodes these like any other non-UTF-8 encoding: valid
		// bytes are kept and invalid ones replaced. (gostash applies no
		// Unicode normalisation or carrier emoji mapping.)
		return transcoder(name, unicode.UTF8), nil
	case "UTF-16BE", "UCS-2BE":
		return transcoder(name, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)), nil
	case "UTF-16LE":
		return transcoder(name, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)), nil
	case "UTF-16":
		return transcoder(name, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)), nil
	case "UTF-32BE", "UCS-4BE":
		return transcoder(name, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)), nil
	case "UTF-32LE", "UCS-4LE":
		return transcoder(name, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)), nil
	case "UTF-32":
		return transcoder(name, utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)), nil
	}
	for _, candidate := range []string{name, rubyToIANA(name)} {
		if enc, err := ianaindex.IANA.Encoding(candidate); err == nil && enc != nil {
			return transcoder(name, enc), nil
		}
		if enc, err := htmlindex.Get(candidate); err == nil {
			return transcoder(name, enc), nil
		}
	}
	return nil, fmt.Errorf("charset %q is not supported by gostash", name)
}

// rubyByteOverrides are the bytes where Ruby's single-byte tables differ
// from the WHATWG/IANA ones x/text has.
var rubyByteOverrides = map[string]map[byte]rune{
	"KOI8-U":   {0xAE: 0x255D, 0xBE: 0x256C},                       // RFC 2319 box drawing, not KOI8-RU's ў/Ў
	"MACROMAN": {0xBD: 0x2126, 0xDB: 0x00A4, 0xF0: utf8.RuneError}, // Ohm sign, currency sign, no Apple logo
}

// rubyToIANA maps Ruby's spellings of code pages to IANA/WHATWG names (the
// nearest superset x/text decodes, for the vendor variants).
func rubyToIANA(name string) string {
	upper := strings.ToUpper(name)
	switch upper {
	case "EUCJP", "EUCJP-MS", "EUC-JP-MS", "CP51932":
		return "EUC-JP"
	case "EUCKR", "CP949":
		return "EUC-KR"
	case "EUC-CN", "EUCCN", "GB2312":
		return "GBK"
	case "CP950", "CP951":
		return "Big5"
	case "SJIS", "PCK", "CSWINDOWS31J", "CP932", "SJIS-DOCOMO", "SJIS-KDDI", "SJIS-SOFTBANK":
		return "Shift_JIS"
	case "ISO2022-JP", "ISO-2022-JP-KDDI", "STATELESS-ISO-2022-JP", "STATELESS-ISO-2022-JP-KDDI":
		return "ISO-2022-JP"
	case "TIS-620", "CP874":
		return "windows-874"
	case "CP878":
		return "KOI8-R"
	}
	switch {
	case strings.HasPrefix(upper, "CP") && len(upper) == 6 && upper[2] == '1':
		return "windows-" + upper[2:] // CP1252
	case strings.HasPrefix(upper, "CP"):
		return "IBM" + upper[2:] // CP437, CP850
	case strings.HasPrefix(upper, "ISO8859-"):
		return "ISO-8859-" + upper[len("ISO8859-"):]
	case upper == "MACROMAN":
		return "macintosh"
	case upper == "MACCYRILLIC":
		return "x-mac-cyrillic"
	}
	return name
}

// transcoder decodes with enc; single-byte charsets get a table, adjusted
// to Ruby's where the tables differ: ISO-8859 charsets keep the C1
// controls (0x80-0x9F) that the WHATWG tables leave undefined.
func transcoder(name string, enc encoding.Encoding) *Converter {
	cm, ok := enc.(*charmap.Charmap)
	if !ok {
		return &Converter{kind: charsetTranscode, decoder: enc.NewDecoder()}
	}
	var table [256]rune
	for b := 0; b < 256; b++ {
		table[b] = cm.DecodeByte(byte(b))
	}
	upper := strings.ToUpper(name)
	if strings.HasPrefix(upper, "ISO-8859-") || strings.HasPrefix(upper, "ISO8859-") {
		for b := 0x80; b <= 0x9F; b++ {
			table[b] = rune(b)
		}
	}
	for b, r := range rubyByteOverrides[upper] {
		table[b] = r
	}
	return &Converter{kind: charsetSingleByte, table: &table}
}

// ConvertBytes is Convert returning bytes; valid UTF-8 (and BINARY) input
// is returned as is, without a copy.
func (c *Converter) ConvertBytes(data []byte) (text []byte, escaped bool) {
	switch c.kind {
	case charsetUTF8:
		if utf8.Valid(data) {
			return data, false
		}
		return ruby.AppendInspectBody(make([]byte, 0, len(data)+16), string(data)), true
	case charsetBinary:
		return data, false
	}
	s, escaped := c.Convert(data)
	return []byte(s), escaped
}

// Convert returns data as UTF-8 text. For UTF-8 input that is not valid,
// the text is Ruby's inspect of it without the quotes (invalid bytes become
// \xNN, quotes \", newlines \n ...) and escaped reports true: Logstash logs
// a warning then. Other charsets are transcoded with invalid and unmapped
// bytes replaced by U+FFFD; BINARY keeps the bytes as they are.
func (c *Converter) Convert(data []byte) (text string, escaped bool) {
	switch c.kind {
	case charsetUTF8:
		if utf8.Valid(data) {
			return string(data), false
		}
		return string(ruby.AppendInspectBody(make([]byte, 0, len(data)+16), string(data))), true
	case charsetBinary:
		return string(data), false
	case charsetASCII:
		for _, b := range data {
			if b >= utf8.RuneSelf {
				return asciiReplaced(data), false
			}
		}
		return string(data), false
	}
	if c.kind == charsetSingleByte {
		out := make([]byte, 0, len(data)+len(data)/2)
		for _, b := range data {
			out = utf8.AppendRune(out, c.table[b])
		}
		return string(out), false
	}
	out, err := c.decoder.Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD"), false
	}
	return string(out), false
}

func asciiReplaced(data []byte) string {
	var sb strings.Builder
	sb.Grow(len(data) + 8)
	for _, b := range data {
		if b >= utf8.RuneSelf {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteByte(b)
		}
	}
	return sb.String()
}

// InvalidCharsetWarning is what Logstash logs when UTF-8 input is not valid.
const InvalidCharsetWarning = "Received an event that has a different character encoding than you configured."
