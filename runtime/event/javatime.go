package event

import (
	"fmt"
	"strings"
	"time"
)

// javaTimeFormat is a compiled java.time DateTimeFormatter pattern, as
// Logstash applies it in %{{...}}: DateTimeFormatter.ofPattern(p) in the
// JVM's default locale (taken to be en_US), with the zone overridden to
// ZoneOffset.UTC, formatting the Timestamp's Instant at nanosecond
// precision. Since the zone is the offset UTC, zone names print as "Z".
type javaTimeFormat struct {
	items []javaTimeItem
}

type javaTimeItem struct {
	letter byte // 0 for a literal
	count  int
	lit    string
	pad    int // from a preceding pN: pad the output on the left to this width
}

// compileJavaTimePattern parses a pattern with DateTimeFormatterBuilder's
// appendPattern rules and error messages.
func compileJavaTimePattern(p string) (timeFormatter, error) {
	f := &javaTimeFormat{}
	optional := 0
	pad := 0
	add := func(it javaTimeItem) {
		it.pad = pad
		pad = 0
		f.items = append(f.items, it)
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if c == 'p' {
				// pN pads the next field to width N; it must be followed by one.
				if j == len(p) || !(p[j] >= 'A' && p[j] <= 'Z' || p[j] >= 'a' && p[j] <= 'z') {
					return nil, fmt.Errorf("Pad letter 'p' must be followed by valid pad pattern: %s", p)
				}
				pad = n
				i = j
				continue
			}
			if err := checkJavaTimeLetter(c, n); err != nil {
				return nil, err
			}
			add(javaTimeItem{letter: c, count: n})
			i = j
		case c == '\'':
			j := i + 1
			for ; j < len(p); j++ {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						j++
					} else {
						break
					}
				}
			}
			if j >= len(p) {
				return nil, fmt.Errorf("Pattern ends with an incomplete string literal: %s", p)
			}
			lit := p[i+1 : j]
			if lit == "" {
				lit = "'"
			} else {
				lit = strings.ReplaceAll(lit, "''", "'")
			}
			add(javaTimeItem{lit: lit})
			i = j + 1
		case c == '[':
			optional++
			i++
		case c == ']':
			if optional == 0 {
				return nil, fmt.Errorf("Pattern invalid as it contains ] without previous [")
			}
			optional--
			i++
		case c == '{' || c == '}' || c == '#':
			return nil, fmt.Errorf("Pattern includes reserved character: '%c'", c)
		default:
			// One literal per character; multi-byte UTF-8 stays together.
			j := i + 1
			for j < len(p) && p[j]&0xC0 == 0x80 {
				j++
			}
			add(javaTimeItem{lit: p[i:j]})
			i = j
		}
	}
	return f, nil
}

// checkJavaTimeLetter applies appendPattern's letter-count limits.
func checkJavaTimeLetter(c byte, n int) error {
	tooMany := fmt.Errorf("Too many pattern letters: %c", c)
	switch c {
	case 'G', 'Q', 'q', 'M', 'L', 'E', 'e':
		if n > 5 {
			return tooMany
		}
	case 'c':
		if n == 2 {
			return fmt.Errorf("Invalid pattern \"cc\"")
		}
		if n > 5 {
			return tooMany
		}
	case 'u', 'y', 'Y', 'n', 'N', 'A', 'g':
		if n > 19 {
			return tooMany
		}
	case 'w', 'd', 'h', 'K', 'k', 'H', 'm', 's':
		if n > 2 {
			return tooMany
		}
	case 'W', 'F':
		if n > 1 {
			return tooMany
		}
	case 'D':
		if n > 3 {
			return tooMany
		}
	case 'a':
		if n > 1 {
			return tooMany
		}
	case 'S':
		if n > 9 {
			return tooMany
		}
	case 'B':
		if n != 1 && n != 4 && n != 5 {
			return fmt.Errorf("Wrong number of pattern letters: %c", c)
		}
	case 'V':
		if n != 2 {
			return fmt.Errorf("Pattern letter count must be 2: %c", c)
		}
	case 'v':
		if n != 1 && n != 4 {
			return fmt.Errorf("Wrong number of pattern letters: %c", c)
		}
	case 'z':
		if n > 4 {
			return tooMany
		}
	case 'O':
		if n != 1 && n != 4 {
			return fmt.Errorf("Pattern letter count must be 1 or 4: %c", c)
		}
	case 'X', 'x', 'Z':
		if n > 5 {
			return tooMany
		}
	default:
		return fmt.Errorf("Unknown pattern letter: %c", c)
	}
	return nil
}

