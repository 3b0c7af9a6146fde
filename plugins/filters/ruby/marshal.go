package ruby

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
)

// Event values cross to the Ruby worker in Ruby's own Marshal format
// (version 4.8), the subset that event values need. Ruby reads and writes
// it in C (Marshal.load, Marshal.dump), so a batch costs the Ruby side two
// native calls instead of a parser written in Ruby, and every type keeps its
// identity: Integer of any size, Float, BigDecimal, true/false/nil, UTF-8
// and binary String, Hash, Array, and LogStash::Timestamp (an object with
// @sec and @nsec).
//
// Batches cross as JSON (wirejson.go); Marshal carries the rest: the
// setup, questions and answers, log records, and the replies JSON cannot
// carry. A timestamp is a plain object whose instance variables Ruby sets
// in C.
//
// A Go string that is valid UTF-8 becomes a UTF-8 Ruby string; one that is
// not becomes a binary (ASCII-8BIT) string with the same bytes. Ruby strings
// come back as their bytes whatever their encoding (the worker transcodes
// other encodings to UTF-8 when they are set into an event).

const (
	marshalMajor = 4
	marshalMinor = 8

	timestampClass = "LogStash::Timestamp"
	decimalClass   = "BigDecimal"
)

// marshalWriter appends Marshal data to b.
type marshalWriter struct {
	b    []byte
	syms map[string]int
	// decimals remembers, by Ruby's canonical form, the Decimals sent in
	// this message: Ruby's BigDecimal forgets Java's scale (96.0 and 96
	// are both 0.96e2), so a value that comes back unchanged gets it back
	// from here.
	decimals map[string]event.Decimal
}

func newMarshalWriter() *marshalWriter {
	return &marshalWriter{syms: map[string]int{}, decimals: map[string]event.Decimal{}}
}

// begin starts a new message (a new symbol table), keeping b's room.
func (w *marshalWriter) begin() {
	w.b = append(w.b[:0], marshalMajor, marshalMinor)
	clear(w.syms)
}

// long appends Marshal's variable-length integer.
func (w *marshalWriter) long(n int64) {
	switch {
	case n == 0:
		w.b = append(w.b, 0)
	case n > 0 && n < 123:
		w.b = append(w.b, byte(n+5))
	case n < 0 && n > -124:
		w.b = append(w.b, byte(n-5))
	default:
		var buf [9]byte
		i := 1
		for ; i <= 8; i++ {
			buf[i] = byte(n)
			n >>= 8
			if n == 0 {
				buf[0] = byte(i)
				break
			}
			if n == -1 {
				buf[0] = byte(-i)
				break
			}
		}
		w.b = append(w.b, buf[:i+1]...)
	}
}

func (w *marshalWriter) symbol(s string) {
	if i, ok := w.syms[s]; ok {
		w.b = append(w.b, ';')
		w.long(int64(i))
		return
	}
	w.syms[s] = len(w.syms)
	w.b = append(w.b, ':')
	w.long(int64(len(s)))
	w.b = append(w.b, s...)
}

func (w *marshalWriter) str(s string) {
	if utf8.ValidString(s) {
		// A string with one instance variable, E => true: UTF-8.
		w.b = append(w.b, 'I', '"')
		w.long(int64(len(s)))
		w.b = append(w.b, s...)
		w.b = append(w.b, 6) // long(1)
		w.symbol("E")
		w.b = append(w.b, 'T')
		return
	}
	w.b = append(w.b, '"')
	w.long(int64(len(s)))
	w.b = append(w.b, s...)
}

func (w *marshalWriter) integer(n int64) {
	if n >= -(1<<30) && n < 1<<30 {
		w.b = append(w.b, 'i')
		w.long(n)
		return
	}
	w.bignum(new(big.Int).SetInt64(n))
}

func (w *marshalWriter) bignum(n *big.Int) {
	w.b = append(w.b, 'l')
	if n.Sign() < 0 {
		w.b = append(w.b, '-')
	} else {
		w.b = append(w.b, '+')
	}
	mag := n.Bytes() // big-endian magnitude
	size := (len(mag) + 1) / 2
	w.long(int64(size))
	for i := len(mag) - 1; i >= 0; i-- {
		w.b = append(w.b, mag[i])
	}
	if len(mag)%2 == 1 {
		w.b = append(w.b, 0)
	}
}

func (w *marshalWriter) float(f float64) {
	w.b = append(w.b, 'f')
	var s string
	switch {
	case math.IsNaN(f):
		s = "nan"
	case math.IsInf(f, 1):
		s = "inf"
	case math.IsInf(f, -1):
		s = "-inf"
	default:
		s = strconv.FormatFloat(f, 'g', -1, 64)
	}
	w.long(int64(len(s)))
	w.b = append(w.b, s...)
}

