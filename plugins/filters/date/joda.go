package date

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// element is one piece of a Joda parser. parse reads text at pos and
// returns the position after what it consumed, or -1 when it did not match.
type element interface {
	parse(b *bucket, text string, pos int) int
}

type savedField struct {
	f     fieldType
	value int
}

// bucket collects what a parse found: field values and maybe an offset or zone.
type bucket struct {
	fields []savedField
	room   [8]savedField // fields' first backing array: one allocation for the bucket
	offset *time.Duration
	zone   *time.Location
	locale *localeNames
}

type bucketState struct {
	n      int
	offset *time.Duration
	zone   *time.Location
}

func (b *bucket) save() bucketState { return bucketState{len(b.fields), b.offset, b.zone} }

func (b *bucket) restore(s bucketState) {
	b.fields, b.offset, b.zone = b.fields[:s.n], s.offset, s.zone
}

func (b *bucket) saveField(f fieldType, v int) { b.fields = append(b.fields, savedField{f, v}) }

var errNoMatch = errors.New("no match")

// localTime applies the saved fields to the epoch (or Jan 1 of
// defaultYear when the largest field is a month, week or day field), twice,
// as Joda's DateTimeParserBucket.computeMillis does.
func (b *bucket) localTime(defaultYear int) (time.Time, error) {
	if t, ok := plainLocalTime(b.fields); ok {
		return t, nil
	}
	return jodaLocalTime(b.fields, defaultYear)
}

// jodaLocalTime is localTime for any fields, step by step as Joda goes.
func jodaLocalTime(saved []savedField, defaultYear int) (time.Time, error) {
	fields := append([]savedField(nil), saved...)
	sortFields(fields)
	if len(fields) > 0 {
		d := fieldInfos[fields[0].f].durationUnit
		if d >= uDays && d <= uMonths {
			fields = append([]savedField{{fYear, defaultYear}}, fields...)
			sortFields(fields)
		}
	}
	t := time.Unix(0, 0).UTC()
	var err error
	// Joda rounds each field down as it sets it, then sets them all again
	// rounding only the last: "yyyy ww" of "2014 01" is 2014-12-29.
	for _, sf := range fields {
		if t, err = sf.f.set(t, sf.value); err != nil {
			return t, err
		}
		t = sf.f.roundFloor(t)
	}
	for i, sf := range fields {
		if t, err = sf.f.set(t, sf.value); err != nil {
			return t, err
		}
		if i == len(fields)-1 {
			t = sf.f.roundFloor(t)
		}
	}
	return t, nil
}

// plainLocalTime is localTime for the fields most patterns parse, where
// Joda's passes come down to one date: a year from 1 to 9999, a month, a
// day, an hour of day, a minute and a second, each once and in range, and
// maybe milliseconds of the second. ok is false for anything else.
func plainLocalTime(fields []savedField) (t time.Time, ok bool) {
	const (
		required = 1<<fYear | 1<<fMonthOfYear | 1<<fDayOfMonth | 1<<fHourOfDay | 1<<fMinuteOfHour | 1<<fSecondOfMinute
		allowed  = required | 1<<fMillisOfSecond
	)
	var v [fMillisOfSecond + 1]int
	seen := 0
	for _, sf := range fields {
		bit := 1 << sf.f
		if allowed&bit == 0 || seen&bit != 0 {
			return t, false
		}
		seen |= bit
		v[sf.f] = sf.value
	}
	y, mo, d := v[fYear], v[fMonthOfYear], v[fDayOfMonth]
	h, mi, s, ms := v[fHourOfDay], v[fMinuteOfHour], v[fSecondOfMinute], v[fMillisOfSecond]
	if seen&required != required || y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, time.Month(mo)) ||
		h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0 || ms > 999 {
		return t, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ms*int(time.Millisecond), time.UTC), true
}

func sortFields(fields []savedField) {
	sort.SliceStable(fields, func(i, j int) bool {
		a, c := fieldInfos[fields[i].f], fieldInfos[fields[j].f]
		if a.rangeUnit != c.rangeUnit {
			return a.rangeUnit > c.rangeUnit
		}
		return a.durationUnit > c.durationUnit
	})
}

