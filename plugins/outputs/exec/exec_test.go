package exec

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// TestRunsTheShellPerEventInOrder checks that each event's command runs
// through the shell, in event order, with its references filled in.
func TestRunsTheShellPerEventInOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	log := iotest.Log{Level: slog.LevelDebug}
	o := iotest.Build(t, plugin.KindOutput, `exec { command => "echo %{n} >> `+out+` && echo ran %{n}" }`, &log).(*Output)
	var events []*event.Event
	for _, n := range []string{"1", "2", "3"} {
		events = append(events, iotest.Event("n", n))
	}
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if string(got) != "1\n2\n3\n" {
		t.Fatalf("commands wrote %q", got)
	}
	// At debug level (as here) the output and errors are logged together.
	log.WaitFor(t, `debugging command {"stdout"=>"ran 3", "stderr"=>"", "exit_status"=>0}`)
}

// TestLogsOutputUnlessQuiet checks the info-level log of the command's
// output, which Logstash keeps for plugins that once printed it.
func TestLogsOutputUnlessQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var log iotest.Log
		o := iotest.Build(t, plugin.KindOutput, `exec { command => "printf 'hello %{who}\r\n'; echo oops >&2; exit 3" quiet => `+map[bool]string{false: "false", true: "true"}[quiet]+` }`, &log).(*Output)
		if err := o.Output(context.Background(), []*event.Event{iotest.Event("who", "world")}); err != nil {
			t.Fatal(err)
		}
		shown := strings.Contains(log.String(), "[INFO ][logstash.outputs.exec    ][") && strings.HasSuffix(log.String(), "] hello world\n")
		if shown == quiet || strings.Contains(log.String(), "oops") {
			t.Errorf("quiet => %v logged:\n%s", quiet, log.String())
		}
	}
}

// TestForcedShutdownKillsTheCommand checks that cancelling ends a command
// that would run for long.
func TestForcedShutdownKillsTheCommand(t *testing.T) {
	o := iotest.Build(t, plugin.KindOutput, `exec { command => "sleep 600" }`, nil).(*Output)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Output(ctx, []*event.Event{iotest.Event()}); err == nil {
		t.Fatal("a cancelled run reported success")
	}
}
