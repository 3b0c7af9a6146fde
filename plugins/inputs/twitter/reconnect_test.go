package twitter

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestBackoffSchedule(t *testing.T) {
	b := newBackoff(twitterTiming, 300*time.Second)
	now := time.Unix(1_700_000_000, 0)
	b.now = func() time.Time { return now }
	status := func(code int) error { return &statusError{op: "stream", status: code} }
	steps := []struct {
		err  error
		want time.Duration
	}{
		// Network errors: linear in 250 ms steps.
		{io.EOF, 250 * time.Millisecond},
		{errStalled, 500 * time.Millisecond},
		{errors.New("connection refused"), 750 * time.Millisecond},
		// HTTP errors: 5 s doubling, independently of the network schedule.
		{status(503), 5 * time.Second},
		{status(401), 10 * time.Second},
		{status(406), 20 * time.Second},
		// 420: one minute doubling.
		{status(420), time.Minute},
		{status(420), 2 * time.Minute},
		// 429 without a reset time: rate_limit_reset_in when longer.
		{status(429), 300 * time.Second},
		{status(420), 8 * time.Minute},
		{status(420), 16 * time.Minute},
		{status(420), 16 * time.Minute},
		{status(503), 40 * time.Second},
		{status(503), 80 * time.Second},
		{status(503), 160 * time.Second},
		{status(503), 320 * time.Second},
		{status(503), 320 * time.Second},
		{io.EOF, time.Second},
	}
	for i, s := range steps {
		if got := b.next(s.err); got != s.want {
			t.Fatalf("step %d (%v): wait %v, want %v", i, s.err, got, s.want)
		}
	}
	for range 100 {
		b.next(io.EOF)
	}
	if got := b.next(io.EOF); got != 16*time.Second {
		t.Fatalf("network backoff capped at %v, want 16s", got)
	}
	b.reset()
	if got := b.next(status(503)); got != 5*time.Second {
		t.Fatalf("after reset: %v", got)
	}
	// A 429 carrying x-rate-limit-reset waits until then when that is longer.
	b.reset()
	if got := b.next(&statusError{status: 429, resetAt: now.Add(7 * time.Minute)}); got != 7*time.Minute {
		t.Fatalf("429 with reset header: %v", got)
	}
}

// Every refusal is logged once, with Twitter's status and message, and
// retried on its own schedule; a stream then gets through.
func TestRefusalsThenRecovery(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Status: 401}, twitterstream.Fault{Status: 420}, twitterstream.Fault{Status: 429}, twitterstream.Fault{Status: 503})
	in, logs := mustBuild(t, credentials+` keywords => ["kafka"] rate_limit_reset_in => 0`)
	run(in)(1)
	got := logs.Lines("refused")
	want := []string{
		"WARN Twitter refused the request request=stream status=401 message=Unauthorized retry_in=10ms",
		"WARN Twitter refused the request request=stream status=420 message=Exceeded connection limit for user retry_in=20ms",
		"WARN Twitter refused the request request=stream status=429 message=Too Many Requests retry_in=40ms",
		"WARN Twitter refused the request request=stream status=503 message=The Twitter streaming API is temporarily unavailable retry_in=20ms",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("refusal logs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The blog's `keywords => []`: Twitter answers 406, which is reported with
// its message and retried with a growing wait, not in a tight loop.
func TestEmptyKeywordsGet406WithBackoff(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, logs := mustBuild(t, credentials+` keywords => [] full_tweet => true`)
	run(in)
	eventually(t, "five refusals", func() bool { return len(logs.Lines("refused")) >= 5 })
	got := logs.Lines("refused")[:5]
	for i, wait := range []string{"10ms", "20ms", "40ms", "40ms", "40ms"} {
		want := "WARN Twitter refused the request request=stream status=406 message=Parameter track, follow or locations must be specified and valid retry_in=" + wait
		if got[i] != want {
			t.Fatalf("refusal %d:\n got %s\nwant %s", i, got[i], want)
		}
	}
	for _, r := range srv.Requests() {
		if r.Query != "" {
			t.Fatalf("empty keywords sent a query: %+v", r)
		}
	}
}

func TestWrongCredentials(t *testing.T) {
	startServer(t, twitterstream.Config{})
	wrong := strings.Replace(credentials, "oauth_token_secret => "+plugintest.Quote(testCreds.TokenSecret), `oauth_token_secret => "wrong"`, 1)
	in, logs := mustBuild(t, wrong+` keywords => ["kafka"]`)
	run(in)
	eventually(t, "a refusal", func() bool { return len(logs.Lines("refused")) >= 1 })
	if got := logs.Lines("refused")[0]; !strings.Contains(got, "status=401 message=Could not authenticate you (signature mismatch).") {
		t.Fatalf("log %s", got)
	}
}

// A stream silent past the stall timeout is dropped and reopened.
func TestStallReconnects(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Stall: true, StallAfter: 1})
	in, logs := mustBuild(t, credentials+` use_samples => true`)
	inputOf(in).timing.stall = 300 * time.Millisecond
	events := run(in)(1 + 6)
	if id, _ := events[1].Get("source"); id != "http://twitter.com/2NRcxTDUqzoqQCo/status/1514200610903494658" {
		t.Fatalf("second stream did not start over: %v", id)
	}
	if srv.Streams() != 2 || len(logs.Lines("stalled")) != 1 {
		t.Fatalf("streams %d, logs:\n%s", srv.Streams(), logs.String())
	}
}

