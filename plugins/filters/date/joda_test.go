package date

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// TestJodaGolden checks every row Joda-Time produced (scripts/golden/joda-parse.sh).
func TestJodaGolden(t *testing.T) {
	file, err := os.Open("../../../testdata/filters/date/joda_parse.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	defer func(old func() time.Time) { nowFunc = old }(nowFunc)
	sc := bufio.NewScanner(file)
	rows, failures := 0, 0
	parsers := map[string]parser{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			t.Fatalf("bad row %q", sc.Text())
		}
		rows++
		nowMillis, _ := strconv.ParseInt(cols[0], 10, 64)
		zoneID, format, input, want := cols[1], cols[2], cols[3], cols[4]
		nowFunc = func() time.Time { return time.UnixMilli(nowMillis).UTC() }
		key := cols[0] + "\t" + zoneID + "\t" + format
		p, ok := parsers[key]
		if !ok {
			zone, err := loadZone(zoneID)
			if err != nil {
				t.Fatal(err)
			}
			p, err = newParser(format, zoneSource{fixed: zone}, english)
			if err != nil {
				if want != "UNSUPPORTED" {
					t.Errorf("%s: %v", format, err)
				}
				parsers[key] = nil
				continue
			}
			parsers[key] = p
		}
		if p == nil {
			continue
		}
		got := "ERR"
		if ts, err := p.parse(input, event.NewEvent()); err == nil {
			got = strconv.FormatInt(ts.UnixMilli(), 10)
		}
		if got != want {
			failures++
			if failures <= 40 {
				t.Errorf("now=%s zone=%s format=%q input=%q: got %s, want %s", time.UnixMilli(nowMillis).UTC().Format(time.RFC3339), zoneID, format, input, got, want)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d rows differ", failures, rows)
	}
}

// TestJodaLocalesGolden checks month, weekday, half-day and era names of
// every built-in locale against Joda (testdata/filters/date/joda_locales.tsv).
func TestJodaLocalesGolden(t *testing.T) {
	file, err := os.Open("../../../testdata/filters/date/joda_locales.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	defer func(old func() time.Time) { nowFunc = old }(nowFunc)
	sc := bufio.NewScanner(file)
	bad := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		tag, format, input, want := cols[0], cols[3], cols[4], cols[5]
		nowMillis, _ := strconv.ParseInt(cols[1], 10, 64)
		nowFunc = func() time.Time { return time.UnixMilli(nowMillis).UTC() }
		names, ok := lookupLocale(tag)
		if !ok {
			t.Fatalf("no names for %s", tag)
		}
		p, err := newParser(format, zoneSource{fixed: time.UTC}, names)
		if err != nil {
			t.Fatal(err)
		}
		got := "ERR"
		if ts, err := p.parse(input, event.NewEvent()); err == nil {
			got = strconv.FormatInt(ts.UnixMilli(), 10)
		}
		if got != want {
			bad++
			if bad <= 20 {
				t.Errorf("%s %q %q: got %s, want %s", tag, format, input, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d rows differ", bad)
	}
}

// TestPlainLocalTimeIsJodas checks the shortcut for plain dates against
// Joda's two passes on random fields: in and out of range, repeated,
// missing, and mixed with fields the shortcut leaves to Joda's way.
func TestPlainLocalTimeIsJodas(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	plain := []fieldType{fYear, fMonthOfYear, fDayOfMonth, fHourOfDay, fMinuteOfHour, fSecondOfMinute, fMillisOfSecond}
	value := func(f fieldType) int {
		switch rng.IntN(8) {
		case 0:
			return rng.IntN(20001) - 10000
		case 1:
			return fieldInfos[f].max + rng.IntN(3) - 1
		case 2:
			return fieldInfos[f].min + rng.IntN(3) - 1
		}
		if f == fYear {
			return rng.IntN(10200) - 100
		}
		return fieldInfos[f].min + rng.IntN(min(fieldInfos[f].max, 1000)-fieldInfos[f].min+1)
	}
	shortcuts := 0
	for range 200000 {
		var fields []savedField
		for _, f := range rng.Perm(len(plain)) {
			if rng.IntN(12) > 0 {
				fields = append(fields, savedField{plain[f], value(plain[f])})
			}
		}
		if rng.IntN(10) == 0 {
			f := fieldType(rng.IntN(int(fMillisOfHour) + 1))
			fields = append(fields, savedField{f, value(f)})
		}
		got, ok := plainLocalTime(fields)
		if !ok {
			continue
		}
		shortcuts++
		want, err := jodaLocalTime(fields, 2026)
		if err != nil || !got.Equal(want) {
			t.Fatalf("%v: shortcut gives %v, Joda's way %v (%v)", fields, got, want, err)
		}
	}
	if shortcuts < 10000 {
		t.Fatalf("only %d of the random cases took the shortcut", shortcuts)
	}
}
