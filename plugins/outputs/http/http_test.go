package http

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	stdlog "log"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// request is what the test server saw of one request.
type request struct {
	method, path, body string
	header             nethttp.Header
}

// server records requests and answers with the codes it is given in
// turn (200 once they run out).
type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
	codes    []int
}

func newServer(t *testing.T, codes ...int) *server {
	s := &server{codes: codes}
	s.Server = httptest.NewServer(nethttp.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *server) handle(w nethttp.ResponseWriter, r *nethttp.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			nethttp.Error(w, err.Error(), 400)
			return
		}
		body = gz
	}
	b, _ := io.ReadAll(body)
	s.mu.Lock()
	s.requests = append(s.requests, request{method: r.Method, path: r.RequestURI, body: string(b), header: r.Header.Clone()})
	code := 200
	if len(s.codes) > 0 {
		code, s.codes = s.codes[0], s.codes[1:]
	}
	s.mu.Unlock()
	w.WriteHeader(code)
	fmt.Fprintf(w, "answer %d", code)
}

func (s *server) seen() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

func build(t *testing.T, block string, log *iotest.Log) *Output {
	t.Helper()
	o := iotest.Build(t, plugin.KindOutput, "http { "+block+" }", log).(*Output)
	o.backoff = func(int) time.Duration { return 0 }
	t.Cleanup(func() { o.Close() })
	return o
}

func send(t *testing.T, o *Output, events ...*event.Event) {
	t.Helper()
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

const ts = `"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1"`

func TestJSONPerEvent(t *testing.T) {
	s := newServer(t)
	o := build(t, fmt.Sprintf(`url => "%s/in/%%{app}" http_method => post headers => { "X-App" => "%%{app}" }`, s.URL), nil)
	send(t, o, iotest.Event("app", "shop", "message", "one"), iotest.Event("app", "blog", "message", "two"))
	got := s.seen()
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	for i, want := range []struct{ path, app, body string }{
		{"/in/shop", "shop", `{` + ts + `,"app":"shop","message":"one"}`},
		{"/in/blog", "blog", `{` + ts + `,"app":"blog","message":"two"}`},
	} {
		r := got[i]
		if r.method != "POST" || r.path != want.path || r.body != want.body || r.header.Get("X-App") != want.app || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: %s %s %q headers %v", i, r.method, r.path, r.body, r.header)
		}
	}
}

func TestJSONBatchIsOneRequest(t *testing.T) {
	s := newServer(t)
	o := build(t, fmt.Sprintf(`url => "%s/bulk" http_method => put format => json_batch headers => { "X-App" => "%%{app}" }`, s.URL), nil)
	send(t, o, iotest.Event("app", "a"), iotest.Event("app", "b"))
	got := s.seen()
	// With json_batch the headers (and the URL) are not sprintf'd.
	if len(got) != 1 || got[0].method != "PUT" || got[0].path != "/bulk" || got[0].header.Get("X-App") != "%{app}" ||
		got[0].body != `[{`+ts+`,"app":"a"},{`+ts+`,"app":"b"}]` {
		t.Fatalf("requests %+v", got)
	}
}

func TestFormAndMapping(t *testing.T) {
	s := newServer(t)
	o := build(t, fmt.Sprintf(`url => "%s" http_method => post format => form mapping => { "who" => "%%{user}" "n" => 5 "deep" => { "a" => "%%{user}" "list" => ["x", "%%{user}"] } "q" => "a b&c=d/é~" }`, s.URL), nil)
	send(t, o, iotest.Event("user", "ann"))
	got := s.seen()
	want := `who=ann&n=5&deep=%7B%22a%22%3D%3E%22ann%22%2C+%22list%22%3D%3E%5B%22x%22%2C+%22ann%22%5D%7D&q=a+b%26c%3Dd%2F%C3%A9~`
	if len(got) != 1 || got[0].body != want || got[0].header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("body %q, want %q", got[0].body, want)
	}
}

func TestJSONMapping(t *testing.T) {
	s := newServer(t)
	o := build(t, fmt.Sprintf(`url => "%s" http_method => post mapping => { "who" => "%%{user}" "tags" => ["%%{user}", "static"] }`, s.URL), nil)
	send(t, o, iotest.Event("user", "ann"))
	if got := s.seen(); len(got) != 1 || got[0].body != `{"who":"ann","tags":["ann","static"]}` {
		t.Fatalf("requests %+v", got)
	}
}

func TestMessageFormatAndContentType(t *testing.T) {
	s := newServer(t)
	o := build(t, fmt.Sprintf(`url => "%s" http_method => post format => message message => "%%{user} did %%{action}" content_type => "text/x-%%{user}" http_compression => true`, s.URL), nil)
	send(t, o, iotest.Event("user", "ann", "action", "buy"))
	got := s.seen()
	if len(got) != 1 || got[0].body != "ann did buy" || got[0].header.Get("Content-Type") != "text/x-ann" || got[0].header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("requests %+v", got)
	}
}

