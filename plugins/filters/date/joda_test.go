package date

import (
	"bufio"
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
