// Package schedule reads the schedules Logstash's scheduled plugins take
// (http_poller's schedule hash, the exec input's cron line) as
// rufus-scheduler 3.9 reads them through fugit and et-orbi, and runs a job
// on them: `every` durations such as "1h30m", one-time `in` delays and
// `at` instants, and cron lines with seconds, names, ranges, steps, L,
// #n, %n, ~ and a time zone.
package schedule

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// durationUnits are fugit's duration units in the order its parser tries
// them; months are 30 days and years 365, as fugit approximates them.
var durationUnits = []struct {
	re      *regexp.Regexp
	seconds float64
}{
	{regexp.MustCompile(`^(?i:(\d+\.\d*|(?:\d*\.)?\d+) *y(?:ears?)?)`), 365 * 86400},
	{regexp.MustCompile(`^(\d+\.\d*|(?:\d*\.)?\d+) *(?:M|months?)`), 30 * 86400},
	{regexp.MustCompile(`^(?i:(\d+\.\d*|(?:\d*\.)?\d+) *w(?:eeks?)?)`), 7 * 86400},
	{regexp.MustCompile(`^(?i:(\d+\.\d*|(?:\d*\.)?\d+) *d(?:ays?)?)`), 86400},
	{regexp.MustCompile(`^(?i:(\d+\.\d*|(?:\d*\.)?\d+) *h(?:ours?)?)`), 3600},
	{regexp.MustCompile(`^(\d+\.\d*|(?:\d*\.)?\d+) *m(?:in(?:ute)?s?)?`), 60},
	{regexp.MustCompile(`^(?i:(\d+\.\d*|(?:\d*\.)?\d+) *s(?:ec(?:ond)?)?s?)`), 1},
	// A bare number counts seconds, but only at the very end.
	{regexp.MustCompile(`^(\d+\.\d*|\.\d+|\d+)$`), 1},
}

var (
	durationSep  = regexp.MustCompile(`^(?i:[ \t,]+|and)*`)
	isoDuration  = regexp.MustCompile(`^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?(?:\d*\.)?\d+)S)?)?$`)
	isoDurationS = []float64{365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1}
)

// ParseDuration reads a duration as fugit does: "1h", "1m30s", "2 days",
// "1.5h", "1h, 30m", "1h and 30m", "-5s", a bare number of seconds
// ("500"), or ISO 8601 ("PT1H30M").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if secs, ok := plainDuration(s); ok {
		return seconds(secs), nil
	}
	if secs, ok := iso8601Duration(strings.ToUpper(s)); ok {
		return seconds(secs), nil
	}
	return 0, fmt.Errorf("not a duration %q", s)
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// plainDuration is fugit's plain parser: signed groups of number+unit,
// separated by blanks, commas or "and".
func plainDuration(s string) (float64, bool) {
	total, rest, groups := 0.0, s, 0
	for rest != "" {
		if groups > 0 {
			sep := durationSep.FindString(rest)
			rest = rest[len(sep):]
			if rest == "" {
				return 0, false
			}
		}
		sign := 1.0
		switch rest[0] {
		case '-':
			sign, rest = -1, rest[1:]
		case '+':
			rest = rest[1:]
		}
		matched := false
		for {
			var got bool
			for _, u := range durationUnits {
				if m := u.re.FindStringSubmatch(rest); m != nil {
					n, _ := strconv.ParseFloat(strings.TrimSuffix(m[1], "."), 64)
					total += sign * n * u.seconds
					rest = rest[len(m[0]):]
					got = true
					break
				}
			}
			if !got {
				break
			}
			matched = true
		}
		if !matched {
			return 0, false
		}
		groups++
	}
	return total, groups > 0
}

func iso8601Duration(s string) (float64, bool) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, false
	}
	total := 0.0
	for i, v := range m[1:] {
		if v != "" {
			n, _ := strconv.ParseFloat(v, 64)
			total += n * isoDurationS[i]
		}
	}
	return total, true
}
