package schedule

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// Schedule is when a job runs: every so often, a while after each run,
// once after a delay, once at an instant, or on a cron line.
type Schedule struct {
	kind    string // every, interval, in, at or cron
	period  time.Duration
	firstIn time.Duration
	at      time.Time
	cron    *Cron
}

// minPeriod is Logstash's scheduler frequency: its scheduler looks for
// due jobs once a second, and refuses `every` jobs that would need it to
// look more often.
const minPeriod = time.Second

// Every runs the job every period, fixed-rate, the first time after
// firstIn.
func Every(period, firstIn time.Duration) (Schedule, error) {
	if period <= 0 {
		return Schedule{}, fmt.Errorf("cannot schedule every %s: the period must be positive", period)
	}
	if period < minPeriod {
		return Schedule{}, fmt.Errorf("job frequency (%gs) is higher than scheduler frequency (1.0s)", period.Seconds())
	}
	return Schedule{kind: "every", period: period, firstIn: firstIn}, nil
}

// Interval runs the job period after each run ends (rufus-scheduler's
// interval jobs), the first time period from now.
func Interval(period time.Duration) (Schedule, error) {
	if period <= 0 {
		return Schedule{}, fmt.Errorf("cannot schedule an interval of %s: it must be positive", period)
	}
	if period < minPeriod {
		return Schedule{}, fmt.Errorf("job frequency (%gs) is higher than scheduler frequency (1.0s)", period.Seconds())
	}
	return Schedule{kind: "interval", period: period}, nil
}

// OnCron runs the job at each time the cron line names.
func OnCron(line string) (Schedule, error) {
	c, err := ParseCron(line)
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{kind: "cron", cron: c}, nil
}

// FromHash reads http_poller's schedule option: a hash with exactly one
// of cron, every, in or at. An every schedule's first run is right away
// (the plugin asks rufus for first_in 0.01s).
func FromHash(m *event.Map) (Schedule, error) {
	const invalid = "Invalid config. schedule hash must contain exactly one of the following keys - cron, at, every or in"
	if m.Len() != 1 {
		return Schedule{}, fmt.Errorf("%s", invalid)
	}
	key := m.Keys()[0]
	v, _ := m.Get(key)
	switch key {
	case "cron":
		s, ok := v.(string)
		if !ok {
			return Schedule{}, fmt.Errorf("invalid cron string %s", event.ValueString(v))
		}
		return OnCron(s)
	case "every":
		d, err := durationValue(v)
		if err != nil {
			return Schedule{}, err
		}
		return Every(d, 10*time.Millisecond)
	case "in":
		d, err := durationValue(v)
		if err != nil {
			return Schedule{}, err
		}
		return Schedule{kind: "in", period: d}, nil
	case "at":
		s, ok := v.(string)
		if !ok {
			return Schedule{}, fmt.Errorf("cannot read %s as a time", event.ValueString(v))
		}
		t, err := ParseAt(s, time.Local)
		if err != nil {
			return Schedule{}, err
		}
		return Schedule{kind: "at", at: t}, nil
	}
	return Schedule{}, fmt.Errorf("%s", invalid)
}

// durationValue is a duration given as text or as a number of seconds.
func durationValue(v any) (time.Duration, error) {
	switch t := v.(type) {
	case int64:
		return time.Duration(t) * time.Second, nil
	case float64:
		return seconds(t), nil
	case string:
		return ParseDuration(t)
	}
	return 0, fmt.Errorf("not a duration %s", event.ValueString(v))
}

var (
	atLayouts = []string{
		"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04",
		"2006/01/02 15:04:05.999999999", "2006/01/02 15:04", "2006-01-02", "2006/01/02",
	}
	atZoneSuffix = regexp.MustCompile(`(?:\s*(Z|[-+]\d\d:?\d\d)|\s+([A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}))$`)
)

// ParseAt reads an `at` instant: a date and time (2026-01-02 03:04:05,
// the T form, slashes, minutes or the date alone), then optionally Z, an
// offset or a zone name; without one it is in loc.
func ParseAt(s string, loc *time.Location) (time.Time, error) {
	text := strings.TrimSpace(s)
	if m := atZoneSuffix.FindStringSubmatchIndex(text); m != nil {
		zone := text[m[0]:]
		zone = strings.TrimSpace(zone)
		switch {
		case zone == "Z" || zone == "UTC":
			loc = time.UTC
		case zone[0] == '+' || zone[0] == '-':
			digits := strings.ReplaceAll(zone[1:], ":", "")
			h, _ := strconv.Atoi(digits[:2])
			mm, _ := strconv.Atoi(digits[2:])
			off := h*3600 + mm*60
			if zone[0] == '-' {
				off = -off
			}
			loc = time.FixedZone(zone, off)
		default:
			l, err := time.LoadLocation(zone)
			if err != nil {
				return time.Time{}, fmt.Errorf("unknown time zone %q in %q", zone, s)
			}
			loc = l
		}
		text = text[:m[0]]
	}
	for _, layout := range atLayouts {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("No time information in %q", s)
}

// Describe says when the schedule runs, for logs.
func (s Schedule) Describe() string {
	switch s.kind {
	case "every":
		return "every " + s.period.String()
	case "interval":
		return "every " + s.period.String() + " after each run"
	case "in":
		return "once in " + s.period.String()
	case "at":
		return "once at " + s.at.Format(time.RFC3339)
	}
	return "cron " + strconv.Quote(s.cron.String())
}

// Run calls job at each scheduled time until ctx ends. Runs never
// overlap: a run that outlasts the next due time delays it, and the due
// times it missed are skipped, as rufus-scheduler discards past triggers.
// A one-time schedule runs once and then waits for ctx, as the plugins'
// scheduler keeps running; an `at` instant already past never runs.
func (s Schedule) Run(ctx context.Context, job func(ctx context.Context)) {
	next, ok := s.first(time.Now())
	for ok {
		if !sleepUntil(ctx, next) {
			return
		}
		job(ctx)
		if ctx.Err() != nil {
			return
		}
		next, ok = s.after(next, time.Now())
	}
	<-ctx.Done()
}

func (s Schedule) first(now time.Time) (time.Time, bool) {
	switch s.kind {
	case "every":
		return now.Add(s.firstIn), true
	case "in", "interval":
		return now.Add(s.period), true
	case "at":
		return s.at, !s.at.Before(now.Add(-minPeriod))
	}
	t, err := s.cron.Next(now)
	return t, err == nil
}

func (s Schedule) after(prev, now time.Time) (time.Time, bool) {
	switch s.kind {
	case "every":
		next := prev.Add(s.period)
		for !next.After(now) {
			next = next.Add(s.period)
		}
		return next, true
	case "interval":
		return now.Add(s.period), true
	case "cron":
		t, err := s.cron.Next(now)
		return t, err == nil
	}
	return time.Time{}, false
}

// sleepUntil waits for t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
