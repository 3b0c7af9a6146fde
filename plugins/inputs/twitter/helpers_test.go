package twitter

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
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

// credentialAttrs are the v1.1 credential options matching testCreds.
func credentialAttrs() map[string]any {
	return map[string]any{
		"consumer_key": testCreds.ConsumerKey, "consumer_secret": testCreds.ConsumerSecret,
		"oauth_token": testCreds.Token, "oauth_token_secret": testCreds.TokenSecret,
	}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// astValue turns a Go value into the config AST, as the parser would.
func astValue(v any) lang.Value {
	switch t := v.(type) {
	case string:
		return &lang.String{Value: t, Quote: '"'}
	case bool:
		if t {
			return &lang.Bareword{Value: "true"}
		}
		return &lang.Bareword{Value: "false"}
	case int:
		return &lang.Number{Int: int64(t), Raw: strconv.Itoa(t)}
	case float64:
		return &lang.Number{Float: t, IsFloat: true, Raw: strconv.FormatFloat(t, 'g', -1, 64)}
	case []string:
		a := &lang.Array{}
		for _, s := range t {
			a.Items = append(a.Items, astValue(s))
		}
		return a
	}
	panic("unsupported test value")
}

// logRecorder keeps the log records a plugin writes.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// matching returns the records whose message contains msg, as
// "message attr=value ..." lines.
func (l *logRecorder) matching(msg string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if !strings.Contains(r.Message, msg) {
			continue
		}
		line := r.Level.String() + " " + r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != logging.LoggerKey && a.Key != logging.PluginIDKey {
				line += " " + a.Key + "=" + a.Value.String()
			}
			return true
		})
		out = append(out, line)
	}
	return out
}

func (l *logRecorder) all() string {
	return strings.Join(l.matching(""), "\n")
}

// build configures a twitter input from attrs, as a config file would.
func build(t testing.TB, attrs map[string]any) (*Input, *logRecorder, error) {
	t.Helper()
	p := &lang.Plugin{Name: "twitter", Pos: lang.Pos{File: "test.conf", Line: 2, Column: 3}}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		p.Attributes = append(p.Attributes, &lang.Attribute{Name: k, Value: astValue(attrs[k]), Pos: lang.Pos{File: "test.conf", Line: 3 + i, Column: 5}})
	}
	logs := &logRecorder{}
	inst, diags := plugin.Build(plugin.KindInput, p, &plugin.BuildContext{
		Pipeline: plugin.DefaultPipelineSettings(1),
		Logger:   slog.New(logs),
	})
	if diags.HasErrors() {
		return nil, logs, diags.Err()
	}
	in := inst.Plugin.(*Input)
	in.timing = fastTiming
	return in, logs, nil
}

func mustBuild(t testing.TB, attrs map[string]any) (*Input, *logRecorder) {
	t.Helper()
	in, logs, err := build(t, attrs)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return in, logs
}

// collector is an Emitter gathering events.
type collector struct {
	ch chan *event.Event
}

func (c *collector) Emit(e *event.Event)          { c.ch <- e }
func (c *collector) Decorate(*event.Event)        {}
func (c *collector) EmitDecorated(e *event.Event) { c.ch <- e }

// run starts the input and returns a way to wait for n events; the input
// is stopped (and must return nil promptly) when the test ends.
func run(t *testing.T, in *Input) func(n int) []*event.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{ch: make(chan *event.Event, 100)}
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, c) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return func(n int) []*event.Event {
		t.Helper()
		var out []*event.Event
		timeout := time.After(5 * time.Second)
		for len(out) < n {
			select {
			case e := <-c.ch:
				out = append(out, e)
			case <-timeout:
				t.Fatalf("got %d events, want %d", len(out), n)
			}
		}
		return out
	}
}

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
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