// localToInstant converts a local time in zone to an instant like Joda: a
// time in a DST overlap takes the earlier instant, a time in a gap fails.
func localToInstant(local time.Time, zone *time.Location) (time.Time, error) {
	wall := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), time.UTC)
	var best time.Time
	found := false
	for _, probe := range []time.Duration{-day, 0, day} {
		_, off := wall.Add(probe).In(zone).Zone()
		cand := wall.Add(-time.Duration(off) * time.Second)
		if _, o := cand.In(zone).Zone(); o == off && (!found || cand.Before(best)) {
			best, found = cand, true
		}
	}
	if !found {
		return time.Time{}, fmt.Errorf("Illegal instant due to time zone offset transition: %s (%s)", wall.Format("2006-01-02T15:04:05.000"), zone)
	}
	return best, nil
}

// formatter is a compiled Joda pattern (or the ISO8601 parser).
type formatter struct {
	elems []element
}

func (f *formatter) parseInto(b *bucket, text string) error {
	pos := 0
	for _, e := range f.elems {
		if pos = e.parse(b, text, pos); pos < 0 {
			return errNoMatch
		}
	}
	if pos < len(text) {
		return errNoMatch
	}
	return nil
}

// parseInstant is Joda's DateTimeFormatter.parseMillis with a zone: the
// whole text must match; a parsed offset or zone wins over zone.
func (f *formatter) parseInstant(text string, zone *time.Location, defaultYear int, locale *localeNames) (time.Time, error) {
	b, local, err := f.parseFields(text, defaultYear, locale)
	if err != nil {
		return time.Time{}, err
	}
	if b.offset != nil {
		return local.Add(-*b.offset), nil
	}
	if b.zone != nil {
		zone = b.zone
	}
	return localToInstant(local, zone)
}

// parseLocal parses text as a local date-time (any parsed offset or zone is ignored).
func (f *formatter) parseLocal(text string, defaultYear int, locale *localeNames) (time.Time, error) {
	b, local, err := f.parseFields(text, defaultYear, locale)
	if err != nil {
		return time.Time{}, err
	}
	if b.offset != nil {
		local = local.Add(*b.offset)
	}
	return local, nil
}

// parseFields parses the whole text into its fields and the local
// date-time they give; the bucket keeps any parsed offset or zone.
func (f *formatter) parseFields(text string, defaultYear int, locale *localeNames) (*bucket, time.Time, error) {
	b := &bucket{locale: locale}
	b.fields = b.room[:0]
	if err := f.parseInto(b, text); err != nil {
		return nil, time.Time{}, fmt.Errorf("Invalid format: %q", text)
	}
	local, err := b.localTime(defaultYear)
	return b, local, err
}

// pivotYear is the centre of the two-digit year window: Joda uses the
// current year minus 30.
func pivotYear() int { return nowFunc().Year() - 30 }

// ---- elements ----

type literal string

func (l literal) parse(_ *bucket, text string, pos int) int {
	n := len(l)
	if pos+n > len(text) || !strings.EqualFold(text[pos:pos+n], string(l)) {
		return -1
	}
	return pos + n
}

// number reads up to maxDigits digits (plus a sign when signed).
type number struct {
	f         fieldType
	maxDigits int
	signed    bool
}

