package event

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"
)

// The binary form of an event is what the persisted queue stores: compact,
// quick to write and read, and exact for every value an event holds, so an
// event read back from disk is the event that was written. Layout:
//
//	event  = version(1) flags(1) mapBody(data) [mapBody(metadata)]
//	mapBody = uvarint(n) n × (uvarint(len) key-bytes value)
//	value  = tag(1) payload
//
// with the payload by tag:
//
//	nil, false, true   nothing
//	int                zigzag varint
//	float              8 bytes, the IEEE 754 bits little-endian (NaN payloads and -0 kept)
//	string             uvarint(len) bytes (any bytes: strings need not be UTF-8)
//	bigPos, bigNeg     uvarint(len) big-endian magnitude (a *big.Int, whatever its size)
//	decimal            zigzag varint(scale), then the unscaled value: nil, int, bigPos or bigNeg
//	timestamp          zigzag varint(Unix seconds) uvarint(nanoseconds)
//	map                mapBody
//	list               uvarint(n) n × value
//
// The metadata map follows only when flags has binaryHasMetadata. Go ints
// are written as int and read back as int64, the type events hold.
const (
	binaryVersion     = 1
	binaryHasMetadata = 1 << 0
	// binaryMaxDepth bounds nesting, so a cyclic value fails to encode
	// instead of recursing for ever.
	binaryMaxDepth = 10000
)

const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagInt
	tagFloat
	tagString
	tagBigPos
	tagBigNeg
	tagDecimal
	tagTimestamp
	tagMap
	tagList
)

var errBinaryDepth = fmt.Errorf("event is nested more than %d levels deep", binaryMaxDepth)

// AppendBinary appends e's binary form to b. It fails only on a value of a
// type events do not hold, or on nesting past binaryMaxDepth.
func AppendBinary(b []byte, e *Event) ([]byte, error) {
	var flags byte
	hasMeta := e.meta != nil && e.meta.Len() > 0
	if hasMeta {
		flags |= binaryHasMetadata
	}
	b = append(b, binaryVersion, flags)
	b, err := appendBinaryMap(b, e.data, 0)
	if err != nil || !hasMeta {
		return b, err
	}
	return appendBinaryMap(b, e.meta, 0)
}

func appendBinaryMap(b []byte, m *Map, depth int) ([]byte, error) {
	if depth > binaryMaxDepth {
		return b, errBinaryDepth
	}
	b = appendUvarint(b, uint64(len(m.keys)))
	var err error
	for i, k := range m.keys {
		b = appendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		if b, err = appendBinaryValue(b, m.vals[i], depth); err != nil {
			return b, err
		}
	}
	return b, nil
}

