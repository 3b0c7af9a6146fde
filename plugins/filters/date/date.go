// Package date is Logstash's date filter: it parses a field with Joda
// patterns or ISO8601/UNIX/UNIX_MS/TAI64N and sets @timestamp (or a target).
package date

import (
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Joda carries its own zone data; so does the binary.

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMatch        = plugin.Array("match").Default([]any{}).Doc("The field name followed by one or more formats: Joda patterns, ISO8601, UNIX, UNIX_MS or TAI64N.")
	optTarget       = plugin.String("target").Default("@timestamp").Doc("Where to store the parsed timestamp.")
	optTimezone     = plugin.String("timezone").Doc("Zone of dates without an offset: an IANA id, UTC or an offset such as +01:00; may use %{field}.")
	optLocale       = plugin.String("locale").Doc("BCP47 locale of month and day names (en, en-GB, de, fr, es, it, pt, nl, sv, da, nb, fi, pl, cs, ru).")
	optTagOnFailure = plugin.Strings("tag_on_failure").Default([]string{"_dateparsefailure"}).Doc("Tags added when no format matches.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "date",
			Summary: "Parses dates from fields to use as the event timestamp.",
			Options: []plugin.Declared{optMatch, optTarget, optTimezone, optLocale, optTagOnFailure},

			Examples: examples,
		},
		New: newDate,
	})
}

// nowFunc is the clock used for year guessing and the two-digit-year pivot.
var nowFunc = func() time.Time { return event.Now().Time }

// parser turns a field value into an instant.
type parser interface {
	parse(v any, e *event.Event) (time.Time, error)
}

type dateFilter struct {
	log          *slog.Logger
	source       event.FieldRef // parsed once; a reference that does not parse reads as nil
	sourceOK     bool
	target       string
	parsers      []parser
	tagOnFailure []string
}

func newDate(s *plugin.Settings) (plugin.Filter, error) {
	match := optMatch.Get(s)
	if len(match) < 2 {
		return nil, optMatch.Errorf(s, "The match setting should contains first a field name and at least one date format, current value is %s", ruby.Inspect(match))
	}
	f := &dateFilter{
		log:          s.Logger(),
		target:       optTarget.Get(s),
		tagOnFailure: optTagOnFailure.Get(s),
	}
	source, err := event.ParseFieldRef(ruby.ToS(match[0]))
	f.source, f.sourceOK = source, err == nil
	locale := english
	if optLocale.IsSet(s) {
		tag := optLocale.Get(s)
		if strings.Contains(tag, "_") {
			f.log.Warn("Date filter now use BCP47 format for locale, replacing underscore with dash")
			tag = strings.ReplaceAll(tag, "_", "-")
		}
		var ok bool
		if locale, ok = lookupLocale(tag); !ok {
			f.log.Warn("gostash has no month and day names for this locale; parsing with English ones", slog.String("locale", tag))
		}
	}
	var zone zoneSource
	if !optTimezone.IsSet(s) {
		zone.fixed = time.Local
	} else if tz := optTimezone.Get(s); strings.Contains(tz, "%{") {
		zone.template = tz
	} else {
		loc, err := loadZone(tz)
		if err != nil {
			return nil, optTimezone.Errorf(s, "%v", err)
		}
		zone.fixed = loc
	}
	for _, m := range match[1:] {
		format := ruby.ToS(m)
		p, err := newParser(format, zone, locale)
		if err != nil {
			return nil, optMatch.Errorf(s, "%v", err)
		}
		f.parsers = append(f.parsers, p)
	}
	return f, nil
}

