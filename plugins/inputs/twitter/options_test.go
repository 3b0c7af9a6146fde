package twitter

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
)

// With ECS on (the default) and no target, a startup notice says fields go
// to the top level; ECS off, or a target, silences it. Event fields are the
// same in every mode, as in Logstash.
func TestECSNotice(t *testing.T) {
	startServer(t, twitterstream.Config{})
	for _, tc := range []struct {
		options string
		notice  bool
	}{
		{credentials + ` use_samples => true`, true},
		{credentials + ` use_samples => true ecs_compatibility => "v1"`, true},
		{credentials + ` use_samples => true ecs_compatibility => "disabled"`, false},
		{credentials + ` use_samples => true target => "tw"`, false},
	} {
		in, logs := mustBuild(t, tc.options)
		run(in)
		eventually(t, "the start", func() bool { return len(logs.Lines("Starting twitter tracking")) == 1 })
		if got := len(logs.Lines("ECS compatibility is on")) == 1; got != tc.notice {
			t.Errorf("%s: notice %v, want %v", tc.options, got, tc.notice)
		}
	}
	legacy, _ := mustBuild(t, credentials+` use_samples => true ecs_compatibility => "disabled"`)
	checkGolden(t, "events_v1_summary.jsonl", run(legacy)(6))
}

// rate_limit_reset_in is the wait after a 429 that carries no reset time,
// when longer than the 420/429 exponential schedule.
func TestRateLimitResetIn(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Status: 429})
	in, logs := mustBuild(t, credentials+` use_samples => true rate_limit_reset_in => 0.25`)
	run(in)(1)
	if got := logs.Lines("refused"); len(got) != 1 || !strings.HasSuffix(got[0], "status=429 message=Too Many Requests retry_in=250ms") {
		t.Fatalf("logs %q", got)
	}
}

// A 429 saying when the limit resets (x-rate-limit-reset, epoch seconds)
// waits until then rather than rate_limit_reset_in.
func TestRateLimitResetHeader(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	reset := time.Now().Add(2 * time.Second).Unix()
	srv.Inject(twitterstream.Fault{Status: 429, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(reset, 10)}}})
	in, logs := mustBuild(t, credentials+` use_samples => true rate_limit_reset_in => 600`)
	run(in)
	eventually(t, "the refusal", func() bool { return len(logs.Lines("refused")) == 1 })
	got := logs.Lines("refused")[0]
	wait, err := time.ParseDuration(got[strings.LastIndex(got, "retry_in=")+len("retry_in="):])
	if err != nil || wait <= 0 || wait > 2*time.Second {
		t.Fatalf("waits %v (%v) for a limit resetting within 2 s: %s", wait, err, got)
	}
}

// ignore_retweets drops tweets carrying retweeted_status, in both APIs.
func TestIgnoreRetweets(t *testing.T) {
	startServer(t, twitterstream.Config{})
	for _, options := range []string{
		credentials + ` use_samples => true ignore_retweets => true`,
		`bearer_token => "` + testBearer + `" use_samples => true ignore_retweets => true`,
	} {
		in, _ := mustBuild(t, options)
		for _, e := range run(in)(5) {
			if m, _ := e.Get("message"); strings.HasPrefix(m.(string), "RT @") {
				t.Fatalf("retweet kept: %s", eventJSON(e))
			}
		}
	}
}

// A target that cannot hold fields (inside @version, a string) fails each
// event with a logged error instead of losing the tweet silently.
func TestTargetThroughAScalar(t *testing.T) {
	startServer(t, twitterstream.Config{})
	in, logs := mustBuild(t, credentials+` use_samples => true target => "[@version][tweet]"`)
	run(in)
	eventually(t, "the errors", func() bool { return len(logs.Lines("Event generation error")) == 6 })
	if got := logs.Lines("Event generation error")[0]; !strings.Contains(got, "target [@version][tweet]") {
		t.Fatalf("log %s", got)
	}
}
