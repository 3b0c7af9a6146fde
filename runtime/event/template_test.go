package event

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

// sprintfEvent is the event of Logstash's StringInterpolationTest plus
// values for every type: @timestamp 2015-10-01T00:00:00Z, bar="foo",
// j={k1:"v"}.
func sprintfEvent(t testing.TB) *Event {
	t.Helper()
	e := NewEvent()
	e.SetTimestamp(Timestamp{time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC)})
	set := func(ref string, v any) {
		if err := e.Set(ref, v); err != nil {
			t.Fatal(err)
		}
	}
	j := NewMap(1)
	j.Set("k1", "v")
	inner := NewMap(2)
	inner.Set("a", "b")
	inner.Set("n", nil)
	deep := NewMap(1)
	deep.Set("l", []any{int64(1), nil, NewMap(0)})
	b, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	set("bar", "foo")
	set("awesome", "logstash")
	set("j", j)
	set("list", []any{"Hello", "world"})
	set("empty", []any{})
	set("nested", []any{"a", []any{"b", []any{"c"}}, nil, int64(3)})
	set("maps", []any{inner, deep})
	set("mixed", []any{1.5, true, Timestamp{time.Date(2020, 1, 2, 3, 4, 5, 123400000, time.UTC)}})
	set("int", int64(-42))
	set("big", b)
	set("f", 1.5)
	set("f10", 1e10)
	set("f100", 100.0)
	set("small", 0.0001)
	set("negzero", math.Copysign(0, -1))
	set("t", true)
	set("nil", nil)
	set("ts", Timestamp{time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)})
	set("[@metadata][x]", "meta")
	set("arr", []any{"x", "y", "z"})
	set("a.b", "dotted")
	set("%{a", "weird")
	return e
}

func TestSprintf(t *testing.T) {
	e := sprintfEvent(t)
	cases := []struct{ tmpl, want string }{
		{"/full/%{bar}/%{awesome}", "/full/foo/logstash"},
		{"/full/%{do-not-exist}", "/full/%{do-not-exist}"},
		{"%{+YYYY}", "2015"},
		{"%{{YYYY-DDD}}", "2015-274"},
		{"%{+%s}", "1443657600"},
		{"%{[j][k1]}", "v"},
		{"%{j}", `{"k1":"v"}`},
		{"no placeholder", "no placeholder"},
		{"", ""},
		// Missing or null stays literal, written back as it was.
		{"%{nil}", "%{nil}"},
		{"%{[j][nope]}", "%{[j][nope]}"},
		{"%{[bar][deeper]}", "%{[bar][deeper]}"},
		{"%{[nested][2]}", "%{[nested][2]}"},
		// Lists and maps.
		{"%{list}", "Hello,world"},
		{"%{empty}", ""},
		{"%{nested}", "a,b,c,,3"},
		{"%{maps}", "{a=b, n=null},{l=[1, null, {}]}"},
		{"%{mixed}", "1.5,true,2020-01-02T03:04:05.123400Z"},
		{"%{[arr][0]}-%{[arr][-1]}-%{[arr][5]}", "x-z-%{[arr][5]}"},
		// Scalars.
		{"%{int} %{big}", "-42 123456789012345678901234567890"},
		{"%{f} %{f10} %{f100} %{small} %{negzero}", "1.5 1.0E10 100.0 1.0E-4 -0.0"},
		{"%{t} %{ts}", "true 2020-01-02T03:04:05.000Z"},
		{"%{@timestamp}", "2015-10-01T00:00:00.000Z"},
		{"%{[@metadata][x]}", "meta"},
		{"%{@metadata}", `{"x":"meta"}`},
		{"%{a.b}", "dotted"},
		{"%{[[j][k1]]}", "v"},
		// Epoch seconds and the region-match quirk.
		{"%{}", "1443657600"},
		{"%{+}", "1443657600"},
		{"%{+%}", "1443657600"},
		{"%{+%ss}", "%00"},
		// Joda and java.time.
		{"%{+YYYY.MM.dd}", "2015.10.01"},
		{"%{+xxxx-'W'ww}", "2015-W40"},
		{"%{{yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS}}", "2015-10-01T00:00:00.000000000"},
		{"%{{YYYY-'W'ww}}", "2015-W40"},
		// Scanning: each %{ pairs with the first } after it.
		{"%{%{a}}", "weird}"},
		{"%{bar", "%{bar"},
		{"x %{+YYY/web", "x %{+YYY/web"},
		{"%{bar}%{", "foo%{"},
		{"}%{bar}}", "}foo}"},
		{"%%{bar}%", "%foo%"},
		{"%{{bar}x}", "%{{bar}x}"},
		{"100%", "100%"},
		{"%{bar}%{bar}%{awesome}", "foofoologstash"},
		{"日本%{bar}語", "日本foo語"},
	}
	for _, c := range cases {
		tmpl, err := CompileTemplate(c.tmpl)
		if err != nil {
			t.Errorf("CompileTemplate(%q): %v", c.tmpl, err)
			continue
		}
		if got := tmpl.Render(e); got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.tmpl, got, c.want)
		}
		if got := e.Sprintf(c.tmpl); got != c.want {
			t.Errorf("Sprintf(%q) = %q, want %q", c.tmpl, got, c.want)
		}
		if got := string(tmpl.AppendRender([]byte("pre:"), e)); got != "pre:"+c.want {
			t.Errorf("AppendRender(%q) = %q", c.tmpl, got)
		}
	}
}

