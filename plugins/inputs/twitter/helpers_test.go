package twitter

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Credentials of the test server, as a config would carry them.
var testCreds = twitterstream.Credentials{
	ConsumerKey: "test-consumer-key", ConsumerSecret: "test consumer/secret+&=",
	Token: "test-token", TokenSecret: "test token secret ☃",
}

const testBearer = "test-bearer-token"

// fastTiming keeps reconnects in milliseconds. The stall timeout stays
// well above the test server's keep-alive interval, so idle streams are
// not mistaken for stalled ones on a loaded machine; stall tests shorten it.
var fastTiming = timing{
	httpFirst: 10 * time.Millisecond, httpMax: 40 * time.Millisecond,
	rateFirst: 20 * time.Millisecond, rateMax: 80 * time.Millisecond,
	netStep: 5 * time.Millisecond, netMax: 20 * time.Millisecond,
	stall: 5 * time.Second,
}

// testKeepAlive is the test server's keep-alive interval.
const testKeepAlive = 100 * time.Millisecond

func repoPath(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join("..", "..", "..", rel)
}

func testMessages(t testing.TB) [][]byte {
	t.Helper()
	data, err := os.ReadFile(repoPath(t, "testdata/twitter/tweets.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := twitterstream.ParseMessages(data)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// startServer runs the fixture on 127.0.0.1 and points the plugin at it.
func startServer(t *testing.T, cfg twitterstream.Config) (*twitterstream.Server, *httptest.Server) {
	t.Helper()
	if cfg.OAuth1 == (twitterstream.Credentials{}) {
		cfg.OAuth1 = testCreds
	}
	if cfg.BearerToken == "" {
		cfg.BearerToken = testBearer
	}
	if cfg.Messages == nil {
		cfg.Messages = testMessages(t)
	}
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = testKeepAlive
	}
	srv := twitterstream.New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	t.Setenv(StreamURLEnv, ts.URL)
	t.Setenv(APIURLEnv, ts.URL)
	return srv, ts
}

// credentials are the v1.1 credential options matching testCreds, as
// config text.
var credentials = "consumer_key => " + plugintest.Quote(testCreds.ConsumerKey) +
	" consumer_secret => " + plugintest.Quote(testCreds.ConsumerSecret) +
	" oauth_token => " + plugintest.Quote(testCreds.Token) +
	" oauth_token_secret => " + plugintest.Quote(testCreds.TokenSecret)

// build configures a twitter input from its options, as a config file
// would, with reconnect waits in milliseconds.
func build(t testing.TB, options string) (*plugintest.BuiltInput, error) {
	t.Helper()
	in, err := plugintest.TryInput(t, "twitter { "+options+" }")
	if err != nil {
		return nil, err
	}
	in.Plugin.(*Input).timing = fastTiming
	return in, nil
}

// mustBuild is build failing the test on a config error; it returns the
// input and what it logs.
func mustBuild(t testing.TB, options string) (*plugintest.BuiltInput, *plugintest.Logs) {
	t.Helper()
	in, err := build(t, options)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return in, in.Logs
}

// inputOf is the twitter input itself.
func inputOf(in *plugintest.BuiltInput) *Input { return in.Plugin.(*Input) }

// run starts the input and returns a way to wait for its first n events;
// the input is stopped (and must return nil) when the test ends.
func run(in *plugintest.BuiltInput) func(n int) []*event.Event {
	return in.Start().WaitFor
}

// eventually polls cond with a generous deadline (a loaded machine is slow;
// the condition, not the time, is what is tested).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func eventJSON(e *event.Event) string {
	return string(event.AppendJSON(nil, e.Data()))
}

// The input's codec option defaults to plain, which must exist to build the
// input; the real plain codec lives in another package.
func init() {
	for _, c := range plugin.Plugins(plugin.KindCodec) {
		if c.Name == "plain" {
			return
		}
	}
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{Name: "plain", Summary: "test stand-in"},
		New:  func(*plugin.Settings) (plugin.Codec, error) { return unusedCodec{}, nil },
	})
}

// unusedCodec stands in for plain: the twitter input builds events itself.
type unusedCodec struct{}

func (unusedCodec) Decode([]byte, func(*event.Event))        {}
func (unusedCodec) Flush(func(*event.Event))                 {}
func (unusedCodec) Encode(dst []byte, _ *event.Event) []byte { return dst }

// startProxy runs a forward HTTP proxy on 127.0.0.1 that passes requests on
// to target, and returns its port and the request lines it saw.
func startProxy(t *testing.T, target string) (int, func() []string) {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	forward := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(to); r.Out.URL.Path = r.In.URL.Path },
		FlushInterval: -1,
	}
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.RequestURI)
		mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	port, _ := strconv.Atoi(ps.URL[strings.LastIndex(ps.URL, ":")+1:])
	return port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