// Keep-alive newlines count as activity: no stall while they arrive, and
// they produce no events.
func TestKeepAlivesAreNotStalls(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{KeepAlive: 40 * time.Millisecond})
	in, logs := mustBuild(t, credentials+` use_samples => true`)
	inputOf(in).timing.stall = 500 * time.Millisecond
	run(in)(6)
	time.Sleep(3 * inputOf(in).timing.stall)
	if srv.Streams() != 1 || len(logs.Lines("stalled")) != 0 {
		t.Fatalf("streams %d, logs:\n%s", srv.Streams(), logs.String())
	}
}

// A dropped connection is reopened after the network backoff.
func TestDropReconnects(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Drop: true, DropAfter: 2})
	in, logs := mustBuild(t, credentials+` use_samples => true`)
	run(in)(2 + 6)
	if srv.Streams() != 2 {
		t.Fatalf("streams %d, logs:\n%s", srv.Streams(), logs.String())
	}
	if strings.Count(logs.String(), "retry_in=5ms") != 1 {
		t.Fatalf("want one network-backoff reconnect, logs:\n%s", logs.String())
	}
}

// Messages split across TCP packets are put back together.
func TestMessagesSplitAcrossPackets(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{ChunkSize: 61})
	in, _ := mustBuild(t, credentials+` use_samples => true`)
	checkGolden(t, "events_v1_summary.jsonl", run(in)(6))
}

// Cancelling the context mid-backoff (SIGINT) returns at once: with a
// backoff far longer than the kit's deadline for Run to return, returning
// at all shows the wait was cut short.
func TestCancelMidBackoffReturnsPromptly(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Status: 503})
	in, logs := mustBuild(t, credentials+` keywords => ["kafka"]`)
	inputOf(in).timing = twitterTiming
	inputOf(in).timing.httpFirst = 100 * plugintest.Deadline
	r := in.Start()
	eventually(t, "the refusal", func() bool { return len(logs.Lines("refused")) == 1 })
	r.Stop()
}

// Cancelling while connected (a silent stream) returns at once too: the
// stall timeout is far longer than the kit's deadline for Run to return.
func TestCancelWhileStreamingReturnsPromptly(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Stall: true})
	in, _ := mustBuild(t, credentials+` keywords => ["kafka"]`)
	inputOf(in).timing = twitterTiming
	inputOf(in).timing.stall = 100 * plugintest.Deadline
	r := in.Start()
	eventually(t, "the stream", func() bool { return srv.Streams() == 1 })
	r.Stop()
}
