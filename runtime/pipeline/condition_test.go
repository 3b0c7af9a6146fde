package pipeline

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/filters/drop"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// compileFilters compiles a filter section for tests.
func compileFilters(t *testing.T, filter string) *Pipeline {
	t.Helper()
	src := "filter {\n" + filter + "\n}\n"
	files := map[string][]byte{"test.conf": []byte(src)}
	cfg, diags := lang.Parse("test.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatalf("parse: %s", diags.Format(files))
	}
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{
		Pipeline: plugin.DefaultPipelineSettings(1),
		Lookup: func(name string) (string, bool) {
			v, ok := map[string]string{"APP": "web", "BIG": "zz", "SMALL": "aa"}[name]
			return v, ok
		},
	})
	if diags.HasErrors() {
		t.Fatalf("compile: %s", diags.Format(files))
	}
	return p
}

// eventWith builds an event from alternating field names and values.
func eventWith(kv ...any) *event.Event {
	e := event.NewEvent()
	for i := 0; i < len(kv); i += 2 {
		if err := e.Set(kv[i].(string), kv[i+1]); err != nil {
			panic(err)
		}
	}
	return e
}

// holds reports whether cond is true for e: the condition guards a drop.
func holds(t *testing.T, cond string, e *event.Event) bool {
	t.Helper()
	p := compileFilters(t, "if "+cond+" { drop {} }")
	return len(p.ProcessFilters([]*event.Event{e})) == 0
}

func TestConditionSemantics(t *testing.T) {
	list := []any{"a", "b", int64(200)}
	cases := []struct {
		cond string
		e    *event.Event
		want bool
	}{
		// Truthiness goes through the string form.
		{`[f]`, eventWith("f", int64(0)), true},
		{`[f]`, eventWith("f", "false"), false},
		{`[f]`, eventWith("f", ""), false},
		{`[f]`, eventWith("f", false), false},
		{`[f]`, eventWith("f", []any{}), true},
		{`[f]`, eventWith(), false},
		{`"false"`, eventWith(), false},
		{`"[abc]"`, eventWith(), true},
		{`![f]`, eventWith(), true},
		// == is type-strict; two missing fields are equal.
		{`[f] == 5`, eventWith("f", int64(5)), true},
		{`[f] == 5`, eventWith("f", 5.0), false},
		{`[f] == "5"`, eventWith("f", int64(5)), false},
		{`[f] != "x"`, eventWith(), true},
		{`[nope1] == [nope2]`, eventWith(), true},
		{`[a] == [b]`, eventWith("a", int64(3), "b", int64(3)), true},
		{`7 == 7`, eventWith(), true},
		{`1 == 1.0`, eventWith(), false},
		// The comparison quirk: a list compares as its first scalar.
		{`[f] == ["x","y"]`, eventWith("f", "x"), true},
		// Ordering compares numbers across int and float, strings by bytes.
		{`[f] < 5.5`, eventWith("f", int64(5)), true},
		{`[f] >= "apple"`, eventWith("f", "zebra"), true},
		{`"${BIG}" > "${SMALL}"`, eventWith(), true},
		{`[app] == "${APP}"`, eventWith("app", "web"), true},
		// Regexps: Ruby line anchors, strings only.
		{`[f] =~ /^b/`, eventWith("f", "a\nb"), true},
		{`[f] =~ /\h+$/`, eventWith("f", "ff"), true},
		{`[f] =~ /1/`, eventWith("f", int64(1)), false},
		{`[f] !~ /1/`, eventWith("f", int64(1)), true},
		{`[f] =~ "\.\."`, eventWith("f", "a..b"), true},
		{`[f] =~ /(?<=a)b/`, eventWith("f", "ab"), true},
		// in / not in.
		{`[f] in "foo"`, eventWith("f", "fo"), true},
		{`[f] in "foo"`, eventWith("f", ""), true},
		{`[f] in ["a","b"]`, eventWith("f", "b"), true},
		{`[f] in ["200","404"]`, eventWith("f", int64(200)), true},
		{`"x" in [tags]`, eventWith("tags", []any{"x"}), true},
		{`"oo" in [f]`, eventWith("f", "foo"), true},
		{`200 in [f]`, eventWith("f", list), true},
		{`200 in [f]`, eventWith("f", int64(200)), false},
		{`[a] in [b]`, eventWith("a", "b", "b", list), true},
		{`[a] in [b]`, eventWith("a", list, "b", list), false},
		{`"a" in "abc"`, eventWith(), false},
		{`"a" in ["a","b"]`, eventWith(), false},
		{`"foo" not in [alsomissing]`, eventWith(), true},
		{`!("foo" in ["hello","world"])`, eventWith(), true},
		// A one-element list is a field reference named by its text.
		{`[f] in ["x"]`, eventWith("f", "x"), false},
		// Boolean operators, with Logstash's one-pop precedence:
		// a and b and c or d  ==  a and ((b and c) or d).
		{`[a] and [b] and [c] or [d]`, eventWith("d", "1"), false},
		{`[a] or [b] and [c]`, eventWith("a", "1"), true},
		{`[a] xor [b]`, eventWith("a", "1"), true},
		{`[a] xor [b]`, eventWith("a", "1", "b", "1"), false},
		{`[a] nand [b]`, eventWith("a", "1", "b", "1"), false},
		{`[a] nand [b]`, eventWith("a", "1"), true},
		{`[field with space]`, eventWith("field with space", "x"), true},
		{`[@metadata][x] == "y"`, eventWith("[@metadata][x]", "y"), true},
	}
	for _, c := range cases {
		if got := holds(t, c.cond, c.e); got != c.want {
			t.Errorf("if %s on %s: got %v, want %v", c.cond, string(event.AppendJSON(nil, c.e.Data())), got, c.want)
		}
	}
}

