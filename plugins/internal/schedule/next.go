package schedule

import (
	"errors"
	"math"
	"slices"
	"time"
)

// maxIterations bounds the search for the next time, as fugit bounds it:
// a line such as "0 0 31 2,4 *" can never fire past the check in
// compactMonthDays, but odd combinations of weekdays and days might.
const maxIterations = 2048

// rweekRef is et-orbi's reference Monday, from which %n week numbers count.
var rweekRef = time.Date(2018, 12, 31, 12, 0, 0, 0, time.UTC)

// Next returns the first time after from (at one-second granularity) that
// the line matches, in from's location. It walks the calendar the way
// fugit does, so it lands on the same instants, DST transitions included.
func (c *Cron) Next(from time.Time) (time.Time, error) {
	from = from.Truncate(time.Second)
	t := from.In(c.loc)
	for i := 0; ; i++ {
		if i > maxIterations {
			return time.Time{}, errors.New("too many loops for " + truncated(c.original) + ": the cron line most likely never fires")
		}
		switch {
		case t.Equal(from):
			t = t.Add(time.Second)
		case !c.months.matches(int(t.Month())):
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, c.loc)
		case !c.dayMatch(t):
			t = nextDay(t)
		case !c.hours.matches(t.Hour()):
			t = t.Add(time.Duration((60-t.Minute())*60-t.Second()) * time.Second)
		case !c.minutes.matches(t.Minute()):
			t = t.Add(time.Duration(60-t.Second()) * time.Second)
		case !c.seconds.matches(t.Second()):
			t = t.Add(time.Duration(c.secondsGap(t.Second())) * time.Second)
		default:
			return t.In(from.Location()), nil
		}
	}
}

// intList is a cron field's allowed values; nil allows every value.
type intList []int

func (l intList) matches(v int) bool { return l == nil || slices.Contains(l, v) }

// secondsGap is how far the next listed second is from sec.
func (c *Cron) secondsGap(sec int) int {
	for _, s := range c.seconds {
		if s > sec {
			return s - sec
		}
	}
	return 60 - sec + c.seconds[0]
}

// nextDay moves to the start of the next day as fugit does: by seconds
// to the next midnight, correcting when a DST change left it off.
func nextDay(t time.Time) time.Time {
	t = t.Add(time.Duration((24-t.Hour())*3600-t.Minute()*60-t.Second()) * time.Second)
	if t.Hour() == 0 {
		return t
	}
	if t.Hour() < 12 {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	}
	return t.Add(time.Duration(24-t.Hour()) * time.Hour)
}

func (c *Cron) dayMatch(t time.Time) bool {
	if c.weekdays != nil && c.monthdays != nil {
		if c.dayAnd {
			return c.weekdayMatch(t) && c.monthdayMatch(t)
		}
		// As in crontab(5): when both are restricted, either may match.
		return c.weekdayMatch(t) || c.monthdayMatch(t)
	}
	return c.weekdayMatch(t) && c.monthdayMatch(t)
}

func (c *Cron) monthdayMatch(t time.Time) bool {
	if c.monthdays == nil {
		return true
	}
	last := daysIn(t) + 1
	for _, d := range c.monthdays {
		if d < 1 {
			d += last
		}
		if d == t.Day() {
			return true
		}
	}
	return false
}

func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

func (c *Cron) weekdayMatch(t time.Time) bool {
	if c.weekdays == nil {
		return true
	}
	for _, wd := range c.weekdays {
		if int(t.Weekday()) != wd.day {
			continue
		}
		switch {
		case wd.nth != 0:
			fromStart := (t.Day()-1)/7 + 1
			fromEnd := -((daysIn(t)-t.Day())/7 + 1)
			if wd.nth == fromStart || wd.nth == fromEnd {
				return true
			}
		case wd.mod != 0:
			noon := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC)
			rweek := floorDiv(int(math.Floor(noon.Sub(rweekRef).Hours()/24)), 7)
			if floorMod(rweek, wd.mod) == floorMod(wd.modPlus, wd.mod) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// floorDiv is Ruby's integer division, which rounds down.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// floorMod is Ruby's %, whose result takes the divisor's sign.
func floorMod(a, b int) int {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}
