package date

import (
	"fmt"
	"time"
)

// fieldType is one Joda date-time field a parser can save. Fields are
// applied to a local (zone-less) time in Joda's order: by range unit, then
// by duration unit, largest first.
type fieldType int

const (
	fEra fieldType = iota
	fCenturyOfEra
	fYearOfEra
	fYear
	fWeekyear
	fMonthOfYear
	fWeekOfWeekyear
	fDayOfYear
	fDayOfMonth
	fDayOfWeek
	fHalfdayOfDay
	fHourOfHalfday
	fClockhourOfHalfday
	fHourOfDay
	fClockhourOfDay
	fMinuteOfHour
	fSecondOfMinute
	fMillisOfSecond // fraction of second
	fMillisOfMinute // fraction of minute (ISO8601 T10:30.5)
	fMillisOfHour   // fraction of hour (ISO8601 T10.5)
)

// Duration units ranked by length; unbounded is Joda's null or unsupported
// range (year, era), which sorts first.
const (
	uMillis = iota
	uSeconds
	uMinutes
	uHours
	uHalfdays
	uDays
	uWeeks
	uMonths
	uYears
	uCenturies
	uUnbounded
)

type fieldInfo struct {
	name          string
	rangeUnit     int
	durationUnit  int
	min, max      int
	valueTooLarge func(t time.Time, v int) bool // nil: only min/max apply
}

// fieldInfos is indexed by fieldType.
var fieldInfos = [...]fieldInfo{
	fEra:                {"era", uUnbounded, uUnbounded, 0, 1, nil},
	fCenturyOfEra:       {"centuryOfEra", uUnbounded, uCenturies, 0, 2922789, nil},
	fYearOfEra:          {"yearOfEra", uUnbounded, uYears, 1, 292278993, nil},
	fYear:               {"year", uUnbounded, uYears, -292275054, 292278993, nil},
	fWeekyear:           {"weekyear", uUnbounded, uYears, -292275054, 292278993, nil},
	fMonthOfYear:        {"monthOfYear", uYears, uMonths, 1, 12, nil},
	fWeekOfWeekyear:     {"weekOfWeekyear", uYears, uWeeks, 1, 53, func(t time.Time, v int) bool { y, _ := t.ISOWeek(); return v > weeksInWeekyear(y) }},
	fDayOfYear:          {"dayOfYear", uYears, uDays, 1, 366, func(t time.Time, v int) bool { return v > 365 && v > daysInYear(t.Year()) }},
	fDayOfMonth:         {"dayOfMonth", uMonths, uDays, 1, 31, func(t time.Time, v int) bool { return v > 28 && v > daysInMonth(t.Year(), t.Month()) }},
	fDayOfWeek:          {"dayOfWeek", uWeeks, uDays, 1, 7, nil},
	fHalfdayOfDay:       {"halfdayOfDay", uDays, uHalfdays, 0, 1, nil},
	fHourOfHalfday:      {"hourOfHalfday", uHalfdays, uHours, 0, 11, nil},
	fClockhourOfHalfday: {"clockhourOfHalfday", uHalfdays, uHours, 1, 12, nil},
	fHourOfDay:          {"hourOfDay", uDays, uHours, 0, 23, nil},
	fClockhourOfDay:     {"clockhourOfDay", uDays, uHours, 1, 24, nil},
	fMinuteOfHour:       {"minuteOfHour", uHours, uMinutes, 0, 59, nil},
	fSecondOfMinute:     {"secondOfMinute", uMinutes, uSeconds, 0, 59, nil},
	fMillisOfSecond:     {"millisOfSecond", uSeconds, uMillis, 0, 999, nil},
	fMillisOfMinute:     {"millisOfSecond", uMinutes, uMillis, 0, 59999, nil},
	fMillisOfHour:       {"millisOfSecond", uHours, uMillis, 0, 3599999, nil},
}

func daysInYear(y int) int {
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 366
	}
	return 365
}

