package ruby

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
)

// workerSource is the Ruby side of the filter, run by `ruby -e`.
//
//go:embed worker.rb
var workerSource string

// Frame kinds (see worker.rb for the conversation).
const (
	frameSetup     = 'S'
	frameBatch     = 'B'
	frameAnswer    = 'A'
	frameOK        = 'K'
	frameError     = 'E'
	frameReply     = 'R' // a batch's results in Marshal
	frameReplyJSON = 'J' // a batch's results in JSON
	frameQuestion  = 'Q'
	frameLog       = 'L'
)

// maxFrame bounds a frame from the worker; a larger length means the
// stream is corrupt, not that a batch is that big.
const maxFrame = 1 << 30

// ErrNoRuby is returned when no Ruby interpreter can be found.
var ErrNoRuby = errors.New("no Ruby interpreter (MRI) on PATH, and this filter runs its code in one: install Ruby (Debian and Ubuntu: apt-get install ruby)")

// errHung is returned when a worker does not answer in time.
var errHung = errors.New("the Ruby worker did not answer in time")

type frame struct {
	kind byte
	body []byte
}

// process is one running Ruby worker: the child and the pipes to it. Only
// the goroutine holding it (the pool hands it to one batch at a time)
// reads and writes its pipes.
type process struct {
	cmd      *exec.Cmd
	toRuby   *os.File
	fromRuby *os.File
	in       *bufio.Reader
	logger   *slog.Logger

	out    []byte // the frame being written
	writer *marshalWriter
	reader marshalReader
	logs   marshalReader
	json   jsonWriter
	jsonIn jsonReader
	// The last batch's results and their writes, room reused by the next.
	results []result
	writes  []write

	waitOnce sync.Once
	waitErr  error
}

// startProcess starts `ruby -e worker.rb` with the request pipe as fd 3
// and the reply pipe as fd 4. The user's code keeps stdout and stderr.
func startProcess(stdout, stderr io.Writer, logger *slog.Logger) (*process, error) {
	rubyPath, err := exec.LookPath("ruby")
	if err != nil {
		return nil, ErrNoRuby
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	// -E UTF-8: strings read from files and sockets are UTF-8, as under
	// JRuby whatever the locale. Without error_highlight, an exception's
	// message is the message, as JRuby gives it, not followed by the
	// offending line.
	args := append(yjitFlags(rubyPath), "-EUTF-8", "--disable-error_highlight", "-e", workerSource)
	cmd := exec.Command(rubyPath, args...)
	cmd.ExtraFiles = []*os.File{reqR, repW}
	cmd.Env = workerEnv()
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// Its own process group: Ctrl-C at a terminal goes to gostash, which
	// drains its batches through the workers before it ends them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		reqR.Close()
		reqW.Close()
		repR.Close()
		repW.Close()
		return nil, fmt.Errorf("starting %s: %w", rubyPath, err)
	}
	reqR.Close()
	repW.Close()
	p := &process{
		cmd:      cmd,
		toRuby:   reqW,
		fromRuby: repR,
		in:       bufio.NewReaderSize(repR, 64<<10),
		logger:   logger,
		writer:   newMarshalWriter(),
	}
	p.reader.keys = map[string]string{}
	p.logs.keys = p.reader.keys
	p.json.decimals = map[string]event.Decimal{}
	p.jsonIn.keys = p.reader.keys
	return p, nil
}

// jitFlags is, by Ruby path, the flags that turn Ruby's JIT (YJIT) on
// there, or nil where it has none; see yjitFlags.
var jitFlags sync.Map

// yjitFlags are the flags that run the worker with YJIT, which runs the
// batch loop, the Event API and the user's code about a quarter faster,
// when the Ruby at rubyPath has it: found once per path by asking Ruby
// (an older Ruby refuses the flags). The JIT's code memory is capped at
// 8 MiB: Ruby 3.1 otherwise maps and touches 256 MiB per process up front,
// and the filter's hot code is a small fraction of 8. RUBY_YJIT_ENABLE=0
// in gostash's environment turns it off (see workerEnv).
func yjitFlags(rubyPath string) []string {
	if yjitOff() {
		return nil
	}
	if v, ok := jitFlags.Load(rubyPath); ok {
		return v.([]string)
	}
	flags := []string{"--yjit", "--yjit-exec-mem-size=8"}
	probe := exec.Command(rubyPath, append([]string{"--disable-gems"}, append(flags, "-e", "exit(RubyVM::YJIT.enabled?)")...)...)
	if probe.Run() != nil {
		flags = nil
	}
	jitFlags.Store(rubyPath, flags)
	return flags
}

func yjitOff() bool {
	v, ok := os.LookupEnv("RUBY_YJIT_ENABLE")
	return ok && (v == "0" || v == "")
}

