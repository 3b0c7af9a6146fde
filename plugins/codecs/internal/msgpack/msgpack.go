// Package msgpack reads and writes MessagePack as Ruby's msgpack gem does
// for Logstash's msgpack and fluent codecs: values decode into event values
// (binary and text strings alike become strings), and event values encode
// with the smallest integer formats, float 64 for floats and str for
// strings.
package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// Ext is an extension value of a type the reader was not told about; an
// event cannot hold it.
type Ext struct {
	Type int8
	Data []byte
}

// ErrIncomplete means the data ends inside a value: a stream reader waits
// for more.
var ErrIncomplete = errors.New("msgpack: incomplete data")

// Decoder reads values. Exts maps extension types to readers (the fluent
// codec's EventTime); other types come back as Ext.
type Decoder struct {
	Exts map[int8]func(data []byte) (any, error)
}

// Decode reads the value at the start of b and returns it with the number
// of bytes it took.
func (d *Decoder) Decode(b []byte) (any, int, error) {
	r := &reader{b: b, exts: d.Exts}
	v, err := r.value(0)
	return v, r.i, err
}

type reader struct {
	b    []byte
	i    int
	exts map[int8]func([]byte) (any, error)
}

func (r *reader) take(n int) ([]byte, error) {
	if n < 0 || r.i+n > len(r.b) || r.i+n < r.i {
		return nil, ErrIncomplete
	}
	out := r.b[r.i : r.i+n]
	r.i += n
	return out, nil
}

