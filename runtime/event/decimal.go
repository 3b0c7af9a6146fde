package event

import (
	"cmp"
	"errors"
	"math"
	"math/big"
	"strconv"
)

// Decimal is an exact decimal number, unscaled × 10^-scale, as Java's
// BigDecimal holds it. Logstash's LogStash::Json.load (JrJackson, behind the
// json filter and the twitter input) reads a JSON number with a fraction or
// an exponent as a BigDecimal that keeps the digits and scale of the text
// (96.0 has scale 1, 1e10 scale -10, -0.0 is 0.0), and events keep it as a
// Ruby BigDecimal. Java code (sprintf, the JSON writer) prints it with
// BigDecimal.toString, Ruby code with BigDecimal#to_s. A Decimal is
// immutable; the zero value is 0.
type Decimal struct {
	unscaled *big.Int // nil means 0
	scale    int32
}

var errDecimalSyntax = errors.New("not a decimal number")

// ParseDecimal reads a JSON number (-?digits(.digits)?([eE][+-]?digits)?)
// exactly, as Java's new BigDecimal(String) does: the unscaled value is
// every digit, the scale the count of fraction digits minus the exponent.
// A scale outside Java's int range is an error, as in Java.
func ParseDecimal(s string) (Decimal, error) { return parseDecimal(s) }

func parseDecimal[T string | []byte](s T) (Decimal, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var digits [40]byte
	coeff := digits[:0]
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		coeff = append(coeff, s[i])
		i++
	}
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			coeff = append(coeff, s[i])
			fracDigits++
			i++
		}
	}
	if len(coeff) == 0 || i == intStart {
		return Decimal{}, errDecimalSyntax
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			expNeg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return Decimal{}, errDecimalSyntax
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
			if exp = exp*10 + int64(s[i]-'0'); exp > math.MaxInt32+1 {
				return Decimal{}, errDecimalSyntax
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Decimal{}, errDecimalSyntax
	}
	scale := int64(fracDigits) - exp
	if scale < math.MinInt32 || scale > math.MaxInt32 {
		return Decimal{}, errDecimalSyntax
	}
	for len(coeff) > 1 && coeff[0] == '0' {
		coeff = coeff[1:]
	}
	var u big.Int
	if len(coeff) <= 18 {
		var n int64
		for _, c := range coeff {
			n = n*10 + int64(c-'0')
		}
		u.SetInt64(n)
	} else {
		u.SetString(string(coeff), 10)
	}
	if neg {
		u.Neg(&u)
	}
	return Decimal{unscaled: &u, scale: int32(scale)}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// NewDecimal is unscaled × 10^-scale, as Java's new BigDecimal(unscaled,
// scale). unscaled is copied; nil is 0.
func NewDecimal(unscaled *big.Int, scale int32) Decimal {
	if unscaled == nil {
		return Decimal{scale: scale}
	}
	return Decimal{unscaled: new(big.Int).Set(unscaled), scale: scale}
}

// Unscaled is a copy of the unscaled value, BigDecimal.unscaledValue.
func (d Decimal) Unscaled() *big.Int {
	if d.unscaled == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(d.unscaled)
}

// Scale is BigDecimal.scale: the value is Unscaled × 10^-Scale.
func (d Decimal) Scale() int32 { return d.scale }

// Sign is -1, 0 or +1.
func (d Decimal) Sign() int {
	if d.unscaled == nil {
		return 0
	}
	return d.unscaled.Sign()
}

// coefficient is the unscaled value's absolute digits ("0" for zero).
func (d Decimal) coefficient() []byte {
	if d.unscaled == nil {
		return []byte{'0'}
	}
	b := d.unscaled.Append(nil, 10)
	if b[0] == '-' {
		b = b[1:]
	}
	return b
}

// adjusted is the exponent of the leading digit: the value is
// d.ddd × 10^adjusted.
func adjusted(coeff []byte, scale int32) int64 {
	return int64(len(coeff)-1) - int64(scale)
}

// String is Java's BigDecimal.toString.
func (d Decimal) String() string { return string(d.AppendJava(nil)) }

// AppendJava appends Java's BigDecimal.toString: plain notation when the
// scale is not negative and the leading digit is at 10^-6 or above
// (5.1, 96.0, 0.000001), otherwise one digit before the point and an
// exponent (1E+10, 1E-7, 0E+5, -1.5E-7). Jackson writes BigDecimal values
// the same way unless WRITE_BIGDECIMAL_AS_PLAIN is on, which Logstash
// leaves off; sprintf prints this too.
func (d Decimal) AppendJava(b []byte) []byte {
	coeff := d.coefficient()
	if d.Sign() < 0 {
		b = append(b, '-')
	}
	adj := adjusted(coeff, d.scale)
	switch {
	case d.scale == 0:
		return append(b, coeff...)
	case d.scale > 0 && adj >= -6:
		if point := len(coeff) - int(d.scale); point > 0 {
			b = append(b, coeff[:point]...)
			b = append(b, '.')
			return append(b, coeff[point:]...)
		} else {
			b = append(b, "0."...)
			for ; point < 0; point++ {
				b = append(b, '0')
			}
			return append(b, coeff...)
		}
	}
	b = append(b, coeff[0])
	if len(coeff) > 1 {
		b = append(b, '.')
		b = append(b, coeff[1:]...)
	}
	b = append(b, 'E')
	if adj > 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, adj, 10)
}

