package netflow

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
)

// field is how a template field's bytes are read. Type names are those of
// Logstash's template cache file (BinData's), so that file's templates and
// ours are interchangeable.
type field struct {
	Type string
	// Name is the event field; empty for bytes that are skipped.
	Name string
	// Length is the size of a string, skip or OctetArray field.
	Length int
}

// Field types whose size is not fixed by the type.
const (
	typeVarString  = "VarString"
	typeVarSkip    = "VarSkip"
	typeOctetArray = "OctetArray"
)

// fixedSize is the size of a type that has one.
func fixedSize(kind string) (int, bool) {
	switch kind {
	case "ip4_addr", "float", "int32", "mpls_label_stack_octets":
		return 4, true
	case "ip6_addr":
		return 16, true
	case "mac_addr":
		return 6, true
	case "double":
		return 8, true
	case "int8", "forwarding_status":
		return 1, true
	case "int16":
		return 2, true
	case "int64":
		return 8, true
	case "acl_id_asa":
		return 12, true
	case "Application_Id16", "Application_Id32":
		// Logstash reads a 1-byte classification and a 3-byte selector
		// for both.
		return 4, true
	case "Application_Id24":
		return 3, true
	case "Application_Id40":
		return 5, true
	case "Application_Id56":
		return 7, true
	case "Application_Id64":
		return 8, true
	case "Application_Id72":
		return 9, true
	}
	if bits, ok := strings.CutPrefix(kind, "uint"); ok {
		n, err := strconv.Atoi(bits)
		if err == nil && n > 0 && n%8 == 0 && n <= 128 {
			return n / 8, true
		}
	}
	return 0, false
}

// size is the field's size in bytes; variable-length fields count their
// one-byte length prefix.
func (f field) size() (int, bool) {
	switch f.Type {
	case kindString, kindSkip, typeOctetArray:
		return f.Length, f.Length >= 0
	case typeVarString, typeVarSkip:
		return 1, true
	}
	return fixedSize(f.Type)
}

// template is a registered template: its fields and the least size of a
// record.
type template struct {
	fields []field
	// sizes are the fields' sizes, worked out once rather than per record.
	sizes   []int
	minSize int
}

var errUnsupportedType = errors.New("unsupported field type")

func newTemplate(fields []field) (*template, error) {
	t := &template{fields: fields, sizes: make([]int, len(fields))}
	for i, f := range fields {
		n, ok := f.size()
		if !ok {
			return nil, errUnsupportedType
		}
		t.sizes[i] = n
		t.minSize += n
	}
	return t, nil
}

var errShort = errors.New("record is longer than the data left")

// value is a decoded field of a record.
type value struct {
	name string
	v    any
}

// read decodes one record from the start of b, appending its values to
// vals; it returns the bytes it used.
func (t *template) read(b []byte, vals []value) ([]value, int, error) {
	off := 0
	for i, f := range t.fields {
		v, n, err := readField(f, t.sizes[i], b[off:])
		if err != nil {
			return vals, 0, err
		}
		off += n
		if f.Name != "" && f.Type != kindSkip && f.Type != typeVarSkip {
			vals = append(vals, value{f.Name, v})
		}
	}
	return vals, off, nil
}

