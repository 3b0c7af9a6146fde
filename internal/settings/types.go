package settings

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Type is how a setting's value is read and checked: Logstash's setting
// classes (BooleanSetting, PositiveIntegerSetting, BytesSetting...).
type Type int

const (
	// Bool takes true/false, or the strings "true"/"false".
	Bool Type = iota
	// String is a string; with Options it must be one of them.
	String
	// Coercible turns any value into its string form first (YAML true is
	// "true"), which must be one of Options.
	Coercible
	// PositiveInt is an integer above 0.
	PositiveInt
	// Numeric is any number (an int64 or a float64).
	Numeric
	// Bytes is a number of bytes or a string with a unit (64mb), powers of 1024.
	Bytes
	// TimeValue is a number and a unit (3s, 500ms); "-1" means disabled.
	TimeValue
	// PortRange is one port or a range "9600-9700" within 1..65535.
	PortRange
	// Strings is a list of strings; with Options each must be one of them.
	Strings
	// Password is a string never shown.
	Password
)

// coerce turns a raw value (from YAML, a flag or ${VAR} substitution) into
// the setting's value: bool, string, int, int64 or float64, int64 bytes,
// time.Duration, a "first-last" port range string, or []string. The error
// texts are Logstash's.
func (d *Def) coerce(v any) (any, error) {
	if v == nil {
		if d.Nullable {
			return nil, nil
		}
		if d.Type == String || d.Type == Password {
			return nil, fmt.Errorf("Setting \"%s\" must be a String. Received:  (NilClass)", d.Name)
		}
	}
	switch d.Type {
	case Bool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			switch b {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, fmt.Errorf("Cannot coerce `%v` to boolean (%s)", v, d.Name)
	case String, Password:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Setting \"%s\" must be a String. Received: %v (%s)", d.Name, v, rubyClass(v))
		}
		if len(d.Options) > 0 && !contains(d.Options, s) {
			return nil, fmt.Errorf("Invalid value \"%s: %s\" . Options are: %s", d.Name, s, rubyList(d.Options))
		}
		return s, nil
	case Coercible:
		s := scalarString(v)
		if !contains(d.Options, s) {
			return nil, fmt.Errorf("Invalid value \"%s\". Options are: %s", s, rubyList(d.Options))
		}
		return s, nil
	case PositiveInt:
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int64:
			n = x
		case string:
			p, err := strconv.ParseInt(strings.TrimSpace(x), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("Failed to coerce value to PositiveIntegerSetting. Received %s (String)", x)
			}
			n = p
		default:
			return nil, fmt.Errorf("Failed to coerce value to PositiveIntegerSetting. Received %v (%s)", v, rubyClass(v))
		}
		if n <= 0 {
			return nil, fmt.Errorf("Number must be bigger than 0. Received: %d", n)
		}
		if n > math.MaxInt32 {
			return nil, fmt.Errorf("Failed to coerce value to PositiveIntegerSetting. Received %d (Integer)", n)
		}
		return int(n), nil
	case Numeric:
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64:
			return x, nil
		case float64:
			return x, nil
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 32); err == nil {
				return n, nil
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 32); err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("Failed to coerce value to NumericSetting. Received %v (%s)", v, rubyClass(v))
	case Bytes:
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int64:
			n = x
		case float64:
			n = int64(x)
		case string:
			p, err := ParseBytes(x)
			if err != nil {
				return nil, err
			}
			n = p
		default:
			return nil, fmt.Errorf("Could not coerce '%v' into a bytes value", v)
		}
		if n < 0 {
			return nil, fmt.Errorf("Invalid byte value \"%d\".", n)
		}
		return n, nil
	case TimeValue:
		switch x := v.(type) {
		case int, int64:
			// Logstash reads a bare integer as nanoseconds (with a deprecation warning).
			n := toInt64(x)
			if n > math.MaxInt32 {
				return nil, fmt.Errorf("Numeric value for `%s` exceeds the maximum int (%d) supported value for nanoseconds.", d.Name, math.MaxInt32)
			}
			return time.Duration(n), nil
		case float64:
			return nil, fmt.Errorf("Non-integer numeric value for `%s` is not supported without a time unit. Please specify a time unit suffix such as `d`, `h`, `m`, `s`, `ms`, `micros`, or `nanos`.", d.Name)
		case string:
			return ParseTimeValue(x)
		}
		return nil, fmt.Errorf("value is not a string: %v [%s]", v, rubyClass(v))
	case PortRange:
		first, last, err := parsePortRange(v)
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("%d-%d", first, last), nil
	case Strings:
		var list []string
		switch x := v.(type) {
		case string:
			// A comma-separated string, as a flag or ${VAR} gives a list.
			for _, item := range strings.Split(x, ",") {
				list = append(list, strings.TrimSpace(item))
			}
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("Setting \"%s\" must be a list of strings. Received: %v", d.Name, v)
				}
				list = append(list, s)
			}
		case []string:
			list = x
		default:
			return nil, fmt.Errorf("Setting \"%s\" must be a list of strings. Received: %v (%s)", d.Name, v, rubyClass(v))
		}
		for _, s := range list {
			if len(d.Options) > 0 && !contains(d.Options, s) {
				return nil, fmt.Errorf("Failed to validate the setting \"%s\" value(s): [%q]. Valid options are: %s", d.Name, s, rubyList(d.Options))
			}
		}
		return list, nil
	}
	return nil, fmt.Errorf("setting %s: unhandled type", d.Name)
}