// significand is the absolute digits without trailing zeros and the
// exponent n for the value 0.digits × 10^n (nil and 0 for zero).
func (d Decimal) significand() ([]byte, int64) {
	if d.Sign() == 0 {
		return nil, 0
	}
	coeff := d.coefficient()
	n := adjusted(coeff, d.scale) + 1
	for coeff[len(coeff)-1] == '0' {
		coeff = coeff[:len(coeff)-1]
	}
	return coeff, n
}

// RubyToS is JRuby's BigDecimal#to_s (Logstash 9.4 and later run JRuby
// 10, whose BigDecimal prints like MRI's): 0.51e1, -0.1e-6, 0.0 for zero.
// mutate's convert => string gives this.
func (d Decimal) RubyToS() string { return string(d.AppendRubyToS(nil)) }

// AppendRubyToS appends RubyToS.
func (d Decimal) AppendRubyToS(b []byte) []byte {
	digits, n := d.significand()
	if digits == nil {
		return append(b, "0.0"...)
	}
	if d.Sign() < 0 {
		b = append(b, '-')
	}
	b = append(b, "0."...)
	b = append(b, digits...)
	b = append(b, 'e')
	return strconv.AppendInt(b, n, 10)
}

// AppendRubyPlain appends BigDecimal#to_s('F'), what amazing_print (so the
// rubydebug codec) shows: plain digits with at least one on each side of
// the point and no trailing zeros after it (5.1, 96.0, 10000000000.0,
// 0.0000001).
func (d Decimal) AppendRubyPlain(b []byte) []byte {
	digits, n := d.significand()
	if digits == nil {
		return append(b, "0.0"...)
	}
	if d.Sign() < 0 {
		b = append(b, '-')
	}
	switch {
	case n <= 0:
		b = append(b, "0."...)
		for ; n < 0; n++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	case n >= int64(len(digits)):
		b = append(b, digits...)
		for i := int64(len(digits)); i < n; i++ {
			b = append(b, '0')
		}
		return append(b, ".0"...)
	}
	b = append(b, digits[:n]...)
	b = append(b, '.')
	return append(b, digits[n:]...)
}

// Float64 is BigDecimal#to_f: the nearest double, ±Inf beyond the double
// range and 0 below it.
func (d Decimal) Float64() float64 {
	if d.Sign() == 0 {
		return 0
	}
	b := d.unscaled.Append(make([]byte, 0, 32), 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, -int64(d.scale), 10)
	f, _ := strconv.ParseFloat(string(b), 64) // a range error still gives ±Inf or 0
	if f == 0 {
		return 0 // JRuby's underflow is +0.0 for negative numbers too
	}
	return f
}

// Integer is BigDecimal#to_i: the value truncated towards zero, an int64
// when it fits, otherwise a *big.Int.
func (d Decimal) Integer() any {
	if d.Sign() == 0 {
		return int64(0)
	}
	if _, exp := d.significand(); exp <= 0 {
		return int64(0) // |d| < 1, however large the scale
	}
	var n big.Int
	if d.scale <= 0 {
		n.Mul(d.unscaled, pow10(int64(-d.scale)))
	} else {
		n.Quo(d.unscaled, pow10(int64(d.scale)))
	}
	if n.IsInt64() {
		return n.Int64()
	}
	return &n
}

