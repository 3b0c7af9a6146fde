// Package exec is the exec input: it runs a shell command every interval
// or on a cron schedule and makes an event of its output.
package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	osexec "os/exec"
	"time"

	"github.com/gostash/gostash/plugins/internal/schedule"
	"github.com/gostash/gostash/plugins/internal/shellcmd"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCommand  = plugin.String("command").Required().Doc("The command line, run by /bin/sh; its whole standard output is decoded into events.")
	optInterval = plugin.Float("interval").Doc("Seconds from the start of one run to the start of the next. Set this or schedule.")
	optSchedule = plugin.String("schedule").Doc(`A cron line ("*/5 * * * *", seconds optional, zone optional) saying when to run, as rufus-scheduler reads it. Set this or interval.`).
			Validate(func(line string) error {
			_, err := schedule.ParseCron(line)
			return err
		})
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "exec",
			Summary: "Runs a shell command periodically (interval or cron schedule) and turns its whole output into an event.",
			Options: []plugin.Declared{optCommand, optInterval, optSchedule, plugin.ECS},
		},
		New: New,
	})
}

// fields are where the input puts what it knows of a run, per ECS mode.
type fields struct {
	host, command, exitCode string
	elapsed                 string // in Logstash's "nanos" (see execute); v1 only
	duration                string // seconds as a float; ECS disabled only
}

var (
	legacyFields = fields{host: "host", command: "command", exitCode: "[@metadata][exit_status]", duration: "[@metadata][duration]"}
	ecsFields    = fields{host: "[host][name]", command: "[process][command_line]", exitCode: "[process][exit_code]", elapsed: "[@metadata][input][exec][process][elapsed_time]"}
)

// Input is the exec input.
type Input struct {
	command  string
	interval time.Duration
	schedule *schedule.Schedule
	fields   fields
	hostname string
	codec    plugin.Codec
	log      *slog.Logger
}

// New builds an exec input.
func New(s *plugin.Settings) (plugin.Input, error) {
	const oneOf = "either 'interval' or 'schedule' option must be defined."
	switch {
	case optInterval.IsSet(s) && optSchedule.IsSet(s):
		return nil, optSchedule.Errorf(s, oneOf)
	case !optInterval.IsSet(s) && !optSchedule.IsSet(s):
		return nil, s.Errorf(oneOf)
	}
	in := &Input{command: optCommand.Get(s), codec: s.NewCodec(), log: s.Logger(), fields: legacyFields}
	in.hostname, _ = os.Hostname()
	if s.ECS() != "disabled" {
		in.fields = ecsFields
	}
	if optSchedule.IsSet(s) {
		sched, _ := schedule.OnCron(optSchedule.Get(s)) // checked by its Validate
		in.schedule = &sched
	} else {
		in.interval = time.Duration(optInterval.Get(s) * float64(time.Second))
	}
	return in, nil
}

// Run runs the command on its schedule until ctx ends; a shutdown kills a
// command still running.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	if in.schedule != nil {
		in.schedule.Run(ctx, func(ctx context.Context) { in.execute(ctx, out) })
		return nil
	}
	for ctx.Err() == nil {
		took := in.execute(ctx, out)
		wait := in.interval - took
		if wait <= 0 {
			in.log.Warn("Execution ran longer than the interval. Skipping sleep.", slog.String("command", in.command), slog.Float64("duration", took.Seconds()), slog.Float64("interval", in.interval.Seconds()))
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
	}
	return nil
}

// execute runs the command once and emits the events its output decodes
// to, returning how long it ran.
func (in *Input) execute(ctx context.Context, out plugin.Emitter) time.Duration {
	start := time.Now()
	in.log.Debug("Running exec", slog.String("command", in.command))
	cmd := shellcmd.Command(ctx, in.command)
	stdout := &boundedBuffer{limit: maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, os.Stderr
	err := cmd.Run()
	took := time.Since(start)
	if stdout.overflowed {
		in.log.Error(fmt.Sprintf("The command's output is longer than %d bytes; this run's output is discarded", maxOutput), slog.String("command", in.command))
		return took
	}
	var exit *osexec.ExitError
	if err != nil && !errors.As(err, &exit) {
		if ctx.Err() == nil {
			in.log.Error("Error while running command", slog.String("command", in.command), slog.String("exception", err.Error()))
		}
		return took
	}
	if ctx.Err() != nil {
		// Killed by the shutdown: its output is cut short.
		return took
	}
	var status any
	if code := cmd.ProcessState.ExitCode(); code >= 0 {
		status = int64(code)
	}
	in.log.Debug("Command completed", slog.String("command", in.command), slog.Float64("duration", took.Seconds()))
	in.codec.Decode(stdout.buf.Bytes(), func(e *event.Event) {
		out.Decorate(e)
		setIfAbsent(e, in.fields.host, in.hostname)
		setIfAbsent(e, in.fields.command, in.command)
		setIfAbsent(e, in.fields.exitCode, status)
		if in.fields.elapsed != "" {
			// Named nanoseconds but counted in microseconds: Logstash
			// multiplies seconds by 1e6, and its tests pin that.
			_ = e.Set(in.fields.elapsed, took.Microseconds())
		}
		if in.fields.duration != "" {
			_ = e.Set(in.fields.duration, took.Seconds())
		}
		out.EmitDecorated(e)
	})
	return took
}

// maxOutput bounds a run's output, which is decoded whole (Logstash reads it
// without bound). With the default plain codec it is one event, and an
// event past Elasticsearch's default http.max_content_length (100 MiB)
// could not be indexed anyway.
const maxOutput = 100 << 20

// boundedBuffer is a bytes.Buffer refusing to grow past limit: the write
// that would fails, which ends the command's output (the command then
// usually dies of SIGPIPE, so its exit says nothing), and overflowed
// records it.
// (Not embedding bytes.Buffer: its ReadFrom would bypass Write.)
type boundedBuffer struct {
	buf        bytes.Buffer
	limit      int
	overflowed bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.limit {
		b.overflowed = true
		return 0, errors.New("the command's output is too long")
	}
	return b.buf.Write(p)
}

func setIfAbsent(e *event.Event, ref string, v any) {
	if !e.Includes(ref) {
		_ = e.Set(ref, v)
	}
}