// readField reads f, of size bytes (the length prefix for a variable
// one), from the start of b.
func readField(f field, size int, b []byte) (any, int, error) {
	switch f.Type {
	case typeVarString, typeVarSkip:
		n, hdr := 0, 1
		if len(b) < 1 {
			return nil, 0, errShort
		}
		n = int(b[0])
		if n == 255 {
			if len(b) < 3 {
				return nil, 0, errShort
			}
			n, hdr = int(binary.BigEndian.Uint16(b[1:3])), 3
		}
		if len(b) < hdr+n {
			return nil, 0, errShort
		}
		if f.Type == typeVarSkip {
			return nil, hdr + n, nil
		}
		return asciiOnly(trimPadding(b[hdr : hdr+n])), hdr + n, nil
	}
	n := size
	if len(b) < n {
		return nil, 0, errShort
	}
	b = b[:n]
	switch f.Type {
	case kindSkip:
		return nil, n, nil
	case kindString:
		return validUTF8(trimPadding(b)), n, nil
	case typeOctetArray:
		return hex.EncodeToString(b), n, nil
	case "ip4_addr":
		return netip.AddrFrom4([4]byte(b)).String(), n, nil
	case "ip6_addr":
		return ip6String([16]byte(b)), n, nil
	case "mac_addr":
		return macString(b), n, nil
	case "float":
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), n, nil
	case "double":
		return math.Float64frombits(binary.BigEndian.Uint64(b)), n, nil
	case "int8":
		return int64(int8(b[0])), n, nil
	case "int16":
		return int64(int16(binary.BigEndian.Uint16(b))), n, nil
	case "int32":
		return int64(int32(binary.BigEndian.Uint32(b))), n, nil
	case "int64":
		return int64(binary.BigEndian.Uint64(b)), n, nil
	case "acl_id_asa":
		h := hex.EncodeToString(b)
		return h[0:8] + "-" + h[8:16] + "-" + h[16:24], n, nil
	case "forwarding_status":
		m := event.NewMap(2)
		m.Set("status", int64(b[0]>>6))
		m.Set("reason", int64(b[0]&0x3f))
		return m, n, nil
	case "mpls_label_stack_octets":
		m := event.NewMap(4)
		m.Set("label", int64(uint32(b[0])<<12|uint32(b[1])<<4|uint32(b[2])>>4))
		m.Set("experimental", int64(b[2]>>1&7))
		m.Set("bottom_of_stack", int64(b[2]&1))
		m.Set("ttl", int64(b[3]))
		return m, n, nil
	}
	if strings.HasPrefix(f.Type, "Application_Id") {
		return applicationID(f.Type, b), n, nil
	}
	return unsigned(b), n, nil
}

// applicationID prints an RFC 6759 application id as Logstash does:
// classification..selector, or classification..PEN..selector for
// classification engine 20 (PANA-L7-PEN) in the 7, 8 and 9 byte layouts.
func applicationID(kind string, b []byte) string {
	cls := strconv.Itoa(int(b[0]))
	switch kind {
	case "Application_Id16", "Application_Id32":
		// A 3-byte selector after the classification byte.
		return cls + ".." + strconv.FormatUint(uint64(b[1])<<16|uint64(b[2])<<8|uint64(b[3]), 10)
	case "Application_Id56", "Application_Id64", "Application_Id72":
		if b[0] == 20 {
			pen := binary.BigEndian.Uint32(b[1:5])
			return cls + ".." + strconv.FormatUint(uint64(pen), 10) + ".." + unsignedString(b[5:])
		}
	}
	return cls + ".." + unsignedString(b[1:])
}

// unsigned is a big-endian unsigned number as an event value: int64 when
// it fits, a big integer otherwise.
func unsigned(b []byte) any {
	if len(b) <= 8 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		if v <= math.MaxInt64 {
			return int64(v)
		}
	}
	return new(big.Int).SetBytes(b)
}

func unsignedString(b []byte) string {
	return new(big.Int).SetBytes(b).String()
}

// trimPadding drops trailing NUL bytes, as BinData's trim_padding.
func trimPadding(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// validUTF8 keeps a fixed-length string's text, each byte that is not
// UTF-8 becoming U+FFFD as Java decodes it.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

// asciiOnly is a variable-length string as Logstash leaves it: encoded
// from UTF-8 to binary with replacement, so each character or invalid byte
// outside ASCII becomes "?".
func asciiOnly(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < 0x80 && n == 1 && r != utf8.RuneError {
			sb.WriteByte(byte(r))
		} else {
			sb.WriteByte('?')
		}
		b = b[n:]
	}
	return sb.String()
}

func macString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 17)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// ip6String is Ruby's IPAddr#to_s: the compressed form, with an
// IPv4-compatible or IPv4-mapped address's last 32 bits dotted.
func ip6String(b [16]byte) string {
	a := netip.AddrFrom16(b)
	var zero [12]byte
	if [12]byte(b[:12]) == zero && (b[12] != 0 || b[13] != 0) {
		return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
	}
	return a.String()
}
