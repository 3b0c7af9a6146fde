package schedule

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// readTSV returns the rows of a golden file, comments left out.
func readTSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

// TestCronAgainstFugit checks each line's validity and next six times
// against what Debian's fugit computed (scripts/golden/fugit.sh).
func TestCronAgainstFugit(t *testing.T) {
	rows := readTSV(t, "cron.tsv")
	if len(rows) < 50 {
		t.Fatalf("only %d golden rows", len(rows))
	}
	for _, row := range rows {
		line, zone, start, want := row[0], row[1], row[2], row[3:]
		t.Run(line+"@"+zone, func(t *testing.T) {
			c, err := ParseCron(line)
			if want[0] == "invalid" {
				if err == nil {
					t.Fatalf("fugit refuses %q, gostash reads it", line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.loc == time.Local {
				// A line without a zone runs in the local one; the golden
				// row says which that was.
				c.loc, err = time.LoadLocation(zone)
				if err != nil {
					t.Fatal(err)
				}
			}
			from, _ := time.Parse(time.RFC3339, start)
			for i, w := range want {
				next, err := c.Next(from)
				if err != nil {
					t.Fatal(err)
				}
				if got := next.UTC().Format(time.RFC3339); got != w {
					t.Fatalf("time %d after %s: got %s, fugit %s", i+1, from.UTC().Format(time.RFC3339), got, w)
				}
				from = next
			}
		})
	}
}

// TestCronBeyondDebiansFugit covers what fugit learned after the version
// Debian ships, read here as the fugit Logstash bundles reads it.
func TestCronBeyondDebiansFugit(t *testing.T) {
	from := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct{ line, want string }{
		// "&" makes both day fields required: Fridays that are the 13th.
		{"0 0 13 * fri& UTC", "2026-02-13T00:00:00Z"},
		// Doubled and trailing commas are allowed in lists.
		{"1,,3 * * * * UTC", "2026-01-02T04:01:00Z"},
		{"1, 2 * * * * UTC", "2026-01-02T04:02:01Z"},
		// A special takes a zone after it.
		{"@noon Asia/Tokyo", "2026-01-03T03:00:00Z"},
		// Modulo counts weeks from Monday 2018-12-31: 2026-01-05 is in week 366.
		{"0 0 * * mon%2 UTC", "2026-01-05T00:00:00Z"},
		{"0 0 * * mon%2+1 UTC", "2026-01-12T00:00:00Z"},
	} {
		c0, err := ParseCron(c.line)
		if err != nil {
			t.Errorf("%s: %v", c.line, err)
			continue
		}
		next, err := c0.Next(from)
		if got := next.UTC().Format(time.RFC3339); err != nil || got != c.want {
			t.Errorf("%s: got %s (%v), want %s", c.line, got, err, c.want)
		}
	}
}

func TestCronRandomStaysInItsRange(t *testing.T) {
	for range 20 {
		c, err := ParseCron("10~20 * * * * UTC")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.minutes) != 1 || c.minutes[0] < 10 || c.minutes[0] > 20 {
			t.Fatalf("minutes %v", c.minutes)
		}
	}
}

func TestCronErrorsQuoteTheLine(t *testing.T) {
	_, err := ParseCron("* * * *")
	if err == nil || !strings.HasPrefix(err.Error(), `invalid cron string "* * * *"`) {
		t.Fatalf("error %v", err)
	}
}

// TestDurationsAgainstFugit checks durations against Debian's fugit.
func TestDurationsAgainstFugit(t *testing.T) {
	for _, row := range readTSV(t, "duration.tsv") {
		text, err := strconv.Unquote(row[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseDuration(text)
		if row[1] == "invalid" {
			if err == nil {
				t.Errorf("%q: fugit refuses it, gostash reads %s", text, got)
			}
			continue
		}
		want, _ := strconv.ParseFloat(row[1], 64)
		if err != nil || got != seconds(want) {
			t.Errorf("%q: got %s (%v), fugit %gs", text, got, err, want)
		}
	}
}

func TestScheduleHash(t *testing.T) {
	hash := func(k string, v any) *event.Map {
		m := event.NewMap(1)
		m.Set(k, v)
		return m
	}
	for _, c := range []struct {
		m    *event.Map
		want string // Describe, or the error
	}{
		{hash("every", "1m30s"), "every 1m30s"},
		{hash("every", int64(5)), "every 5s"},
		{hash("in", "2s"), "once in 2s"},
		{hash("at", "2026-01-02 03:04:05 UTC"), "once at 2026-01-02T03:04:05Z"},
		{hash("at", "2026-01-02T03:04:05+01:00"), "once at 2026-01-02T03:04:05+01:00"},
		{hash("at", "2026-01-02 03:04 Asia/Tokyo"), "once at 2026-01-02T03:04:00+09:00"},
		{hash("cron", "* * * * * UTC"), `cron "* * * * * UTC"`},
		{hash("every", "500ms"), `not a duration "500ms"`},
		{hash("every", "0.5"), "job frequency (0.5s) is higher than scheduler frequency (1.0s)"},
		{hash("every", "0s"), "cannot schedule every 0s: the period must be positive"},
		{hash("cron", "nope"), `invalid cron string "nope"`},
		{hash("at", "tomorrow"), `No time information in "tomorrow"`},
		{hash("hourly", "1"), "Invalid config. schedule hash must contain exactly one of the following keys - cron, at, every or in"},
		{event.NewMap(0), "Invalid config. schedule hash must contain exactly one of the following keys - cron, at, every or in"},
	} {
		s, err := FromHash(c.m)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = s.Describe()
		}
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%v: got %q, want %q", c.m.Keys(), got, c.want)
		}
	}
}

func TestRunEveryStartsAtOnceAndRepeats(t *testing.T) {
	s, err := Every(time.Second, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runs := make(chan time.Time, 10)
	done := make(chan struct{})
	go func() {
		s.Run(ctx, func(context.Context) { runs <- time.Now() })
		close(done)
	}()
	first := <-runs
	if second := <-runs; !second.After(first) {
		t.Fatalf("second run at %s, first at %s", second, first)
	}
	cancel()
	<-done
}

func TestRunPastAtNeverRuns(t *testing.T) {
	s, err := FromHash(func() *event.Map {
		m := event.NewMap(1)
		m.Set("at", "2001-01-01 00:00:00 UTC")
		return m
	}())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	go cancel()
	s.Run(ctx, func(context.Context) { ran = true })
	if ran {
		t.Fatal("a past at ran")
	}
}

// TestRunIntervalWaitsAfterEachRun: an interval counts from the end of a
// run, so a run longer than the interval never makes the next one start
// sooner than the interval after it.
func TestRunIntervalWaitsAfterEachRun(t *testing.T) {
	s, err := Interval(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Interval(time.Millisecond); err == nil {
		t.Fatal("an interval shorter than the scheduler's frequency was accepted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type run struct{ start, end time.Time }
	runs := make(chan run, 10)
	done := make(chan struct{})
	go func() {
		s.Run(ctx, func(context.Context) {
			r := run{start: time.Now()}
			time.Sleep(1500 * time.Millisecond)
			r.end = time.Now()
			runs <- r
		})
		close(done)
	}()
	first := <-runs
	second := <-runs
	if gap := second.start.Sub(first.end); gap < time.Second {
		t.Fatalf("the second run started %s after the first ended, want at least the interval", gap)
	}
	cancel()
	<-done
}
