// Package exec is the exec output: it runs a shell command for each event,
// with %{field} references filled in from the event.
package exec

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	osexec "os/exec"
	"strings"
	"sync"

	"github.com/gostash/gostash/plugins/internal/shellcmd"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCommand = plugin.String("command").Required().Doc("The command line, run by /bin/sh for each event; %{field} references are filled in verbatim (shell metacharacters in field values reach the shell).")
	optQuiet   = plugin.Bool("quiet").Default(false).Doc("Do not log the command's standard output.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "exec",
			Summary: "Runs a shell command for each event and logs its output; the pipeline waits for each command to finish.",
			Options: []plugin.Declared{optCommand, optQuiet},
		},
		New: New,
	})
}

// Output is the exec output.
type Output struct {
	command *event.Template
	quiet   bool
	log     *slog.Logger
	// mu runs one command at a time, in event order, as Logstash runs this
	// output in a single thread.
	mu sync.Mutex
}

// New builds an exec output.
func New(s *plugin.Settings) (plugin.Output, error) {
	t, err := event.CompileTemplate(optCommand.Get(s))
	if err != nil {
		return nil, optCommand.Errorf(s, "%v", err)
	}
	return &Output{command: t, quiet: optQuiet.Get(s), log: s.Logger()}, nil
}

// Output runs the command of each event in turn. As in Logstash a
// command's exit status does not matter; only a shell that cannot start
// is an error. A forced shutdown (ctx) kills the running command.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range events {
		if err := o.run(ctx, o.command.Render(e)); err != nil {
			return err
		}
	}
	return nil
}

func (o *Output) run(ctx context.Context, line string) error {
	o.log.Debug("running exec command", slog.String("command", line))
	cmd := shellcmd.Command(ctx, line)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, exited := err.(*osexec.ExitError); err != nil && !exited {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("running %q: %w", line, err)
	}
	out := strings.TrimSuffix(strings.TrimSuffix(stdout.String(), "\n"), "\r")
	if o.log.Enabled(ctx, slog.LevelDebug) {
		o.log.Debug("debugging command", slog.String("stdout", out), slog.String("stderr", strings.TrimSuffix(stderr.String(), "\n")), slog.Int("exit_status", cmd.ProcessState.ExitCode()))
	} else if !o.quiet {
		// Logstash logs the output itself as the message, for backward
		// compatibility with a plugin that let it reach the terminal.
		o.log.Info(out)
	}
	return nil
}