// TestRetryableCodesAreRetried checks that 429 and 503 answers are
// retried until a success, the other events going on meanwhile.
func TestRetryableCodesAreRetried(t *testing.T) {
	s := newServer(t, 429, 503)
	log := iotest.Log{Level: -4}
	o := build(t, fmt.Sprintf(`url => "%s/%%{n}" http_method => post`, s.URL), &log)
	send(t, o, iotest.Event("n", "1"), iotest.Event("n", "2"))
	var paths []string
	for _, r := range s.seen() {
		paths = append(paths, r.path)
	}
	if strings.Join(paths, " ") != "/1 /2 /1 /2" {
		t.Fatalf("requests %v", paths)
	}
	log.WaitFor(t, "Encountered a 429 response, will retry. This is not serious, just flow control via HTTP")
	log.WaitFor(t, `Encountered a retryable HTTP request in HTTP output, will retry {"code"=>503, "body"=>"answer 503"}`)
	log.WaitFor(t, "Retrying http request, will sleep for 0 seconds")
}

func TestOtherCodesAreDropped(t *testing.T) {
	s := newServer(t, 404, 500, 404)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`url => "%s/%%{n}" http_method => post retry_failed => false ignorable_codes => [410]`, s.URL), &log)
	send(t, o, iotest.Event("n", "1"), iotest.Event("n", "2"))
	if n := len(s.seen()); n != 2 {
		t.Fatalf("%d requests: nothing is retried", n)
	}
	log.WaitFor(t, fmt.Sprintf(`Encountered non-2xx HTTP code {"code"=>404, "body"=>"answer 404", "url"=>"%s/1"}`, s.URL))
	log.WaitFor(t, "Encountered a retryable HTTP request in HTTP output, won't retry")

	s.codes = []int{410}
	send(t, o, iotest.Event("n", "3"))
	if strings.Count(log.String(), "non-2xx") != 1 {
		t.Fatal("an ignorable code was logged as a failure")
	}
}

// TestServerOutageHoldsBack checks that with the server down requests
// are retried without limit, and delivered once it is up.
func TestServerOutageHoldsBack(t *testing.T) {
	port := iotest.FreePort(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`url => "http://127.0.0.1:%d/" http_method => post`, port), &log)
	o.backoff = func(int) time.Duration { return 20 * time.Millisecond }
	done := make(chan error, 1)
	go func() { done <- o.Output(context.Background(), []*event.Event{iotest.Event("message", "patient")}) }()
	log.WaitFor(t, `Could not fetch URL`)
	log.WaitFor(t, `"will_retry"=>true`)
	select {
	case err := <-done:
		t.Fatalf("Output returned (%v) with the server down", err)
	default:
	}
	s := &server{}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	s.Server = &httptest.Server{Listener: l, Config: &nethttp.Server{Handler: nethttp.HandlerFunc(s.handle)}}
	s.Start()
	defer s.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := s.seen(); len(got) != 1 || !strings.Contains(got[0].body, "patient") {
		t.Fatalf("requests %+v", got)
	}
}

// closingServer drops the connection of its first request without an
// answer, as a server that ends keepalives early does, then answers.
func closingServer(t *testing.T) (*httptest.Server, func() int) {
	var mu sync.Mutex
	n := 0
	s := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.ReadAll(r.Body)
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			conn, _, _ := w.(nethttp.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(s.Close)
	return s, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// TestAutomaticRetries checks the library-level retry: idempotent methods
// are resent at once after a connection dropped under them; POST only
// with retry_non_idempotent, otherwise it fails (and is not retried by
// the plugin either here).
func TestAutomaticRetries(t *testing.T) {
	for _, c := range []struct {
		options string
		wantN   int
		failed  bool
	}{
		{`http_method => put`, 2, false},
		{`http_method => put automatic_retries => 0`, 1, true},
		{`http_method => post`, 1, true},
		{`http_method => post retry_non_idempotent => true`, 2, false},
	} {
		s, count := closingServer(t)
		var log iotest.Log
		o := build(t, fmt.Sprintf(`url => "%s" retry_failed => false keepalive => false %s`, s.URL, c.options), &log)
		send(t, o, iotest.Event("message", "x"))
		if count() != c.wantN || strings.Contains(log.String(), "Could not fetch URL") != c.failed {
			t.Errorf("%s: %d requests, log:\n%s", c.options, count(), log.String())
		}
	}
}

func TestBasicAuthAndSecretsStayOutOfLogs(t *testing.T) {
	s := newServer(t, 500)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`url => "http://admin:urlsecret@%s/" http_method => post user => "ann" password => "pwsecret" retry_failed => false`, strings.TrimPrefix(s.URL, "http://")), &log)
	send(t, o, iotest.Event("message", "x"))
	got := s.seen()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	if u, p, ok := (&nethttp.Request{Header: got[0].header}).BasicAuth(); !ok || u != "ann" || p != "pwsecret" {
		t.Fatalf("basic auth %q %q", u, p)
	}
	log.WaitFor(t, "Encountered a retryable HTTP request")
	if strings.Contains(log.String(), "secret") {
		t.Fatalf("a secret reached the log:\n%s", log.String())
	}
}

