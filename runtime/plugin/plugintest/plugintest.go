// Package plugintest is the one test kit of the plugins: it builds a
// filter, codec, input or output from config text exactly as a user writes
// it (`plugintest.Filter(t, `kv { source => "msg" }`)`), runs events
// through it the way the pipeline does, collects what comes out, and
// records what the plugin logs instead of printing it.
//
// The text is one plugin block. It is placed in its section the way configs
// are laid out, in a file named test.conf:
//
//	filter {
//	  kv { source => "msg" }
//	}
//
// so a diagnostic about the block's first line points at test.conf:2, with
// columns counted from the block's start at column 3.
package plugintest

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/plugin"
)

// ConfigFile is the file name diagnostics give for the text under test.
const ConfigFile = "test.conf"

// Deadline bounds every wait of the kit (for events, for an input to stop):
// generous, so that a slow machine never fails a test, and only there so
// that a hung plugin fails its test instead of the whole test binary.
const Deadline = 60 * time.Second

// An Option changes what a plugin is built with.
type Option func(*plugin.BuildContext)

// ECS sets the pipeline's ecs_compatibility (disabled, v1 or v8); "" keeps
// the default, v8, as in Logstash.
func ECS(mode string) Option {
	return func(c *plugin.BuildContext) {
		if mode != "" {
			c.Pipeline.ECSCompatibility = mode
		}
	}
}

// DeadLetters gives the plugin a dead letter queue, as a pipeline with
// dead_letter_queue.enable does.
func DeadLetters(q plugin.DeadLetterQueue) Option {
	return func(c *plugin.BuildContext) { c.DeadLetters = q }
}

// Quote returns s as a config string literal: double-quoted, or
// single-quoted when s holds a double quote. Config strings have no escapes
// (config.support_escapes is off), so s must not hold both quotes.
func Quote(s string) string {
	switch {
	case !strings.Contains(s, `"`):
		return `"` + s + `"`
	case !strings.Contains(s, `'`):
		return `'` + s + `'`
	}
	panic(fmt.Sprintf("plugintest.Quote: %q holds both quote characters, which a config string cannot", s))
}

// built is what building any kind of plugin gives.
type built struct {
	instance *plugin.Instance
	logs     *Logs
}

// parse places text in section and returns the parsed config and the build
// context plugins of it are built with.
func parse(t testing.TB, section, text string, opts []Option) (*lang.Config, *plugin.BuildContext, *Logs, error) {
	t.Helper()
	src := []byte(section + " {\n  " + text + "\n}\n")
	cfg, diags := lang.Parse(ConfigFile, src, lang.ParseOptions{})
	if diags.HasErrors() {
		return nil, nil, nil, &configError{diags: diags, files: map[string][]byte{ConfigFile: src}}
	}
	body := cfg.Sections[0].Body
	if len(body) != 1 {
		t.Fatalf("plugintest: the text must be one plugin block, not %d statements:\n%s", len(body), text)
	}
	if _, ok := body[0].(*lang.Plugin); !ok {
		t.Fatalf("plugintest: the text must be one plugin block, not a %T:\n%s", body[0], text)
	}
	logs := newLogs(t)
	ctx := &plugin.BuildContext{
		Pipeline: plugin.DefaultPipelineSettings(1),
		Sources:  map[string][]byte{ConfigFile: src},
		Logger:   slog.New(logs),
	}
	for _, o := range opts {
		o(ctx)
	}
	return cfg, ctx, logs, nil
}

// build builds the one plugin block of text as a plugin of kind, parsed in
// section.
func build(t testing.TB, kind plugin.Kind, section, text string, opts []Option) (*built, error) {
	t.Helper()
	cfg, ctx, logs, err := parse(t, section, text, opts)
	if err != nil {
		return nil, err
	}
	inst, diags := plugin.Build(kind, cfg.Sections[0].Body[0].(*lang.Plugin), ctx)
	if diags.HasErrors() {
		return nil, &configError{diags: diags, files: ctx.Sources}
	}
	return &built{instance: inst, logs: logs}, nil
}

// configError is text that did not build: its diagnostics (which
// errors.As finds as lang.Diagnostics) and the file they point into, with
// password values masked as building masks them.
type configError struct {
	diags lang.Diagnostics
	files map[string][]byte
}

func (e *configError) Error() string { return e.diags.Error() }
func (e *configError) Unwrap() error { return e.diags }

// mustBuild fails the test with a build error.
func mustBuild(t testing.TB, err error) {
	t.Helper()
	var ce *configError
	if errors.As(err, &ce) {
		t.Fatalf("building the plugin under test:\n%s", ce.diags.Format(ce.files))
	}
	if err != nil {
		t.Fatalf("building the plugin under test: %v", err)
	}
}
