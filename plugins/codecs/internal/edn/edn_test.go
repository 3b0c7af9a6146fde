package edn

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// Expected values follow the edn gem 1.1.1's parser and its
// spec/exemplars (big_decimal, float_with_exp_no_dec, skip_with_spaces,
// char...), then Logstash's conversion of the Ruby values into an event
// (keywords become their names; symbols, sets and tagged values other than
// #uuid cannot be stored). The Ruby gem is not packaged for Debian, so
// these are derived by hand from its source.
func TestRead(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a" 1, :b 2.5 c nil}`, `{"a":1,"b":2.5,"c":null}`},
		{`[1 (2 3) "x"]`, `[1,[2,3],"x"]`},
		{`123412341231212121241234M`, `123412341231212121241234`},
		{`3.e10`, `3.0E10`},
		{`3e10`, `3.0E10`},
		{`3.e-10`, `3.0E-10`},
		{`1.5M`, `1.5`},
		{`10N`, `10`},
		{`+7`, `7`},
		{`.5`, `0`},
		{`#_ 123 4`, `4`},
		{`[1 #_ 2 3]`, `[1,3]`},
		{`"hello\nworld \"q\" \\ \x"`, `"hello\nworld \"q\" \\ x"`},
		{`\c`, `"c"`},
		{`[\newline \space \tab \return]`, `["\n"," ","\t","\r"]`},
		{`"øhi utf8"`, `"øhi utf8"`},
		{`:hello/world`, `"hello/world"`},
		{`{:a true :b false}`, `{"a":true,"b":false}`},
		{`#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`, `"f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`},
		{`; comment` + "\n" + `{1 2, 1.5 3, nil 4}`, `{"1":2,"1.5":3,"":4}`},
		{`{"a" 1 "a" 2}`, `{"a":2}`},
		{`^:meta {"a" 1}`, `{"a":1}`},
		{`1 2`, `1`},
		{`nil`, `null`},
	}
	for _, c := range cases {
		v, err := Read(c.in)
		if err != nil {
			t.Errorf("Read(%q): %v", c.in, err)
			continue
		}
		if got := string(event.AppendJSON(nil, v)); got != c.want {
			t.Errorf("Read(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, in := range []string{
		``, `   `, `{"a"}`, `[1 2`, `"open`, `falsey`, `{"a" sym}`, `#{1 2}`, `#inst "2020-01-01"`, `#foo 1`,
		`}`, `@`, `\abc`, `^:m 1`, `^"s" {}`, `[1.5M]`, `-.5`,
	} {
		if v, err := Read(in); err == nil {
			t.Errorf("Read(%q) = %#v, want an error", in, v)
		}
	}
}

func TestAppend(t *testing.T) {
	m := event.NewMap(4)
	m.Set("s", "a \"q\" \\ \n")
	m.Set("n", int64(-3))
	m.Set("f", 1e20)
	m.Set("l", []any{true, nil, 0.5})
	d, _ := event.ParseDecimal("12.50")
	inner := event.NewMap(1)
	inner.Set("d", d)
	m.Set("m", inner)
	got, err := Append(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"s\" \"a \\\"q\\\" \\\\ \n\", \"n\" -3M, \"f\" 1.0e+20, \"l\" [true nil 0.5], \"m\" {\"d\" 12.5M}}"
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	ts, _ := event.ParseTimestamp("2020-01-01T00:00:00Z")
	if _, err := Append(nil, []any{ts}); err == nil {
		t.Error("a nested timestamp has no to_edn and must fail")
	}
}