func TestSprintfWeekBasedYear(t *testing.T) {
	e := NewEvent()
	e.SetTimestamp(Timestamp{time.Date(2015, 12, 28, 0, 0, 0, 0, time.UTC)})
	for tmpl, want := range map[string]string{
		"%{{YYYY-'W'ww}}": "2016-W01", // en_US weeks: Sunday start, week 1 holds Jan 1
		"%{{yyyy-'W'ww}}": "2015-W01",
		"%{+xxxx-'W'ww}":  "2015-W53", // Joda: ISO weeks
		"%{+YYYY-'W'ww}":  "2015-W53", // Joda Y is year of era
	} {
		if got := e.Sprintf(tmpl); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestSprintfNanosAndMillis(t *testing.T) {
	e := NewEvent()
	e.SetTimestamp(Timestamp{time.Date(2021, 8, 11, 12, 34, 56, 123456789, time.UTC)})
	for tmpl, want := range map[string]string{
		"%{+ss.SSSSSS}":     "56.123000", // Joda keeps milliseconds
		"%{{ss.SSSSSSSSS}}": "56.123456789",
		"%{{ss.SSSS}}":      "56.1234", // java.time truncates
		"%{+%s}":            "1628685296",
	} {
		if got := e.Sprintf(tmpl); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestSprintfWithoutTimestamp(t *testing.T) {
	e := NewEvent()
	e.Remove(TimestampField)
	e.Set("x", "y")
	for tmpl, want := range map[string]string{
		"a%{+%s}b":        "ab",
		"a%{+YYYY}b":      "ab",
		"a%{{yyyy}}b%{x}": "aby",
	} {
		if got := e.Sprintf(tmpl); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestSprintfTimeNow(t *testing.T) {
	e := sprintfEvent(t)
	before := time.Now().Add(-time.Second)
	got := e.Sprintf("%{{TIME_NOW}}")
	ts, ok := ParseTimestamp(got)
	if !ok || ts.Time.Before(before) && fixedNow == nil {
		t.Errorf("%%{{TIME_NOW}} = %q, want the current time", got)
	}
	if !strings.HasSuffix(got, "Z") {
		t.Errorf("%%{{TIME_NOW}} = %q, want an ISO instant", got)
	}
}

func TestCompileTemplateErrors(t *testing.T) {
	for tmpl, want := range map[string]string{
		"%{[a]b}":           "Invalid FieldReference: `[a]b`",
		"x%{foo[bar]}":      "Invalid FieldReference: `foo[bar]`",
		"%{{BAD_TIME_NOW}}": "Unknown pattern letter: T",
		"%{{yyyy#}}":        "Pattern includes reserved character: '#'",
		"%{{'abc}}":         "Pattern ends with an incomplete string literal: 'abc",
		"%{+qq}":            "Illegal pattern component: qq",
		"%{{yyyy}":          "Index 8 out of bounds for length 8",
	} {
		_, err := CompileTemplate(tmpl)
		if err == nil || err.Error() != want {
			t.Errorf("CompileTemplate(%q) error %v, want %q", tmpl, err, want)
		}
	}
	// Event.Sprintf leaves an invalid template unchanged.
	if got := sprintfEvent(t).Sprintf("%{[a]b}"); got != "%{[a]b}" {
		t.Errorf("Sprintf of an invalid template = %q", got)
	}
}

func TestTemplateIsConstant(t *testing.T) {
	for tmpl, want := range map[string]bool{"abc": true, "": true, "%{a": true, "%{a}": false, "a%{+YYYY}": false} {
		if got := MustTemplate(tmpl).IsConstant(); got != want {
			t.Errorf("IsConstant(%q) = %v", tmpl, got)
		}
		if MustTemplate(tmpl).String() != tmpl {
			t.Errorf("String(%q) changed", tmpl)
		}
	}
}

func BenchmarkTemplateRender(b *testing.B) {
	e := sprintfEvent(b)
	for _, tmpl := range []string{"%{bar}", "/full/%{bar}/%{[j][k1]}/%{int}", "logs-%{+YYYY.MM.dd}", "%{{yyyy-MM-dd}}-%{list}"} {
		t := MustTemplate(tmpl)
		b.Run(tmpl, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = t.Render(e)
			}
		})
	}
}

func BenchmarkEventSprintf(b *testing.B) {
	e := sprintfEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Sprintf("/full/%{bar}/%{[j][k1]}")
	}
}