func (n number) parse(b *bucket, text string, pos int) int {
	limit := min(n.maxDigits, len(text)-pos)
	length := 0
	plus := false
	for length < limit {
		c := text[pos+length]
		if length == 0 && (c == '-' || c == '+') && n.signed {
			if length+1 >= limit || text[pos+1] < '0' || text[pos+1] > '9' {
				break
			}
			plus = c == '+'
			length++
			limit = min(limit+1, len(text)-pos)
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		length++
	}
	if length == 0 {
		return -1
	}
	digits := text[pos : pos+length]
	if plus {
		digits = digits[1:]
	}
	v, err := strconv.ParseInt(digits, 10, 32)
	if err != nil {
		return -1
	}
	b.saveField(n.f, int(v))
	return pos + length
}

// twoDigitYear is Joda's yy: exactly two digits map into the century
// window around the pivot; when lenient, other digit counts or a sign give
// the year as written.
type twoDigitYear struct {
	f       fieldType
	lenient bool
}

func (y twoDigitYear) parse(b *bucket, text string, pos int) int {
	if y.lenient {
		p, length := pos, 0
		hasSign, neg := false, false
		limit := len(text) - p
		for length < limit {
			c := text[p+length]
			if length == 0 && (c == '-' || c == '+') {
				hasSign, neg = true, c == '-'
				if neg {
					length++
				} else {
					p++
					limit--
				}
				continue
			}
			if c < '0' || c > '9' {
				break
			}
			length++
		}
		if length == 0 {
			return -1
		}
		if hasSign || length != 2 {
			v, err := strconv.ParseInt(text[p:p+length], 10, 32)
			if err != nil {
				return -1
			}
			b.saveField(y.f, int(v))
			return p + length
		}
	}
	if len(text)-pos < 2 || !isDigit(text[pos]) || !isDigit(text[pos+1]) {
		return -1
	}
	year := int(text[pos]-'0')*10 + int(text[pos+1]-'0')
	low := pivotYear() - 50
	var t int
	if low >= 0 {
		t = low % 100
	} else {
		t = 99 + ((low + 1) % 100)
	}
	if year < t {
		year += 100
	}
	b.saveField(y.f, year+low-t)
	return pos + 2
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fraction reads up to maxDigits digits as a fraction of the unit.
type fraction struct {
	f         fieldType
	unit      int64 // milliseconds in the unit
	maxDigits int
}

func (fr fraction) parse(b *bucket, text string, pos int) int {
	limit := min(fr.maxDigits, len(text)-pos)
	var value int64
	n := fr.unit * 10
	length := 0
	for length < limit && isDigit(text[pos+length]) {
		n /= 10
		value += int64(text[pos+length]-'0') * n
		length++
	}
	value /= 10
	if length == 0 {
		return -1
	}
	b.saveField(fr.f, int(value))
	return pos + length
}

// text matches a locale's names for a field: short or long form, as
// written, lower-cased or upper-cased; the longest match wins.
type text struct {
	f fieldType
}

func (t text) parse(b *bucket, s string, pos int) int {
	names := b.locale.names(t.f)
	for end := min(len(s), pos+names.maxLen); end > pos; end-- {
		if v, ok := names.values[s[pos:end]]; ok {
			b.saveField(t.f, v)
			return end
		}
	}
	return -1
}

// offset is Joda's time-zone offset parser: Z (when zeroText), or a sign,
// two-digit hours and optional minutes, seconds and millis, with or
// without colons, whatever the pattern's letter count.
type offset struct {
	zeroText string
}

func (o offset) parse(b *bucket, text string, pos int) int {
	if o.zeroText != "" && pos+len(o.zeroText) <= len(text) && strings.EqualFold(text[pos:pos+len(o.zeroText)], o.zeroText) {
		zero := time.Duration(0)
		b.offset = &zero
		return pos + len(o.zeroText)
	}
	if len(text)-pos <= 1 {
		return -1
	}
	neg := false
	switch text[pos] {
	case '-':
		neg = true
	case '+':
	default:
		return -1
	}
	pos++
	digits := func(p, max int) int {
		n := 0
		for n < max && p+n < len(text) && isDigit(text[p+n]) {
			n++
		}
		return n
	}
	two := func(p int) int { return int(text[p]-'0')*10 + int(text[p+1]-'0') }
	if digits(pos, 2) < 2 {
		return -1
	}
	h := two(pos)
	if h > 23 {
		return -1
	}
	off := time.Duration(h) * time.Hour
	pos += 2
	sep := false
	// sixtieths reads the two-digit minutes or seconds, worth unit each,
	// and reports whether more text follows. Without colons the field may
	// be absent; pos becomes -1 when it is malformed.
	sixtieths := func(unit time.Duration) bool {
		n := digits(pos, 2)
		if n == 0 && !sep {
			return false
		} else if n < 2 {
			pos = -1
			return false
		}
		v := two(pos)
		if v > 59 {
			pos = -1
			return false
		}
		off += time.Duration(v) * unit
		pos += 2
		return pos < len(text)
	}
	func() {
		if pos >= len(text) {
			return
		}
		switch c := text[pos]; {
		case c == ':':
			sep = true
			pos++
		case isDigit(c):
		default:
			return
		}
		if !sixtieths(time.Minute) {
			return
		}
		if sep {
			if text[pos] != ':' {
				return
			}
			pos++
		}
		if !sixtieths(time.Second) {
			return
		}
		if sep {
			if text[pos] != '.' && text[pos] != ',' {
				return
			}
			pos++
		}
		n := digits(pos, 3)
		if n == 0 && !sep {
			return
		} else if n < 1 {
			pos = -1
			return
		}
		ms := int(text[pos]-'0') * 100
		pos++
		if n > 1 {
			ms += int(text[pos]-'0') * 10
			pos++
		}
		if n > 2 {
			ms += int(text[pos] - '0')
			pos++
		}
		off += time.Duration(ms) * time.Millisecond
	}()
	if pos < 0 {
		return -1
	}
	if neg {
		off = -off
	}
	b.offset = &off
	return pos
}

// zoneNames are the only names Joda's z/zzzz parse (DateTimeUtils'
// default time zone names).
var zoneNames = map[string]string{
	"UT": "UTC", "UTC": "UTC", "GMT": "UTC",
	"EST": "America/New_York", "EDT": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
}

type zoneName struct{}

func (zoneName) parse(b *bucket, text string, pos int) int {
	best := ""
	for name := range zoneNames {
		if strings.HasPrefix(text[pos:], name) && len(name) > len(best) {
			best = name
		}
	}
	if best == "" {
		return -1
	}
	loc, err := loadZone(zoneNames[best])
	if err != nil {
		return -1
	}
	b.zone = loc
	return pos + len(best)
}

// zoneID is Joda's ZZZ: the longest time zone id the text starts with. As
// in Joda, a slash near the start fixes the id's region ("Europe/"): the
// id must then be in that region, and without such a slash only ids
// without a region ("UTC", "CET") match.
type zoneID struct{}

// maxRegionLength is the longest "Region/" prefix of a zone id ("Antarctica/").
const maxRegionLength = 11

func isZoneIDChar(c byte) bool {
	return c == '/' || c == '_' || c == '-' || c == '+' || isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func (zoneID) parse(b *bucket, text string, pos int) int {
	end := pos
	for end < len(text) && isZoneIDChar(text[end]) {
		end++
	}
	minEnd := pos + 1
	if slash := strings.IndexByte(text[pos:min(len(text), pos+maxRegionLength)], '/'); slash >= 0 {
		minEnd = pos + slash + 2
	} else if slash := strings.IndexByte(text[pos:end], '/'); slash >= 0 {
		end = pos + slash
	}
	for ; end >= minEnd; end-- {
		id := text[pos:end]
		if id[0] == '+' || id[0] == '-' {
			continue
		}
		if loc, err := loadZone(id); err == nil {
			b.zone = loc
			return end
		}
	}
	return -1
}

// optional runs its elements as a unit that may match nothing.
type optional []element

func (o optional) parse(b *bucket, text string, pos int) int {
	st := b.save()
	p := pos
	for _, e := range o {
		if p = e.parse(b, text, p); p < 0 {
			b.restore(st)
			return pos
		}
	}
	return p
}

// sequence runs elements in order; all must match.
type sequence []element

func (s sequence) parse(b *bucket, text string, pos int) int {
	for _, e := range s {
		if pos = e.parse(b, text, pos); pos < 0 {
			return -1
		}
	}
	return pos
}

// longest tries each alternative and keeps the one that read the most
// (Joda's MatchingParser); a nil alternative matches nothing.
type longest []element

func (l longest) parse(b *bucket, text string, pos int) int {
	st := b.save()
	bestPos := -1
	var bestFields []savedField
	var bestState bucketState
	for _, alt := range l {
		if alt == nil {
			if bestPos < pos {
				bestPos = pos
				bestFields = append([]savedField(nil), b.fields[st.n:]...)
				bestState = st
			}
			continue
		}
		p := alt.parse(b, text, pos)
		if p > bestPos {
			bestPos = p
			bestFields = append([]savedField(nil), b.fields[st.n:]...)
			bestState = b.save()
			if p >= len(text) {
				break
			}
		}
		b.restore(st)
	}
	if bestPos < 0 {
		b.restore(st)
		return -1
	}
	b.fields = append(b.fields[:st.n], bestFields...)
	b.offset, b.zone = bestState.offset, bestState.zone
	return bestPos
}