// Int64 is Java's BigDecimal.longValue: the value truncated towards zero,
// keeping only the low 64 bits when it does not fit (as the date filter's
// UNIX parsers read a BigDecimal).
func (d Decimal) Int64() int64 {
	if d.scale <= -64 {
		return 0 // 10^64 is a multiple of 2^64: no low bits survive
	}
	switch t := d.Integer().(type) {
	case int64:
		return t
	case *big.Int:
		low := new(big.Int).Abs(t).Uint64() // the low 64 bits of |t|
		if t.Sign() < 0 {
			return int64(-low)
		}
		return int64(low)
	}
	return 0
}

// ScaleByPowerOfTen is Java's BigDecimal.scaleByPowerOfTen: d × 10^n, with
// the same digits.
func (d Decimal) ScaleByPowerOfTen(n int32) Decimal {
	return Decimal{unscaled: d.unscaled, scale: d.scale - n}
}

func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// Cmp compares d and e by value, ignoring scale (5.1 equals 5.10).
func (d Decimal) Cmp(e Decimal) int {
	ds, es := d.Sign(), e.Sign()
	if ds != es || ds == 0 {
		return cmp.Compare(ds, es)
	}
	// Same sign, both non-zero: the leading digits' exponents decide
	// unless they are equal, and then the scales differ by little.
	dc, ec := d.coefficient(), e.coefficient()
	if da, ea := adjusted(dc, d.scale), adjusted(ec, e.scale); da != ea {
		return cmp.Compare(da, ea) * ds
	}
	x, y := d.unscaled, e.unscaled
	switch {
	case d.scale < e.scale:
		x = new(big.Int).Mul(x, pow10(int64(e.scale)-int64(d.scale)))
	case e.scale < d.scale:
		y = new(big.Int).Mul(y, pow10(int64(d.scale)-int64(e.scale)))
	}
	return x.Cmp(y)
}

// DecimalFromInt is an integer (int64 or *big.Int) as a Decimal of scale
// 0, as Ruby converts an Integer to compare it with a BigDecimal.
func DecimalFromInt(v any) (Decimal, bool) {
	switch t := v.(type) {
	case int64:
		return Decimal{unscaled: big.NewInt(t)}, true
	case *big.Int:
		return Decimal{unscaled: t}, true
	}
	return Decimal{}, false
}

// FloatCompareDigits is the precision JRuby's BigDecimal gives a Float
// it compares itself with (<=>, ==, and a Float's <=> through coerce).
const FloatCompareDigits = 15

// DecimalFromFloat is how JRuby's BigDecimal turns a Float into a
// BigDecimal to compare the two: Float#to_s rounded half-up to digits
// significant digits (FloatCompareDigits), so 5.1 and the doubles either
// side of it all compare equal to the BigDecimal 5.1. Float#to_s is taken
// as the shortest decimal that reads back as f (at least two digits); for
// |f| >= 1e16 JRuby prints other digit counts, which can matter only when
// the 16th digit is a 5. ok is false for NaN and ±Inf.
func DecimalFromFloat(f float64, digits int) (Decimal, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, false
	}
	if f == 0 {
		return Decimal{}, true
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], math.Abs(f), 'e', -1, 64) // d.ddde±XX
	if e[1] == 'e' {
		// Like Java's Double.toString, JRuby prints at least two digits:
		// the closest two-digit decimal (4.9e-324, not 5.0e-324).
		e = strconv.AppendFloat(buf[:0], math.Abs(f), 'e', 1, 64)
	}
	mant := make([]byte, 0, 20)
	k := 0
	for ; e[k] != 'e'; k++ {
		if e[k] != '.' {
			mant = append(mant, e[k])
		}
	}
	exp, _ := strconv.Atoi(string(e[k+1:]))
	// The value is 0.mant × 10^(exp+1); round mant to digits places.
	if len(mant) > digits {
		up := mant[digits] >= '5'
		mant = mant[:digits]
		if up {
			i := len(mant) - 1
			for ; i >= 0 && mant[i] == '9'; i-- {
				mant[i] = '0'
			}
			if i < 0 {
				mant = append([]byte{'1'}, mant...)
				exp++
				mant = mant[:len(mant)-1]
			} else {
				mant[i]++
			}
		}
	}
	u, _ := new(big.Int).SetString(string(mant), 10)
	if f < 0 {
		u.Neg(u)
	}
	return Decimal{unscaled: u, scale: int32(len(mant) - 1 - exp)}, true
}