// Filter parses the source field with each format in turn; the first that
// succeeds sets the target. A missing or null field is left alone.
func (f *dateFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	var v any
	if f.sourceOK {
		v, _ = e.GetRef(f.source)
	}
	if v == nil {
		return false
	}
	for _, p := range f.parsers {
		t, err := p.parse(v, e)
		if err != nil {
			continue
		}
		ts := event.Timestamp{Time: t.Truncate(time.Millisecond).UTC()}
		if f.target == event.TimestampField {
			e.SetTimestamp(ts)
			return true
		}
		if err := e.Set(f.target, ts); err != nil {
			f.log.Warn("date filter could not set its target", slog.String("target", f.target), slog.String("exception", err.Error()))
			break
		}
		return true
	}
	for _, t := range f.tagOnFailure {
		e.Tag(t)
	}
	return false
}

// zoneSource is the configured timezone: fixed, or a template resolved per event.
type zoneSource struct {
	fixed    *time.Location
	template string
}

func (z zoneSource) resolve(e *event.Event) (*time.Location, error) {
	if z.template == "" {
		return z.fixed, nil
	}
	return loadZone(e.Sprintf(z.template))
}

func newParser(format string, zone zoneSource, locale *localeNames) (parser, error) {
	switch format {
	case "ISO8601":
		fallbacks := make([]*formatter, 0, 4)
		for _, p := range []string{"yyyy-MM-dd HH:mm:ss.SSSZ", "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss,SSSZ", "yyyy-MM-dd HH:mm:ss,SSS"} {
			f, _ := compilePattern(p)
			fallbacks = append(fallbacks, f)
		}
		return &textParser{formats: append([]*formatter{isoParser}, fallbacks...), zone: zone, locale: locale, hasYear: true}, nil
	case "UNIX":
		return unixParser{}, nil
	case "UNIX_MS":
		return unixMillisParser{}, nil
	case "TAI64N":
		return tai64nParser{}, nil
	}
	f, err := compilePattern(format)
	if err != nil {
		return nil, err
	}
	return &textParser{
		formats:     []*formatter{f},
		zone:        zone,
		locale:      locale,
		hasYear:     strings.ContainsAny(format, "yY"),
		hasZone:     strings.Contains(format, "Z"),
		defaultYear: nowFunc().In(time.Local).Year(),
	}, nil
}

// textParser runs Joda formatters (the first that parses wins) on strings.
type textParser struct {
	formats     []*formatter
	zone        zoneSource
	locale      *localeNames
	hasYear     bool
	hasZone     bool
	defaultYear int
}

