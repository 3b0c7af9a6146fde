package event

import (
	"fmt"
	"strconv"
	"time"
)

// jodaFormat is a compiled Joda-Time style pattern: a list of fields and
// literals, formatted in UTC.
type jodaFormat struct {
	items []jodaItem
}

type jodaItem struct {
	letter byte // 0 for a literal
	count  int
	lit    string
}

func compileJodaPattern(p string) (timeFormatter, error) {
	var f jodaFormat
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit []byte
			for j < len(p) {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit = append(lit, '\'')
						j += 2
						continue
					}
					break
				}
				lit = append(lit, p[j])
				j++
			}
			if i+1 < len(p) && p[i+1] == '\'' {
				lit = []byte{'\''}
				j = i + 1
			}
			f.items = append(f.items, jodaItem{lit: string(lit)})
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			if !jodaLetterKnown(c) {
				return nil, fmt.Errorf("Illegal pattern component: %s", p[i:j])
			}
			f.items = append(f.items, jodaItem{letter: c, count: j - i})
			i = j
		default:
			f.items = append(f.items, jodaItem{lit: p[i : i+1]})
			i++
		}
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("Invalid pattern specification")
	}
	return &f, nil
}

func jodaLetterKnown(c byte) bool {
	switch c {
	case 'G', 'C', 'Y', 'x', 'w', 'e', 'E', 'y', 'D', 'M', 'd', 'a', 'K', 'h', 'H', 'k', 'm', 's', 'S', 'z', 'Z':
		return true
	}
	return false
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func (f *jodaFormat) AppendFormat(b []byte, ts Timestamp) []byte {
	t := newCivilTime(ts.Time)
	for _, it := range f.items {
		if it.letter == 0 {
			b = append(b, it.lit...)
			continue
		}
		n := it.count
		switch it.letter {
		case 'y', 'Y', 'x':
			// Two letters are Joda's two-digit year (of the calendar year
			// for y and Y alike, of the weekyear for x); otherwise y is the
			// signed proleptic year, Y the year of era, x the ISO weekyear.
			y := t.Year()
			if it.letter == 'x' {
				y, _ = t.ISOWeek()
			}
			switch {
			case n == 2:
				if y < 0 {
					y = -y
				}
				b = appendInt(b, y%100, 2)
			case it.letter == 'Y':
				b = appendInt(b, yearOfEra(t.Year()), n)
			default:
				b = appendSignedInt(b, y, n)
			}
		case 'w':
			_, w := t.ISOWeek()
			b = appendInt(b, w, n)
		case 'C':
			b = appendInt(b, yearOfEra(t.Year())/100, n)
		case 'G':
			if t.Year() <= 0 {
				b = append(b, "BC"...)
			} else {
				b = append(b, "AD"...)
			}
		case 'M':
			switch {
			case n >= 4:
				b = append(b, monthNames[t.Month()-1]...)
			case n == 3:
				b = append(b, monthNames[t.Month()-1][:3]...)
			default:
				b = appendInt(b, int(t.Month()), n)
			}
		case 'd':
			b = appendInt(b, t.Day(), n)
		case 'D':
			b = appendInt(b, t.YearDay(), n)
		case 'e':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = appendInt(b, wd, n)
		case 'E':
			if n >= 4 {
				b = append(b, dayNames[t.Weekday()]...)
			} else {
				b = append(b, dayNames[t.Weekday()][:3]...)
			}
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'H':
			b = appendInt(b, t.Hour(), n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendInt(b, h, n)
		case 'K':
			b = appendInt(b, t.Hour()%12, n)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendInt(b, h, n)
		case 'm':
			b = appendInt(b, t.Minute(), n)
		case 's':
			b = appendInt(b, t.Second(), n)
		case 'S':
			ms := t.Nanosecond() / 1_000_000
			digits := fmt.Sprintf("%03d", ms)
			for i := 0; i < n; i++ {
				if i < 3 {
					b = append(b, digits[i])
				} else {
					b = append(b, '0')
				}
			}
		case 'z':
			if n >= 4 {
				b = append(b, "Coordinated Universal Time"...)
			} else {
				b = append(b, "UTC"...)
			}
		case 'Z':
			switch n {
			case 1:
				b = append(b, "+0000"...)
			case 2:
				b = append(b, "+00:00"...)
			default:
				b = append(b, "UTC"...)
			}
		}
	}
	return b
}

// civilTime is a UTC time with its date and clock worked out once, since
// a pattern usually prints several of them.
type civilTime struct {
	time.Time
	year           int
	month          time.Month
	day            int
	hour, min, sec int
}

func newCivilTime(t time.Time) civilTime {
	c := civilTime{Time: t.UTC()}
	c.year, c.month, c.day = c.Time.Date()
	c.hour, c.min, c.sec = c.Time.Clock()
	return c
}

func (c civilTime) Year() int                    { return c.year }
func (c civilTime) Month() time.Month            { return c.month }
func (c civilTime) Day() int                     { return c.day }
func (c civilTime) Hour() int                    { return c.hour }
func (c civilTime) Minute() int                  { return c.min }
func (c civilTime) Second() int                  { return c.sec }
func (c civilTime) Clock() (int, int, int)       { return c.hour, c.min, c.sec }
func (c civilTime) Date() (int, time.Month, int) { return c.year, c.month, c.day }

// yearOfEra maps the proleptic year (0 is 1 BC) to the year within its era.
func yearOfEra(y int) int {
	if y <= 0 {
		return 1 - y
	}
	return y
}

// appendSignedInt appends v zero-padded to width digits, after a '-' when
// negative (Joda's and java.time's signed decimal printing).
func appendSignedInt(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	return appendInt(b, v, width)
}

func appendEpochSeconds(b []byte, ts Timestamp) []byte {
	return strconv.AppendInt(b, ts.Time.Unix(), 10)
}
