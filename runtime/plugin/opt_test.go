package plugin

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
)

// The test plugin's options, one of each kind of declaration.
var (
	testName   = String("name").Default("anon").Doc("A name.")
	testCount  = Int("count").Default(3).Between(1, 10)
	testRatio  = Float("ratio").Default(0.5)
	testSecret = Password("secret")
	testMode   = Enum("mode", "fast", "safe").Default("safe")
	testTags   = Strings("labels").Default([]string{"x"})
	testEven   = Int("even").Validate(func(n int64) error {
		if n%2 != 0 {
			return fmt.Errorf("even must be even, got %d", n)
		}
		return nil
	})
	testOld  = String("old").Deprecated("Use name.")
	testGone = String("gone").Obsolete("Use `name` in %PLUGIN%.")
	testNoop = String("noop").Ineffective("the plugin never reads it.")
	// testUndeclared is a handle no spec lists.
	testUndeclared = String("undeclared")
)

var testBuilt *Settings

func init() {
	RegisterFilter(FilterSpec{
		Spec: Spec{Name: "opt_test", Options: []Declared{testName, testCount, testRatio, testSecret, testMode, testTags, testEven, testOld, testGone, testNoop}},
		New: func(s *Settings) (Filter, error) {
			testBuilt = s
			return nil, nil
		},
	})
	RegisterCodec(CodecSpec{Spec: Spec{Name: "opt_test_plain"}, StreamingVariant: "opt_test_line",
		New: func(*Settings) (Codec, error) { return namedCodec("plain"), nil }})
	RegisterCodec(CodecSpec{Spec: Spec{Name: "opt_test_line"},
		New: func(*Settings) (Codec, error) { return namedCodec("line"), nil }})
	RegisterInput(InputSpec{Spec: Spec{Name: "opt_test_in"}, DefaultCodec: "opt_test_plain", NotReloadable: true,
		New: func(s *Settings) (Input, error) {
			testBuilt = s
			return nil, nil
		}})
}

type namedCodec string

func (namedCodec) Decode([]byte, func(*event.Event))        {}
func (namedCodec) Flush(func(*event.Event))                 {}
func (namedCodec) Encode(dst []byte, _ *event.Event) []byte { return dst }

// build configures a plugin from config text such as `opt_test { count => 2 }`.
func build(t *testing.T, kind Kind, section, text string) (*Settings, lang.Diagnostics) {
	t.Helper()
	cfg, diags := lang.Parse("test.conf", []byte(section+" { "+text+" }"), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	testBuilt = nil
	_, diags = Build(kind, cfg.Sections[0].Body[0].(*lang.Plugin), &BuildContext{Pipeline: DefaultPipelineSettings(1)})
	return testBuilt, diags
}

func TestTypedHandlesReadDefaultsAndValues(t *testing.T) {
	s, diags := build(t, KindFilter, "filter", `opt_test { count => "4" ratio => 2 secret => "hunter2" labels => "a" }`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := testName.Get(s); got != "anon" || testName.IsSet(s) {
		t.Errorf("name = %q (set %v), want the default anon, unset", got, testName.IsSet(s))
	}
	if got := testCount.Get(s); got != 4 || !testCount.IsSet(s) {
		t.Errorf("count = %d, want 4 from the numeric string", got)
	}
	if got := testRatio.Get(s); got != 2.0 {
		t.Errorf("ratio = %v, want 2 as a float", got)
	}
	if got := testTags.Get(s); len(got) != 1 || got[0] != "a" {
		t.Errorf("labels = %q, want a single value wrapped in a list", got)
	}
	if got := testSecret.Get(s); got.Reveal() != "hunter2" || fmt.Sprint(got) != "<password>" || fmt.Sprintf("%#v", got) != "<password>" {
		t.Errorf("secret reveals %q and prints %v", got.Reveal(), got)
	}
	if got := testMode.Get(s); got != "safe" {
		t.Errorf("mode = %q, want the default", got)
	}
}

func TestDeclaredChecksAreLocatedConfigErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`opt_test { count => 11 }`, "test.conf:1:21: Invalid setting for opt_test filter plugin: count => 11: must be between 1 and 10"},
		{`opt_test { count => 0 }`, "must be between 1 and 10"},
		{`opt_test { even => 3 }`, "test.conf:1:21: opt_test filter plugin: even must be even, got 3"},
		{`opt_test { mode => "slow" }`, `Expected one of ["fast", "safe"], got ["slow"]`},
		{`opt_test { gone => "x" }`, "The setting `gone` in plugin `opt_test` is obsolete and is no longer available. Use `name` in opt_test."},
		{`opt_test { secret => ["a", "b"] }`, "secret => <password>"},
		{`opt_test { nmae => "x" }`, "Unknown setting 'nmae' for opt_test. Did you mean 'name'?"},
	} {
		_, diags := build(t, KindFilter, "filter", c.text)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.text, diags, c.want)
		}
	}
	_, diags := build(t, KindFilter, "filter", `opt_test { even => 4 old => "x" }`)
	if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Summary, "deprecated: Use name.") {
		t.Errorf("a valid value and a deprecated option: got %v, want one deprecation warning", diags)
	}
	_, diags = build(t, KindFilter, "filter", `opt_test {
  noop => "x" }`)
	if diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "The setting `noop` in plugin `opt_test` has no effect: the plugin never reads it." || diags[0].Pos.Line != 2 {
		t.Errorf("an ineffective option: got %v, want one warning on line 2", diags)
	}
}

