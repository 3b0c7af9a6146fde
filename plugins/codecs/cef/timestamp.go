package cef

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// timestampParser reads the timestamps CEF allows, as the codec does in
// ECS mode: milliseconds since the epoch (an integer or a decimal, no
// leading zero), or `MMM dd[ yyyy] HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS][ zzz]`
// (java.time pattern letters). A time without a zone is in the event's
// device time zone, else default_timezone, else the system's; one without
// a year is placed in the recent past (or the next two days).
type timestampParser struct {
	zone   *time.Location
	months map[string]time.Month
	now    func() time.Time
}

var millisPattern = regexp.MustCompile(`^[1-9][0-9]*(?:\.[0-9]+)?$`)

// englishMonths are java.time's short month names in English locales (and
// the ROOT locale), which is all locale accepts for now.
var englishMonths = map[string]time.Month{
	"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

func newTimestampParser(timezone string) (*timestampParser, error) {
	p := &timestampParser{zone: time.Local, months: englishMonths, now: func() time.Time { return event.Now().Time }}
	if timezone != "" {
		loc, err := loadZone(timezone)
		if err != nil {
			return nil, err
		}
		p.zone = loc
	}
	return p, nil
}

// zoneAbbreviations are the short zone names java.time's `zzz` reads that
// name one offset or region unambiguously enough to be used in practice.
var zoneAbbreviations = map[string]string{
	"UTC": "UTC", "GMT": "UTC", "UT": "UTC", "Z": "UTC",
	"EST": "America/New_York", "EDT": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"CET": "CET", "CEST": "CET", "EET": "EET", "EEST": "EET", "WET": "WET", "WEST": "WET",
}

var offsetZone = regexp.MustCompile(`^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)

// loadZone is ZoneId.of for the ids people use: region ids, UTC/GMT/Z and
// fixed offsets such as +02:00 or GMT-5.
func loadZone(id string) (*time.Location, error) {
	if m := offsetZone.FindStringSubmatch(id); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		secs := h*3600 + mins*60
		if m[1] == "-" {
			secs = -secs
		}
		return time.FixedZone(id, secs), nil
	}
	if id == "Z" || id == "UTC" || id == "GMT" || id == "UT" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(id)
	if err != nil || id == "" || id == "Local" {
		return nil, fmt.Errorf("Unknown time-zone ID: %s", id)
	}
	return loc, nil
}

// parse returns the instant a CEF timestamp stands for. deviceZone is the
// event's device time zone ("" when it has none).
func (p *timestampParser) parse(value, deviceZone string) (event.Timestamp, error) {
	if millisPattern.MatchString(value) {
		return millis(value), nil
	}
	zone := p.zone
	if deviceZone != "" {
		loc, err := loadZone(deviceZone)
		if err != nil {
			return event.Timestamp{}, err
		}
		zone = loc
	}
	return p.parseText(value, zone)
}

// millis is Time.at(Rational(value, 1000)) kept to the nanosecond.
func millis(value string) event.Timestamp {
	r, _ := new(big.Rat).SetString(value)
	ns := new(big.Rat).Mul(r, big.NewRat(1_000_000, 1))
	q := new(big.Int).Quo(ns.Num(), ns.Denom())
	sec, nsec := new(big.Int).QuoRem(q, big.NewInt(1_000_000_000), new(big.Int))
	return event.Timestamp{Time: time.Unix(sec.Int64(), nsec.Int64()).UTC()}
}

type textScanner struct {
	s string
	i int
}

func (t *textScanner) digits(n int) (int, bool) {
	if t.i+n > len(t.s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(t.s[t.i : t.i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	t.i += n
	return v, true
}

func (t *textScanner) lit(s string) bool {
	if strings.HasPrefix(t.s[t.i:], s) {
		t.i += len(s)
		return true
	}
	return false
}

func (p *timestampParser) parseText(value string, zone *time.Location) (event.Timestamp, error) {
	fail := func() (event.Timestamp, error) {
		return event.Timestamp{}, fmt.Errorf("Text '%s' could not be parsed", value)
	}
	sc := &textScanner{s: value}
	if len(value) < 3 {
		return fail()
	}
	month, ok := p.months[value[:3]]
	if !ok {
		return fail()
	}
	sc.i = 3
	if !sc.lit(" ") {
		return fail()
	}
	day, ok := sc.digits(2)
	if !ok {
		return fail()
	}
	year, hasYear := 0, false
	if save := sc.i; sc.lit(" ") {
		start := sc.i
		for sc.i < len(value) && value[sc.i] >= '0' && value[sc.i] <= '9' {
			sc.i++
		}
		// The year takes four digits or more; "dd HH" is the time.
		if sc.i-start >= 4 && sc.i < len(value) && value[sc.i] == ' ' {
			year, _ = strconv.Atoi(value[start:sc.i])
			hasYear = true
		} else {
			sc.i = save
		}
	}
	if !sc.lit(" ") {
		return fail()
	}
	hour, ok1 := sc.digits(2)
	ok2 := sc.lit(":")
	minute, ok3 := sc.digits(2)
	ok4 := sc.lit(":")
	second, ok5 := sc.digits(2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return fail()
	}
	nanos := 0
	for _, width := range []int{9, 6, 3} {
		save := sc.i
		if sc.lit(".") {
			if v, ok := sc.digits(width); ok && (sc.i == len(value) || value[sc.i] < '0' || value[sc.i] > '9') {
				nanos = v
				for w := width; w < 9; w++ {
					nanos *= 10
				}
				continue
			}
		}
		sc.i = save
	}
	if sc.lit(" ") {
		name := value[sc.i:]
		id, known := zoneAbbreviations[name]
		if !known {
			id = name
		}
		loc, err := loadZone(id)
		if err != nil {
			return fail()
		}
		zone = loc
		sc.i = len(value)
	}
	if sc.i != len(value) || hour > 23 || minute > 59 || second > 59 || day < 1 || day > 31 {
		return fail()
	}
	if hasYear {
		if day > daysIn(month, year) {
			return fail()
		}
		return event.Timestamp{Time: time.Date(year, month, day, hour, minute, second, nanos, zone).UTC()}, nil
	}
	if day > daysIn(month, 2000) {
		return fail()
	}
	return event.Timestamp{Time: p.assumeYear(month, day, hour, minute, second, nanos, zone).UTC()}, nil
}

// assumeYear places a date without a year: this year, unless that is
// more than two days ahead (then last year), or it is December and the
// date next year is at most two days ahead.
func (p *timestampParser) assumeYear(month time.Month, day, hour, minute, second, nanos int, zone *time.Location) time.Time {
	now := p.now().In(zone)
	at := func(year int) time.Time {
		d := day
		if d > daysIn(month, year) {
			d = daysIn(month, year)
		}
		return time.Date(year, month, d, hour, minute, second, nanos, zone)
	}
	soon := now.AddDate(0, 0, 2)
	this := at(now.Year())
	switch {
	case this.After(soon):
		return at(now.Year() - 1)
	case now.Month() == time.December && !this.AddDate(1, 0, 0).After(soon):
		return at(now.Year() + 1)
	}
	return this
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
