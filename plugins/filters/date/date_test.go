package date

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestDateFilter(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		wantTS  string // @timestamp after the filter
		want    string // data without @timestamp
		matched bool
	}{
		{"iso8601 with millis truncation", `match => ["t", "ISO8601"]`, `{"t":"2011-04-19T03:44:01.103999Z"}`, "2011-04-19T03:44:01.103Z", `{"t":"2011-04-19T03:44:01.103999Z"}`, true},
		{"first matching format wins", `match => ["t", "yyyy", "dd/MMM/yyyy:HH:mm:ss Z"]`, `{"t":"19/Apr/2011:03:44:01 -0700"}`, "2011-04-19T10:44:01.000Z", `{"t":"19/Apr/2011:03:44:01 -0700"}`, true},
		{"timezone applies without offset", `match => ["t", "yyyy-MM-dd HH:mm:ss"] timezone => "Europe/Paris"`, `{"t":"2011-04-19 03:44:01"}`, "2011-04-19T01:44:01.000Z", `{"t":"2011-04-19 03:44:01"}`, true},
		{"dynamic timezone", `match => ["t", "yyyy-MM-dd HH:mm"] timezone => "%{tz}"`, `{"t":"2011-01-01 00:00","tz":"+05:30"}`, "2010-12-31T18:30:00.000Z", `{"t":"2011-01-01 00:00","tz":"+05:30"}`, true},
		{"bad dynamic timezone fails", `match => ["t", "yyyy-MM-dd HH:mm"] timezone => "%{tz}"`, `{"t":"2011-01-01 00:00","tz":"Mars/Base"}`, "2026-01-02T03:04:05.678Z", `{"t":"2011-01-01 00:00","tz":"Mars/Base","tags":["_dateparsefailure"]}`, false},
		{"target field", `match => ["t", "UNIX"] target => "[a][b]"`, `{"t":"1303184641.5678"}`, "2026-01-02T03:04:05.678Z", `{"t":"1303184641.5678","a":{"b":"2011-04-19T03:44:01.567Z"}}`, true},
		{"unix long", `match => ["t", "UNIX"]`, `{"t":1303184641}`, "2011-04-19T03:44:01.000Z", `{"t":1303184641}`, true},
		{"unix double", `match => ["t", "UNIX"]`, `{"t":1303184641.25}`, "2011-04-19T03:44:01.250Z", `{"t":1.30318464125E9}`, true},
		{"unix too large", `match => ["t", "UNIX"]`, `{"t":2147483648}`, "2026-01-02T03:04:05.678Z", `{"t":2147483648,"tags":["_dateparsefailure"]}`, false},
		{"unix_ms", `match => ["t", "UNIX_MS"]`, `{"t":"1303184641123"}`, "2011-04-19T03:44:01.123Z", `{"t":"1303184641123"}`, true},
		{"unix_ms rejects fraction", `match => ["t", "UNIX_MS"]`, `{"t":"1.5"}`, "2026-01-02T03:04:05.678Z", `{"t":"1.5","tags":["_dateparsefailure"]}`, false},
		{"tai64n", `match => ["t", "TAI64N"]`, `{"t":"@4000000037c219bf2ef02e94"}`, "1999-08-24T04:04:05.787Z", `{"t":"@4000000037c219bf2ef02e94"}`, true},
		{"number with a pattern fails", `match => ["t", "yyyy"]`, `{"t":2011}`, "2026-01-02T03:04:05.678Z", `{"t":2011,"tags":["_dateparsefailure"]}`, false},
		{"array fails", `match => ["t", "ISO8601"]`, `{"t":["2011-04-19"]}`, "2026-01-02T03:04:05.678Z", `{"t":["2011-04-19"],"tags":["_dateparsefailure"]}`, false},
		{"missing field no-op", `match => ["t", "ISO8601"]`, `{"x":1}`, "2026-01-02T03:04:05.678Z", `{"x":1}`, false},
		{"null field no-op", `match => ["t", "ISO8601"]`, `{"t":null}`, "2026-01-02T03:04:05.678Z", `{"t":null}`, false},
		{"custom failure tags dedup", `match => ["t", "ISO8601"] tag_on_failure => ["a", "b"]`, `{"t":"x","tags":["b"]}`, "2026-01-02T03:04:05.678Z", `{"t":"x","tags":["b","a"]}`, false},
		{"posix locale accepted", `match => ["t", "dd MMM yyyy"] locale => "en_US" timezone => "UTC"`, `{"t":"19 Apr 2011"}`, "2011-04-19T00:00:00.000Z", `{"t":"19 Apr 2011"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "date { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			matched, _ := f.Call(e)
			ts, _ := e.Timestamp()
			if ts.String() != c.wantTS {
				t.Errorf("@timestamp = %s, want %s", ts, c.wantTS)
			}
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}

func TestDateConfigErrors(t *testing.T) {
	cases := []struct {
		config string
		want   string
	}{
		{`match => ["t"]`, `The match setting should contains first a field name and at least one date format, current value is ["t"]`},
		{``, `current value is []`},
		{`match => ["t", "yyyy-MM-ddTHH"]`, "Illegal pattern component: T"},
		{`match => ["t", "ISO8601"] timezone => "Mars/Base"`, "The datetime zone id 'Mars/Base' is not recognised"},
		{`match => ["t", "HH zzzz"]`, "Parsing not supported"},
	}
	for _, c := range cases {
		_, err := plugintest.TryFilter(t, "date { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}

func TestDateLocales(t *testing.T) {
	cases := []struct{ locale, format, in, want string }{
		{"de", "dd MMMM yyyy", "19 März 2011", "2011-03-19T00:00:00.000Z"},
		{"de-DE", "EEE, dd. MMM yyyy", "Sa., 19. März 2011", "2011-03-19T00:00:00.000Z"},
		{"fr", "dd MMM yyyy", "19 AVR. 2011", "2011-04-19T00:00:00.000Z"},
		{"en-GB", "dd MMM yyyy", "19 Sept 2011", "2011-09-19T00:00:00.000Z"},
		{"en", "G yyyy", "CE 2011", "2011-01-01T00:00:00.000Z"},
		{"xx", "dd MMM yyyy", "19 Apr 2011", "2011-04-19T00:00:00.000Z"},
	}
	for _, c := range cases {
		f := plugintest.Filter(t, `date { match => ["t", `+plugintest.Quote(c.format)+`] locale => `+plugintest.Quote(c.locale)+` timezone => "UTC" }`)
		e := plugintest.Event(t, `{"t":"`+c.in+`"}`)
		f.Call(e)
		if ts, _ := e.Timestamp(); ts.String() != c.want {
			t.Errorf("%s %q %q: got %s (%s), want %s", c.locale, c.format, c.in, ts, plugintest.Data(e), c.want)
		}
	}
}

// TestDateFromDecimal: the json filter gives BigDecimals, which the UNIX
// parsers take as Java does: seconds × 1000 truncated, UNIX_MS truncated
// and checked against the limit.
func TestDateFromDecimal(t *testing.T) {
	for _, c := range []struct {
		format, value, wantTS string
		matched               bool
	}{
		{"UNIX", "1303184641.1239", "2011-04-19T03:44:01.123Z", true},
		{"UNIX", "2147483648.5", "2026-01-02T03:04:05.678Z", false},
		{"UNIX_MS", "1303184641123.9", "2011-04-19T03:44:01.123Z", true},
		{"UNIX_MS", "2147483648000.5", "2026-01-02T03:04:05.678Z", false},
		{"ISO8601", "2011.5", "2026-01-02T03:04:05.678Z", false},
	} {
		f := plugintest.Filter(t, `date { match => ["t", "`+c.format+`"] }`)
		e := plugintest.Event(t, `{}`)
		d, err := event.ParseDecimal(c.value)
		if err != nil {
			t.Fatal(err)
		}
		e.Set("t", d)
		matched, _ := f.Call(e)
		if ts, _ := e.Timestamp(); ts.String() != c.wantTS || matched != c.matched {
			t.Errorf("%s %s: @timestamp %s matched %v, want %s %v", c.format, c.value, ts, matched, c.wantTS, c.matched)
		}
	}
}
