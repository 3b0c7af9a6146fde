package event

import (
	"testing"
	"time"
	_ "time/tzdata" // zone tests never depend on the host's zone files
)

func TestTimestampString(t *testing.T) {
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2022, 4, 13, 11, 15, 32, 0, time.UTC), "2022-04-13T11:15:32.000Z"},
		{time.Date(2022, 4, 13, 11, 15, 32, 123000000, time.UTC), "2022-04-13T11:15:32.123Z"},
		{time.Date(2022, 4, 13, 11, 15, 32, 123400000, time.UTC), "2022-04-13T11:15:32.123400Z"},
		{time.Date(2022, 4, 13, 11, 15, 32, 100000, time.UTC), "2022-04-13T11:15:32.000100Z"},
		{time.Date(2022, 4, 13, 11, 15, 32, 123456789, time.UTC), "2022-04-13T11:15:32.123456789Z"},
		{time.Date(2022, 4, 13, 11, 15, 32, 1, time.UTC), "2022-04-13T11:15:32.000000001Z"},
		{time.Date(2022, 4, 13, 13, 15, 32, 0, time.FixedZone("", 7200)), "2022-04-13T11:15:32.000Z"},
		{time.Date(1969, 12, 31, 23, 59, 59, 999000000, time.UTC), "1969-12-31T23:59:59.999Z"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00.000Z"},
		{time.Date(0, 6, 15, 6, 0, 0, 0, time.UTC), "0000-06-15T06:00:00.000Z"},
		{time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC), "-0044-03-15T12:00:00.000Z"},
		{time.Date(-12345, 1, 1, 0, 0, 0, 0, time.UTC), "-12345-01-01T00:00:00.000Z"},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "+10000-01-01T00:00:00.000Z"},
	}
	for _, c := range cases {
		if got := (Timestamp{c.t}).String(); got != c.want {
			t.Errorf("String(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

// TestParseTimestampRoundTrip checks that every printed form parses back.
func TestParseTimestampRoundTrip(t *testing.T) {
	for _, s := range []string{"2022-04-13T11:15:32.000Z", "2022-04-13T11:15:32.123456Z", "-0044-03-15T12:00:00.000Z", "+10000-01-01T00:00:00.000Z", "0000-06-15T06:00:00.000Z"} {
		ts, ok := ParseTimestamp(s)
		if !ok || ts.String() != s {
			t.Errorf("ParseTimestamp(%q) = %v, %v", s, ts, ok)
		}
	}
}

func TestParseTimestampLocalZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = paris
	defer func() { time.Local = saved }()
	for in, want := range map[string]string{
		"2022-04-13T11:15:32": "2022-04-13T09:15:32.000Z",
		"2022-04-13":          "2022-04-12T22:00:00.000Z",
		"2022-03-27T02:30:00": "2022-03-27T01:30:00.000Z", // in the gap: moved forward an hour
		"2022-10-30T02:30:00": "2022-10-30T00:30:00.000Z", // in the overlap: the earlier offset
		"2022-10-30T03:30:00": "2022-10-30T02:30:00.000Z",
	} {
		ts, ok := ParseTimestamp(in)
		if !ok || ts.String() != want {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %s", in, ts, ok, want)
		}
	}
}

func BenchmarkParseTimestamp(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseTimestamp("2022-04-13T11:15:32.123456Z"); !ok {
			b.Fatal("parse failed")
		}
	}
}
