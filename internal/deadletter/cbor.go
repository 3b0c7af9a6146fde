package deadletter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
)

// Logstash serialises a dead letter's event (Event#serialize) with Jackson's
// CBOR mapper, set up with default typing for every non-final declared type
// (type ids as class names, in WRAPPER_ARRAY form), WRITE_MINIMAL_INTS off
// and the stringref extension on. The result is
//
//	["java.util.HashMap", {"DATA": map, "META": map}]
//
// (the whole inside tag 256, a stringref namespace) where a map is ["org.logstash.ConvertedMap", {key: value...}] and a value
// is one of
//
//	["org.jruby.RubyString", text]       a string
//	["org.jruby.RubyNil", null]          nil
//	["org.logstash.Timestamp", text]     a timestamp, in Timestamp#toString form
//	["org.logstash.ConvertedMap", {...}] a map
//	["org.logstash.ConvertedList", [...]] a list
//	an 8-byte integer, a double, true or false (written without a type id)
//	tag 2 or 3 and a byte string          a Bignum: the magnitude as Java's
//	                                      BigInteger#toByteArray, negated for
//	                                      tag 3 (Jackson writes -n where CBOR
//	                                      says -1-n, and reads it back so)
//	tag 4 [-scale, unscaled]              a BigDecimal
//
// Reading, gostash takes CBOR in general: definite or indefinite lengths,
// stringrefs (tags 256 and 25), any type id (the shape of the value decides),
// scalars with or without a wrapper, since Jackson reads those too, and
// ignores tags it has no use for (self-describe 55799 among them). Writing,
// it uses no stringrefs, which are optional.
const (
	typeHashMap   = "java.util.HashMap"
	typeMap       = "org.logstash.ConvertedMap"
	typeList      = "org.logstash.ConvertedList"
	typeString    = "org.jruby.RubyString"
	typeNil       = "org.jruby.RubyNil"
	typeTimestamp = "org.logstash.Timestamp"
	// RubyTimestamp is how a Ruby-side timestamp would be named; Logstash
	// writes it as typeTimestamp, but a reader takes either.
	typeRubyTimestamp = "org.logstash.ext.JrubyTimestampExtLibrary$RubyTimestamp"

	keyData = "DATA"
	keyMeta = "META"
)

// CBOR major types, in the top three bits of an item's first byte.
const (
	majorUint  = 0
	majorNeg   = 1
	majorBytes = 2
	majorText  = 3
	majorArray = 4
	majorMap   = 5
	majorTag   = 6
	majorOther = 7

	tagBignumPos   = 2
	tagBignumNeg   = 3
	tagDecimal     = 4
	tagStringRef   = 25
	tagStringRefNS = 256

	indefinite = 31
	breakByte  = 0xff

	// maxCBORDepth bounds nesting, so that hostile data cannot exhaust the
	// stack.
	maxCBORDepth = 1000
)

// appendLogstashEvent appends e in Logstash's CBOR form.
func appendLogstashEvent(b []byte, e *event.Event) ([]byte, error) {
	b = appendHead(b, majorArray, 2)
	b = appendText(b, typeHashMap)
	b = appendHead(b, majorMap, 2)
	b = appendText(b, keyData)
	b, err := appendTypedMap(b, e.Data(), 0)
	if err != nil {
		return b, err
	}
	b = appendText(b, keyMeta)
	meta := e.Metadata()
	return appendTypedMap(b, meta, 0)
}

func appendTypedMap(b []byte, m *event.Map, depth int) ([]byte, error) {
	if depth > maxCBORDepth {
		return b, fmt.Errorf("event is nested more than %d levels deep", maxCBORDepth)
	}
	b = appendHead(b, majorArray, 2)
	b = appendText(b, typeMap)
	b = appendHead(b, majorMap, uint64(m.Len()))
	var err error
	m.Range(func(k string, v any) bool {
		b = appendText(b, k)
		b, err = appendTypedValue(b, v, depth+1)
		return err == nil
	})
	return b, err
}

