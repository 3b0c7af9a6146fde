package schedule

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed cron line, as fugit's Cron: nil fields match anything.
type Cron struct {
	original  string
	seconds   intList
	minutes   intList
	hours     intList
	monthdays intList // negative counts from the month's end (-1 is its last day)
	months    intList
	weekdays  []weekday
	dayAnd    bool // "&": both day fields must match, not either
	loc       *time.Location
}

// weekday is a day of the week (0 is Sunday), optionally restricted to
// the nth such day of the month (#n, negative from the end) or to weeks
// whose reference-week number matches a modulo (%n+m).
type weekday struct {
	day     int
	nth     int
	mod     int
	modPlus int
}

var cronSpecials = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
	"@noon": "0 12 * * *", "@hourly": "0 * * * *",
}

var maxDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

var (
	monthNames = []string{"-", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	dayNames   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

	reBlank   = regexp.MustCompile(`^[ \t]+`)
	reComma   = regexp.MustCompile(`^,(?:[ \t]*,)*`)
	reCommas  = regexp.MustCompile(`^(?:[ \t]*,)*`)
	reSlash   = regexp.MustCompile(`^/\d\d?`)
	reMod     = regexp.MustCompile(`^%\d+(?:\+\d+)?`)
	reHash    = regexp.MustCompile(`^(?i:#(-?[1-5]|last|l))`)
	reTZDelta = regexp.MustCompile(`^ +[-+](?:[01][0-9]|2[0-4]):?(?:00|15|30|45)$`)
	reTZName  = regexp.MustCompile(`^ +[A-Z][a-zA-Z0-9+\-]+(?:/[A-Z][a-zA-Z0-9+\-_]+){0,2}$`)

	fieldValue = map[string]*regexp.Regexp{
		"sec": regexp.MustCompile(`^[0-5]?\d`),
		"min": regexp.MustCompile(`^[0-5]?\d`),
		"hou": regexp.MustCompile(`^(?:2[0-4]|[01]?[0-9])`),
		"dom": regexp.MustCompile(`^(?i:-?(?:3[01]|[12][0-9]|0?[1-9])|last|l)`),
		"mon": regexp.MustCompile(`^(?i:1[0-2]|0?[1-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)`),
		"dow": regexp.MustCompile(`^(?i:[0-7]|sun|mon|tue|wed|thu|fri|sat)`),
	}
	fieldBounds = map[string][2]int{"sec": {0, 59}, "min": {0, 59}, "hou": {0, 23}, "dom": {1, 31}, "mon": {1, 12}}
)

// element is one comma-separated item of a cron field, before expansion:
// start and end of a range (either may be absent), "-" or "~" between
// them, a step, and for weekdays a #n or %n+m.
type element struct {
	start, end       *int
	tilde            bool
	step             *int
	nth              *int
	mod, modPlus     int
	hasMod           bool
	hasStart, hasEnd bool
}

// ParseCron reads a cron line as fugit does: five fields (minute hour
// day-of-month month day-of-week) or six (seconds first), an optional time
// zone name or offset at the end, or one of @yearly, @monthly, @weekly,
// @daily, @midnight, @noon, @hourly. Without a zone the line runs in the
// local time zone.
func ParseCron(s string) (*Cron, error) {
	c, err := parseCron(s)
	if err != nil {
		return nil, fmt.Errorf("invalid cron string %s: %w", truncated(s), err)
	}
	return c, nil
}

func truncated(s string) string {
	if len(s) > 28 {
		return strconv.Quote(s[:28]) + fmt.Sprintf("... len %d", len(s))
	}
	return strconv.Quote(s)
}

func parseCron(original string) (*Cron, error) {
	s := strings.TrimSpace(original)
	if strings.HasPrefix(s, "@") {
		name, rest, _ := strings.Cut(s, " ")
		if expanded, ok := cronSpecials[name]; ok {
			s = strings.TrimSpace(expanded + " " + strings.TrimLeft(rest, " \t"))
		}
	}
	// Six fields are tried before five, as fugit's grammar does.
	c, err := cronWithFields(original, s, 6)
	if err != nil {
		var err5 error
		if c, err5 = cronWithFields(original, s, 5); err5 != nil {
			return nil, err5
		}
	}
	return c, nil
}

func cronWithFields(original, s string, n int) (*Cron, error) {
	c := &Cron{original: original, loc: time.Local, dayAnd: strings.Contains(s, "&")}
	fields, zone, err := splitCron(s, n)
	if err != nil {
		return nil, err
	}
	if n == 5 {
		fields = append([]string{"0"}, fields...)
	}
	if zone != "" {
		loc, err := zoneNamed(zone)
		if err != nil {
			return nil, err
		}
		c.loc = loc
	}
	names := []string{"sec", "min", "hou", "dom", "mon", "dow"}
	parsed := make([][]element, 6)
	for i, f := range fields {
		els, err := parseField(names[i], f)
		if err != nil {
			return nil, err
		}
		parsed[i] = els
	}
	targets := []*intList{&c.seconds, &c.minutes, &c.hours, &c.monthdays, &c.months}
	for i, t := range targets {
		v, err := determine(names[i], parsed[i])
		if err != nil {
			return nil, err
		}
		*t = v
	}
	c.weekdays = determineWeekdays(parsed[5])
	if !c.compactMonthDays() {
		return nil, errors.New("no day of the given months exists")
	}
	return c, nil
}

// splitCron cuts s into n fields and an optional trailing zone. Fields
// are separated by blanks; a blank run followed by a comma stays inside
// its field, where parseField judges it as fugit's list grammar does.
func splitCron(s string, n int) ([]string, string, error) {
	var parts []string
	start := 0
	for i := 0; i < len(s); {
		if s[i] != ' ' && s[i] != '\t' {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j < len(s) && s[j] == ',' {
			i = j
			continue
		}
		parts = append(parts, s[start:i])
		start, i = j, j
	}
	parts = append(parts, s[start:])
	switch {
	case len(parts) == n:
		return parts, "", nil
	case len(parts) == n+1 && (reTZDelta.MatchString(" "+parts[n]) || reTZName.MatchString(" "+parts[n])):
		return parts[:n], parts[n], nil
	}
	return nil, "", fmt.Errorf("expected %d fields", n)
}

// zoneNamed resolves a cron line's zone: an IANA name or an offset such
// as +09:00 or -0530.
func zoneNamed(z string) (*time.Location, error) {
	if z[0] == '+' || z[0] == '-' {
		digits := strings.ReplaceAll(z[1:], ":", "")
		h, _ := strconv.Atoi(digits[:2])
		m, _ := strconv.Atoi(digits[2:])
		off := h*3600 + m*60
		if z[0] == '-' {
			off = -off
		}
		return time.FixedZone(z, off), nil
	}
	loc, err := time.LoadLocation(z)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", z)
	}
	return loc, nil
}

// parseField reads one field's comma-separated elements. Stray commas
// may lead and trail the list; blanks may sit only between commas.
func parseField(name, f string) ([]element, error) {
	bad := func() ([]element, error) { return nil, fmt.Errorf("cannot read %q", f) }
	if name == "dom" || name == "dow" {
		f = strings.TrimSuffix(f, "&")
	}
	rest := f[len(reCommas.FindString(f)):]
	var out []element
	for {
		el, n, ok := parseElement(name, rest)
		if !ok {
			return bad()
		}
		out = append(out, el)
		rest = rest[n:]
		if sep := reComma.FindString(rest); sep != "" && len(sep) < len(rest) {
			rest = rest[len(sep):]
			continue
		}
		if len(reCommas.FindString(rest)) == len(rest) {
			return out, nil
		}
		return bad()
	}
}

// parseElement reads one element at the start of s, returning how many
// bytes it took.
func parseElement(name, s string) (element, int, bool) {
	var el element
	pos := 0
	value := func() (*int, bool) {
		m := fieldValue[name].FindString(s[pos:])
		if m == "" {
			return nil, false
		}
		pos += len(m)
		v := boundValue(name, m)
		return &v, true
	}
	step := func() {
		if m := reSlash.FindString(s[pos:]); m != "" {
			v, _ := strconv.Atoi(m[1:])
			el.step = &v
			pos += len(m)
		}
	}
	// A lone step ("/15") stands for */15.
	if m := reSlash.FindString(s); m != "" {
		step()
		return el, pos, true
	}
	if name == "dow" {
		// day#n and day%n+m come first in fugit's grammar.
		if v, ok := value(); ok {
			if m := reHash.FindStringSubmatch(s[pos:]); m != nil {
				n := -1
				if !strings.EqualFold(m[1][:1], "l") {
					n, _ = strconv.Atoi(m[1])
				}
				el.start, el.hasStart, el.nth = v, true, &n
				return el, pos + len(m[0]), true
			}
			if m := reMod.FindString(s[pos:]); m != "" {
				parts := strings.FieldsFunc(m, func(r rune) bool { return r == '%' || r == '+' })
				el.mod, _ = strconv.Atoi(parts[0])
				if len(parts) > 1 {
					el.modPlus, _ = strconv.Atoi(parts[1])
				}
				el.start, el.hasStart, el.hasMod = v, true, true
				return el, pos + len(m), true
			}
			pos = 0
		}
	}
	switch {
	case strings.HasPrefix(s, "*"):
		pos = 1
	default:
		start := pos
		a, hasA := value()
		if pos < len(s) && s[pos] == '~' {
			pos++
			el.tilde = true
			el.start, el.hasStart = a, hasA
			if z, ok := value(); ok {
				el.end, el.hasEnd = z, true
			}
			break
		}
		if !hasA {
			pos = start
			return el, 0, false
		}
		el.start, el.hasStart = a, true
		if pos < len(s) && s[pos] == '-' {
			save := pos
			pos++
			if z, ok := value(); ok {
				el.end, el.hasEnd = z, true
			} else {
				pos = save
			}
		}
	}
	step()
	return el, pos, true
}

// boundValue turns a matched value into a number: month and day names,
// L/last as -1 for days of the month.
func boundValue(name, m string) int {
	l := strings.ToLower(m)
	switch {
	case name == "mon":
		if i := slices.Index(monthNames, l); i > 0 {
			return i
		}
	case name == "dow":
		if i := slices.Index(dayNames, l); i >= 0 {
			return i
		}
	case name == "dom" && strings.HasPrefix(l, "l"):
		return -1
	}
	v, _ := strconv.Atoi(m)
	return v
}

// determine expands a field's elements into the sorted values it allows,
// or nil when it allows everything.
func determine(name string, els []element) ([]int, error) {
	lo, hi := fieldBounds[name][0], fieldBounds[name][1]
	var out []int
	for _, el := range els {
		vals, any, err := expand(lo, hi, el)
		if err != nil {
			return nil, err
		}
		if any {
			return nil, nil
		}
		for _, v := range vals {
			if name == "hou" && v == 24 {
				v = 0
			}
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// expand is fugit's expansion of one element within [lo, hi]; any is true
// for an element that allows every value.
func expand(lo, hi int, el element) (vals []int, any bool, err error) {
	if el.step != nil && *el.step < 1 {
		return nil, false, errors.New("a step must be at least 1")
	}
	sta, edn := el.start, el.end
	if el.tilde {
		r := pickRandom(lo, hi, sta, edn, el.step)
		sta = &r
		if el.step == nil {
			edn = nil
		}
	}
	if el.step != nil && edn == nil {
		edn = &hi
	}
	if sta == nil && edn == nil && el.step == nil {
		return nil, true, nil
	}
	if sta != nil && edn == nil {
		return []int{*sta}, false, nil
	}
	step := 1
	if el.step != nil {
		step = *el.step
	}
	a, e := lo, hi
	if sta != nil {
		a = *sta
	}
	if edn != nil && !(*edn < 0 && a > 0) {
		e = *edn
	}
	return cronRange(lo, hi, a, e, step)
}

func pickRandom(lo, hi int, sta, edn *int, step *int) int {
	a, z := lo, hi
	if sta != nil {
		a = *sta
	}
	if edn != nil {
		z = *edn
	}
	n := z - a + 1
	if n <= 0 {
		n = hi - lo + 1 + n
	}
	if step != nil && *step < n {
		n = *step
	}
	r := a + rand.IntN(n)
	if r > hi {
		r = r + lo - hi - 1
	}
	return r
}

// cronRange lists sta..edn within [lo, hi], wrapping past hi back to lo,
// keeping every step-th value; negative bounds (days from the month's
// end) must both be negative.
func cronRange(lo, hi, sta, edn, step int) ([]int, bool, error) {
	if sta == lo && edn == hi && step == 1 {
		return nil, true, nil
	}
	if (sta < 0 && edn > 0) || (edn < 0 && sta > 0) {
		return nil, false, errors.New("both start and end must be negative")
	}
	omax := hi
	if sta < 0 {
		lo, hi = -hi, -1
	}
	var a []int
	for cur := sta; ; {
		a = append(a, cur)
		if cur == edn {
			break
		}
		cur++
		if cur > hi {
			cur = lo
			if edn > hi {
				edn = edn - hi - 1
			}
		}
		if len(a) > 2*omax {
			return nil, false, errors.New("range does not end")
		}
	}
	var out []int
	for i, v := range a {
		if i%step == 0 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, false, nil
}

func determineWeekdays(els []element) []weekday {
	var out []weekday
	add := func(d int) { out = append(out, weekday{day: d % 7}) }
	for _, el := range els {
		a, z := el.start, el.end
		if el.tilde {
			r := pickRandom(0, 6, a, z, el.step)
			a = &r
			if el.step == nil {
				z = nil
			}
		}
		switch {
		case el.nth != nil:
			out = append(out, weekday{day: *a % 7, nth: *el.nth})
		case el.hasMod:
			out = append(out, weekday{day: *a % 7, mod: el.mod, modPlus: el.modPlus})
		case el.step != nil:
			from, to := 0, 6
			if a != nil {
				from, to = *a, *a
			}
			if z != nil {
				to = *z
			}
			if from > to {
				to += 7
			}
			step := max(*el.step, 1)
			for i := from; i <= to; i += step {
				add(i)
			}
		case z != nil:
			to := *z
			if *a > to {
				to += 7
			}
			for i := *a; i <= to; i++ {
				add(i)
			}
		case a != nil:
			add(*a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, func(x, y weekday) int {
		if x.day != y.day {
			return x.day - y.day
		}
		if x.nth != y.nth {
			return x.nth - y.nth
		}
		return x.mod*1000 + x.modPlus - y.mod*1000 - y.modPlus
	})
	return slices.Compact(out)
}

// compactMonthDays drops the days that no listed month has (the 30th of
// February); a line left with none is invalid.
func (c *Cron) compactMonthDays() bool {
	if c.months == nil || c.monthdays == nil {
		return true
	}
	var ms, ds []int
	for _, m := range c.months {
		for _, d := range c.monthdays {
			if d > maxDays[m] {
				continue
			}
			if !slices.Contains(ms, m) {
				ms = append(ms, m)
			}
			if !slices.Contains(ds, d) {
				ds = append(ds, d)
			}
		}
	}
	c.months, c.monthdays = ms, ds
	return len(ms) > 0 && len(ds) > 0
}

// String is the line as written in the config.
func (c *Cron) String() string { return c.original }
