package http

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

func start(t *testing.T, options, ecs string) (string, *plugintest.Running, *plugintest.Logs) {
	t.Helper()
	port := inputtest.FreePort(t)
	in := plugintest.Input(t, fmt.Sprintf(`http { host => "127.0.0.1" port => %d tags => ["decorated"] %s }`, port, options), plugintest.ECS(ecs))
	logs := in.Logs
	em := in.Start()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	inputtest.Dial(t, "tcp", strings.TrimPrefix(url, "http://")).Close()
	return url, em, logs
}

func post(t *testing.T, url, contentType, body string, header ...string) *nethttp.Response {
	t.Helper()
	req, err := nethttp.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *nethttp.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPlainBodyWithLegacyFields(t *testing.T) {
	url, em, _ := start(t, "", "disabled")
	resp := post(t, url+"/logs?x=1", "text/plain", "hello world", "User-Agent", "test-agent", "X-Request-Id", "42")
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "ok" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("response %d %q %v", resp.StatusCode, body, resp.Header)
	}
	e := em.Next()
	want := map[string]string{
		"message":                    "hello world",
		"host":                       "127.0.0.1",
		"[headers][request_method]":  "POST",
		"[headers][request_path]":    "/logs?x=1",
		"[headers][http_version]":    "HTTP/1.1",
		"[headers][http_user_agent]": "test-agent",
		"[headers][http_host]":       strings.TrimPrefix(url, "http://"),
		"[headers][content_type]":    "text/plain",
		"[headers][content_length]":  "11",
		"[headers][x_request_id]":    "42",
		"[headers][accept_encoding]": "gzip",
		"tags":                       "decorated",
	}
	for ref, v := range want {
		if got := inputtest.Field(e, ref); got != v {
			t.Errorf("%s = %q, want %q in %s", ref, got, v, inputtest.JSON(e))
		}
	}
	if v, ok := e.Get("[headers][http_accept]"); !ok || v != nil {
		t.Errorf("http_accept is null when there is no Accept header, got %v", v)
	}
}

func TestECSFields(t *testing.T) {
	url, em, _ := start(t, "", "v8")
	resp := post(t, url+"/path", "text/plain", "x", "User-Agent", "agent/1.0")
	readAll(t, resp)
	e := em.Next()
	port := url[strings.LastIndex(url, ":")+1:]
	want := map[string]string{
		"[host][ip]":                   "127.0.0.1",
		"[http][version]":              "HTTP/1.1",
		"[http][method]":               "POST",
		"[url][path]":                  "/path",
		"[url][domain]":                "127.0.0.1",
		"[url][port]":                  port,
		"[user_agent][original]":       "agent/1.0",
		"[http][request][body][bytes]": "1",
		"[http][request][mime_type]":   "text/plain",
		"[@metadata][input][http][request][headers][request_method]": "POST",
	}
	for ref, v := range want {
		if got := inputtest.Field(e, ref); got != v {
			t.Errorf("%s = %q, want %q in %s", ref, got, v, inputtest.JSON(e))
		}
	}
	if v, _ := e.Get("[url][port]"); fmt.Sprint(v) != port {
		t.Errorf("[url][port] %T %v", v, v)
	}
	if inputtest.Has(e, "headers") {
		t.Errorf("headers outside metadata in ECS mode: %s", inputtest.JSON(e))
	}
}

// The Content-Type's MIME type, without parameters, picks the codec.
func TestCodecByContentType(t *testing.T) {
	url, em, _ := start(t, `additional_codecs => { "application/json" => "json" "application/x-ndjson" => "json_lines" }`, "disabled")
	readAll(t, post(t, url, "application/json; charset=utf-8", `[{"a":1},{"a":2}]`))
	readAll(t, post(t, url, "application/x-ndjson", "{\"b\":1}\n{\"b\":2}\n"))
	readAll(t, post(t, url, "text/csv", `{"not":"json"}`))
	events := em.NextN(5)
	got := []string{inputtest.Field(events[0], "a"), inputtest.Field(events[1], "a"), inputtest.Field(events[2], "b"),
		inputtest.Field(events[3], "b"), inputtest.Field(events[4], "message")}
	if strings.Join(got, "|") != `1|2|1|2|{"not":"json"}` {
		t.Errorf("decoded %v", got)
	}
}

// A body in another charset is turned into UTF-8 text.
func TestCharset(t *testing.T) {
	url, em, _ := start(t, "", "")
	readAll(t, post(t, url, "text/plain; charset=ISO-8859-1", "caf\xe9"))
	if e := em.Next(); inputtest.Field(e, "message") != "café" {
		t.Errorf("message %q", inputtest.Field(e, "message"))
	}
}

