package ruby

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// scanDigits returns the length of a run of decimal digits in s where
// single underscores may separate digits (Ruby numeric literal rules), and
// the digits without underscores.
func scanDigits(s string) (int, string) {
	i := 0
	var digits []byte
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			i++
			continue
		}
		if c == '_' && len(digits) > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	return i, string(digits)
}

// ToI is String#to_i: leading whitespace, an optional sign, then as many
// decimal digits as there are; anything else gives 0.
func ToI(s string) any {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	// Plain digits that fit an int64 (the usual case): read in place.
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end > 0 && end <= 18 && (end == len(s) || s[end] != '_') {
		var v int64
		for k := 0; k < end; k++ {
			v = v*10 + int64(s[k]-'0')
		}
		if neg {
			v = -v
		}
		return v
	}
	_, digits := scanDigits(s)
	if digits == "" {
		return int64(0)
	}
	if neg {
		digits = "-" + digits
	}
	if i, err := strconv.ParseInt(digits, 10, 64); err == nil {
		return i
	}
	n, _ := new(big.Int).SetString(digits, 10)
	return n
}

// floatPrefix returns the longest prefix of s that is a Ruby float literal
// (sign, digits, optional fraction, optional exponent) in Go syntax, and
// its length in s.
func floatPrefix(s string) (string, int) {
	i := 0
	var b strings.Builder
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		b.WriteByte(s[i])
		i++
	}
	n, intDigits := scanDigits(s[i:])
	i += n
	b.WriteString(intDigits)
	if i < len(s) && s[i] == '.' {
		if n, frac := scanDigits(s[i+1:]); frac != "" {
			if intDigits == "" {
				b.WriteByte('0')
			}
			b.WriteByte('.')
			b.WriteString(frac)
			i += 1 + n
			intDigits += frac
		}
	}
	if intDigits == "" {
		return "", 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		sign := ""
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			sign = s[j : j+1]
			j++
		}
		if n, exp := scanDigits(s[j:]); exp != "" {
			b.WriteString("e" + sign + exp)
			i = j + n
		}
	}
	return b.String(), i
}

// ToF is String#to_f: the longest float prefix after leading whitespace, or 0.0.
func ToF(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	lit, _ := floatPrefix(s)
	if lit == "" {
		return 0
	}
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

// Float is Kernel#Float on a string: the whole string (surrounding
// whitespace aside) must be a decimal float literal; hexadecimal floats
// (`0x1.8p1`) are accepted as well. Out-of-range values become ±Infinity.
func Float(s string) (float64, error) {
	t := strings.Trim(s, " \t\n\v\f\r")
	if h := strings.TrimLeft(t, "+-"); len(t)-len(h) <= 1 && (strings.HasPrefix(h, "0x") || strings.HasPrefix(h, "0X")) {
		if body := h[2:]; strings.HasPrefix(body, "_") || strings.HasSuffix(body, "_") || strings.Contains(body, "__") {
			return 0, invalidValue("Float", s)
		}
		lit := strings.ReplaceAll(t, "_", "")
		if !strings.ContainsAny(lit, "pP") {
			// A hexadecimal integer: Go's ParseFloat wants a p exponent.
			lit += "p0"
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err == nil || isRange(err) {
			return f, nil
		}
		return 0, invalidValue("Float", s)
	}
	lit, n := floatPrefix(t)
	if lit == "" || n != len(t) || strings.HasSuffix(t, ".") {
		return 0, invalidValue("Float", s)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !isRange(err) {
		return 0, invalidValue("Float", s)
	}
	return f, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func invalidValue(kind, s string) error {
	return fmt.Errorf("invalid value for %s(): %s", kind, Inspect(s))
}

// HexInteger is Kernel#Integer on a `[+-]0x…` string.
func HexInteger(s string) (any, error) {
	t := strings.Trim(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) < 3 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X') {
		return nil, invalidValue("Integer", s)
	}
	digits := t[2:]
	if strings.HasPrefix(digits, "_") || strings.HasSuffix(digits, "_") || strings.Contains(digits, "__") {
		return nil, invalidValue("Integer", s)
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(digits, "_", ""), 16)
	if !ok {
		return nil, invalidValue("Integer", s)
	}
	if neg {
		n.Neg(n)
	}
	return Normalize(n), nil
}

// maxDecimalExponent bounds the exponent BigDecimalToI expands, so a
// hostile "1e999999999" cannot allocate gigabytes.
const maxDecimalExponent = 100000

// BigDecimalToI is BigDecimal(s).to_i: a decimal literal (digits, optional
// fraction, optional exponent) truncated toward zero, exact at any size.
func BigDecimalToI(s string) (any, error) {
	t := strings.Trim(s, " \t\n\v\f\r")
	lit, n := floatPrefix(t)
	if lit == "" || n != len(t) {
		return nil, invalidValue("BigDecimal", s)
	}
	mant, expText, _ := strings.Cut(lit, "e")
	exp := 0
	if expText != "" {
		e, err := strconv.Atoi(expText)
		if err != nil || e > maxDecimalExponent || e < -maxDecimalExponent {
			return nil, invalidValue("BigDecimal", s)
		}
		exp = e
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimLeft(mant, "+-")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	exp -= len(frac)
	if exp >= 0 {
		digits += strings.Repeat("0", exp)
	} else if -exp >= len(digits) {
		digits = "0"
	} else {
		digits = digits[:len(digits)+exp]
	}
	v, _ := new(big.Int).SetString(digits, 10)
	if neg {
		v.Neg(v)
	}
	return Normalize(v), nil
}

// FloatToI is Integer(float): truncation toward zero; NaN and infinities fail.
func FloatToI(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%s", FloatToS(f))
	}
	if f >= -9.2e18 && f <= 9.2e18 {
		return int64(f), nil
	}
	n, _ := new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
	return Normalize(n), nil
}
