package ruby

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/plugin"
)

// buildConfig builds the first filter of a config as -t does, and returns
// its diagnostics formatted for a terminal ("" when it built).
func buildConfig(t *testing.T, src string) string {
	t.Helper()
	cfg, diags := lang.Parse("pipeline.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	p := cfg.Sections[0].Body[0].(*lang.Plugin)
	ctx := &plugin.BuildContext{
		Pipeline: plugin.DefaultPipelineSettings(1),
		Sources:  map[string][]byte{"pipeline.conf": []byte(src)},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	inst, diags := plugin.Build(plugin.KindFilter, p, ctx)
	if inst != nil {
		inst.Plugin.(io.Closer).Close()
	}
	if !diags.HasErrors() {
		return ""
	}
	return diags.Format(ctx.Sources)
}

// A syntax error in the code is located at its line in the config: the
// line of the code string plus Ruby's line within it.
func TestSyntaxErrorAtItsConfigLine(t *testing.T) {
	requireRuby(t)
	got := buildConfig(t, `filter {
  ruby {
    init => "@seen = 0"
    code => "
      @seen += 1
      x = )
    "
  }
}
`)
	want := "pipeline.conf:6:11: error: ruby filter plugin: syntax error in code, line 3: unexpected ')'\n" +
		"          x = )\n" +
		"              ^\n"
	if !strings.HasPrefix(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSyntaxErrorInInit(t *testing.T) {
	requireRuby(t)
	got := buildConfig(t, "filter {\n  ruby {\n    init => \"require 'json'\n@a = [1,\"\n    code => \"event.set('a', @a)\"\n  }\n}\n")
	if !strings.HasPrefix(got, "pipeline.conf:4:9: error: ruby filter plugin: syntax error in init, line 2: unexpected end-of-input") {
		t.Errorf("got:\n%s", got)
	}
}

// An init that raises fails the build, as a failing register stops
// Logstash's pipeline from starting.
func TestInitThatRaises(t *testing.T) {
	requireRuby(t)
	got := buildConfig(t, "filter { ruby { init => \"raise 'no config file'\" code => \"\" } }")
	if !strings.Contains(got, "error: ruby filter plugin: no config file (RuntimeError)") {
		t.Errorf("got:\n%s", got)
	}
}

func TestConfigWithoutRuby(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	got := buildConfig(t, "filter {\n  ruby { code => \"event.cancel\" }\n}")
	want := "pipeline.conf:2:10: error: ruby filter plugin: no Ruby interpreter (MRI) on PATH, and this filter runs its code in one: install Ruby (Debian and Ubuntu: apt-get install ruby)"
	if !strings.HasPrefix(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestConfigWithCodeAndPath(t *testing.T) {
	requireRuby(t)
	got := buildConfig(t, `filter { ruby { code => "" path => "testdata/split_words.rb" } }`)
	if !strings.Contains(got, `You must either use an inline script with the "code" option or a script file using "path".`) {
		t.Errorf("got:\n%s", got)
	}
}

func TestConfigWithNeitherCodeNorPath(t *testing.T) {
	got := buildConfig(t, `filter { ruby { init => "" } }`)
	if !strings.Contains(got, `You must either use an inline script with the "code" option or a script file using "path".`) {
		t.Errorf("got:\n%s", got)
	}
}

// The first line of the code shares its config line with `code => "`.
func TestSyntaxErrorOnTheFirstLine(t *testing.T) {
	requireRuby(t)
	got := buildConfig(t, "filter {\n  ruby { code => \"event.set(1,, 2)\" }\n}\n")
	if !strings.HasPrefix(got, "pipeline.conf:2:31: error: ruby filter plugin: syntax error in code, line 1: unexpected ',', expecting ')'") {
		t.Errorf("got:\n%s", got)
	}
}
