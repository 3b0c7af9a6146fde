package event

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp is the value type of @timestamp (and of any field holding a
// Logstash Timestamp). It is an instant at nanosecond precision, printed in
// UTC the way Logstash prints it.
type Timestamp struct{ time.Time }

// Now returns the current time as a Timestamp, or the instant FixClock
// fixed.
func Now() Timestamp {
	if fixedNow != nil {
		return Timestamp{*fixedNow}
	}
	return Timestamp{time.Now()}
}

// fixedNow is set once at start-up, before any event exists.
var fixedNow *time.Time

// ClockEnv is the test hook that fixes the clock: golden tests and
// reproducible demos need events stamped with a known time, the way
// SOURCE_DATE_EPOCH pins builds. Its value is an RFC 3339 instant.
const ClockEnv = "GOSTASH_NOW"

// FixClock makes Now return the instant in value (RFC 3339, as ClockEnv
// holds it) from now on; an empty value leaves the real clock. It must be
// called before the first event is made.
func FixClock(value string) error {
	if value == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return fmt.Errorf("%s=%q is not an RFC 3339 instant such as 2026-01-02T03:04:05.678Z: %w", ClockEnv, value, err)
	}
	fixedNow = &t
	return nil
}

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
	// java.time's ISO form: at least 4 digits, a '-' before 0 and a '+'
	// past 9999 (-0044-03-15T..., +10000-01-01T...).
	if year > 9999 {
		b = append(b, '+')
	}
	b = appendSignedInt(b, year, 4)
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

// appendInt appends v, which is not negative, zero-padded to width digits.
func appendInt[T int | int64](b []byte, v T, width int) []byte {
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

// ParseTimestamp parses @timestamp text the way Logstash's Timestamp(String)
// does when an event is built from a map. Its java.time parser is
// case-insensitive and wants:
//   - an ISO date yyyy-MM-dd (a year past 9999 needs a '+', a year before 0
//     a '-'), where a day past the month's end but within 1-31 is clamped
//     to the last day (2022-02-30 is February 28th);
//   - optionally 'T' and HH:mm[:ss[.fraction]], the fraction at most 9
//     digits and possibly empty, 24:00 meaning the next midnight;
//   - optionally a zone: Z, an offset +HH:MM[:ss], UTC/GMT/UT (optionally
//     followed by such an offset) or a region such as Europe/Paris;
//   - optionally an offset +HH[mm[ss]] or Z, which wins over the zone.
//
// Without a zone or offset the local zone applies; a local time in a DST gap
// moves forward by the gap and one in an overlap takes the earlier offset.
func ParseTimestamp(s string) (Timestamp, bool) {
	p := tsParser{s: s}
	year, ok := p.year()
	if !ok || !p.lit('-') {
		return Timestamp{}, false
	}
	month, ok := p.digits(2)
	if !ok || !p.lit('-') {
		return Timestamp{}, false
	}
	day, ok := p.digits(2)
	if !ok {
		return Timestamp{}, false
	}
	var hour, min, sec, nsec int
	if save := p.i; p.litFold('T') {
		if h, m, sc, ns, ok := p.clock(); ok {
			hour, min, sec, nsec = h, m, sc, ns
		} else {
			p.i = save
		}
	}
	var loc *time.Location
	if save := p.i; p.i < len(p.s) {
		if l, ok := p.zone(); ok {
			loc = l
		} else {
			p.i = save
		}
	}
	if save := p.i; p.i < len(p.s) {
		if off, ok := p.compactOffset(); ok {
			loc = time.FixedZone("", off)
		} else {
			p.i = save
		}
	}
	if p.i != len(p.s) || month < 1 || month > 12 || day < 1 || day > 31 || min > 59 || sec > 59 {
		return Timestamp{}, false
	}
	extraDay := 0
	if hour == 24 {
		if min != 0 || sec != 0 || nsec != 0 {
			return Timestamp{}, false
		}
		hour, extraDay = 0, 1
	} else if hour > 23 {
		return Timestamp{}, false
	}
	if last := daysIn(time.Month(month), year); day > last {
		day = last
	}
	if loc == nil {
		loc = time.Local
	}
	return Timestamp{localToInstant(year, time.Month(month), day+extraDay, hour, min, sec, nsec, loc)}, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// localToInstant resolves a local date-time in loc as java.time's
// ZonedDateTime.ofLocal does: in a gap the time moves forward by the length
// of the gap, in an overlap the earlier offset is used.
func localToInstant(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) time.Time {
	wall := time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
	// Candidate offsets: those in force a day either side of the wall time.
	_, before := wall.Add(-24 * time.Hour).In(loc).Zone()
	_, after := wall.Add(24 * time.Hour).In(loc).Zone()
	var matches [2]time.Time
	n := 0
	for _, off := range [2]int{before, after} {
		t := wall.Add(-time.Duration(off) * time.Second)
		if _, o := t.In(loc).Zone(); o == off {
			matches[n] = t
			n++
		}
	}
	switch {
	case n == 2 && !matches[0].Equal(matches[1]):
		// Overlap: the earlier offset is the larger one, giving the earlier instant.
		if matches[1].Before(matches[0]) {
			return matches[1]
		}
		return matches[0]
	case n >= 1:
		return matches[0]
	}
	// Gap: interpret with the offset before the transition, which lands
	// the same distance past it as the wall time is past the gap's start.
	return wall.Add(-time.Duration(before) * time.Second)
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

// litFold matches an ASCII letter in either case.
func (p *tsParser) litFold(c byte) bool {
	if p.i < len(p.s) && p.s[p.i]|0x20 == c|0x20 {
		p.i++
		return true
	}
	return false
}

// digits reads exactly n digits.
func (p *tsParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// year reads ISO_LOCAL_DATE's year: 4 to 10 digits, SignStyle.EXCEEDS_PAD
// in strict mode (more than 4 digits need a '+', which 4 digits refuse).
func (p *tsParser) year() (int, bool) {
	sign := byte(0)
	if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		sign = p.s[p.i]
		p.i++
	}
	start := p.i
	v := 0
	for p.i < len(p.s) && p.i-start < 10 && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	n := p.i - start
	switch {
	case n < 4:
		return 0, false
	case sign == '+' && n == 4, sign == 0 && n > 4, sign == '-' && n > 4:
		return 0, false
	case v > 1_000_000_000: // past Instant's range
		return 0, false
	}
	if sign == '-' {
		v = -v
	}
	return v, true
}

// clock reads ISO_LOCAL_TIME: HH:mm[:ss[.fffffffff]].
func (p *tsParser) clock() (hour, min, sec, nsec int, ok bool) {
	if hour, ok = p.digits(2); !ok || !p.lit(':') {
		return 0, 0, 0, 0, false
	}
	if min, ok = p.digits(2); !ok {
		return 0, 0, 0, 0, false
	}
	if save := p.i; p.lit(':') {
		if sec, ok = p.digits(2); !ok {
			p.i = save
			return hour, min, 0, 0, true
		}
		if p.lit('.') {
			n := 0
			for p.i < len(p.s) && n < 9 && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				nsec = nsec*10 + int(p.s[p.i]-'0')
				p.i++
				n++
			}
			for ; n < 9; n++ {
				nsec *= 10
			}
		}
	}
	return hour, min, sec, nsec, true
}

// zone reads appendZoneOrOffsetId: Z, +HH:MM[:ss], UTC/GMT/UT with an
// optional such offset, or a region id (matched case-insensitively).
func (p *tsParser) zone() (*time.Location, bool) {
	rest := p.s[p.i:]
	switch {
	case rest[0] == '+' || rest[0] == '-':
		off, ok := p.colonOffset()
		if !ok {
			return nil, false
		}
		return time.FixedZone("", off), true
	case hasPrefixFold(rest, "UTC"), hasPrefixFold(rest, "GMT"), hasPrefixFold(rest, "UT"):
		n := 2
		if len(rest) >= 3 && (hasPrefixFold(rest, "UTC") || hasPrefixFold(rest, "GMT")) {
			n = 3
		}
		p.i += n
		if save := p.i; p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			if off, ok := p.colonOffset(); ok {
				return time.FixedZone("", off), true
			}
			p.i = save
		}
		return time.UTC, true
	case rest[0]|0x20 == 'z' && (len(rest) == 1 || rest[1] == '+' || rest[1] == '-' || !isZoneIDByte(rest[1])):
		p.i++
		return time.UTC, true
	}
	end := 0
	for end < len(rest) && isZoneIDByte(rest[end]) {
		end++
	}
	// The longest prefix that names a region wins.
	for ; end > 0; end-- {
		if loc, ok := loadZoneFold(rest[:end]); ok {
			p.i += end
			return loc, true
		}
	}
	return nil, false
}

func isZoneIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+' || c == '~' || c == '.'
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i]|0x20 {
			return false
		}
	}
	return true
}

