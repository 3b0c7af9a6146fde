package estest

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/plugin"
)

// Build builds the one plugin in `<kind> { <block> }` in process, with
// ctx's pipeline settings and dead letter queue; errors come back as the
// diagnostics' text.
func Build(t testing.TB, kind plugin.Kind, block string, ctx plugin.BuildContext) (*plugin.Instance, string) {
	t.Helper()
	cfg, diags := lang.Parse("test.conf", []byte(string(kind)+" { "+block+" }"), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatalf("parsing %q: %v", block, diags)
	}
	p := cfg.Sections[0].Body[0].(*lang.Plugin)
	if ctx.Pipeline.ID == "" {
		ctx.Pipeline = plugin.DefaultPipelineSettings(1)
	}
	if ctx.Logger == nil {
		ctx.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	inst, diags := plugin.Build(kind, p, &ctx)
	if diags.HasErrors() {
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.Summary)
		}
		return nil, strings.Join(msgs, "\n")
	}
	t.Cleanup(func() {
		if c, ok := inst.Plugin.(plugin.Closer); ok {
			c.Close()
		}
	})
	return inst, ""
}