func TestReadingAnUndeclaredHandlePanics(t *testing.T) {
	s, _ := build(t, KindFilter, "filter", `opt_test { }`)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `reads option "undeclared", which its Spec does not list`) {
			t.Errorf("recovered %v, want the undeclared-option panic", r)
		}
	}()
	testUndeclared.Get(s)
}

func TestDeclaredCapabilities(t *testing.T) {
	s, diags := build(t, KindInput, "input", `opt_test_in { }`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s.Reloadable() {
		t.Error("an input declared NotReloadable reports itself reloadable")
	}
	if got := s.NewStreamingCodec(); got != namedCodec("line") {
		t.Errorf("streaming codec = %v, want the declared streaming variant", got)
	}
	if got := s.NewCodec(); got != namedCodec("plain") {
		t.Errorf("codec = %v, want the configured one", got)
	}
	for _, d := range Plugins(KindInput) {
		if d.Name == "opt_test_in" && !d.NotReloadable {
			t.Error("the plugin docs lose the NotReloadable capability")
		}
	}
}

func TestPluginLevelErrorIsLocatedAtThePlugin(t *testing.T) {
	s, _ := build(t, KindFilter, "filter", `opt_test { count => 2 }`)
	err := s.Errorf("no %s", "luck")
	var d *lang.Diagnostic
	if !errors.As(err, &d) || d.Pos.Line != 1 || d.Pos.Column != 10 || d.Summary != "opt_test filter plugin: no luck" {
		t.Errorf("got %#v", err)
	}
	err = testCount.Errorf(s, "bad")
	if !errors.As(err, &d) || d.Pos.Column != 21 {
		t.Errorf("Opt.Errorf is not located at the option: %v", err)
	}
}

// TestDiagnosticsCoverWhatTheyAreAbout: each problem's range is the text to
// underline: the plugin's name, the option's name, or the whole attribute
// for a bad value.
func TestDiagnosticsCoverWhatTheyAreAbout(t *testing.T) {
	for _, c := range []struct{ section, text, about string }{
		{"filter", `nope { }`, "nope"},
		{"filter", `opt_test { nmae => "x" }`, "nmae"},
		{"filter", `opt_test { gone => "x" }`, "gone"},
		{"filter", `opt_test { old => "x" }`, "old"},
		{"filter", `opt_test { count => 11 }`, "count => 11"},
		{"filter", `opt_test { even => 3 }`, "even => 3"},
		{"filter", `opt_test { name => "${GOSTASH_TEST_SURELY_UNSET}" }`, `"${GOSTASH_TEST_SURELY_UNSET}"`},
		{"input", `opt_test_in { codec => nope }`, "codec => nope"},
		{"input", `opt_test_in { codec => nope { } }`, "nope"},
	} {
		src := c.section + " { " + c.text + " }"
		_, diags := build(t, kindOf(c.section), c.section, c.text)
		if len(diags) != 1 {
			t.Errorf("%s: got %v, want one diagnostic", c.text, diags)
			continue
		}
		if d := diags[0]; src[d.Pos.Offset:d.End.Offset] != c.about {
			t.Errorf("%s: the diagnostic is about %q, want %q", c.text, src[d.Pos.Offset:d.End.Offset], c.about)
		}
	}
	s, _ := build(t, KindFilter, "filter", `opt_test { count => 2 }`)
	src := "filter { opt_test { count => 2 } }"
	for _, c := range []struct {
		err   error
		about string
	}{{s.Errorf("no"), "opt_test"}, {testCount.Errorf(s, "bad"), "count => 2"}, {testName.Errorf(s, "unset"), "opt_test"}} {
		var d *lang.Diagnostic
		if !errors.As(c.err, &d) || src[d.Pos.Offset:d.End.Offset] != c.about {
			t.Errorf("%v: want a diagnostic about %q", c.err, c.about)
		}
	}
}

func kindOf(section string) Kind {
	if section == "input" {
		return KindInput
	}
	return KindFilter
}

func TestBytesValues(t *testing.T) {
	for in, want := range map[string]int64{"20": 20, "20b": 20, "1.5 kb": 1500, "10 MiB": 10 << 20, "2kib": 2048, "1GB": 1000000000} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %d", in, got, err, want)
		}
	}
}

func TestPipelineSharedIsPerBuild(t *testing.T) {
	RegisterFilter(FilterSpec{Spec: Spec{Name: "test_shared"}, New: func(*Settings) (Filter, error) { return nil, nil }})
	build := func(ctx *BuildContext) *Settings {
		s, diags := configure(KindFilter, &lang.Plugin{Name: "test_shared"}, ctx)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return s
	}
	first, second := &BuildContext{}, &BuildContext{}
	calls := 0
	create := func() any { calls++; return new(int) }
	a := build(first).PipelineShared("k", create)
	b := build(first).PipelineShared("k", create)
	c := build(second).PipelineShared("k", create)
	if a != b || a == c || calls != 2 {
		t.Errorf("one value per build context: same build %v, other build %v, %d creations", a == b, a != c, calls)
	}
}