// loadZoneFold loads a region zone written in any case: as given, then with
// the capitalisation tz names use (Europe/Paris, America/New_York).
func loadZoneFold(name string) (*time.Location, bool) {
	if !strings.Contains(name, "/") {
		return nil, false
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc, true
	}
	b := []byte(strings.ToLower(name))
	upper := true
	for i, c := range b {
		if upper && c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
		upper = c == '/' || c == '_' || c == '-'
	}
	if loc, err := time.LoadLocation(string(b)); err == nil {
		return loc, true
	}
	return nil, false
}

// colonOffset reads +HH:MM[:ss] (java.time "+HH:MM:ss"), at most ±18:00.
func (p *tsParser) colonOffset() (int, bool) {
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	hh, ok := p.digits(2)
	if !ok || !p.lit(':') {
		return 0, false
	}
	mm, ok := p.digits(2)
	if !ok {
		return 0, false
	}
	ss := 0
	if save := p.i; p.lit(':') {
		if ss, ok = p.digits(2); !ok {
			p.i = save
		}
	}
	return checkOffset(sign, hh, mm, ss)
}

// compactOffset reads appendOffset("+HHmmss", "Z"): Z, +HH, +HHmm or +HHmmss.
func (p *tsParser) compactOffset() (int, bool) {
	if p.litFold('Z') {
		return 0, true
	}
	if p.s[p.i] != '+' && p.s[p.i] != '-' {
		return 0, false
	}
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	hh, ok := p.digits(2)
	if !ok {
		return 0, false
	}
	mm, ss := 0, 0
	if v, ok := p.digits(2); ok {
		mm = v
		if v, ok := p.digits(2); ok {
			ss = v
		}
	}
	return checkOffset(sign, hh, mm, ss)
}

func checkOffset(sign, hh, mm, ss int) (int, bool) {
	if hh > 18 || mm > 59 || ss > 59 {
		return 0, false
	}
	off := hh*3600 + mm*60 + ss
	if off > 18*3600 {
		return 0, false
	}
	return sign * off, true
}
