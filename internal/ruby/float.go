package ruby

import (
	"math"
	"strconv"
)

// AppendFloat appends Ruby's Float#to_s of f: the shortest digits that
// round-trip, in plain notation with at least one fraction digit when the
// decimal exponent is in [-4, 14] (0.0001, 100.0, 999999999999999.0) or is
// 15 with 17 significant digits (1234567890123456.8: MRI's flo_to_s keeps
// up to 16 integer digits when a fraction digit follows), else as d.ddde±XX
// with at least two exponent digits (1.0e+15, 1.234567890123456e+15, 1.0e-05).
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	var buf [32]byte
	// 'e' with shortest precision gives [-]d[.ddd]e±XX: the digits and the
	// decimal exponent.
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		b = append(b, '-')
	}
	ePos := len(s) - 1
	for s[ePos] != 'e' {
		ePos--
	}
	exp := 0
	for _, c := range s[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if s[ePos+1] == '-' {
		exp = -exp
	}
	var digits [24]byte
	nd := 0
	for _, c := range s[:ePos] {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	switch {
	case exp < -4 || exp > 15 || exp == 15 && nd <= 16:
		b = append(b, digits[0], '.')
		if nd > 1 {
			b = append(b, digits[1:nd]...)
		} else {
			b = append(b, '0')
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	case exp < 0:
		b = append(b, '0', '.')
		for i := 0; i < -exp-1; i++ {
			b = append(b, '0')
		}
		return append(b, digits[:nd]...)
	default:
		intDigits := exp + 1
		if nd <= intDigits {
			b = append(b, digits[:nd]...)
			for i := nd; i < intDigits; i++ {
				b = append(b, '0')
			}
			return append(b, '.', '0')
		}
		b = append(b, digits[:intDigits]...)
		b = append(b, '.')
		return append(b, digits[intDigits:nd]...)
	}
}