func TestConditionErrorDropsOnlyThatEvent(t *testing.T) {
	p := compileFilters(t, `if [n] > 5 { drop {} }`)
	out := p.ProcessFilters([]*event.Event{eventWith("n", int64(9)), eventWith("m", "x"), eventWith("n", int64(1))})
	// n=9 is dropped by the branch; the missing field cannot be compared, so
	// that event is dropped with a warning; n=1 passes.
	if len(out) != 1 {
		t.Fatalf("got %d events", len(out))
	}
	if v, _ := out[0].Get("n"); v != int64(1) {
		t.Fatalf("survivor = %v", v)
	}
}

func TestConditionCompileErrorsAreLocated(t *testing.T) {
	cases := []struct{ cond, want, about string }{
		{`if [a] == 1 and "x" { drop {} }`, "a constant cannot be an operand", `"x"`},
		{`if ["a","b"] in [f] { drop {} }`, "a list constant cannot stand on the left", `["a","b"]`},
		{`if [a] == "${NOPE}" { drop {} }`, "Replacement variable `NOPE` is not defined", `"${NOPE}"`},
		{`if [a] =~ /(/ { drop {} }`, "invalid regular expression", `/(/`},
	}
	for _, c := range cases {
		src := "filter {\n" + c.cond + "\n}\n"
		cfg, diags := lang.Parse("t.conf", []byte(src), lang.ParseOptions{})
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", c.cond, diags.Format(nil))
		}
		_, diags = Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1), Lookup: func(string) (string, bool) { return "", false }})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) || !strings.HasPrefix(diags.Error(), "t.conf:2:") {
			t.Errorf("%s: got %q, want a t.conf:2 error containing %q", c.cond, diags.Error(), c.want)
			continue
		}
		if d := diags[0]; src[d.Pos.Offset:d.End.Offset] != c.about {
			t.Errorf("%s: the error is about %q, want %q", c.cond, src[d.Pos.Offset:d.End.Offset], c.about)
		}
	}
}