func appendTypedValue(b []byte, v any, depth int) ([]byte, error) {
	switch t := v.(type) {
	case string:
		b = appendHead(b, majorArray, 2)
		b = appendText(b, typeString)
		return appendText(b, t), nil
	case nil:
		b = appendHead(b, majorArray, 2)
		b = appendText(b, typeNil)
		return append(b, 0xf6), nil
	case bool:
		if t {
			return append(b, 0xf5), nil
		}
		return append(b, 0xf4), nil
	case int64:
		return appendLong(b, t), nil
	case int:
		return appendLong(b, int64(t)), nil
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(t)), nil
	case event.Timestamp:
		b = appendHead(b, majorArray, 2)
		b = appendText(b, typeTimestamp)
		return appendText(b, t.String()), nil
	case *event.Map:
		return appendTypedMap(b, t, depth)
	case []any:
		if depth > maxCBORDepth {
			return b, fmt.Errorf("event is nested more than %d levels deep", maxCBORDepth)
		}
		b = appendHead(b, majorArray, 2)
		b = appendText(b, typeList)
		b = appendHead(b, majorArray, uint64(len(t)))
		var err error
		for _, x := range t {
			if b, err = appendTypedValue(b, x, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case *big.Int:
		if t.IsInt64() {
			return appendLong(b, t.Int64()), nil
		}
		return appendBignum(b, t), nil
	case event.Decimal:
		// Jackson: tag 4, [-scale, unscaled], the unscaled value as the
		// shortest of int, long and bignum that holds it.
		b = append(b, 0xc0|tagDecimal)
		b = appendHead(b, majorArray, 2)
		b = appendInt(b, -int64(t.Scale()))
		u := t.Unscaled()
		switch {
		case u.BitLen() <= 31:
			return appendInt(b, u.Int64()), nil
		case u.BitLen() <= 63:
			return appendLong(b, u.Int64()), nil
		}
		return appendBignum(b, u), nil
	}
	return b, fmt.Errorf("cannot write a value of type %T in Logstash's event form", v)
}

// appendHead appends an item's first byte and argument in the shortest form.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

// appendText appends s as a text string. CBOR text must be UTF-8 (Jackson
// reads it into a Java string), so bytes that are not UTF-8 are written as
// U+FFFD.
func appendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

// appendInt is an integer in its shortest form (Jackson's int values).
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendHead(b, majorNeg, uint64(-(v + 1)))
	}
	return appendHead(b, majorUint, uint64(v))
}

// appendLong is an integer in 8 bytes, as Jackson writes a long with
// WRITE_MINIMAL_INTS off.
func appendLong(b []byte, v int64) []byte {
	if v < 0 {
		return binary.BigEndian.AppendUint64(append(b, majorNeg<<5|27), uint64(-(v + 1)))
	}
	return binary.BigEndian.AppendUint64(append(b, majorUint<<5|27), uint64(v))
}

// appendBignum is tag 2 or 3 and the magnitude as BigInteger#toByteArray
// writes it (a leading zero byte when the top bit is set).
func appendBignum(b []byte, n *big.Int) []byte {
	tag := byte(tagBignumPos)
	if n.Sign() < 0 {
		tag = tagBignumNeg
	}
	mag := new(big.Int).Abs(n).Bytes()
	if len(mag) > 0 && mag[0]&0x80 != 0 {
		mag = append([]byte{0}, mag...)
	}
	b = append(b, 0xc0|tag)
	return append(appendHead(b, majorBytes, uint64(len(mag))), mag...)
}

// errNotLogstashEvent is data that is CBOR but not an event as Logstash
// writes it.
var errNotLogstashEvent = errors.New("not an event in Logstash's form")

// decodeLogstashEvent reads an event Logstash (or appendLogstashEvent)
// wrote.
func decodeLogstashEvent(data []byte) (*event.Event, error) {
	d := &cborDecoder{b: data}
	root, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.i != len(data) {
		return nil, fmt.Errorf("%d bytes after the event at byte %d", len(data)-d.i, d.i)
	}
	top, err := fromTyped(root, 0)
	if err != nil {
		return nil, err
	}
	m, ok := top.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("%w: the top is a %T, not a map", errNotLogstashEvent, top)
	}
	dataV, _ := m.Get(keyData)
	data2, ok := dataV.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("%w: no %q map", errNotLogstashEvent, keyData)
	}
	metaV, _ := m.Get(keyMeta)
	meta, ok := metaV.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("%w: no %q map", errNotLogstashEvent, keyMeta)
	}
	// As Logstash does: the metadata goes in as @metadata.
	data2.Set(event.MetadataField, meta)
	return event.NewEventFromMap(data2), nil
}