func appendBinaryValue(b []byte, v any, depth int) ([]byte, error) {
	switch t := v.(type) {
	case string:
		b = append(b, tagString)
		b = appendUvarint(b, uint64(len(t)))
		return append(b, t...), nil
	case int64:
		return appendVarint(append(b, tagInt), t), nil
	case int:
		return appendVarint(append(b, tagInt), int64(t)), nil
	case float64:
		bits := math.Float64bits(t)
		return append(b, tagFloat, byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24),
			byte(bits>>32), byte(bits>>40), byte(bits>>48), byte(bits>>56)), nil
	case bool:
		if t {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	case nil:
		return append(b, tagNil), nil
	case Timestamp:
		b = appendVarint(append(b, tagTimestamp), t.Unix())
		return appendUvarint(b, uint64(t.Nanosecond())), nil
	case *Map:
		return appendBinaryMap(append(b, tagMap), t, depth+1)
	case []any:
		if depth+1 > binaryMaxDepth {
			return b, errBinaryDepth
		}
		b = appendUvarint(append(b, tagList), uint64(len(t)))
		var err error
		for _, x := range t {
			if b, err = appendBinaryValue(b, x, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case *big.Int:
		return appendBigInt(b, t), nil
	case Decimal:
		b = appendVarint(append(b, tagDecimal), int64(t.scale))
		switch {
		case t.unscaled == nil:
			return append(b, tagNil), nil
		case t.unscaled.IsInt64():
			return appendVarint(append(b, tagInt), t.unscaled.Int64()), nil
		}
		return appendBigInt(b, t.unscaled), nil
	}
	return b, fmt.Errorf("cannot store a value of type %T in an event", v)
}

func appendBigInt(b []byte, n *big.Int) []byte {
	tag := tagBigPos
	if n.Sign() < 0 {
		tag = tagBigNeg
	}
	size := (n.BitLen() + 7) / 8
	b = appendUvarint(append(b, tag), uint64(size))
	b = append(b, make([]byte, size)...)
	// FillBytes writes the absolute value big-endian into exactly size bytes.
	n.FillBytes(b[len(b)-size:])
	return b
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendVarint(b []byte, v int64) []byte {
	return appendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

// BinaryError is a malformed binary event: what DecodeBinary found wrong
// and at which byte.
type BinaryError struct {
	Offset int
	Reason string
}

func (e *BinaryError) Error() string {
	return fmt.Sprintf("malformed binary event at byte %d: %s", e.Offset, e.Reason)
}

// DecodeBinary reads an event written by AppendBinary. Malformed data is
// a *BinaryError, never a panic. The event's strings share one copy of
// data, so data may be reused once DecodeBinary returns.
func DecodeBinary(data []byte) (*Event, error) {
	if len(data) < 2 {
		return nil, &BinaryError{0, "too short"}
	}
	if data[0] != binaryVersion {
		return nil, &BinaryError{0, fmt.Sprintf("unknown version %d", data[0])}
	}
	flags := data[1]
	if flags&^binaryHasMetadata != 0 {
		return nil, &BinaryError{1, fmt.Sprintf("unknown flags %#x", flags)}
	}
	d := binaryDecoder{s: string(data), i: 2}
	b := &eventBlock{}
	b.data.init()
	b.e.data = &b.data.m
	if err := d.mapBody(&b.data.m, 0, &b.timestamp); err != nil {
		return nil, err
	}
	if flags&binaryHasMetadata != 0 {
		n, err := d.count()
		if err != nil {
			return nil, err
		}
		b.e.meta = NewMap(n)
		if err := d.entries(b.e.meta, n, 0, nil); err != nil {
			return nil, err
		}
	}
	if d.i != len(d.s) {
		return nil, d.errorf("%d bytes after the event", len(d.s)-d.i)
	}
	return &b.e, nil
}

type binaryDecoder struct {
	s string
	i int
}

func (d *binaryDecoder) errorf(format string, args ...any) error {
	return &BinaryError{d.i, fmt.Sprintf(format, args...)}
}

var errBinaryTruncated = errors.New("truncated")

func (d *binaryDecoder) uvarint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.i >= len(d.s) {
			return 0, d.errorf("%v", errBinaryTruncated)
		}
		c := d.s[d.i]
		d.i++
		if shift == 63 && c > 1 {
			return 0, d.errorf("varint overflows 64 bits")
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, d.errorf("varint overflows 64 bits")
}

func (d *binaryDecoder) varint() (int64, error) {
	u, err := d.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

// length reads a byte count and checks that many bytes follow.
func (d *binaryDecoder) length() (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.s)-d.i) {
		return 0, d.errorf("length %d past the end", n)
	}
	return int(n), nil
}

// count reads an element count; every element takes at least one byte, so
// a count larger than what is left is malformed (and cannot make a huge
// allocation).
func (d *binaryDecoder) count() (int, error) { return d.length() }

func (d *binaryDecoder) str() (string, error) {
	n, err := d.length()
	if err != nil {
		return "", err
	}
	s := d.s[d.i : d.i+n]
	d.i += n
	return s, nil
}

// mapBody reads a map's entries into m, which is empty. ts, when not nil,
// is where a top-level @timestamp is kept (the event block's slot, as
// NewEvent does).
func (d *binaryDecoder) mapBody(m *Map, depth int, ts *Timestamp) error {
	n, err := d.count()
	if err != nil {
		return err
	}
	if n > cap(m.keys) {
		m.keys = make([]string, 0, n)
		m.vals = make([]any, 0, n)
	}
	return d.entries(m, n, depth, ts)
}

func (d *binaryDecoder) entries(m *Map, n, depth int, ts *Timestamp) error {
	for range n {
		k, err := d.str()
		if err != nil {
			return err
		}
		if m.Has(k) {
			return d.errorf("duplicate key %q", k)
		}
		var v any
		if ts != nil && k == TimestampField && d.i < len(d.s) && d.s[d.i] == tagTimestamp {
			d.i++
			if *ts, err = d.timestamp(); err != nil {
				return err
			}
			v = boxTimestampAt(ts)
			ts = nil
		} else if v, err = d.value(depth); err != nil {
			return err
		}
		// Set, without looking the key up again.
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		if m.index != nil {
			m.index[k] = len(m.keys) - 1
		} else if len(m.keys) > indexThreshold {
			m.index = make(map[string]int, len(m.keys)*2)
			for i, key := range m.keys {
				m.index[key] = i
			}
		}
	}
	return nil
}

// Values most events carry (@version's "1"), boxed once: reading them back
// costs no allocation.
var (
	boxedEmpty any = ""
	boxedOne   any = "1"
)

func (d *binaryDecoder) value(depth int) (any, error) {
	if d.i >= len(d.s) {
		return nil, d.errorf("%v", errBinaryTruncated)
	}
	tag := d.s[d.i]
	d.i++
	switch tag {
	case tagNil:
		return nil, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagInt:
		return d.varint()
	case tagFloat:
		if len(d.s)-d.i < 8 {
			return nil, d.errorf("%v", errBinaryTruncated)
		}
		var bits uint64
		for k := 7; k >= 0; k-- {
			bits = bits<<8 | uint64(d.s[d.i+k])
		}
		d.i += 8
		return math.Float64frombits(bits), nil
	case tagString:
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		switch {
		case len(s) > 1:
			return s, nil
		case s == "1":
			return boxedOne, nil
		case s == "":
			return boxedEmpty, nil
		}
		return s, nil
	case tagBigPos, tagBigNeg:
		return d.bigInt(tag)
	case tagDecimal:
		scale, err := d.varint()
		if err != nil {
			return nil, err
		}
		if scale < math.MinInt32 || scale > math.MaxInt32 {
			return nil, d.errorf("decimal scale %d out of range", scale)
		}
		dec := Decimal{scale: int32(scale)}
		if d.i >= len(d.s) {
			return nil, d.errorf("%v", errBinaryTruncated)
		}
		switch t := d.s[d.i]; t {
		case tagNil:
			d.i++
		case tagInt:
			d.i++
			u, err := d.varint()
			if err != nil {
				return nil, err
			}
			dec.unscaled = big.NewInt(u)
		case tagBigPos, tagBigNeg:
			d.i++
			if dec.unscaled, err = d.bigInt(t); err != nil {
				return nil, err
			}
		default:
			return nil, d.errorf("decimal with unscaled value of tag %d", t)
		}
		return dec, nil
	case tagTimestamp:
		return d.timestamp()
	case tagMap:
		if depth >= binaryMaxDepth {
			return nil, d.errorf("%v", errBinaryDepth)
		}
		n, err := d.count()
		if err != nil {
			return nil, err
		}
		m := NewMap(n)
		return m, d.entries(m, n, depth+1, nil)
	case tagList:
		if depth >= binaryMaxDepth {
			return nil, d.errorf("%v", errBinaryDepth)
		}
		n, err := d.count()
		if err != nil {
			return nil, err
		}
		l := make([]any, n)
		for k := range l {
			if l[k], err = d.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return l, nil
	}
	d.i--
	return nil, d.errorf("unknown tag %d", tag)
}

func (d *binaryDecoder) bigInt(tag byte) (*big.Int, error) {
	n, err := d.length()
	if err != nil {
		return nil, err
	}
	v := new(big.Int).SetBytes([]byte(d.s[d.i : d.i+n]))
	d.i += n
	if tag == tagBigNeg {
		v.Neg(v)
	}
	return v, nil
}

func (d *binaryDecoder) timestamp() (Timestamp, error) {
	sec, err := d.varint()
	if err != nil {
		return Timestamp{}, err
	}
	nsec, err := d.uvarint()
	if err != nil {
		return Timestamp{}, err
	}
	if nsec >= 1e9 {
		return Timestamp{}, d.errorf("timestamp nanoseconds %d out of range", nsec)
	}
	return Timestamp{time.Unix(sec, int64(nsec)).UTC()}, nil
}