// TestConditionDecimals pins how Logstash's conditions treat the
// BigDecimal the json filter makes of a JSON decimal (checked against
// JRuby 10.0.6's RubyBigDecimal, see scripts/golden/bigdecimal.sh): a
// constant or a non-decimal field never equals it, while it equals any
// number of the same value; ordering is numeric, with floats rounded to
// 15 digits; against a string it compares as equal; `in` a constant list
// compares its Ruby to_s.
func TestConditionDecimals(t *testing.T) {
	dec := func(s string) event.Decimal {
		d, err := event.ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		cond string
		e    *event.Event
		want bool
	}{
		{`[f] == 5.1`, eventWith("f", dec("5.1")), false},
		{`5.1 == [f]`, eventWith("f", dec("5.1")), false},
		{`[f] == 5`, eventWith("f", dec("5.0")), false},
		{`[f] != 5.1`, eventWith("f", dec("5.1")), true},
		{`[f] == [g]`, eventWith("f", dec("5.1"), "g", dec("5.10")), true},
		{`[f] == [g]`, eventWith("f", dec("5.1"), "g", 5.1), true},
		{`[g] == [f]`, eventWith("f", dec("5.1"), "g", 5.1), false},
		{`[f] == [g]`, eventWith("f", dec("5.0"), "g", int64(5)), true},
		{`[g] == [f]`, eventWith("f", dec("5.0"), "g", int64(5)), false},
		{`[f] == [g]`, eventWith("f", dec("5.1"), "g", "5.1"), false},
		{`[f] < 5.2`, eventWith("f", dec("5.1")), true},
		{`[f] > 5`, eventWith("f", dec("5.1")), true},
		{`5 < [f]`, eventWith("f", dec("5.1")), true},
		{`[f] >= 5.1`, eventWith("f", dec("5.1")), true},
		{`[f] > 5.1`, eventWith("f", dec("5.1000000000000001")), true},
		{`[f] > 5.1000000000000005`, eventWith("f", dec("5.1")), false},
		{`[f] >= 5.1000000000000005`, eventWith("f", dec("5.1")), true},
		{`[f] < [g]`, eventWith("f", dec("1e400"), "g", 1e308), false},
		{`[g] < [f]`, eventWith("f", dec("1.25"), "g", int64(1)), true},
		{`[f] < "a"`, eventWith("f", dec("5.1")), false},
		{`[f] <= "a"`, eventWith("f", dec("5.1")), true},
		{`"a" <= [f]`, eventWith("f", dec("5.1")), true},
		{`[f] in [5.1, 2]`, eventWith("f", dec("5.1")), false},
		{`[f] in ["0.51e1", 2]`, eventWith("f", dec("5.1")), true},
		{`5.1 in [l]`, eventWith("l", []any{dec("5.1")}), false},
		{`[a] in [l]`, eventWith("a", dec("5.1"), "l", []any{5.1}), true},
		{`[a] in [l]`, eventWith("a", 5.1, "l", []any{dec("5.1")}), false},
	}
	for _, c := range cases {
		if got := holds(t, c.cond, c.e); got != c.want {
			t.Errorf("if %s on %s: got %v, want %v", c.cond, string(event.AppendJSON(nil, c.e.Data())), got, c.want)
		}
	}
	if got := describeOperand(dec("96.0"), true); got != "class org.jruby.ext.bigdecimal.RubyBigDecimal:0.96e2" {
		t.Errorf("describeOperand = %q", got)
	}
}

func TestDuplicateIDsAreLocatedAtTheID(t *testing.T) {
	src := "filter {\n  drop { id => \"x\" }\n  drop { id => \"x\" }\n}\n"
	cfg, diags := lang.Parse("t.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	_, diags = Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	want := "t.conf:3:10: error: Config has duplicate Ids: [\"x\"] (used at t.conf:2:10, t.conf:3:10)\n" +
		"      drop { id => \"x\" }\n" +
		"             ^~~~~~~~~\n"
	if got := diags.Format(map[string][]byte{"t.conf": []byte(src)}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
