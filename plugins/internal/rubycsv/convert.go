package rubycsv

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// Conversions are the type names the csv plugins' `convert` takes.
var Conversions = []string{"integer", "float", "date", "date_time", "boolean"}

// CheckConversions refuses unknown conversion types with the plugins'
// register-time message.
func CheckConversions(m *event.Map) error {
	var bad []string
	m.Range(func(_ string, v any) bool {
		t := ruby.ToS(v)
		known := false
		for _, c := range Conversions {
			known = known || c == t
		}
		if !known {
			for _, b := range bad {
				known = known || b == t
			}
			if !known {
				bad = append(bad, t)
			}
		}
		return true
	})
	if len(bad) > 0 {
		return fmt.Errorf("Invalid conversion types: %s", strings.Join(bad, ", "))
	}
	return nil
}

// ErrNilBoolean is what the boolean conversion of an empty unquoted field
// raises in Ruby (nil has no strip).
var ErrNilBoolean = errors.New("undefined method `strip' for nil:NilClass")

// Convert applies a column conversion to a parsed field (a string or nil).
// A value the conversion cannot read is kept as it is, as Ruby's CSV
// converters keep it.
func Convert(typ string, v any) (any, error) {
	s, isString := v.(string)
	switch typ {
	case "integer":
		if isString {
			if n, err := ruby.Integer(s); err == nil {
				return n, nil
			}
		}
	case "float":
		if isString {
			if f, err := ruby.Float(s); err == nil {
				return f, nil
			}
		}
	case "date":
		if isString && dateRE.MatchString(s) {
			if t, ok := parseDate(s); ok {
				return event.Timestamp{Time: t}, nil
			}
		}
	case "date_time":
		if isString && dateTimeRE.MatchString(s) {
			if t, ok := parseDateTime(s); ok {
				return event.Timestamp{Time: t}, nil
			}
		}
	case "boolean":
		if !isString {
			return nil, ErrNilBoolean
		}
		b := ruby.Downcase(ruby.Strip(s))
		switch b {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return b, nil
	}
	return v, nil
}

// Ruby CSV's DateMatcher and DateTimeMatcher: only text they match is
// handed to Date.parse / DateTime.parse.
var (
	dateRE     = regexp.MustCompile(`^(?:(\w+,?\s+)?\w+\s+\d{1,2},?\s+\d{2,4}|\d{4}-\d{2}-\d{2})$`)
	dateTimeRE = regexp.MustCompile(`^(?:(\w+,?\s+)?\w+\s+\d{1,2}\s+\d{1,2}:\d{1,2}:\d{1,2},?\s+\d{2,4}|\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?(?:[+-]\d{2}(?::\d{2})|Z)?)?)?)$`)

	isoDateRE   = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?(?:([+-])(\d{2}):(\d{2})|Z)?)?)?$`)
	usDateRE    = regexp.MustCompile(`^(?:\w+,?\s+)?(\w+)\s+(\d{1,2}),?\s+(\d{2,4})$`)
	usDateTimRE = regexp.MustCompile(`^(?:\w+,?\s+)?(\w+)\s+(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2}),?\s+(\d{2,4})$`)
)

var months = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// month reads a word Date.parse takes as a month: one starting with a
// month's three-letter abbreviation.
func month(word string) (time.Month, bool) {
	w := strings.ToLower(word)
	for i, m := range months {
		if strings.HasPrefix(w, m) {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// year completes a two-digit year as Date.parse does (69-99 → 19xx).
func year(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) <= 2 {
		if y >= 69 {
			return 1900 + y
		}
		return 2000 + y
	}
	return y
}

func validDate(y int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDate is Date.parse(s).to_time for text DateMatcher accepted: local
// midnight. Text whose month word Date.parse would have to guess (no month
// name before the day) is not converted.
func parseDate(s string) (time.Time, bool) {
	var y, d int
	var m time.Month
	if g := isoDateRE.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		mm, _ := strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
		m = time.Month(mm)
	} else if g := usDateRE.FindStringSubmatch(s); g != nil {
		var ok bool
		if m, ok = month(g[1]); !ok {
			return time.Time{}, false
		}
		d, _ = strconv.Atoi(g[2])
		y = year(g[3])
	} else {
		return time.Time{}, false
	}
	if !validDate(y, m, d) {
		return time.Time{}, false
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local), true
}

// parseDateTime is DateTime.parse(s).to_time for text DateTimeMatcher
// accepted: UTC unless the text has an offset.
func parseDateTime(s string) (time.Time, bool) {
	var y, d, hh, mi, ss, nanos int
	var m time.Month
	offset := 0
	if g := isoDateRE.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		mm, _ := strconv.Atoi(g[2])
		m = time.Month(mm)
		d, _ = strconv.Atoi(g[3])
		hh, _ = strconv.Atoi(g[4])
		mi, _ = strconv.Atoi(g[5])
		ss, _ = strconv.Atoi(g[6])
		if frac := g[7]; frac != "" {
			frac = (frac + "000000000")[:9]
			nanos, _ = strconv.Atoi(frac)
		}
		if g[8] != "" {
			oh, _ := strconv.Atoi(g[9])
			om, _ := strconv.Atoi(g[10])
			offset = (oh*60 + om) * 60
			if g[8] == "-" {
				offset = -offset
			}
		}
	} else if g := usDateTimRE.FindStringSubmatch(s); g != nil {
		var ok bool
		if m, ok = month(g[1]); !ok {
			return time.Time{}, false
		}
		d, _ = strconv.Atoi(g[2])
		hh, _ = strconv.Atoi(g[3])
		mi, _ = strconv.Atoi(g[4])
		ss, _ = strconv.Atoi(g[5])
		y = year(g[6])
	} else {
		return time.Time{}, false
	}
	if !validDate(y, m, d) || hh > 23 || mi > 59 || ss > 59 {
		return time.Time{}, false
	}
	return time.Date(y, m, d, hh, mi, ss, nanos, time.FixedZone("", offset)).UTC(), true
}