func daysInMonth(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func weeksInWeekyear(y int) int {
	_, w := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// isoDayOfWeek is Joda's day of week: 1 = Monday ... 7 = Sunday.
func isoDayOfWeek(t time.Time) int {
	d := int(t.Weekday())
	if d == 0 {
		return 7
	}
	return d
}

const day = 24 * time.Hour

// minYear is the earliest year Joda's ISO chronology supports.
const minYear = -292275054

// withYear sets the year keeping month and day, moving Feb 29 to Feb 28.
func withYear(t time.Time, y int) time.Time {
	d := t.Day()
	if max := daysInMonth(y, t.Month()); d > max {
		d = max
	}
	return time.Date(y, t.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func timeOfDay(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// set applies one field value to a local time as Joda's field.set does:
// out-of-range values fail, month and year changes clamp the day.
func (f fieldType) set(t time.Time, v int) (time.Time, error) {
	info := fieldInfos[f]
	if v < info.min || v > info.max || (info.valueTooLarge != nil && info.valueTooLarge(t, v)) {
		return t, fmt.Errorf("Value %d for %s must be in the range", v, info.name)
	}
	switch f {
	case fEra:
		if (t.Year() <= 0) != (v == 0) {
			return withYear(t, 1-t.Year()), nil
		}
		return t, nil
	case fCenturyOfEra:
		yoe := t.Year()
		if yoe <= 0 {
			yoe = 1 - yoe
		}
		y := v*100 + yoe%100
		if t.Year() <= 0 {
			y = 1 - y
		}
		return withYear(t, y), nil
	case fYearOfEra:
		if t.Year() <= 0 {
			return withYear(t, 1-v), nil
		}
		return withYear(t, v), nil
	case fYear:
		return withYear(t, v), nil
	case fWeekyear:
		return setWeekyear(t, v), nil
	case fMonthOfYear:
		d := t.Day()
		if max := daysInMonth(t.Year(), time.Month(v)); d > max {
			d = max
		}
		return time.Date(t.Year(), time.Month(v), d, 0, 0, 0, 0, time.UTC).Add(timeOfDay(t)), nil
	case fWeekOfWeekyear:
		_, w := t.ISOWeek()
		return t.Add(time.Duration(v-w) * 7 * day), nil
	case fDayOfYear:
		return t.Add(time.Duration(v-t.YearDay()) * day), nil
	case fDayOfMonth:
		return t.Add(time.Duration(v-t.Day()) * day), nil
	case fDayOfWeek:
		return t.Add(time.Duration(v-isoDayOfWeek(t)) * day), nil
	case fHalfdayOfDay:
		return t.Add(time.Duration(v*12-t.Hour()/12*12) * time.Hour), nil
	case fHourOfHalfday, fClockhourOfHalfday:
		return t.Add(time.Duration(t.Hour()/12*12+v%12-t.Hour()) * time.Hour), nil
	case fHourOfDay, fClockhourOfDay:
		return t.Add(time.Duration(v%24-t.Hour()) * time.Hour), nil
	case fMinuteOfHour:
		return t.Add(time.Duration(v-t.Minute()) * time.Minute), nil
	case fSecondOfMinute:
		return t.Add(time.Duration(v-t.Second()) * time.Second), nil
	case fMillisOfSecond:
		return t.Add(time.Duration(v)*time.Millisecond - time.Duration(t.Nanosecond())), nil
	case fMillisOfMinute:
		return t.Truncate(time.Minute).Add(time.Duration(v) * time.Millisecond), nil
	case fMillisOfHour:
		return t.Truncate(time.Hour).Add(time.Duration(v) * time.Millisecond), nil
	}
	return t, nil
}

// setWeekyear is Joda's weekyear set: keep the week (clamped to the
// target year's weeks) and the day of week.
func setWeekyear(t time.Time, year int) time.Time {
	cur, week := t.ISOWeek()
	if cur == year {
		return t
	}
	dow := isoDayOfWeek(t)
	if max := min(weeksInWeekyear(year), weeksInWeekyear(cur)); week > max {
		week = max
	}
	w := withYear(t, year)
	if wy, _ := w.ISOWeek(); wy < year {
		w = w.Add(7 * day)
	} else if wy > year {
		w = w.Add(-7 * day)
	}
	_, curWeek := w.ISOWeek()
	w = w.Add(time.Duration(week-curWeek) * 7 * day)
	return w.Add(time.Duration(dow-isoDayOfWeek(w)) * day)
}

// roundFloor truncates t to the start of the field's duration unit, which
// Joda does after setting the last field.
func (f fieldType) roundFloor(t time.Time) time.Time {
	if f == fEra {
		// Joda floors AD to 0001-01-01 and BC to the earliest instant.
		if t.Year() > 0 {
			return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	switch fieldInfos[f].durationUnit {
	case uSeconds:
		return t.Truncate(time.Second)
	case uMinutes:
		return t.Truncate(time.Minute)
	case uHours:
		return t.Truncate(time.Hour)
	case uHalfdays:
		return midnight(t).Add(time.Duration(t.Hour()/12*12) * time.Hour)
	case uDays:
		return midnight(t)
	case uWeeks:
		m := midnight(t)
		return m.Add(-time.Duration(isoDayOfWeek(m)-1) * day)
	case uMonths:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case uYears:
		if f == fWeekyear {
			y, _ := t.ISOWeek()
			jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
			return jan4.Add(-time.Duration(isoDayOfWeek(jan4)-1) * day)
		}
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case uCenturies:
		return time.Date(t.Year()/100*100, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}