// userDefined appends an object Ruby rebuilds with class._load(data).
func (w *marshalWriter) userDefined(class string, data []byte) {
	w.b = append(w.b, 'u')
	w.symbol(class)
	w.long(int64(len(data)))
	w.b = append(w.b, data...)
}

// timestamp appends a LogStash::Timestamp object with its two instance
// variables, @sec and @nsec.
func (w *marshalWriter) timestamp(t event.Timestamp) {
	w.b = append(w.b, 'o')
	w.symbol(timestampClass)
	w.b = append(w.b, 7) // long(2)
	w.symbol("@sec")
	w.integer(t.Unix())
	w.symbol("@nsec")
	w.integer(int64(t.Nanosecond()))
}

func (w *marshalWriter) decimal(d event.Decimal) {
	canonical := rubyDecimalString(d)
	if _, seen := w.decimals[canonical]; !seen {
		w.decimals[canonical] = d
	}
	// BigDecimal._load takes "<precision>:<digits>"; the precision is a
	// hint it does not need.
	w.userDefined(decimalClass, append([]byte("0:"), canonical...))
}

// value appends an event value. Types outside the event model are an
// error (a plugin bug, not user data).
func (w *marshalWriter) value(v any) error {
	switch t := v.(type) {
	case nil:
		w.b = append(w.b, '0')
	case bool:
		if t {
			w.b = append(w.b, 'T')
		} else {
			w.b = append(w.b, 'F')
		}
	case string:
		w.str(t)
	case int64:
		w.integer(t)
	case int:
		w.integer(int64(t))
	case *big.Int:
		if t.IsInt64() {
			w.integer(t.Int64())
		} else {
			w.bignum(t)
		}
	case float64:
		w.float(t)
	case event.Decimal:
		w.decimal(t)
	case event.Timestamp:
		w.timestamp(t)
	case *event.Map:
		w.b = append(w.b, '{')
		w.long(int64(t.Len()))
		var err error
		t.Range(func(k string, x any) bool {
			w.str(k)
			err = w.value(x)
			return err == nil
		})
		return err
	case []any:
		w.array(len(t))
		for _, x := range t {
			if err := w.value(x); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("a %T cannot be sent to Ruby", v)
	}
	return nil
}

// array appends the header of an array of n elements; the caller appends
// the elements.
func (w *marshalWriter) array(n int) {
	w.b = append(w.b, '[')
	w.long(int64(n))
}

// rubyDecimalString is BigDecimal#to_s of d: "0.<digits>e<exponent>"
// with the digits' trailing zeros dropped ("0.96e2" for 96.0, "0.0" for
// zero, "-0.123e-3").
func rubyDecimalString(d event.Decimal) string {
	if d.Sign() == 0 {
		return "0.0"
	}
	// Java's toString in scientific form always shows every digit and the
	// exponent of the first: d.dddE±n.
	s := d.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	digits, exp := decimalDigits(s)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("0.")
	b.WriteString(digits)
	b.WriteByte('e')
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// decimalDigits reads Java's BigDecimal text (plain "123.45" or
// scientific "1.2345E+2") into significant digits without leading or
// trailing zeros and the exponent that makes the value 0.<digits> × 10^exp.
func decimalDigits(s string) (string, int) {
	mant, e := s, 0
	if i := strings.IndexAny(s, "Ee"); i >= 0 {
		mant = s[:i]
		e, _ = strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	all := intPart + frac
	point := len(intPart) + e // digits before the decimal point
	lead := 0
	for lead < len(all) && all[lead] == '0' {
		lead++
	}
	all = all[lead:]
	point -= lead
	all = strings.TrimRight(all, "0")
	return all, point
}

// marshalReader decodes Marshal data produced by the worker's Marshal.dump.
type marshalReader struct {
	b    []byte
	i    int
	syms []string
	objs []any
	// decimals are the Decimals sent in the request this reply answers
	// (see marshalWriter.decimals).
	decimals map[string]event.Decimal
	// keys interns hash keys: events repeat the same few field names.
	keys map[string]string
}

var errMarshalShort = errors.New("marshal data ends early")

func (r *marshalReader) reset(b []byte) error {
	r.b, r.i = b, 0
	r.syms = r.syms[:0]
	clear(r.objs)
	r.objs = r.objs[:0]
	if len(b) < 2 || b[0] != marshalMajor || b[1] > marshalMinor {
		return fmt.Errorf("not Marshal %d.%d data", marshalMajor, marshalMinor)
	}
	r.i = 2
	return nil
}

func (r *marshalReader) byte() (byte, error) {
	if r.i >= len(r.b) {
		return 0, errMarshalShort
	}
	c := r.b[r.i]
	r.i++
	return c, nil
}

func (r *marshalReader) long() (int64, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	n := int64(int8(c))
	switch {
	case n == 0:
		return 0, nil
	case n >= 5:
		return n - 5, nil
	case n <= -5:
		return n + 5, nil
	case n > 0:
		var x int64
		for i := int64(0); i < n; i++ {
			c, err := r.byte()
			if err != nil {
				return 0, err
			}
			x |= int64(c) << (8 * i)
		}
		return x, nil
	default:
		x := int64(-1)
		for i := int64(0); i < -n; i++ {
			c, err := r.byte()
			if err != nil {
				return 0, err
			}
			x &^= 0xff << (8 * i)
			x |= int64(c) << (8 * i)
		}
		return x, nil
	}
}

func (r *marshalReader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if n < 0 || int64(len(r.b)-r.i) < n {
		return nil, errMarshalShort
	}
	b := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return b, nil
}

func (r *marshalReader) symbol() (string, error) {
	c, err := r.byte()
	if err != nil {
		return "", err
	}
	switch c {
	case ':':
		b, err := r.bytes()
		if err != nil {
			return "", err
		}
		s := string(b)
		r.syms = append(r.syms, s)
		return s, nil
	case ';':
		n, err := r.long()
		if err != nil {
			return "", err
		}
		if n < 0 || n >= int64(len(r.syms)) {
			return "", fmt.Errorf("marshal symbol link %d out of range", n)
		}
		return r.syms[n], nil
	case 'I':
		// A symbol with an encoding: the name, then its instance variables.
		s, err := r.symbol()
		if err != nil {
			return "", err
		}
		if err := r.skipIvars(); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", fmt.Errorf("marshal: expected a symbol, found %q", c)
}

func (r *marshalReader) skipIvars() error {
	n, err := r.long()
	if err != nil {
		return err
	}
	for ; n > 0; n-- {
		if _, err := r.symbol(); err != nil {
			return err
		}
		if _, err := r.value(); err != nil {
			return err
		}
	}
	return nil
}

// entry reserves a slot in the object table, which Marshal's '@' links
// index in the order objects start.
func (r *marshalReader) entry() int {
	r.objs = append(r.objs, nil)
	return len(r.objs) - 1
}

func (r *marshalReader) key(b []byte) string {
	if s, ok := r.keys[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.keys) < 1024 {
		r.keys[s] = s
	}
	return s
}

// value decodes one value.
func (r *marshalReader) value() (any, error) {
	c, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch c {
	case '0':
		return nil, nil
	case 'T':
		return true, nil
	case 'F':
		return false, nil
	case 'i':
		return r.long()
	case 'l':
		idx := r.entry()
		sign, err := r.byte()
		if err != nil {
			return nil, err
		}
		shorts, err := r.long()
		if err != nil {
			return nil, err
		}
		n := int(shorts) * 2
		if shorts < 0 || len(r.b)-r.i < n {
			return nil, errMarshalShort
		}
		mag := make([]byte, n)
		for k := 0; k < n; k++ {
			mag[n-1-k] = r.b[r.i+k]
		}
		r.i += n
		x := new(big.Int).SetBytes(mag)
		if sign == '-' {
			x.Neg(x)
		}
		var v any = x
		if x.IsInt64() {
			v = x.Int64()
		}
		r.objs[idx] = v
		return v, nil
	case 'f':
		idx := r.entry()
		b, err := r.bytes()
		if err != nil {
			return nil, err
		}
		f, err := parseMarshalFloat(string(b))
		if err != nil {
			return nil, err
		}
		r.objs[idx] = f
		return f, nil
	case '"':
		b, err := r.bytes()
		if err != nil {
			return nil, err
		}
		s := string(b)
		r.objs = append(r.objs, s)
		return s, nil
	case 'I':
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		return v, r.skipIvars()
	case '[':
		idx := r.entry()
		n, err := r.long()
		if err != nil {
			return nil, err
		}
		if n < 0 || n > int64(len(r.b)) {
			return nil, errMarshalShort
		}
		list := make([]any, n)
		for k := range list {
			if list[k], err = r.value(); err != nil {
				return nil, err
			}
		}
		r.objs[idx] = list
		return list, nil
	case '{':
		idx := r.entry()
		n, err := r.long()
		if err != nil {
			return nil, err
		}
		if n < 0 || n > int64(len(r.b)) {
			return nil, errMarshalShort
		}
		m := event.NewMap(int(n))
		for ; n > 0; n-- {
			k, err := r.hashKey()
			if err != nil {
				return nil, err
			}
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			m.Set(k, v)
		}
		r.objs[idx] = m
		return m, nil
	case '@':
		n, err := r.long()
		if err != nil {
			return nil, err
		}
		if n < 0 || n >= int64(len(r.objs)) {
			return nil, fmt.Errorf("marshal object link %d out of range", n)
		}
		// Ruby shares the object; Go events must not share a map or a
		// list, so a container is copied.
		return event.CloneValue(r.objs[n]), nil
	case 'o':
		idx := r.entry()
		class, err := r.symbol()
		if err != nil {
			return nil, err
		}
		n, err := r.long()
		if err != nil {
			return nil, err
		}
		ivars := map[string]any{}
		for ; n > 0; n-- {
			name, err := r.symbol()
			if err != nil {
				return nil, err
			}
			if ivars[name], err = r.value(); err != nil {
				return nil, err
			}
		}
		v, err := r.object(class, ivars)
		if err != nil {
			return nil, err
		}
		r.objs[idx] = v
		return v, nil
	case 'u':
		class, err := r.symbol()
		if err != nil {
			return nil, err
		}
		data, err := r.bytes()
		if err != nil {
			return nil, err
		}
		v, err := r.userDefined(class, data)
		if err != nil {
			return nil, err
		}
		r.objs = append(r.objs, v)
		return v, nil
	}
	return nil, fmt.Errorf("marshal: unsupported type %q at byte %d", c, r.i-1)
}

// hashKey reads a hash key: a string (as an interned Go string).
func (r *marshalReader) hashKey() (string, error) {
	start := r.i
	c, err := r.byte()
	if err != nil {
		return "", err
	}
	wrapped := c == 'I'
	if wrapped {
		if c, err = r.byte(); err != nil {
			return "", err
		}
	}
	if c != '"' {
		// A link to an earlier string, or something that is not a string.
		r.i = start
		v, err := r.value()
		if err != nil {
			return "", err
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("marshal: a hash key is a %T, not a string", v)
		}
		return s, nil
	}
	b, err := r.bytes()
	if err != nil {
		return "", err
	}
	s := r.key(b)
	r.objs = append(r.objs, s)
	if wrapped {
		return s, r.skipIvars()
	}
	return s, nil
}

// object makes the Go value of a plain Ruby object: only timestamps are.
func (r *marshalReader) object(class string, ivars map[string]any) (any, error) {
	if class != timestampClass {
		return nil, fmt.Errorf("marshal: unsupported class %s", class)
	}
	sec, ok1 := ivars["@sec"].(int64)
	nsec, ok2 := ivars["@nsec"].(int64)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("marshal: a timestamp without integer @sec and @nsec")
	}
	return event.Timestamp{Time: time.Unix(sec, nsec)}, nil
}

func (r *marshalReader) userDefined(class string, data []byte) (any, error) {
	switch class {
	case decimalClass:
		s := string(data)
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[i+1:]
		}
		if d, ok := r.decimals[s]; ok {
			return d, nil
		}
		return decimalFromRuby(s)
	}
	return nil, fmt.Errorf("marshal: unsupported class %s", class)
}

// decimalFromRuby reads BigDecimal#to_s ("0.15e1", "-0.123e-3", "0.0",
// "NaN", "Infinity"). The Decimal gets the fewest fraction digits that hold
// the value (1.5, 100), the scale Java's BigDecimal has when parsed from
// the plain number. NaN and the infinities, which Java's BigDecimal cannot
// hold, become floats.
func decimalFromRuby(s string) (any, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	digits, exp := decimalDigits(body)
	var text string
	switch {
	case digits == "":
		text = "0"
	case exp >= len(digits):
		text = digits + strings.Repeat("0", exp-len(digits))
	case exp > 0:
		text = digits[:exp] + "." + digits[exp:]
	default:
		text = "0." + strings.Repeat("0", -exp) + digits
	}
	if neg && digits != "" {
		text = "-" + text
	}
	d, err := event.ParseDecimal(text)
	if err != nil {
		return nil, fmt.Errorf("marshal: BigDecimal %q: %w", s, err)
	}
	return d, nil
}

func parseMarshalFloat(s string) (float64, error) {
	switch s {
	case "nan":
		return math.NaN(), nil
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("marshal: float %q: %w", s, err)
	}
	return f, nil
}
