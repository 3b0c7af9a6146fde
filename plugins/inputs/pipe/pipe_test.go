package pipe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, block string) *Input {
	t.Helper()
	return iotest.Build(t, plugin.KindInput, "pipe { "+block+" }", nil).(*Input)
}

func TestLinesBecomeEvents(t *testing.T) {
	out := iotest.RunInput(t, build(t, `command => "printf 'one\ntwo\r\nlast'; sleep 600"`))
	for _, want := range []string{"one", "two"} {
		e := out.Next(t)
		if got := iotest.Field(e, "message"); got != want {
			t.Fatalf("message %q, want %q", got, want)
		}
		if iotest.Field(e, "[process][command_line]") != `printf 'one\ntwo\r\nlast'; sleep 600` || iotest.Field(e, "[host][name]") == "" {
			t.Fatalf("fields %v", e.Data().Keys())
		}
	}
}

func TestLastLineWithoutNewlineAndLegacyFields(t *testing.T) {
	out := iotest.RunInput(t, build(t, `command => "printf 'only'" ecs_compatibility => disabled`))
	e := out.Next(t)
	if iotest.Field(e, "message") != "only" || iotest.Field(e, "command") != "printf 'only'" || iotest.Field(e, "host") == "" {
		t.Fatalf("event %v", e.Data().Keys())
	}
}

func TestEachLineDecodedByTheCodec(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "doc.json")
	os.WriteFile(doc, []byte(`{"a":1}`+"\n"), 0o644)
	out := iotest.RunInput(t, build(t, `command => "cat `+doc+`; sleep 600" codec => json`))
	if got := iotest.Field(out.Next(t), "a"); got != "1" {
		t.Fatalf("a = %q", got)
	}
}

// TestRunsAgainAfterItEnds checks that the command is started again
// (after restartDelay, shortened here) once it has ended.
func TestRunsAgainAfterItEnds(t *testing.T) {
	old := restartDelay
	restartDelay = 10 * time.Millisecond
	t.Cleanup(func() { restartDelay = old })
	counter := filepath.Join(t.TempDir(), "runs")
	out := iotest.RunInput(t, build(t, `command => "echo x >> `+counter+`; wc -l < `+counter+`"`))
	first, second := iotest.Field(out.Next(t), "message"), iotest.Field(out.Next(t), "message")
	if strings.TrimSpace(first) != "1" || strings.TrimSpace(second) != "2" {
		t.Fatalf("runs %q then %q", first, second)
	}
}

// TestShutdownKillsTheCommand checks that the command and what it started
// are killed when the pipeline stops.
func TestShutdownKillsTheCommand(t *testing.T) {
	in := build(t, `command => "echo started; sleep 600 | cat"`)
	out := make(iotest.Emitter, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		in.Run(ctx, out)
		close(done)
	}()
	out.Next(t)
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
}

func TestCommandIsRequired(t *testing.T) {
	_, diags := iotest.TryBuild(plugin.KindInput, `pipe { }`, nil)
	if !strings.Contains(diags, "Missing a required setting for the pipe input plugin: command") {
		t.Fatal(diags)
	}
}

// A line longer than maxLine is skipped up to its newline; the lines
// around it are read.
func TestOversizedLineIsSkipped(t *testing.T) {
	out := iotest.RunInput(t, build(t, `command => "echo before; head -c 11534336 /dev/zero | tr '\\0' x; echo; echo after; sleep 600"`))
	for _, want := range []string{"before", "after"} {
		if got := iotest.Field(out.Next(t), "message"); got != want {
			t.Fatalf("message of %d bytes, want %q", len(got), want)
		}
	}
}
