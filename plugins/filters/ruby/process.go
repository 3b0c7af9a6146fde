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
	"sync"
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
	frameSetup    = 'S'
	frameBatch    = 'B'
	frameAnswer   = 'A'
	frameOK       = 'K'
	frameError    = 'E'
	frameReply    = 'R'
	frameQuestion = 'Q'
	frameLog      = 'L'
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

// process is one running Ruby worker: the child, the pipes to it and the
// goroutine reading its frames.
type process struct {
	cmd      *exec.Cmd
	toRuby   *os.File
	fromRuby *os.File
	frames   chan frame
	dead     chan struct{} // closed when the reader stops: the worker exited or its pipe broke
	stopping chan struct{} // closed by kill, so the reader stops handing over frames
	readErr  error
	logger   *slog.Logger

	out    []byte // the frame being written
	writer *marshalWriter
	reader marshalReader

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
	cmd := exec.Command(rubyPath, "-EUTF-8", "--disable-error_highlight", "-e", workerSource)
	cmd.ExtraFiles = []*os.File{reqR, repW}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
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
		frames:   make(chan frame, 1),
		dead:     make(chan struct{}),
		stopping: make(chan struct{}),
		logger:   logger,
		writer:   newMarshalWriter(),
	}
	p.reader.keys = map[string]string{}
	go p.read()
	return p, nil
}

// read hands the worker's frames to whoever is waiting for an answer, and
// logs the worker's log records as they come.
func (p *process) read() {
	defer close(p.dead)
	br := bufio.NewReaderSize(p.fromRuby, 64<<10)
	var logs marshalReader
	logs.keys = map[string]string{}
	for {
		var head [5]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			p.readErr = err
			return
		}
		size := binary.BigEndian.Uint32(head[:4])
		if size == 0 || size > maxFrame {
			p.readErr = fmt.Errorf("the Ruby worker sent a frame of %d bytes", size)
			return
		}
		body := make([]byte, size-1)
		if _, err := io.ReadFull(br, body); err != nil {
			p.readErr = err
			return
		}
		if head[4] == frameLog {
			p.log(&logs, body)
			continue
		}
		select {
		case p.frames <- frame{head[4], body}:
		case <-p.stopping:
			return
		}
	}
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

// await waits for the next frame that is not a question, answering
// questions on the way; the deadline covers the whole wait.
func (p *process) await(deadline time.Time, answer func([]byte) []byte) (frame, error) {
	var timer <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timer = t.C
	}
	for {
		select {
		case f := <-p.frames:
			if f.kind != frameQuestion {
				return f, nil
			}
			if err := p.send(frameAnswer, answer(f.body), time.Until(deadline)); err != nil {
				return frame{}, err
			}
		case <-p.dead:
			// A frame may have arrived just before the pipe closed.
			select {
			case f := <-p.frames:
				if f.kind != frameQuestion {
					return f, nil
				}
			default:
			}
			return frame{}, p.deathError(p.readErr)
		case <-timer:
			return frame{}, errHung
		}
	}
}

// deathError describes how the worker ended, once it has.
func (p *process) deathError(cause error) error {
	select {
	case <-p.dead:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("the Ruby worker stopped answering: %v", cause)
	}
	if err := p.wait(); err != nil {
		return fmt.Errorf("the Ruby worker exited: %w", err)
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
	select {
	case <-p.stopping:
	default:
		close(p.stopping)
	}
	p.cmd.Process.Kill()
	p.toRuby.Close()
	<-p.dead
	p.fromRuby.Close()
	p.wait()
}

// stop asks the worker to exit (its request pipe closes) and kills it if
// it has not within grace.
func (p *process) stop(grace time.Duration) {
	p.toRuby.Close()
	select {
	case <-p.dead:
		p.fromRuby.Close()
		p.wait()
	case <-time.After(grace):
		p.kill()
	}
}

// pid is the worker's process id.
func (p *process) pid() int { return p.cmd.Process.Pid }