func TestUserNeedsPassword(t *testing.T) {
	_, diags := iotest.TryBuild(plugin.KindOutput, `http { url => "http://x" http_method => get user => "ann" }`, nil)
	if !strings.Contains(diags, "User 'ann' specified without password!") {
		t.Fatal(diags)
	}
}

func TestTLS(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for _, c := range []struct {
		name, cert, key, options string
		ok                       bool
	}{
		{"trusted CA", certs.ServerCert, certs.ServerKey, `ssl_certificate_authorities => "` + certs.CA + `"`, true},
		{"system CAs only", certs.ServerCert, certs.ServerKey, ``, false},
		{"unknown CA, no verification", certs.OtherCert, certs.OtherKey, `ssl_verification_mode => none`, true},
		{"client certificate", certs.ServerCert, certs.ServerKey, `ssl_certificate_authorities => "` + certs.CA + `" ssl_certificate => "` + certs.ClientCert + `" ssl_key => "` + certs.ClientKey + `"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &server{}
			s.Server = httptest.NewUnstartedServer(nethttp.HandlerFunc(s.handle))
			s.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // refused handshakes are expected
			pair, err := tls.LoadX509KeyPair(c.cert, c.key)
			if err != nil {
				t.Fatal(err)
			}
			s.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
			s.StartTLS()
			defer s.Close()
			var log iotest.Log
			o := build(t, fmt.Sprintf(`url => "%s" http_method => post %s`, s.URL, c.options), &log)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- o.Output(ctx, []*event.Event{iotest.Event("message", "x")}) }()
			if c.ok {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if len(s.seen()) != 1 {
					t.Fatal("not delivered")
				}
				return
			}
			// A TLS failure is retried like any connection failure.
			log.WaitFor(t, "certificate signed by unknown authority")
			log.WaitFor(t, `"will_retry"=>true`)
			cancel()
			if err := <-done; err == nil || len(s.seen()) != 0 {
				t.Fatalf("err %v, %d delivered", err, len(s.seen()))
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for block, want := range map[string]string{
		`format => message`: "message must be set if message format is used",
		`format => ndjson`:  `Expected one of ["json", "json_batch", "form", "message"], got ["ndjson"]`,
		`ssl_certificate => "` + certs.ClientCert + `"`:                           "You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!",
		`ssl_truststore_password => "x"`:                                          "An `ssl_truststore_password` cannot be specified unless `ssl_truststore_path` is also provided.",
		`ssl_certificate_authorities => ["` + certs.CA + `", "` + certs.CA + `"]`: "Multiple values on `ssl_certificate_authorities` are not supported by this plugin",
		`cacert => "x"`:                            "The setting `cacert` in plugin `http` is obsolete and is no longer available. Use `ssl_certificate_authorities` instead",
		`retryable_codes => ["often"]`:             `Expected number, got "often"`,
		`proxy => { host => "p" colour => "red" }`: `unknown proxy setting "colour"`,
	} {
		_, diags := iotest.TryBuild(plugin.KindOutput, `http { url => "http://127.0.0.1/" http_method => post `+block+` }`, nil)
		if !strings.Contains(diags, want) {
			t.Errorf("%s:\n%s\nwant %q", block, diags, want)
		}
	}
}

func TestProxy(t *testing.T) {
	s := newServer(t)
	// The test server acts as the proxy: it sees the absolute URL.
	o := build(t, fmt.Sprintf(`url => "http://upstream.invalid/path" http_method => post proxy => { url => "%s" user => "pu" password => "pp" }`, s.URL), nil)
	send(t, o, iotest.Event("message", "via proxy"))
	got := s.seen()
	if len(got) != 1 || got[0].path != "http://upstream.invalid/path" || got[0].header.Get("Proxy-Authorization") == "" {
		t.Fatalf("requests %+v", got)
	}
}

// TestPythonServerReceives sends to Python's http.server, an HTTP
// implementation independent of Go's.
func TestPythonServerReceives(t *testing.T) {
	port := iotest.FreePort(t)
	py := iotest.Start(t, "python3", "testdata/record_server.py", fmt.Sprint(port))
	iotest.WaitListening(t, fmt.Sprintf("127.0.0.1:%d", port))
	o := build(t, fmt.Sprintf(`url => "http://127.0.0.1:%d/in/%%{n}" http_method => put format => form`, port), nil)
	send(t, o, iotest.Event("n", "1", "message", "a b"))
	o = build(t, fmt.Sprintf(`url => "http://127.0.0.1:%d/batch" http_method => post format => json_batch`, port), nil)
	send(t, o, iotest.Event("n", "2"), iotest.Event("n", "3"))
	want := "PUT /in/1 application/x-www-form-urlencoded %40timestamp=2026-01-02T03%3A04%3A05.678Z&%40version=1&n=1&message=a+b\n" +
		"POST /batch application/json [{" + ts + `,"n":"2"},{` + ts + `,"n":"3"}]` + "\n"
	deadline := time.Now().Add(30 * time.Second)
	for py.Stdout.String() != want {
		if time.Now().After(deadline) {
			t.Fatalf("python saw:\n%s\nwant:\n%s", py.Stdout.String(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