func (p *textParser) parse(v any, e *event.Event) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("Cannot parse date for value of type %T", v)
	}
	zone, err := p.zone.resolve(e)
	if err != nil {
		return time.Time{}, err
	}
	for _, f := range p.formats {
		var t time.Time
		if p.hasYear {
			t, err = f.parseInstant(s, zone, 2000, p.locale)
		} else {
			t, err = p.guessYear(f, s, zone)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// guessYear parses a date without a year in the current year, except that
// December dates read in January belong to last year and January dates
// read in December to next year.
func (p *textParser) guessYear(f *formatter, s string, zone *time.Location) (time.Time, error) {
	var local time.Time
	if p.hasZone {
		t, err := f.parseInstant(s, zone, p.defaultYear, p.locale)
		if err != nil {
			return t, err
		}
		local = t.In(zone)
	} else {
		l, err := f.parseLocal(s, p.defaultYear, p.locale)
		if err != nil {
			return l, err
		}
		t, err := localToInstant(l, zone)
		if err != nil {
			return t, err
		}
		local = t.In(zone)
	}
	now := nowFunc().In(time.Local)
	year := now.Year()
	switch {
	case local.Month() == time.December && now.Month() == time.January:
		year--
	case local.Month() == time.January && now.Month() == time.December:
		year++
	}
	return localToInstant(withYear(local, year), zone)
}

const maxEpochSeconds = math.MaxInt32

type unixParser struct{}

func (unixParser) parse(v any, _ *event.Event) (time.Time, error) {
	switch t := v.(type) {
	case string:
		if dot := strings.IndexByte(t, '.'); dot >= 0 {
			secs, err := strconv.ParseInt(t[:dot], 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			if secs > maxEpochSeconds {
				return time.Time{}, errTooLarge
			}
			frac := t[dot+1:]
			if len(frac) > 3 {
				frac = frac[:3]
			}
			sub, err := strconv.ParseInt(frac, 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			for i := len(frac); i < 3; i++ {
				sub *= 10
			}
			return time.UnixMilli(secs*1000 + sub), nil
		}
		secs, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return unixSeconds(secs)
	case int64:
		return unixSeconds(t)
	case float64:
		if int64(t) > maxEpochSeconds {
			return time.Time{}, errTooLarge
		}
		return time.UnixMilli(int64(t * 1000)), nil
	case event.Decimal:
		if t.Int64() > maxEpochSeconds {
			return time.Time{}, errTooLarge
		}
		return time.UnixMilli(t.ScaleByPowerOfTen(3).Int64()), nil
	}
	return time.Time{}, fmt.Errorf("Cannot parse date for value of type %T", v)
}

var errTooLarge = fmt.Errorf("Cannot parse date for value larger than UNIX epoch maximum seconds")

func unixSeconds(secs int64) (time.Time, error) {
	if secs > maxEpochSeconds {
		return time.Time{}, errTooLarge
	}
	return time.UnixMilli(secs * 1000), nil
}

type unixMillisParser struct{}

func (unixMillisParser) parse(v any, _ *event.Event) (time.Time, error) {
	switch t := v.(type) {
	case string:
		ms, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.UnixMilli(ms), nil
	case int64:
		return time.UnixMilli(t), nil
	case float64:
		return time.UnixMilli(int64(t)), nil
	case event.Decimal:
		// Only a BigDecimal is checked against the limit, in seconds' words.
		if t.Int64() > maxEpochSeconds*1000 {
			return time.Time{}, errTooLarge
		}
		return time.UnixMilli(t.Int64()), nil
	case *big.Int:
		return time.Time{}, fmt.Errorf("Cannot parse date for value of type BigInteger")
	}
	return time.Time{}, fmt.Errorf("Cannot parse date for value of type %T", v)
}

type tai64nParser struct{}

func (tai64nParser) parse(v any, _ *event.Event) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("Cannot parse date for value of type %T", v)
	}
	s = strings.TrimPrefix(s, "@")
	if len(s) < 24 {
		return time.Time{}, fmt.Errorf("TAI64N value too short: %q", s)
	}
	secs, err := strconv.ParseInt(s[:16], 16, 64)
	if err != nil {
		return time.Time{}, err
	}
	nanos, err := strconv.ParseInt(s[16:24], 16, 32)
	if err != nil {
		return time.Time{}, err
	}
	secs = secs&(1<<62-1) - 10
	return time.UnixMilli(secs*1000 + nanos/1_000_000), nil
}

// loadZone is Joda's DateTimeZone.forID: "UTC", a zone id (case-sensitive)
// or an offset such as +01, +0100 or +01:00.
func loadZone(id string) (*time.Location, error) {
	if id == "UTC" {
		return time.UTC, nil
	}
	if strings.HasPrefix(id, "+") || strings.HasPrefix(id, "-") {
		b := &bucket{}
		if p := (offset{}).parse(b, id, 0); p == len(id) && b.offset != nil {
			if *b.offset == 0 {
				return time.UTC, nil
			}
			return time.FixedZone(formatOffset(*b.offset), int(*b.offset/time.Second)), nil
		}
	} else if id != "" && id != "Local" && !strings.HasPrefix(id, "/") && !strings.Contains(id, "..") {
		if loc, err := time.LoadLocation(id); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("The datetime zone id '%s' is not recognised", id)
}

func formatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	s := fmt.Sprintf("%s%02d:%02d", sign, int(d/time.Hour), int(d/time.Minute)%60)
	if rest := d % time.Minute; rest != 0 {
		s += fmt.Sprintf(":%02d", int(rest/time.Second))
		if ms := rest % time.Second; ms != 0 {
			s += fmt.Sprintf(".%03d", int(ms/time.Millisecond))
		}
	}
	return s
}
