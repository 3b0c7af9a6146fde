package date

import (
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Samples and expectations from the Logstash plugin's own specification
// (logstash-filter-date spec/filters/date_spec.rb).
func TestDateSpecSamples(t *testing.T) {
	iso := `match => ["mydate", "ISO8601"] locale => "en" timezone => "UTC"`
	unix := `match => ["mydate", "UNIX"] locale => "en"`
	unixMS := `match => ["mydate", "UNIX_MS"] locale => "en"`
	both := `match => ["mydate", "UNIX", "UNIX_MS"] locale => "en"`
	la := `match => ["mydate", "yyyy MMM dd HH:mm:ss"] locale => "en" timezone => "America/Los_Angeles"`
	fromEvent := `match => ["mydate", "yyyy MMM dd HH:mm:ss"] locale => "en" timezone => "%{mytz}"`
	isoFromEvent := `match => ["mydate", "ISO8601"] locale => "en" timezone => "%{mytz}"`
	cases := []struct {
		config string
		in     string
		want   string // @timestamp, or "" for a parse failure
	}{
		{iso, `{"mydate":"2001-01-01T00:00:00-0800"}`, "2001-01-01T08:00:00.000Z"},
		{iso, `{"mydate":"1974-03-02T04:09:09-0800"}`, "1974-03-02T12:09:09.000Z"},
		{iso, `{"mydate":"2010-05-03T08:18:18+00:00"}`, "2010-05-03T08:18:18.000Z"},
		{iso, `{"mydate":"2004-07-04T12:27:27-00:00"}`, "2004-07-04T12:27:27.000Z"},
		{iso, `{"mydate":"2001-09-05T16:36:36+0000"}`, "2001-09-05T16:36:36.000Z"},
		{iso, `{"mydate":"2001-11-06T20:45:45-0000"}`, "2001-11-06T20:45:45.000Z"},
		{iso, `{"mydate":"2001-12-07T23:54:54Z"}`, "2001-12-07T23:54:54.000Z"},
		{iso, `{"mydate":"2010-05-03T08:18:18.123+00:00"}`, "2010-05-03T08:18:18.123Z"},
		{iso, `{"mydate":"2004-07-04T12:27:27.123-04:00"}`, "2004-07-04T16:27:27.123Z"},
		{iso, `{"mydate":"2001-09-05T16:36:36.123+0700"}`, "2001-09-05T09:36:36.123Z"},
		{iso, `{"mydate":"2001-12-07T23:54:54,123Z"}`, "2001-12-07T23:54:54.123Z"},
		{iso, `{"mydate":"2001-11-06 20:45:45.123-0000"}`, "2001-11-06T20:45:45.123Z"},
		{iso, `{"mydate":"2001-12-07 23:54:54.123Z"}`, "2001-12-07T23:54:54.123Z"},
		{iso, `{"mydate":"2001-12-07 23:54:54,123Z"}`, "2001-12-07T23:54:54.123Z"},
		{iso, `{"mydate":"2001-11-06 20:45:45.123"}`, "2001-11-06T20:45:45.123Z"},
		{iso, `{"mydate":"2001-11-06 20:45:45,123"}`, "2001-11-06T20:45:45.123Z"},
		{iso, `{"data":{"deep":"2013-01-01T00:00:00.000Z"},"mydate":null}`, ""},
		{unix, `{"mydate":"0"}`, "1970-01-01T00:00:00.000Z"},
		{unix, `{"mydate":"1000000000"}`, "2001-09-09T01:46:40.000Z"},
		{unix, `{"mydate":1478207457}`, "2016-11-03T21:10:57.000Z"},
		{unix, `{"mydate":"1350414944.123456"}`, "2012-10-16T19:15:44.123Z"},
		{unix, `{"mydate":1350414944.123456}`, "2012-10-16T19:15:44.123Z"},
		{unix, `{"mydate":"%{bad_value}"}`, ""},
		{unixMS, `{"mydate":"456"}`, "1970-01-01T00:00:00.456Z"},
		{unixMS, `{"mydate":1000000000123}`, "2001-09-09T01:46:40.123Z"},
		{both, `{"mydate":"1000000000123"}`, "2001-09-09T01:46:40.123Z"},
		{both, `{"mydate":"1478207457.456"}`, "2016-11-03T21:10:57.456Z"},
		{both, `{"mydate":1478207457.456}`, "2016-11-03T21:10:57.456Z"},
		{`match => ["t", "TAI64N"] locale => "en"`, `{"t":"4000000050d506482dbdf024"}`, "2012-12-22T01:00:46.767Z"},
		{`match => ["t", "TAI64N"] locale => "en"`, `{"t":"@4000000050d506482dbdf024"}`, "2012-12-22T01:00:46.767Z"},
		{`match => ["[data][deep]", "ISO8601"] locale => "en"`, `{"data":{"deep":"2013-01-01T00:00:00.000Z"}}`, "2013-01-01T00:00:00.000Z"},
		{`match => ["thedate", "yyyy/MM/dd"] locale => "en"`, `{"thedate":"2013/Apr/21"}`, ""},
		{la, `{"mydate":"2013 Nov 24 01:29:01"}`, "2013-11-24T09:29:01.000Z"},
		{la, `{"mydate":"2013 Jun 24 01:29:01"}`, "2013-06-24T08:29:01.000Z"},
		{fromEvent, `{"mydate":"2013 Nov 24 01:29:01","mytz":"America/Los_Angeles"}`, "2013-11-24T09:29:01.000Z"},
		{isoFromEvent, `{"mydate":"2007-12-09T01:00:00","mytz":"America/Caracas"}`, "2007-12-09T05:00:00.000Z"},
		{isoFromEvent, `{"mydate":"2007-12-09T10:00:00","mytz":"America/Caracas"}`, "2007-12-09T14:30:00.000Z"},
		{isoFromEvent, `{"mydate":"2016-05-01T08:18:18.123","mytz":"America/Caracas"}`, "2016-05-01T12:18:18.123Z"},
		{`match => ["message", "yyyy MMM dd HH:mm:ss"] locale => "en" timezone => "CET"`, `{"message":"2016 Mar 26 02:00:37"}`, "2016-03-26T01:00:37.000Z"},
	}
	for _, c := range cases {
		f := plugintest.Filter(t, "date { "+c.config+" }")
		e := plugintest.Event(t, c.in)
		before, _ := e.Timestamp()
		matched, _ := f.Call(e)
		ts, _ := e.Timestamp()
		switch {
		case c.want == "" && (matched || ts != before):
			t.Errorf("%s %s: parsed to %s, want a failure", c.config, c.in, ts)
		case c.want != "" && (!matched || ts.String() != c.want):
			t.Errorf("%s %s: got %s (matched %v), want %s", c.config, c.in, ts, matched, c.want)
		}
	}
}

// The year-guessing samples: December read in January, January in December.
func TestDateSpecYearGuess(t *testing.T) {
	defer func(old func() time.Time) { nowFunc = old }(nowFunc)
	for _, c := range []struct {
		now, in, want string
	}{
		{"2014-01-01T00:30:50Z", "Dec 31 23:59:00", "2013-12-31T23:59:00.000Z"},
		{"2013-12-31T23:59:50Z", "Jan 01 01:00:00", "2014-01-01T01:00:00.000Z"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		nowFunc = func() time.Time { return now }
		f := plugintest.Filter(t, `date { match => ["message", "MMM dd HH:mm:ss"] locale => "en" timezone => "%{mytz}" }`)
		e := plugintest.Event(t, `{"message":"`+c.in+`","mytz":"UTC"}`)
		f.Call(e)
		if ts, _ := e.Timestamp(); ts.String() != c.want {
			t.Errorf("now %s, %q: got %s, want %s", c.now, c.in, ts, c.want)
		}
	}
}