// workerEnv is the worker's environment: gostash's, but for a
// RUBY_YJIT_ENABLE that turns YJIT off, which Ruby 3.1 would read as on
// (it looks only at whether the variable is set).
func workerEnv() []string {
	if !yjitOff() {
		return nil // the default: gostash's own
	}
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "RUBY_YJIT_ENABLE=") })
}

// readFrame reads the worker's next frame, giving up at the deadline.
func (p *process) readFrame(deadline time.Time) (frame, error) {
	p.fromRuby.SetReadDeadline(deadline)
	var head [5]byte
	if _, err := io.ReadFull(p.in, head[:]); err != nil {
		return frame{}, p.readError(err)
	}
	size := binary.BigEndian.Uint32(head[:4])
	if size == 0 || size > maxFrame {
		return frame{}, fmt.Errorf("the Ruby worker sent a frame of %d bytes", size)
	}
	body := make([]byte, size-1)
	if _, err := io.ReadFull(p.in, body); err != nil {
		return frame{}, p.readError(err)
	}
	return frame{head[4], body}, nil
}

func (p *process) readError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errHung
	}
	return p.deathError(err)
}

// Ruby logger levels (worker.rb's LEVELS) as slog levels.
var rubyLevels = []slog.Level{logging.LevelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, logging.LevelFatal}

func (p *process) log(r *marshalReader, body []byte) {
	if err := r.reset(body); err != nil {
		p.logger.Warn("Unreadable log record from the Ruby worker", slog.String("error", err.Error()))
		return
	}
	v, err := r.value()
	rec, ok := v.([]any)
	if err != nil || !ok || len(rec) != 3 {
		p.logger.Warn("Unreadable log record from the Ruby worker")
		return
	}
	level := slog.LevelInfo
	if n, ok := rec[0].(int64); ok && n >= 0 && int(n) < len(rubyLevels) {
		level = rubyLevels[n]
	}
	msg, _ := rec[1].(string)
	var attrs []slog.Attr
	if fields, ok := rec[2].(*event.Map); ok {
		fields.Range(func(k string, v any) bool {
			attrs = append(attrs, slog.Any(k, v))
			return true
		})
	}
	p.logger.LogAttrs(context.Background(), level, msg, attrs...)
}

// send writes one frame, giving up when the worker stops reading for the
// given time.
func (p *process) send(kind byte, body []byte, timeout time.Duration) error {
	p.out = p.out[:0]
	p.out = binary.BigEndian.AppendUint32(p.out, uint32(len(body)+1))
	p.out = append(p.out, kind)
	p.out = append(p.out, body...)
	if timeout > 0 {
		p.toRuby.SetWriteDeadline(time.Now().Add(timeout))
	}
	_, err := p.toRuby.Write(p.out)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errHung
	}
	if err != nil {
		return p.deathError(err)
	}
	return nil
}

// await reads frames until one that is not a log record or a question,
// answering questions on the way; the deadline covers the whole wait.
func (p *process) await(deadline time.Time, answer func([]byte) []byte) (frame, error) {
	for {
		f, err := p.readFrame(deadline)
		if err != nil {
			return frame{}, err
		}
		switch f.kind {
		case frameLog:
			p.log(&p.logs, f.body)
		case frameQuestion:
			if err := p.send(frameAnswer, answer(f.body), time.Until(deadline)); err != nil {
				return frame{}, err
			}
		default:
			return f, nil
		}
	}
}

// deathError describes how the worker ended: its pipe closed (cause), so
// it has exited or is about to.
func (p *process) deathError(cause error) error {
	exited := make(chan error, 1)
	go func() { exited <- p.wait() }()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("the Ruby worker exited: %w", err)
		}
	case <-time.After(5 * time.Second):
		return fmt.Errorf("the Ruby worker stopped answering: %v", cause)
	}
	if cause != nil && !errors.Is(cause, io.EOF) {
		return fmt.Errorf("the Ruby worker's pipe broke: %w", cause)
	}
	return errors.New("the Ruby worker exited")
}

func (p *process) wait() error {
	p.waitOnce.Do(func() { p.waitErr = p.cmd.Wait() })
	return p.waitErr
}

// kill ends the worker at once and reaps it.
func (p *process) kill() {
	p.cmd.Process.Kill()
	p.toRuby.Close()
	p.fromRuby.Close()
	p.wait()
}

// stop asks the worker to exit (its request pipe closes), logging what it
// still has to say, and kills it if it has not exited within grace.
func (p *process) stop(grace time.Duration) {
	p.toRuby.Close()
	deadline := time.Now().Add(grace)
	for {
		f, err := p.readFrame(deadline)
		if err != nil {
			break
		}
		if f.kind == frameLog {
			p.log(&p.logs, f.body)
		}
	}
	p.kill()
}