var (
	shortMonthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	quarterNames    = [...]string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}
)

// usWeek returns the week-based year and week of week-based year under the
// en_US week rules (weeks start on Sunday; week 1 holds January 1st).
func usWeek(t time.Time) (year, week int) {
	year = t.Year()
	dow := int(t.Weekday()) // Sunday = 0
	startOfWeek := t.YearDay() - 1 - dow
	daysInYear := 365
	if isLeap(year) {
		daysInYear = 366
	}
	if startOfWeek+6 >= daysInYear {
		return year + 1, 1
	}
	jan1 := (dow - (t.YearDay()-1)%7 + 7) % 7
	return year, (t.YearDay()-1+jan1)/7 + 1
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func (f *javaTimeFormat) AppendFormat(b []byte, ts Timestamp) []byte {
	t := newCivilTime(ts.Time)
	for _, it := range f.items {
		start := len(b)
		b = appendJavaTimeItem(b, it, t)
		if it.pad > 0 && len(b)-start < it.pad {
			fill := it.pad - (len(b) - start)
			b = append(b, make([]byte, fill)...)
			copy(b[start+fill:], b[start:len(b)-fill])
			for k := start; k < start+fill; k++ {
				b[k] = ' '
			}
		}
	}
	return b
}

// appendJavaYear prints a year field: yy is the reduced two-digit form; 1-3
// letters use SignStyle.NORMAL; 4 or more letters EXCEEDS_PAD, which adds a
// '+' to a value wider than the pad (year 10000 as yyyy is +10000).
func appendJavaYear(b []byte, v, count int) []byte {
	switch {
	case count == 2:
		m := v % 100
		if m < 0 {
			m = -m
		}
		return appendInt(b, m, 2)
	case count < 4:
		return appendSignedInt(b, v, count)
	}
	if v >= 0 && count < 19 && float64(v) >= pow10f(count) {
		b = append(b, '+')
	}
	return appendSignedInt(b, v, count)
}

func pow10f(n int) float64 {
	p := 1.0
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func appendJavaTimeItem(b []byte, it javaTimeItem, t civilTime) []byte {
	if it.letter == 0 {
		return append(b, it.lit...)
	}
	n := it.count
	switch it.letter {
	case 'G':
		ad := t.Year() > 0
		switch {
		case n == 4 && ad:
			return append(b, "Anno Domini"...)
		case n == 4:
			return append(b, "Before Christ"...)
		case n == 5 && ad:
			return append(b, 'A')
		case n == 5:
			return append(b, 'B')
		case ad:
			return append(b, "AD"...)
		}
		return append(b, "BC"...)
	case 'u':
		return appendJavaYear(b, t.Year(), n)
	case 'y':
		y := t.Year()
		if y <= 0 {
			y = 1 - y
		}
		return appendJavaYear(b, y, n)
	case 'Y':
		y, _ := usWeek(t.Time)
		return appendJavaYear(b, y, n)
	case 'w':
		_, w := usWeek(t.Time)
		return appendSignedInt(b, w, n)
	case 'W':
		first := (int(t.Weekday()) - (t.Day()-1)%7 + 7) % 7
		return appendSignedInt(b, (t.Day()-1+first)/7+1, n)
	case 'Q', 'q':
		q := (int(t.Month())-1)/3 + 1
		switch n {
		case 3:
			return append(b, 'Q', byte('0'+q))
		case 4:
			return append(b, quarterNames[q-1]...)
		case 5:
			return append(b, byte('0'+q))
		}
		return appendSignedInt(b, q, n)
	case 'M', 'L':
		m := int(t.Month())
		switch n {
		case 3:
			return append(b, shortMonthNames[m-1]...)
		case 4:
			return append(b, monthNames[m-1]...)
		case 5:
			return append(b, monthNames[m-1][0])
		}
		return appendSignedInt(b, m, n)
	case 'd':
		return appendSignedInt(b, t.Day(), n)
	case 'D':
		if n == 2 {
			// appendValue(DAY_OF_YEAR, 2, 3, NOT_NEGATIVE): at least two digits.
			return appendInt(b, t.YearDay(), 2)
		}
		return appendSignedInt(b, t.YearDay(), n)
	case 'F':
		// ALIGNED_WEEK_OF_MONTH, the meaning of F since JDK 19 (JDK-8282081);
		// earlier JDKs printed the aligned day of week in month.
		return appendSignedInt(b, (t.Day()-1)/7+1, n)
	case 'E', 'e', 'c':
		wd := t.Weekday()
		if (it.letter == 'e' || it.letter == 'c') && n <= 2 {
			return appendSignedInt(b, int(wd)+1, n) // en_US: Sunday is day 1
		}
		switch n {
		case 4:
			return append(b, dayNames[wd]...)
		case 5:
			return append(b, dayNames[wd][0])
		}
		return append(b, dayNames[wd][:3]...)
	case 'a':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'B':
		return append(b, englishDayPeriod(t.Time, n == 5)...)
	case 'g':
		// Modified Julian Day.
		return appendSignedInt(b, int(floorDiv(t.Unix(), 86400))+40587, n)
	case 'H':
		return appendSignedInt(b, t.Hour(), n)
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return appendSignedInt(b, h, n)
	case 'K':
		return appendSignedInt(b, t.Hour()%12, n)
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return appendSignedInt(b, h, n)
	case 'm':
		return appendSignedInt(b, t.Minute(), n)
	case 's':
		return appendSignedInt(b, t.Second(), n)
	case 'S':
		// appendFraction(NANO_OF_SECOND, n, n, false): the first n digits, truncated.
		var digits [9]byte
		ns := t.Nanosecond()
		for k := 8; k >= 0; k-- {
			digits[k] = byte('0' + ns%10)
			ns /= 10
		}
		return append(b, digits[:n]...)
	case 'n':
		return appendSignedInt(b, t.Nanosecond(), n)
	case 'N':
		h, m, s := t.Clock()
		return appendInt(b, int64(h*3600+m*60+s)*1e9+int64(t.Nanosecond()), n)
	case 'A':
		h, m, s := t.Clock()
		return appendSignedInt(b, (h*3600+m*60+s)*1000+t.Nanosecond()/1e6, n)
	case 'V', 'v', 'z', 'X':
		return append(b, 'Z')
	case 'O':
		return append(b, "GMT"...)
	case 'x':
		switch n {
		case 1:
			return append(b, "+00"...)
		case 2, 4:
			return append(b, "+0000"...)
		}
		return append(b, "+00:00"...)
	case 'Z':
		switch n {
		case 4:
			return append(b, "GMT"...)
		case 5:
			return append(b, 'Z')
		}
		return append(b, "+0000"...)
	}
	return b
}

// englishDayPeriod is the CLDR en day period java.time prints for B
// (BBBBB is the narrow form): midnight and noon exactly, else morning (06-12), afternoon (12-18),
// evening (18-21) or night.
func englishDayPeriod(t time.Time, narrow bool) string {
	h, m, _ := t.Clock()
	switch {
	case h == 0 && m == 0 && narrow:
		return "mi"
	case h == 0 && m == 0:
		return "midnight"
	case h == 12 && m == 0 && narrow:
		return "n"
	case h == 12 && m == 0:
		return "noon"
	case h >= 6 && h < 12:
		return "in the morning"
	case h >= 12 && h < 18:
		return "in the afternoon"
	case h >= 18 && h < 21:
		return "in the evening"
	}
	return "at night"
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
