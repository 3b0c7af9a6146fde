package twitter

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/internal/twitterstream"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// gostashBinary is the real binary, for the tests that run it.
func gostashBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the gostash binary")
	}
	return goldencase.Binary(t)
}

// The blog's config, unchanged, passes the config test.
func TestBinaryBlogConfigPassesConfigTest(t *testing.T) {
	bin := gostashBinary(t)
	cmd := exec.Command(bin, "-t", "-f", repoPath(t, "testdata/twitter/seed/producer_test.conf"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Configuration OK") {
		t.Fatalf("gostash -t: %v\n%s", err, out)
	}
}

// lineWatcher collects a process's output and waits for lines in it.
type lineWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	added chan struct{}
}

func watch(r io.Reader) *lineWatcher {
	w := &lineWatcher{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			w.mu.Lock()
			w.buf.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
			select {
			case w.added <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until s occurs n times.
func (w *lineWatcher) waitFor(t *testing.T, s string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for strings.Count(w.String(), s) < n {
		select {
		case <-w.added:
		case <-deadline:
			t.Fatalf("no %d× %q within %v in:\n%s", n, s, timeout, w.String())
		}
	}
}

// startGostash runs the binary on a config against a server.
func startGostash(t *testing.T, bin, config string) (*exec.Cmd, *lineWatcher, *lineWatcher) {
	t.Helper()
	cmd := exec.Command(bin, "-f", config, "--api.enabled=false")
	cmd.Env = os.Environ() // carries the GOSTASH_TWITTER_* URLs set by startServer
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, watch(stdout), watch(stderr)
}

// interrupt sends SIGINT and expects exit 0 before the deadline: a
// generous one when nothing is pending, or the end of a backoff the input
// is waiting out, which proves the wait was cut short.
func interrupt(t *testing.T, cmd *exec.Cmd, stderr *lineWatcher, deadline time.Time) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v\n%s", err, stderr)
		}
	case <-time.After(time.Until(deadline)):
		t.Fatalf("still running at %v after SIGINT:\n%s", deadline.Format(time.TimeOnly), stderr)
	}
}

// At run time the blog's config (keywords => []) gets Twitter's 406, which
// is reported and retried with backoff; SIGINT in the middle of the backoff
// exits 0 without waiting it out.
func TestBinaryBlogConfigAgainstServer(t *testing.T) {
	bin := gostashBinary(t)
	srv, _ := startServer(t, twitterstream.Config{OAuth1: twitterstream.Credentials{
		ConsumerKey: "[consumer_key]", ConsumerSecret: "[consumer_secret]",
		Token: "[oauth_token]", TokenSecret: "[oauth_token_secret]",
	}})
	cmd, _, stderr := startGostash(t, bin, repoPath(t, "testdata/twitter/seed/producer_test.conf"))
	refusal := `Twitter refused the request {"request"=>"stream", "status"=>406, "message"=>"Parameter track, follow or locations must be specified and valid", "retry_in"=>`
	stderr.waitFor(t, refusal+`"5s"}`, 1, 10*time.Second)
	stderr.waitFor(t, refusal+`"10s"}`, 1, 10*time.Second)
	// The input now waits 10 s before its next attempt; exiting before
	// that ends shows SIGINT cut the wait short.
	retryAt := time.Now().Add(10 * time.Second)
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("%d requests, want 2 (one retry after 5 s)", n)
	}
	interrupt(t, cmd, stderr, retryAt)
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("%d requests after SIGINT, want no retry", n)
	}
}

// The demo config streams tweets to stdout as rubydebug and stops on SIGINT.
func TestBinaryDemoConfigPrintsTweets(t *testing.T) {
	bin := gostashBinary(t)
	startServer(t, twitterstream.Config{OAuth1: twitterstream.Credentials{
		ConsumerKey: "demo-consumer-key", ConsumerSecret: "demo-consumer-secret",
		Token: "demo-oauth-token", TokenSecret: "demo-oauth-token-secret",
	}})
	cmd, stdout, stderr := startGostash(t, bin, repoPath(t, "testdata/twitter/producer_demo.conf"))
	stdout.waitFor(t, "\n}\n", 3, 10*time.Second)
	for _, want := range []string{`"@timestamp" => 2022-04-13T11:`, `"id_str" => "15142`, `"text" => "`} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("no %s in stdout:\n%s", want, stdout)
		}
	}
	interrupt(t, cmd, stderr, time.Now().Add(30*time.Second))
}

// The common input options (type, tags, add_field) decorate tweet events.
func TestBinaryCommonInputOptions(t *testing.T) {
	bin := gostashBinary(t)
	startServer(t, twitterstream.Config{})
	config := filepath.Join(t.TempDir(), "common.conf")
	err := os.WriteFile(config, []byte(`input {
  twitter {
    consumer_key => "`+testCreds.ConsumerKey+`"
    consumer_secret => "`+testCreds.ConsumerSecret+`"
    oauth_token => "`+testCreds.Token+`"
    oauth_token_secret => "`+testCreds.TokenSecret+`"
    keywords => ["kafka"]
    type => "tweet"
    tags => ["blog"]
    add_field => { "via" => "%{user}" }
  }
}
output { stdout { codec => rubydebug } }
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd, stdout, stderr := startGostash(t, bin, config)
	stdout.waitFor(t, "\n}\n", 1, 10*time.Second)
	// Events may print in any order across workers, so the first event is
	// checked against its own user, whichever tweet it is.
	out := stdout.String()
	for _, want := range []string{`"type" => "tweet"`, `[0] "blog"`, `"via" => "`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
	user := regexp.MustCompile(`"user" => "([^"]+)"`).FindStringSubmatch(out)
	if user == nil || !strings.Contains(out, `"via" => "`+user[1]+`"`) {
		t.Errorf("add_field not rendered from the tweet's user:\n%s", out)
	}
	interrupt(t, cmd, stderr, time.Now().Add(30*time.Second))
}
