// Package pipe is the pipe output: it starts a program and writes events
// to its standard input, one line each, keeping the program running
// between events.
package pipe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCommand       = plugin.Strings("command").Required().Doc(`The program and its arguments, each sprintf'd per event, run without a shell: ["tee", "-a", "/tmp/%{host}.log"]. Each distinct command line gets its own process.`)
	optMessageFormat = plugin.String("message_format").Doc("A sprintf format for each line; without it each event is written as one line of JSON.")
	optTTL           = plugin.Float("ttl").Default(10).Doc("Seconds after which a process that was not written to is closed; 0 or -1 keeps processes open.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "pipe",
			Summary: "Writes events, one per line, to the standard input of a program it starts and keeps running.",
			Options: []plugin.Declared{optCommand, optMessageFormat, optTTL},
		},
		New: New,
	})
}

// restartDelay is how long a write waits before starting a program again
// after the previous one went away: a program that exits at once holds the
// pipeline back instead of being restarted in a tight loop.
const restartDelay = time.Second

// Output is the pipe output.
type Output struct {
	command []*event.Template
	format  *event.Template // nil: JSON
	ttl     time.Duration
	log     *slog.Logger

	// mu serializes writes, as Logstash runs this output in one thread.
	mu          sync.Mutex
	pipes       map[string]*child
	lastCleanup time.Time
}

// child is a running program and the pipe to its standard input.
type child struct {
	argv   []string
	cmd    *osexec.Cmd
	stdin  io.WriteCloser
	active bool // written to since the last stale-pipe cleanup
}

// New builds a pipe output.
func New(s *plugin.Settings) (plugin.Output, error) {
	parts := optCommand.Get(s)
	if len(parts) == 0 {
		return nil, optCommand.Errorf(s, "The 'command' setting must not be empty")
	}
	o := &Output{ttl: time.Duration(optTTL.Get(s) * float64(time.Second)), log: s.Logger(), pipes: map[string]*child{}, lastCleanup: time.Now()}
	for _, p := range parts {
		t, err := event.CompileTemplate(p)
		if err != nil {
			return nil, optCommand.Errorf(s, "%v", err)
		}
		o.command = append(o.command, t)
	}
	if optMessageFormat.IsSet(s) {
		t, err := event.CompileTemplate(optMessageFormat.Get(s))
		if err != nil {
			return nil, optMessageFormat.Errorf(s, "%v", err)
		}
		o.format = t
	}
	return o, nil
}

// Output writes each event to its command's process, starting it when
// needed. A process that went away is closed and started again, after
// restartDelay, until the line is written: a stream that fails holds the
// pipeline back (back-pressure) rather than losing events. A program that
// cannot be started at all is an error.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range events {
		argv := make([]string, len(o.command))
		for i, t := range o.command {
			argv[i] = t.Render(e)
		}
		var line []byte
		if o.format != nil {
			line = append(o.format.AppendRender(nil, e), '\n')
		} else {
			line = append(event.AppendJSON(nil, e.Data()), '\n')
		}
		if err := o.write(ctx, argv, line); err != nil {
			return err
		}
		o.closeStale()
	}
	return nil
}

func (o *Output) write(ctx context.Context, argv []string, line []byte) error {
	key := strings.Join(argv, "\x00")
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(restartDelay):
			}
		}
		c, err := o.open(key, argv)
		if err != nil {
			return err
		}
		if _, err := c.stdin.Write(line); err != nil {
			o.log.Error("Error writing to pipe, closing pipe.", slog.String("command", inspect(argv)), slog.String("error", err.Error()))
			o.drop(key)
			continue
		}
		c.active = true
		return nil
	}
}

func (o *Output) open(key string, argv []string) (*child, error) {
	if c, ok := o.pipes[key]; ok {
		return c, nil
	}
	o.log.Info("Opening pipe", slog.String("command", inspect(argv)))
	cmd := osexec.Command(argv[0], argv[1:]...)
	// Logstash opens the pipe read-write and never reads the program's
	// output, so a chatty program stalls once the pipe buffer fills; here
	// its output is read and dropped. Its errors go to gostash's stderr.
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("starting pipe command %s: %w", inspect(argv), err)
	}
	c := &child{argv: argv, cmd: cmd, stdin: stdin}
	o.pipes[key] = c
	return c, nil
}

// inspect shows a command as Logstash's logs do, as a Ruby array.
func inspect(argv []string) string {
	l := make([]any, len(argv))
	for i, a := range argv {
		l[i] = a
	}
	return ruby.Inspect(l)
}

// closeStale closes, every ttl, the processes not written to since the
// previous cleanup.
func (o *Output) closeStale() {
	if o.ttl <= 0 || time.Since(o.lastCleanup) < o.ttl {
		return
	}
	for key, c := range o.pipes {
		if !c.active {
			o.drop(key)
		} else {
			c.active = false
		}
	}
	o.lastCleanup = time.Now()
}

// drop closes a process's input and waits for it to end.
func (o *Output) drop(key string) {
	c, ok := o.pipes[key]
	if !ok {
		return
	}
	delete(o.pipes, key)
	o.log.Info("Closing pipe \"" + inspect(c.argv) + "\"")
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		var exit *osexec.ExitError
		if !errors.As(err, &exit) {
			o.log.Warn("Failed to close pipe.", slog.String("command", inspect(c.argv)), slog.String("error", err.Error()))
		}
	}
}

// Close ends every process, letting each read what it was sent.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for key := range o.pipes {
		o.drop(key)
	}
	return nil
}
