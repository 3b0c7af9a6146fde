package file

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// friendlyDuration is Logstash's FriendlyDurations: a number, an optional
// space and an optional unit; a bare number is in the option's own unit.
var friendlyDuration = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?(s(?:(?:ec)?(?:ond)?)s?|m(?:(?:in)?(?:ute)?)s?|h(?:our)?s?|d(?:ay)?s?|w(?:eek)?s?|us(?:ec)?s?|ms(?:ec)?s?)?$`)

var unitScale = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"ms": time.Millisecond, "msec": time.Millisecond, "msecs": time.Millisecond,
	"us": time.Microsecond, "usec": time.Microsecond, "usecs": time.Microsecond,
}

// parseDuration reads a friendly duration; unit is what a bare number
// counts (time.Second, or 24h for sincedb_clean_after).
func parseDuration(text string, unit time.Duration) (time.Duration, error) {
	text = strings.TrimSpace(text)
	m := friendlyDuration.FindStringSubmatch(text)
	if m == nil {
		return 0, fmt.Errorf("Value '%s' is not a valid duration string e.g. 200 usec, 250ms, 60 sec, 18h, 21.5d, 1 day, 2w, 6 weeks", text)
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	scale := unit
	if m[2] != "" {
		// Like Logstash, a unit the pattern accepts but no case names
		// ("sond", "mutes") counts seconds.
		scale = time.Second
		if named, ok := unitScale[m[2]]; ok {
			scale = named
		}
	}
	d := n * float64(scale)
	if d > math.MaxInt64 {
		return 0, fmt.Errorf("Value '%s' is too long a duration", text)
	}
	return time.Duration(d), nil
}

// checkDuration is the config-time check of a duration option.
func checkDuration(unit time.Duration) func(string) error {
	return func(v string) error {
		_, err := parseDuration(v, unit)
		return err
	}
}