func TestGzipBody(t *testing.T) {
	url, em, _ := start(t, "", "disabled")
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	io.WriteString(w, "inflated text")
	w.Close()
	req, _ := nethttp.NewRequest("POST", url, &z)
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	e := em.Next()
	if inputtest.Field(e, "message") != "inflated text" || inputtest.Field(e, "[headers][content_length]") != "13" || inputtest.Has(e, "[headers][content_encoding]") {
		t.Errorf("event %s", inputtest.JSON(e))
	}
	req, _ = nethttp.NewRequest("POST", url, strings.NewReader("not gzip"))
	req.Header.Set("Content-Encoding", "gzip")
	resp, err = nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 400 || body == "" {
		t.Errorf("bad gzip: %d %q", resp.StatusCode, body)
	}
}

func TestMaxContentLength(t *testing.T) {
	url, em, _ := start(t, "max_content_length => 10", "")
	resp := post(t, url, "text/plain", "01234567890")
	readAll(t, resp)
	if resp.StatusCode != 413 {
		t.Errorf("status %d", resp.StatusCode)
	}
	readAll(t, post(t, url, "text/plain", "0123456789"))
	if e := em.Next(); inputtest.Field(e, "message") != "0123456789" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

// A body holding a line over its codec's limit is refused whole with 413,
// logged with the client's address; the next request is decoded by a fresh
// codec.
func TestBodyWithAnOversizedLineIsRefused(t *testing.T) {
	url, em, logs := start(t, `codec => json_lines { decode_size_limit_bytes => 16 }`, "")
	resp := post(t, url, "text/plain", "{\"a\":1}\n{\"b\":\"longer than sixteen\"}\n")
	readAll(t, resp)
	if resp.StatusCode != 413 {
		t.Errorf("status %d", resp.StatusCode)
	}
	logs.WaitFor(t, "Refusing a request: a line is longer than decode_size_limit_bytes (16 bytes)")
	if !strings.Contains(logs.String(), "remote_address=127.0.0.1:") {
		t.Errorf("the log does not name the client:\n%s", logs)
	}
	readAll(t, post(t, url, "text/plain", "{\"c\":3}\n"))
	if e := em.Next(); inputtest.Field(e, "c") != "3" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
	if em.Pending() != 0 {
		t.Errorf("events of the refused body were emitted")
	}
}

func TestBasicAuth(t *testing.T) {
	url, em, _ := start(t, `user => "logstash" password => "s3cret"`, "disabled")
	resp := post(t, url, "text/plain", "no credentials")
	readAll(t, resp)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="Logstash HTTP Input"` {
		t.Errorf("no credentials: %d %v", resp.StatusCode, resp.Header)
	}
	resp = post(t, url, "text/plain", "wrong", "Authorization", "Basic bG9nc3Rhc2g6d3Jvbmc=")
	readAll(t, resp)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("wrong credentials: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := nethttp.NewRequest("POST", url, strings.NewReader("welcome"))
	req.SetBasicAuth("logstash", "s3cret")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	e := em.Next()
	if resp.StatusCode != 200 || inputtest.Field(e, "message") != "welcome" || inputtest.Has(e, "[headers][authorization]") {
		t.Errorf("%d %s", resp.StatusCode, inputtest.JSON(e))
	}
}

func TestResponseCodeAndHeaders(t *testing.T) {
	url, _, _ := start(t, `response_code => 201 response_headers => { "Content-Type" => "application/json" "X-Served-By" => "gostash" }`, "")
	resp := post(t, url, "text/plain", "x")
	body := readAll(t, resp)
	// Logstash sets the text/plain of its "ok" body after the configured headers.
	if resp.StatusCode != 201 || body != "ok" || resp.Header.Get("X-Served-By") != "gostash" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("%d %q %v", resp.StatusCode, body, resp.Header)
	}
	url, _, _ = start(t, `response_code => 204`, "")
	resp = post(t, url, "text/plain", "x")
	if body := readAll(t, resp); resp.StatusCode != 204 || body != "" {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
}

// With the pipeline full and every thread busy, and no room to wait, a
// request is answered 429 at once.
func TestFullPoolAnswers429(t *testing.T) {
	url, em, _ := start(t, "threads => 1 max_pending_requests => 0", "")
	em.Block()
	first := make(chan int)
	go func() {
		resp := post(t, url, "text/plain", "first")
		readAll(t, resp)
		first <- resp.StatusCode
	}()
	em.WaitBlocked()
	resp := post(t, url, "text/plain", "second")
	if readAll(t, resp); resp.StatusCode != 429 {
		t.Errorf("second request while the first is stuck: %d", resp.StatusCode)
	}
	em.Unblock()
	if code := <-first; code != 200 {
		t.Errorf("first request: %d", code)
	}
}

// A request stuck on the pipeline for 10 s makes every new request a 429
// and closes its connection, as Logstash's blocked-pipeline guard does.
func TestBlockedPipelineAnswers429(t *testing.T) {
	t.Parallel()
	url, em, _ := start(t, "threads => 4", "")
	em.Block()
	go func() { readAll(t, post(t, url, "text/plain", "stuck")) }()
	em.WaitBlocked()
	// The guard counts from when the stuck request started.
	time.Sleep(blockedAfter)
	conn := inputtest.Dial(t, "tcp", strings.TrimPrefix(url, "http://"))
	defer conn.Close()
	fmt.Fprint(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx")
	resp, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || !resp.Close {
		t.Errorf("request to a blocked pipeline: %d %v", resp.StatusCode, resp.Header)
	}
	em.Unblock()
}

// Stopping the input answers the requests in progress once the pipeline
// takes their events.
func TestShutdownAnswersRequestsInFlight(t *testing.T) {
	url, em, _ := start(t, "", "")
	em.Block()
	code := make(chan int)
	go func() {
		resp := post(t, url, "text/plain", "in flight")
		readAll(t, resp)
		code <- resp.StatusCode
	}()
	em.WaitBlocked()
	stopped := make(chan struct{})
	go func() {
		em.Stop()
		close(stopped)
	}()
	em.Unblock()
	if c := <-code; c != 200 {
		t.Errorf("status %d", c)
	}
	<-stopped
	if e := em.Next(); inputtest.Field(e, "message") != "in flight" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

func TestTLSClientCertificates(t *testing.T) {
	pki := tlstest.New(t)
	url, em, _ := start(t, fmt.Sprintf(`ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_certificate_authorities => [%q] ssl_client_authentication => required`,
		pki.ServerCert, pki.ServerKey, pki.CA), "")
	url = strings.Replace(url, "http://", "https://", 1)
	anon := &nethttp.Client{Transport: &nethttp.Transport{TLSClientConfig: pki.ClientConfig(t, "", "")}}
	if resp, err := anon.Post(url, "text/plain", strings.NewReader("x")); err == nil {
		resp.Body.Close()
		t.Fatalf("a client without a certificate got %d", resp.StatusCode)
	}
	client := &nethttp.Client{Transport: &nethttp.Transport{TLSClientConfig: pki.ClientConfig(t, pki.ClientCert, pki.ClientKey)}}
	resp, err := client.Post(url, "text/plain", strings.NewReader("over tls"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if e := em.Next(); inputtest.Field(e, "message") != "over tls" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

// The headers map lists its keys in the order a JDK's HashMap iterates
// them (testdata/http/header-order.tsv, from scripts/golden/java-hashmap.sh).
func TestHeaderOrderMatchesJava(t *testing.T) {
	data, err := os.ReadFile("../../../testdata/http/header-order.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		names, want, _ := strings.Cut(line, "\t")
		m := newJavaHashMap()
		for _, n := range strings.Split(names, ",") {
			m.put(n, "v")
		}
		m.put("http_accept", m.remove("accept"))
		m.put("http_host", m.remove("host"))
		m.put("http_user_agent", m.remove("user_agent"))
		m.put("request_method", "POST")
		m.put("request_path", "/")
		m.put("http_version", "HTTP/1.1")
		got := strings.Join(m.toMap().(*event.Map).Keys(), ",")
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", names, got, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	pki := tlstest.New(t)
	cases := map[string]string{
		`http { response_code => 404 }`: "Expected one of [200, 201, 202, 204], got 404",
		`http { ssl_enabled => true }`:  "Either an `ssl_certificate` or `ssl_keystore_path` is required when SSL is enabled `ssl_enabled => true`",
		fmt.Sprintf(`http { ssl_enabled => true ssl_certificate => %q }`, pki.ServerCert):                                                                          "Using an `ssl_certificate` requires an `ssl_key`",
		fmt.Sprintf(`http { ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_client_authentication => required }`, pki.ServerCert, pki.ServerKey):       "Using `ssl_client_authentication` set to `optional` or `required`, requires the configuration of `ssl_certificate_authorities` or `ssl_truststore_path`",
		fmt.Sprintf(`http { ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_certificate_authorities => [%q] }`, pki.ServerCert, pki.ServerKey, pki.CA): "The configuration of `ssl_certificate_authorities` requires setting `ssl_client_authentication` to `optional` or 'required'",
		`http { additional_codecs => { "text/x" => "nope" } }`:                                                                                                     "Couldn't find any codec plugin named 'nope'",
		`http { ssl => true }`: "The setting `ssl` in plugin `http` is obsolete and is no longer available. Set 'ssl_enabled' instead.",
	}
	for config, want := range cases {
		_, err := plugintest.TryInput(t, config)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n%v\nwant %q", config, err, want)
		}
	}
}