func (r *reader) uint(n int) (uint64, error) {
	b, err := r.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

const maxDepth = 512

func (r *reader) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("msgpack: nesting too deep")
	}
	head, err := r.take(1)
	if err != nil {
		return nil, err
	}
	c := head[0]
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c >= 0x80 && c <= 0x8f:
		return r.mapOf(int(c&0x0f), depth)
	case c >= 0x90 && c <= 0x9f:
		return r.arrayOf(int(c&0x0f), depth)
	case c >= 0xa0 && c <= 0xbf:
		return r.str(int(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb:
		n, err := r.uint(map[byte]int{0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4}[c])
		if err != nil {
			return nil, err
		}
		return r.str(int(n))
	case 0xc7, 0xc8, 0xc9:
		n, err := r.uint(map[byte]int{0xc7: 1, 0xc8: 2, 0xc9: 4}[c])
		if err != nil {
			return nil, err
		}
		return r.ext(int(n))
	case 0xca:
		v, err := r.uint(4)
		return float64(math.Float32frombits(uint32(v))), err
	case 0xcb:
		v, err := r.uint(8)
		return math.Float64frombits(v), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, err := r.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		if v > math.MaxInt64 {
			return new(big.Int).SetUint64(v), nil
		}
		return int64(v), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		v, err := r.uint(size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*size
		return int64(v<<shift) >> shift, nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return r.ext(1 << (c - 0xd4))
	case 0xdc, 0xdd:
		n, err := r.uint(map[byte]int{0xdc: 2, 0xdd: 4}[c])
		if err != nil {
			return nil, err
		}
		return r.arrayOf(int(n), depth)
	case 0xde, 0xdf:
		n, err := r.uint(map[byte]int{0xde: 2, 0xdf: 4}[c])
		if err != nil {
			return nil, err
		}
		return r.mapOf(int(n), depth)
	}
	return nil, fmt.Errorf("invalid byte")
}

func (r *reader) str(n int) (any, error) {
	b, err := r.take(n)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (r *reader) ext(n int) (any, error) {
	t, err := r.take(1)
	if err != nil {
		return nil, err
	}
	data, err := r.take(n)
	if err != nil {
		return nil, err
	}
	typ := int8(t[0])
	if read, ok := r.exts[typ]; ok {
		return read(data)
	}
	return Ext{Type: typ, Data: append([]byte(nil), data...)}, nil
}

func (r *reader) arrayOf(n int, depth int) (any, error) {
	if n > len(r.b)-r.i {
		return nil, ErrIncomplete
	}
	out := make([]any, n)
	for i := range out {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Pairs is a decoded map: keys and values in turn, keys as decoded.
type Pairs []any

func (r *reader) mapOf(n int, depth int) (any, error) {
	if n > len(r.b)-r.i {
		return nil, ErrIncomplete
	}
	out := make(Pairs, 0, 2*n)
	for i := 0; i < 2*n; i++ {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ToEvent turns a decoded value into event values as Logstash stores the
// Ruby values: maps become *event.Map with keys as Ruby's to_s gives them.
// An extension value cannot be stored and is an error.
func ToEvent(v any) (any, error) {
	switch t := v.(type) {
	case Pairs:
		m := event.NewMap(len(t) / 2)
		for i := 0; i < len(t); i += 2 {
			val, err := ToEvent(t[i+1])
			if err != nil {
				return nil, err
			}
			k, err := keyString(t[i])
			if err != nil {
				return nil, err
			}
			m.Set(k, val)
		}
		return m, nil
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			c, err := ToEvent(it)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case Ext:
		return nil, fmt.Errorf("Missing Converter handling for full class name=org.jruby.RubyObject, simple name=RubyObject (MessagePack::ExtensionValue type=%d)", t.Type)
	}
	return v, nil
}

func keyString(k any) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case nil:
		return "", nil
	case Pairs, []any:
		c, err := ToEvent(t)
		if err != nil {
			return "", err
		}
		return ruby.Inspect(c), nil
	case Ext:
		return "", fmt.Errorf("Missing Converter handling for a MessagePack::ExtensionValue key")
	}
	return ruby.ToS(k), nil
}

// Inspect renders a decoded value the way Ruby's inspect shows it, for a
// failure event's message when the value cannot be stored as is.
func Inspect(v any) any {
	switch t := v.(type) {
	case Pairs:
		m := event.NewMap(len(t) / 2)
		for i := 0; i < len(t); i += 2 {
			k, err := keyString(t[i])
			if err != nil {
				k = fmt.Sprint(t[i])
			}
			m.Set(k, Inspect(t[i+1]))
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			out[i] = Inspect(it)
		}
		return out
	case Ext:
		return fmt.Sprintf("#<struct MessagePack::ExtensionValue type=%d, payload=%s>", t.Type, ruby.Inspect(string(t.Data)))
	}
	return v
}

// Append writes an event value as the msgpack gem packs the Ruby value.
// Values the gem cannot pack (a BigDecimal, a timestamp, an integer past
// 64 bits) are errors.
func Append(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(b, 0xc0), nil
	case bool:
		if t {
			return append(b, 0xc3), nil
		}
		return append(b, 0xc2), nil
	case int64:
		return AppendInt(b, t), nil
	case *big.Int:
		if t.Sign() >= 0 && t.IsUint64() {
			return binary.BigEndian.AppendUint64(append(b, 0xcf), t.Uint64()), nil
		}
		return b, fmt.Errorf("bignum too big to convert into 'unsigned long long'")
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(t)), nil
	case string:
		return AppendString(b, t), nil
	case []any:
		b = appendLen(b, len(t), 0x90, 0xdc, 0xdd)
		var err error
		for _, it := range t {
			if b, err = Append(b, it); err != nil {
				return b, err
			}
		}
		return b, nil
	case *event.Map:
		b = appendLen(b, t.Len(), 0x80, 0xde, 0xdf)
		var err error
		t.Range(func(k string, val any) bool {
			b = AppendString(b, k)
			b, err = Append(b, val)
			return err == nil
		})
		return b, err
	case event.Decimal:
		return b, fmt.Errorf("undefined method `to_msgpack' for %s:BigDecimal", t.RubyToS())
	case event.Timestamp:
		return b, fmt.Errorf("undefined method `to_msgpack' for %s:LogStash::Timestamp", t)
	}
	return b, fmt.Errorf("cannot pack %T", v)
}

// AppendInt writes an integer in its smallest format.
func AppendInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 0x7f:
		return append(b, byte(n))
	case n >= -32 && n < 0:
		return append(b, byte(int8(n)))
	case n >= 0 && n <= math.MaxUint8:
		return append(b, 0xcc, byte(n))
	case n >= 0 && n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= math.MinInt8:
		return append(b, 0xd0, byte(int8(n)))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

// AppendString writes a UTF-8 string in the smallest str format.
func AppendString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

// AppendExt writes an extension value in the smallest ext format.
func AppendExt(b []byte, typ int8, data []byte) []byte {
	switch n := len(data); n {
	case 1, 2, 4, 8, 16:
		b = append(b, map[int]byte{1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8}[n])
	default:
		switch {
		case n <= math.MaxUint8:
			b = append(b, 0xc7, byte(n))
		case n <= math.MaxUint16:
			b = binary.BigEndian.AppendUint16(append(b, 0xc8), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xc9), uint32(n))
		}
	}
	return append(append(b, byte(typ)), data...)
}

func appendLen(b []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, b32), uint32(n))
}
