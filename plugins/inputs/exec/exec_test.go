package exec

import (
	"context"
	"fmt"
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
	return iotest.Build(t, plugin.KindInput, "exec { "+block+" }", nil).(*Input)
}

func TestECSFields(t *testing.T) {
	e := iotest.RunInput(t, build(t, `command => "echo hello; echo world; exit 3" interval => 3600`)).Next(t)
	for ref, want := range map[string]string{
		"message":                 "hello\nworld\n",
		"[event][original]":       "hello\nworld\n",
		"[process][command_line]": "echo hello; echo world; exit 3",
		"[process][exit_code]":    "3",
	} {
		if got := iotest.Field(e, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	if iotest.Field(e, "[host][name]") == "" {
		t.Error("no [host][name]")
	}
	if v, ok := e.Get("[@metadata][input][exec][process][elapsed_time]"); !ok || v.(int64) <= 0 {
		t.Errorf("elapsed_time %v", v)
	}
}

func TestLegacyFields(t *testing.T) {
	e := iotest.RunInput(t, build(t, `command => "echo hi" interval => 3600 ecs_compatibility => disabled`)).Next(t)
	if iotest.Field(e, "message") != "hi\n" || iotest.Field(e, "command") != "echo hi" || iotest.Field(e, "[@metadata][exit_status]") != "0" {
		t.Errorf("event %s", e.Data().Keys())
	}
	if _, ok := e.Get("host"); !ok {
		t.Error("no host")
	}
	if d, ok := e.Get("[@metadata][duration]"); !ok || d.(float64) <= 0 {
		t.Errorf("duration %v", d)
	}
}

// TestDecodedFieldsWin checks that fields the codec decoded are not
// overwritten.
func TestDecodedFieldsWin(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "doc.json")
	os.WriteFile(doc, []byte(`{"host":{"name":"elsewhere"}}`), 0o644)
	e := iotest.RunInput(t, build(t, `command => "cat `+doc+`" interval => 3600 codec => json`)).Next(t)
	if got := iotest.Field(e, "[host][name]"); got != "elsewhere" {
		t.Fatalf("[host][name] = %q", got)
	}
}

func TestIntervalRepeats(t *testing.T) {
	out := iotest.RunInput(t, build(t, `command => "date +%s%N" interval => 1`))
	first, second := out.Next(t), out.Next(t)
	if iotest.Field(first, "message") == iotest.Field(second, "message") {
		t.Fatal("the second run printed the same time")
	}
}

func TestCronSchedule(t *testing.T) {
	out := iotest.RunInput(t, build(t, `command => "echo tick" schedule => "* * * * * *"`))
	if got := iotest.Field(out.Next(t), "message"); got != "tick\n" {
		t.Fatalf("message %q", got)
	}
}

// TestShutdownKillsTheCommand checks that a command still running when
// the pipeline stops is killed, whatever it started, and emits nothing.
func TestShutdownKillsTheCommand(t *testing.T) {
	started := filepath.Join(t.TempDir(), "started")
	in := build(t, `command => "touch `+started+`; sleep 600 | cat; echo done" interval => 3600`)
	out := make(iotest.Emitter, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		in.Run(ctx, out)
		close(done)
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command never started")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	if len(out) != 0 {
		t.Fatal("a killed command made an event")
	}
}

func TestConfigErrors(t *testing.T) {
	for block, want := range map[string]string{
		`command => "x"`: "either 'interval' or 'schedule' option must be defined.",
		`command => "x" interval => 5 schedule => "* * * * *"`: "either 'interval' or 'schedule' option must be defined.",
		`command => "x" schedule => "every minute"`:            `exec input plugin: invalid cron string "every minute"`,
		`interval => 5`: "Missing a required setting for the exec input plugin: command",
	} {
		_, diags := iotest.TryBuild(plugin.KindInput, "exec { "+block+" }", nil)
		if !strings.Contains(diags, want) {
			t.Errorf("%s: %s", block, diags)
		}
	}
}

// A run whose output is longer than maxOutput gives no event; the next run
// is read as usual.
func TestOversizedOutputIsDiscarded(t *testing.T) {
	flag := filepath.Join(t.TempDir(), "ran")
	cmd := fmt.Sprintf(`if [ -e %s ]; then echo small; else touch %s; head -c %d /dev/zero; fi`, flag, flag, maxOutput+1)
	out := iotest.RunInput(t, build(t, fmt.Sprintf(`command => %q interval => 1`, cmd)))
	if got := iotest.Field(out.Next(t), "message"); got != "small\n" {
		t.Fatalf("message of %d bytes, want the second run's", len(got))
	}
}
