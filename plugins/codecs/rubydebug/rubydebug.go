// Package rubydebug is Logstash's rubydebug codec: events printed the way
// the amazing_print Ruby library shows a hash (`event.to_hash.ai`), the
// default codec of the stdout output.
package rubydebug

import (
	"log/slog"
	"math/big"
	"os"
	"strconv"
	"sync"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/tty"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMetadata = plugin.Bool("metadata").Default(false).Doc("Also print the event's @metadata (as a last \"@metadata\" field) when it is not empty.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "rubydebug",
			Summary: "Prints events as Ruby's amazing_print shows a hash: one field per line, keys right-aligned.",
			Options: []plugin.Declared{optMetadata},
		},
		New: newCodec,
	})
}

// Codec encodes events as amazing_print text. It holds no per-event state,
// so one instance serves concurrent encoders.
type Codec struct {
	metadata bool
	// colour turns on amazing_print's ANSI colours, which it uses when the
	// process's stdout is a terminal (whatever the codec writes to).
	colour bool
	logger *slog.Logger
	// decodeWarned makes the unsupported-decode error appear once per codec.
	decodeWarned sync.Once
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	return &Codec{metadata: optMetadata.Get(s), colour: stdoutWantsColour(), logger: s.Logger()}, nil
}

// stdoutWantsColour is amazing_print's rule, applied to the process's
// stdout whatever the codec writes to.
func stdoutWantsColour() bool { return wantsColour(tty.IsTerminal(os.Stdout), os.LookupEnv) }

// wantsColour: colours on a terminal when TERM is set to anything but
// "dumb" (even empty: Ruby's "" is true), or when ANSICON (Windows) is set.
func wantsColour(terminal bool, lookupEnv func(string) (string, bool)) bool {
	if !terminal {
		return false
	}
	term, hasTerm := lookupEnv("TERM")
	_, hasANSICON := lookupEnv("ANSICON")
	return hasTerm && term != "dumb" || hasANSICON
}

// Decode is not supported by rubydebug; Logstash raises "Not implemented".
// The data is dropped and the error logged once.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.decodeWarned.Do(func() {
		c.logger.Error("Not implemented: the rubydebug codec cannot decode; input data is discarded")
	})
}

// Flush has nothing to flush.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the amazing_print rendering of e's fields and a newline.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	p := printer{colour: c.colour}
	var meta *event.Map
	if c.metadata && e.HasMetadata() {
		meta = e.Metadata()
	}
	dst = p.hash(dst, e.Data(), meta, 4)
	return append(dst, '\n')
}

// SetColour forces colours on or off (tests, and callers that know better
// than the stdout check).
func (c *Codec) SetColour(on bool) { c.colour = on }

// ANSI sequences amazing_print wraps tokens in.
const (
	colourString = "\x1b[0;33m" // yellowish: strings and hash keys
	colourNumber = "\x1b[1;34m" // blue: integers, floats and BigDecimals
	colourTrue   = "\x1b[1;32m" // green
	colourRed    = "\x1b[1;31m" // false and nil
	colourIndex  = "\x1b[1;37m" // white: array index prefixes
	colourReset  = "\x1b[0m"
	arrowPlain   = " => "
	arrowColour  = "\x1b[0;37m => \x1b[0m" // whiteish
)

type printer struct{ colour bool }

const spaces = "                                                                                                    "

func appendSpaces(b []byte, n int) []byte {
	for n > len(spaces) {
		b = append(b, spaces...)
		n -= len(spaces)
	}
	return append(b, spaces[:n]...)
}

// hash prints m at indentation ind (the indentation of its entries); extra,
// when not nil, is printed as a last "@metadata" entry.
func (p printer) hash(b []byte, m *event.Map, extra *event.Map, ind int) []byte {
	keys := m.Keys()
	if len(keys) == 0 && extra == nil {
		return append(b, '{', '}')
	}
	width := 0
	for _, k := range keys {
		if w := ruby.InspectLen(k); w > width {
			width = w
		}
	}
	if extra != nil && width < len(`"@metadata"`) {
		width = len(`"@metadata"`)
	}
	width += ind
	b = append(b, '{', '\n')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',', '\n')
		}
		v, _ := m.Get(k)
		b = p.entry(b, k, v, width, ind)
	}
	if extra != nil {
		if len(keys) > 0 {
			b = append(b, ',', '\n')
		}
		b = p.entry(b, event.MetadataField, extra, width, ind)
	}
	b = append(b, '\n')
	b = appendSpaces(b, ind-4)
	return append(b, '}')
}

func (p printer) entry(b []byte, k string, v any, width, ind int) []byte {
	b = appendSpaces(b, width-ruby.InspectLen(k))
	if p.colour {
		b = append(b, colourString...)
		b = ruby.AppendInspect(b, k)
		b = append(b, colourReset...)
		b = append(b, arrowColour...)
	} else {
		b = ruby.AppendInspect(b, k)
		b = append(b, arrowPlain...)
	}
	return p.value(b, v, ind+4)
}

func (p printer) array(b []byte, a []any, ind int) []byte {
	if len(a) == 0 {
		return append(b, '[', ']')
	}
	digits := len(strconv.Itoa(len(a) - 1))
	b = append(b, '[', '\n')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',', '\n')
		}
		b = appendSpaces(b, ind)
		if p.colour {
			b = append(b, colourIndex...)
		}
		b = append(b, '[')
		b = appendSpaces(b, digits-len(strconv.Itoa(i)))
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ']', ' ')
		if p.colour {
			b = append(b, colourReset...)
		}
		b = p.value(b, v, ind+4)
	}
	b = append(b, '\n')
	b = appendSpaces(b, ind-4)
	return append(b, ']')
}

// value prints v, whose nested entries are indented by ind.
func (p printer) value(b []byte, v any, ind int) []byte {
	switch t := v.(type) {
	case *event.Map:
		return p.hash(b, t, nil, ind)
	case []any:
		return p.array(b, t, ind)
	case string:
		if p.colour {
			b = append(b, colourString...)
			b = ruby.AppendInspect(b, t)
			return append(b, colourReset...)
		}
		return ruby.AppendInspect(b, t)
	case event.Timestamp:
		return t.AppendTo(b)
	case nil:
		return p.colourise(b, colourRed, "nil")
	case bool:
		if t {
			return p.colourise(b, colourTrue, "true")
		}
		return p.colourise(b, colourRed, "false")
	}
	if p.colour {
		b = append(b, colourNumber...)
	}
	switch t := v.(type) {
	case int64:
		b = strconv.AppendInt(b, t, 10)
	case int:
		b = strconv.AppendInt(b, int64(t), 10)
	case *big.Int:
		b = t.Append(b, 10)
	case float64:
		b = ruby.AppendFloat(b, t)
	case event.Decimal:
		b = t.AppendRubyPlain(b) // amazing_print shows BigDecimal#to_s('F')
	default:
		b = append(b, event.ValueString(v)...)
	}
	if p.colour {
		b = append(b, colourReset...)
	}
	return b
}

func (p printer) colourise(b []byte, colour, text string) []byte {
	if !p.colour {
		return append(b, text...)
	}
	b = append(b, colour...)
	b = append(b, text...)
	return append(b, colourReset...)
}
