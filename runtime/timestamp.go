package runtime

import (
	"os"
	"strconv"
	"time"
)

// Timestamp is the value type of @timestamp (and of any field holding a
// Logstash Timestamp). It is an instant at nanosecond precision, printed in
// UTC the way Logstash prints it.
type Timestamp struct{ time.Time }

// Now returns the current time as a Timestamp, or the fixed instant in
// GOSTASH_NOW (RFC 3339) when set: golden tests and reproducible demos need
// events stamped with a known time, the way SOURCE_DATE_EPOCH pins builds.
func Now() Timestamp {
	if fixedNow != nil {
		return Timestamp{*fixedNow}
	}
	return Timestamp{time.Now()}
}

var fixedNow = func() *time.Time {
	s := os.Getenv("GOSTASH_NOW")
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}()

// String is Logstash's Timestamp#to_s: ISO-8601 in UTC with a Z, with 3
// fraction digits for whole milliseconds and otherwise the fewest groups of
// three digits that keep every nanosecond (.123Z, .123400Z, .123456789Z).
func (t Timestamp) String() string {
	return string(t.AppendTo(make([]byte, 0, 30)))
}

// AppendTo appends the String form to b.
func (t Timestamp) AppendTo(b []byte) []byte {
	u := t.Time.UTC()
	year, month, day := u.Date()
	hour, min, sec := u.Clock()
	if year >= 0 && year <= 9999 {
		b = appendInt(b, year, 4)
	} else {
		b = strconv.AppendInt(b, int64(year), 10)
	}
	b = append(b, '-')
	b = appendInt(b, int(month), 2)
	b = append(b, '-')
	b = appendInt(b, day, 2)
	b = append(b, 'T')
	b = appendInt(b, hour, 2)
	b = append(b, ':')
	b = appendInt(b, min, 2)
	b = append(b, ':')
	b = appendInt(b, sec, 2)
	b = append(b, '.')
	ns := u.Nanosecond()
	switch {
	case ns%1_000_000 == 0:
		b = appendInt(b, ns/1_000_000, 3)
	case ns%1_000 == 0:
		b = appendInt(b, ns/1_000, 6)
	default:
		b = appendInt(b, ns, 9)
	}
	return append(b, 'Z')
}

func appendInt(b []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
}

// ParseTimestamp parses @timestamp text the lenient way Logstash does when an
// event is built from a map: yyyy-MM-dd, optionally followed by
// 'T'HH:mm[:ss[.fraction]], then an optional zone (Z, +01:00, +0100). With
// no zone the local zone applies.
func ParseTimestamp(s string) (Timestamp, bool) {
	p := tsParser{s: s}
	year, ok := p.digits(4, 4)
	if !ok || !p.lit('-') {
		return Timestamp{}, false
	}
	month, ok := p.digits(2, 2)
	if !ok || !p.lit('-') {
		return Timestamp{}, false
	}
	day, ok := p.digits(2, 2)
	if !ok {
		return Timestamp{}, false
	}
	var hour, min, sec, nsec int
	if p.lit('T') {
		if hour, ok = p.digits(2, 2); !ok || !p.lit(':') {
			return Timestamp{}, false
		}
		if min, ok = p.digits(2, 2); !ok {
			return Timestamp{}, false
		}
		if p.lit(':') {
			if sec, ok = p.digits(2, 2); !ok {
				return Timestamp{}, false
			}
			if p.lit('.') || p.lit(',') {
				start := p.i
				frac, ok := p.digits(1, 9)
				if !ok {
					return Timestamp{}, false
				}
				for n := p.i - start; n < 9; n++ {
					frac *= 10
				}
				nsec = frac
				for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
					p.i++ // digits past nanoseconds are dropped
				}
			}
		}
	}
	loc := time.Local
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case 'Z', 'z':
			p.i++
			loc = time.UTC
		case '+', '-':
			sign := 1
			if p.s[p.i] == '-' {
				sign = -1
			}
			p.i++
			hh, ok := p.digits(2, 2)
			if !ok {
				return Timestamp{}, false
			}
			p.lit(':')
			mm := 0
			if p.i < len(p.s) {
				if mm, ok = p.digits(2, 2); !ok {
					return Timestamp{}, false
				}
			}
			loc = time.FixedZone("", sign*(hh*3600+mm*60))
		default:
			return Timestamp{}, false
		}
	}
	if p.i != len(p.s) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59 {
		return Timestamp{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc)
	if t.Day() != day {
		return Timestamp{}, false // e.g. February 30th
	}
	return Timestamp{t}, true
}

type tsParser struct {
	s string
	i int
}

func (p *tsParser) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *tsParser) digits(min, max int) (int, bool) {
	v, n := 0, 0
	for p.i < len(p.s) && n < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	return v, n >= min
}