var (
	bytesUnit    = regexp.MustCompile(`(?i)(kb|k|mb|m|gb|g|tb|t|pb|p|b)$`)
	disabledTime = regexp.MustCompile(`^-0*1$`)
)

// ParseBytes reads a byte size as Logstash does: the digits (with a sign
// or a point) times the unit's power of 1024.
func ParseBytes(text string) (int64, error) {
	unit := bytesUnit.FindString(strings.TrimSpace(text))
	if unit == "" {
		return 0, fmt.Errorf("Could not coerce '%s' into a bytes value", text)
	}
	var factor float64
	switch strings.ToLower(unit)[0] {
	case 'k':
		factor = 1 << 10
	case 'm':
		factor = 1 << 20
	case 'g':
		factor = 1 << 30
	case 't':
		factor = 1 << 40
	case 'p':
		factor = 1 << 50
	default:
		factor = 1
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, text)
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return 0, fmt.Errorf("Could not coerce '%s' into a bytes value", text)
	}
	n := new(big.Float).Mul(big.NewFloat(f), big.NewFloat(factor))
	i, acc := n.Int64()
	if acc != big.Exact && !n.IsInt() && (i == math.MaxInt64 || i == math.MinInt64) {
		return 0, fmt.Errorf("Could not coerce '%s' into a bytes value: too large", text)
	}
	return i, nil
}

// ParseTimeValue reads Logstash's TimeValue strings: an integer and a unit
// (nanos, micros, ms, s, m, h, d), or "-1" for disabled (-1 here).
func ParseTimeValue(value string) (time.Duration, error) {
	s := strings.ToLower(strings.TrimSpace(value))
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second},
		{"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("invalid time value %q: expected an integer and a unit (nanos, micros, ms, s, m, h, d) such as 3s", value)
			}
			return time.Duration(n) * u.unit, nil
		}
	}
	if disabledTime.MatchString(s) {
		return -1, nil
	}
	return 0, fmt.Errorf("invalid time unit: %q", value)
}

func parsePortRange(v any) (first, last int, err error) {
	switch x := v.(type) {
	case int:
		first, last = x, x
	case int64:
		first, last = int(x), int(x)
	case string:
		lo, hi, isRange := strings.Cut(strings.TrimSpace(x), "-")
		var err1, err2 error
		first, err1 = strconv.Atoi(strings.TrimSpace(lo))
		last = first
		if isRange {
			last, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil {
			return 0, 0, fmt.Errorf("Could not coerce [%s](type: class java.lang.String) into a port range", x)
		}
	default:
		return 0, 0, fmt.Errorf("Could not coerce [%v](type: %s) into a port range", v, rubyClass(v))
	}
	if first < 1 || last > 65535 || first > last {
		return 0, 0, fmt.Errorf("Invalid value \"%d-%d\": ports must be within 1..65535, the first not above the last", first, last)
	}
	return first, last, nil
}

// PortRangeBounds splits a port range value.
func PortRangeBounds(v string) (first, last int) {
	first, last, _ = parsePortRange(v)
	return first, last
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// rubyClass names a value's type as Logstash's messages do.
func rubyClass(v any) string {
	switch v.(type) {
	case nil:
		return "NilClass"
	case string:
		return "String"
	case bool:
		return "Boolean"
	case int, int64:
		return "Integer"
	case float64:
		return "Float"
	case []any, []string:
		return "Array"
	case map[string]any:
		return "Hash"
	}
	return fmt.Sprintf("%T", v)
}

// rubyList formats options as Logstash prints a Java list: [a, b].
func rubyList(options []string) string {
	return "[" + strings.Join(options, ", ") + "]"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
