package ruby

import (
	"math/big"
	"strconv"
	"strings"
)

// Integer is Kernel#Integer on a string: surrounding whitespace, an
// optional sign, then a literal in base 10, or 16/8/2 with a 0x/0o (or a
// bare leading 0)/0b prefix, or 0d for base 10; single underscores may
// separate digits. Anything else is an error.
func Integer(s string) (any, error) {
	if s != "" && s[0] >= '1' && s[0] <= '9' || s == "0" {
		// The common case: plain decimal digits.
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	t := strings.Trim(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	if len(t) > 1 && t[0] == '0' {
		switch t[1] {
		case 'x', 'X':
			base, t = 16, t[2:]
		case 'b', 'B':
			base, t = 2, t[2:]
		case 'o', 'O':
			base, t = 8, t[2:]
		case 'd', 'D':
			base, t = 10, t[2:]
		default:
			base, t = 8, t[1:]
			// "0_7" is octal 7: the underscore follows the leading 0.
			if strings.HasPrefix(t, "_") {
				t = t[1:]
			}
		}
	}
	if t == "" || t[0] == '_' || t[0] == '+' || t[0] == '-' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return nil, invalidValue("Integer", s)
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(t, "_", ""), base)
	if !ok {
		return nil, invalidValue("Integer", s)
	}
	if neg {
		n.Neg(n)
	}
	return Normalize(n), nil
}
