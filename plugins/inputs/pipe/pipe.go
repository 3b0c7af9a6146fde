// Package pipe is the pipe input: it runs a long-lived shell command and
// makes an event of each line it prints, running it again when it ends.
package pipe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"time"

	"github.com/gostash/gostash/plugins/internal/shellcmd"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var optCommand = plugin.String("command").Required().Doc(`The command line, run by /bin/sh ("tail -F /var/log/app.log"); each line of its standard output is decoded into events.`)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "pipe",
			Summary: "Runs a long-lived command and turns each line of its output into an event; the command is run again when it ends.",
			Options: []plugin.Declared{optCommand, plugin.ECS},
		},
		New: New,
	})
}

// restartDelay is how long the input waits before running the command
// again after it ended, as Logstash's does.
var restartDelay = 10 * time.Second

// Input is the pipe input.
type Input struct {
	command   string
	hostField string
	cmdField  string
	hostname  string
	codec     plugin.Codec
	log       *slog.Logger
}

// New builds a pipe input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{command: optCommand.Get(s), codec: s.NewCodec(), log: s.Logger(), hostField: "host", cmdField: "command"}
	in.hostname, _ = os.Hostname()
	if s.ECS() != "disabled" {
		in.hostField, in.cmdField = "[host][name]", "[process][command_line]"
	}
	in.log.Debug("Registering pipe input", slog.String("command", in.command))
	return in, nil
}

// Run runs the command, and again restartDelay after each time it ends,
// until ctx ends; a shutdown kills the running command.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	for ctx.Err() == nil {
		if err := in.runOnce(ctx, out); err != nil && ctx.Err() == nil {
			in.log.Error("Exception while running command", slog.String("command", in.command), slog.String("exception", err.Error()))
		}
		timer := time.NewTimer(restartDelay)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
	}
	return nil
}

func (in *Input) runOnce(ctx context.Context, out plugin.Emitter) error {
	cmd := shellcmd.Command(ctx, in.command)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	r := bufio.NewReader(stdout)
	for {
		line, err := in.readLine(r)
		if len(line) > 0 {
			in.emit(out, chomp(line))
		}
		if err != nil {
			waitErr := cmd.Wait()
			if !errors.Is(err, io.EOF) {
				return err
			}
			var exit *osexec.ExitError
			if waitErr != nil && !errors.As(waitErr, &exit) {
				return waitErr
			}
			return nil
		}
	}
}

// maxLine bounds a line of the command's output. Logstash reads lines
// without bound; 10 MiB is the limit of the line codec's lines elsewhere.
const maxLine = 10 << 20

// readLine reads the next line with its newline (the last one may lack
// it). A line longer than maxLine is logged and skipped up to its newline.
func (in *Input) readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	skipping := false
	for {
		piece, err := r.ReadSlice('\n')
		if !skipping && len(line)+len(piece) > maxLine {
			in.log.Error(fmt.Sprintf("a line of the command's output is longer than %d bytes; it is discarded", maxLine), slog.String("command", in.command))
			skipping, line = true, nil
		}
		if !skipping {
			line = append(line, piece...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// chomp drops the line's ending, \n or \r\n, as Ruby's chomp does.
func chomp(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

func (in *Input) emit(out plugin.Emitter, line []byte) {
	in.log.Debug("Received line", slog.String("command", in.command), slog.String("line", string(line)))
	in.codec.Decode(line, func(e *event.Event) {
		out.Decorate(e)
		if !e.Includes(in.hostField) {
			_ = e.Set(in.hostField, in.hostname)
		}
		if !e.Includes(in.cmdField) {
			_ = e.Set(in.cmdField, in.command)
		}
		out.EmitDecorated(e)
	})
}
