package twitter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostash/gostash/runtime/plugin"
)

// timing is the reconnect schedule Twitter documents for streaming clients.
type timing struct {
	httpFirst, httpMax time.Duration // HTTP errors: exponential
	rateFirst, rateMax time.Duration // 420 Enhance Your Calm / 429: exponential
	netStep, netMax    time.Duration // network errors and dropped streams: linear
	stall              time.Duration // no byte for this long means the stream is dead
}

var twitterTiming = timing{
	httpFirst: 5 * time.Second, httpMax: 320 * time.Second,
	rateFirst: time.Minute, rateMax: 16 * time.Minute,
	netStep: 250 * time.Millisecond, netMax: 16 * time.Second,
	stall: 90 * time.Second,
}

// maxLine bounds one stream message; tweets are a few KiB.
const maxLine = 16 << 20

// streamSource is one of the APIs a stream can come from (v1.1 or v2).
type streamSource interface {
	// describe returns the log attributes naming what is streamed.
	describe() []any
	// prepare does the REST calls needed before streaming (resolving
	// screen names, syncing v2 rules); it is retried until it succeeds.
	prepare(ctx context.Context) error
	// open starts the streaming request.
	open(ctx context.Context) (*http.Response, error)
	// handle turns one message line into events.
	handle(line []byte, out plugin.Emitter)
}

// statusError is a refusal: an HTTP status other than 200.
type statusError struct {
	op      string
	status  int
	message string
	resetAt time.Time // from x-rate-limit-reset, when given
}

func (e *statusError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("%s: HTTP %d", e.op, e.status)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.op, e.status, e.message)
}

// errStalled is returned when the stream sent nothing for timing.stall.
var errStalled = errors.New("no data received within the stall timeout")

// refusal reads an error response: its status, Twitter's message and the
// rate-limit reset time.
func refusal(op string, resp *http.Response) *statusError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	e := &statusError{op: op, status: resp.StatusCode, message: twitterMessage(body)}
	if reset, err := strconv.ParseInt(resp.Header.Get("x-rate-limit-reset"), 10, 64); err == nil && reset > 0 {
		e.resetAt = time.Unix(reset, 0)
	}
	return e
}

// twitterMessage extracts the human message of an error body: the v1.1
// {"errors":[{"message":...}]} shape, the v2 {"title","detail"} shape, or
// the text itself (stream endpoints answer in plain text or HTML).
func twitterMessage(body []byte) string {
	var parsed struct {
		Errors []struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"errors"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &parsed) == nil {
		var parts []string
		for _, e := range parsed.Errors {
			if e.Message != "" {
				parts = append(parts, e.Message)
			}
		}
		if parsed.Detail != "" {
			parts = append(parts, parsed.Detail)
		} else if parsed.Title != "" {
			parts = append(parts, parsed.Title)
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	return strings.Join(strings.Fields(string(body)), " ")
}

// backoff is the state of the reconnect schedule.
type backoff struct {
	t                       timing
	rateLimitResetIn        time.Duration
	httpNext, rateNext, net time.Duration
	now                     func() time.Time
}

func newBackoff(t timing, rateLimitResetIn time.Duration) *backoff {
	b := &backoff{t: t, rateLimitResetIn: rateLimitResetIn, now: time.Now}
	b.reset()
	return b
}

// reset starts the schedule over; called once a stream is established.
func (b *backoff) reset() {
	b.httpNext, b.rateNext, b.net = b.t.httpFirst, b.t.rateFirst, 0
}

// next returns how long to wait after err and advances the schedule.
func (b *backoff) next(err error) time.Duration {
	var se *statusError
	if !errors.As(err, &se) {
		b.net = min(b.net+b.t.netStep, b.t.netMax)
		return b.net
	}
	if se.status == 420 || se.status == http.StatusTooManyRequests {
		wait := b.rateNext
		b.rateNext = min(b.rateNext*2, b.t.rateMax)
		if se.status == http.StatusTooManyRequests {
			reset := b.rateLimitResetIn
			if !se.resetAt.IsZero() {
				reset = se.resetAt.Sub(b.now())
			}
			wait = max(wait, reset)
		}
		return wait
	}
	wait := b.httpNext
	b.httpNext = min(b.httpNext*2, b.t.httpMax)
	return wait
}

// sleep waits d or until ctx is done, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// reconnector keeps one stream open: prepare, connect, read, and on any
// failure log it once and wait as the backoff says.
type reconnector struct {
	in       *Input
	src      streamSource
	out      plugin.Emitter
	prepared bool
	backoff  *backoff
}

func (r *reconnector) run(ctx context.Context) error {
	r.backoff = newBackoff(r.in.timing, r.in.rateLimitResetIn)
	for {
		err := r.attempt(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := r.backoff.next(err)
		var se *statusError
		switch {
		case errors.As(err, &se):
			r.in.log.Warn("Twitter refused the request", "request", se.op, "status", se.status, "message", se.message, "retry_in", wait.String())
		case errors.Is(err, errStalled):
			r.in.log.Warn("Twitter stream stalled, reconnecting", "stall_timeout", r.in.timing.stall.String(), "retry_in", wait.String())
		case errors.Is(err, io.EOF):
			r.in.log.Warn("Twitter closed the stream, reconnecting", "retry_in", wait.String())
		default:
			r.in.log.Warn("Twitter stream connection failed", "error", err.Error(), "retry_in", wait.String())
		}
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// attempt runs one connection to its end and returns why it ended.
func (r *reconnector) attempt(ctx context.Context) error {
	if !r.prepared {
		// REST calls get the stall timeout as their deadline.
		restCtx, cancel := context.WithTimeout(ctx, r.in.timing.stall)
		err := r.src.prepare(restCtx)
		cancel()
		if err != nil {
			return err
		}
		r.prepared = true
	}
	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stalled atomic.Bool
	watchdog := time.AfterFunc(r.in.timing.stall, func() {
		stalled.Store(true)
		cancel()
	})
	defer watchdog.Stop()
	stallErr := func(err error) error {
		if stalled.Load() {
			return errStalled
		}
		return err
	}

	resp, err := r.src.open(connCtx)
	if err != nil {
		return stallErr(err)
	}
	if resp.StatusCode != http.StatusOK {
		return refusal("stream", resp)
	}
	defer resp.Body.Close()
	r.backoff.reset()
	r.in.log.Info("Connected to the Twitter stream", "url", resp.Request.URL.Redacted())

	sc := bufio.NewScanner(&activityReader{r: resp.Body, watchdog: watchdog, stall: r.in.timing.stall})
	sc.Buffer(make([]byte, 64<<10), maxLine)
	sc.Split(splitCRLF)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue // keep-alive
		}
		// A full queue must not look like a stalled stream.
		watchdog.Stop()
		r.src.handle(line, r.out)
		watchdog.Reset(r.in.timing.stall)
	}
	if err := sc.Err(); err != nil {
		return stallErr(err)
	}
	return stallErr(io.EOF)
}

// activityReader pushes the stall watchdog back whenever bytes arrive.
type activityReader struct {
	r        io.Reader
	watchdog *time.Timer
	stall    time.Duration
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.watchdog.Reset(a.stall)
	}
	return n, err
}

// splitCRLF splits Twitter's stream into messages delimited by "\r\n". A
// message may hold a bare "\n", which does not end it. What is left at EOF
// is a message cut short by a dropped connection and is discarded.
func splitCRLF(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
		return i + 2, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), nil, nil
	}
	return 0, nil, nil
}