// fromTyped turns a decoded item at a value's place into an event value:
// an array there is a type wrapper, [type id, value].
func fromTyped(v any, depth int) (any, error) {
	if depth > maxCBORDepth {
		return nil, fmt.Errorf("event is nested more than %d levels deep", maxCBORDepth)
	}
	switch t := v.(type) {
	case []any:
		if len(t) != 2 {
			return nil, fmt.Errorf("%w: an array of %d items where a [type, value] pair belongs", errNotLogstashEvent, len(t))
		}
		id, ok := t[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: a type id that is a %T", errNotLogstashEvent, t[0])
		}
		return fromContent(id, t[1], depth+1)
	case *cborMap:
		return fromMap(t, depth)
	case []byte:
		return string(t), nil
	}
	return v, nil
}

// fromContent is the value a wrapper with type id id holds.
func fromContent(id string, v any, depth int) (any, error) {
	switch t := v.(type) {
	case string:
		if id == typeTimestamp || id == typeRubyTimestamp {
			ts, ok := event.ParseTimestamp(t)
			if !ok {
				return nil, fmt.Errorf("timestamp %q is not ISO-8601", t)
			}
			return ts, nil
		}
		return t, nil
	case *cborMap:
		return fromMap(t, depth)
	case []any:
		list := make([]any, len(t))
		for i, x := range t {
			var err error
			if list[i], err = fromTyped(x, depth+1); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	return fromTyped(v, depth)
}

func fromMap(c *cborMap, depth int) (*event.Map, error) {
	m := event.NewMap(len(c.keys))
	for i, k := range c.keys {
		v, err := fromTyped(c.vals[i], depth+1)
		if err != nil {
			return nil, err
		}
		m.Set(k, v)
	}
	return m, nil
}

// cborMap is a decoded map, keys in the order read.
type cborMap struct {
	keys []string
	vals []any
}

// cborDecoder reads CBOR items. Items decode to int64 or *big.Int, []byte,
// string, []any, *cborMap, float64, bool, nil and event.Decimal.
type cborDecoder struct {
	b []byte
	i int
	// refs is the stringref table of the innermost namespace (tag 256);
	// inNamespace tells whether there is one.
	refs        []any
	inNamespace bool
}

func (d *cborDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("CBOR at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

// head reads an item's first byte and argument. For indefinite lengths
// (info 31) n is 0 and indef is set.
func (d *cborDecoder) head() (major, info byte, n uint64, indef bool, err error) {
	if d.i >= len(d.b) {
		return 0, 0, 0, false, d.errorf("unexpected end")
	}
	c := d.b[d.i]
	d.i++
	major, info = c>>5, c&31
	switch {
	case info < 24:
		return major, info, uint64(info), false, nil
	case info <= 27:
		size := 1 << (info - 24)
		if len(d.b)-d.i < size {
			return 0, 0, 0, false, d.errorf("unexpected end")
		}
		for _, x := range d.b[d.i : d.i+size] {
			n = n<<8 | uint64(x)
		}
		d.i += size
		return major, info, n, false, nil
	case info == indefinite && major != majorUint && major != majorNeg && major != majorTag:
		return major, info, 0, true, nil
	}
	return 0, 0, 0, false, d.errorf("reserved additional information %d", info)
}

// length checks that n items of at least one byte each can follow.
func (d *cborDecoder) length(n uint64) (int, error) {
	if n > uint64(len(d.b)-d.i) {
		return 0, d.errorf("length %d past the end", n)
	}
	return int(n), nil
}

func (d *cborDecoder) atBreak() bool { return d.i < len(d.b) && d.b[d.i] == breakByte }

func (d *cborDecoder) item(depth int) (any, error) {
	if depth > maxCBORDepth {
		return nil, d.errorf("nested more than %d levels deep", maxCBORDepth)
	}
	major, info, n, indef, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		if n > math.MaxInt64 {
			return new(big.Int).SetUint64(n), nil
		}
		return int64(n), nil
	case majorNeg:
		if n > math.MaxInt64 {
			v := new(big.Int).SetUint64(n)
			return v.Neg(v.Add(v, big.NewInt(1))), nil
		}
		return -int64(n) - 1, nil
	case majorBytes, majorText:
		b, err := d.stringBody(major, n, indef)
		if err != nil {
			return nil, err
		}
		var s any = b
		if major == majorText {
			s = string(b)
		}
		if !indef {
			d.remember(s, len(b))
		}
		return s, nil
	case majorArray:
		var list []any
		for k := 0; indef && !d.atBreak() || !indef && uint64(k) < n; k++ {
			if !indef && k == 0 {
				if _, err := d.length(n); err != nil {
					return nil, err
				}
				list = make([]any, 0, n)
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		if indef {
			if !d.atBreak() {
				return nil, d.errorf("unexpected end")
			}
			d.i++
		}
		if list == nil {
			list = []any{}
		}
		return list, nil
	case majorMap:
		m := &cborMap{}
		if !indef {
			if _, err := d.length(n); err != nil {
				return nil, err
			}
		}
		for k := 0; indef && !d.atBreak() || !indef && uint64(k) < n; k++ {
			kv, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			key, ok := kv.(string)
			if !ok {
				return nil, d.errorf("a map key that is a %T", kv)
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			m.keys, m.vals = append(m.keys, key), append(m.vals, v)
		}
		if indef {
			if !d.atBreak() {
				return nil, d.errorf("unexpected end")
			}
			d.i++
		}
		return m, nil
	case majorTag:
		return d.tagged(n, depth)
	}
	// Major type 7: simple values and floats.
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return halfToFloat(uint16(n)), nil
	case 26:
		return float64(math.Float32frombits(uint32(n))), nil
	case 27:
		return math.Float64frombits(n), nil
	}
	return nil, d.errorf("unsupported simple value %d", n)
}

// stringBody reads a byte or text string's bytes; an indefinite one is
// the concatenation of definite chunks of its own major type.
func (d *cborDecoder) stringBody(major byte, n uint64, indef bool) ([]byte, error) {
	if !indef {
		size, err := d.length(n)
		if err != nil {
			return nil, err
		}
		s := d.b[d.i : d.i+size]
		d.i += size
		return s, nil
	}
	var s []byte
	for !d.atBreak() {
		m, _, cn, cindef, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || cindef {
			return nil, d.errorf("bad chunk in an indefinite-length string")
		}
		size, err := d.length(cn)
		if err != nil {
			return nil, err
		}
		s = append(s, d.b[d.i:d.i+size]...)
		d.i += size
	}
	if d.i >= len(d.b) {
		return nil, d.errorf("unexpected end")
	}
	d.i++
	if s == nil {
		s = []byte{}
	}
	return s, nil
}

// remember adds a definite-length string to the stringref table when it
// is long enough to be worth a reference at the table's size (the
// stringref extension's rule).
func (d *cborDecoder) remember(s any, size int) {
	if !d.inNamespace {
		return
	}
	n := len(d.refs)
	var least int
	switch {
	case n < 24:
		least = 3
	case n < 256:
		least = 4
	case n < 65536:
		least = 5
	case n < 1<<32:
		least = 7
	default:
		least = 11
	}
	if size >= least {
		d.refs = append(d.refs, s)
	}
}

func (d *cborDecoder) tagged(tag uint64, depth int) (any, error) {
	switch tag {
	case tagStringRefNS:
		outerRefs, outerIn := d.refs, d.inNamespace
		d.refs, d.inNamespace = nil, true
		v, err := d.item(depth + 1)
		d.refs, d.inNamespace = outerRefs, outerIn
		return v, err
	case tagStringRef:
		at := d.i
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		idx, ok := v.(int64)
		if !ok || !d.inNamespace || idx < 0 || idx >= int64(len(d.refs)) {
			d.i = at
			return nil, d.errorf("stringref %v has no string", v)
		}
		return d.refs[idx], nil
	case tagBignumPos, tagBignumNeg:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		b, ok := v.([]byte)
		if !ok {
			return nil, d.errorf("a bignum that is a %T", v)
		}
		// Jackson reads the bytes as a signed BigInteger and, for tag 3,
		// negates it: the inverse of how it writes.
		n := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		if tag == tagBignumNeg {
			n.Neg(n)
		}
		if n.IsInt64() {
			return n.Int64(), nil
		}
		return n, nil
	case tagDecimal:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		pair, ok := v.([]any)
		if !ok || len(pair) != 2 {
			return nil, d.errorf("a decimal that is not [exponent, mantissa]")
		}
		exp, ok := pair[0].(int64)
		if !ok || exp > math.MaxInt32 || -exp > math.MaxInt32 {
			return nil, d.errorf("a decimal exponent that is not a Java int")
		}
		var unscaled *big.Int
		switch m := pair[1].(type) {
		case int64:
			unscaled = big.NewInt(m)
		case *big.Int:
			unscaled = m
		default:
			return nil, d.errorf("a decimal mantissa that is a %T", pair[1])
		}
		return event.NewDecimal(unscaled, int32(-exp)), nil
	}
	// Any other tag (self-describe 55799 among them) adds nothing gostash
	// uses: the tagged item stands for itself.
	return d.item(depth + 1)
}

// halfToFloat widens an IEEE 754 half-precision value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(frac+1024, exp-25)
}
