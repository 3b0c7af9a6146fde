package http_poller

import (
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// seen is one request the test server got.
type seen struct {
	method, uri, body, auth, header string
}

// server answers each path with the body routes give it, and records
// what it was sent.
func server(t *testing.T, routes map[string]string) (*httptest.Server, func() []seen) {
	var mu sync.Mutex
	var got []seen
	s := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, string(b), r.Header.Get("Authorization"), r.Header.Get("X-Test")})
		mu.Unlock()
		body, ok := routes[r.URL.Path]
		if !ok {
			nethttp.NotFound(w, r)
			return
		}
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

func build(t *testing.T, block string) *Input {
	t.Helper()
	in := iotest.Build(t, plugin.KindInput, "http_poller { "+block+" }", nil).(*Input)
	t.Cleanup(func() { in.Close() })
	return in
}

func field(e *event.Event, ref string) any {
	v, _ := e.Get(ref)
	return v
}

func TestECSEventAndMetadata(t *testing.T) {
	s, _ := server(t, map[string]string{"/health": `{"status":"UP"}`})
	e := iotest.RunInput(t, build(t, fmt.Sprintf(`urls => { health => "%s/health" } schedule => { every => "1h" }`, s.URL))).Next(t)
	m := "[@metadata][input][http_poller]"
	for ref, want := range map[string]any{
		"status":                                "UP",
		"[event][original]":                     `{"status":"UP"}`,
		m + "[request][name]":                   "health",
		m + "[request][original][method]":       "get",
		m + "[request][original][url]":          s.URL + "/health",
		m + "[response][status_code]":           int64(200),
		m + "[response][status_message]":        "OK",
		m + "[response][headers][content-type]": "text/plain; charset=utf-8",
		m + "[request][retry_count]":            int64(0),
	} {
		if got := field(e, ref); got != want {
			t.Errorf("%s = %#v, want %#v", ref, got, want)
		}
	}
	if got := event.ValueString(field(e, m+"[response][headers][x-multi]")); got != "a,b" {
		t.Errorf("repeated header %q", got)
	}
	if v, ok := field(e, m+"[response][elapsed_time_ns]").(int64); !ok || v <= 0 {
		t.Errorf("elapsed_time_ns %v", v)
	}
	if field(e, m+"[request][host][hostname]") == nil {
		t.Error("no hostname")
	}
}

func TestLegacyMetadataAndCustomTarget(t *testing.T) {
	s, _ := server(t, map[string]string{"/x": `{"a":1}`})
	e := iotest.RunInput(t, build(t, fmt.Sprintf(`urls => { xx => "%s/x" } schedule => { every => "1h" } ecs_compatibility => disabled metadata_target => "poll" target => "[doc]"`, s.URL))).Next(t)
	for ref, want := range map[string]any{
		"[doc][a]":                 int64(1),
		"[poll][name]":             "xx",
		"[poll][code]":             int64(200),
		"[poll][response_message]": "OK",
		"[poll][times_retried]":    int64(0),
		"[poll][request][url]":     s.URL + "/x",
	} {
		if got := field(e, ref); got != want {
			t.Errorf("%s = %#v, want %#v", ref, got, want)
		}
	}
	if _, ok := field(e, "[poll][runtime_seconds]").(float64); !ok {
		t.Error("no runtime_seconds")
	}
	if _, ok := field(e, "[doc][@timestamp]").(event.Timestamp); !ok {
		t.Error("the target lacks the decoded event's @timestamp")
	}
	if _, ok := field(e, "[@timestamp]").(event.Timestamp); !ok {
		t.Error("no @timestamp")
	}
}

func TestRequestSpecs(t *testing.T) {
	s, requests := server(t, map[string]string{"/q": `[{"n":1},{"n":2}]`, "/empty": ""})
	in := build(t, fmt.Sprintf(`urls => {
		query1 => { method => post url => "%s/q" body => '{"query":1}' headers => { "X-Test" => "yes" "authorization" => "Bearer tok3n" } params => { page => 2 } user => "ann" password => "s3cret" }
		empty => { url => "%s/empty" auth => { user => "bob" pass => "hunter2" } }
	} schedule => { every => "1h" }`, s.URL, s.URL))
	out := iotest.RunInput(t, in)
	byName := map[string][]*event.Event{}
	for range 3 {
		e := out.Next(t)
		name := iotest.Field(e, "[@metadata][input][http_poller][request][name]")
		byName[name] = append(byName[name], e)
	}
	if len(byName["query1"]) != 2 || len(byName["empty"]) != 1 {
		t.Fatalf("events per request: query1 %d, empty %d", len(byName["query1"]), len(byName["empty"]))
	}
	if _, ok := byName["empty"][0].Get("message"); ok {
		t.Error("an empty body made a message")
	}
	original := iotest.Field(byName["query1"][0], "[@metadata][input][http_poller][request][original]")
	if strings.Contains(original, "s3cret") || strings.Contains(original, "tok3n") || !strings.Contains(original, `"pass":"<password>"`) {
		t.Errorf("request in metadata: %s", original)
	}
	var q, empty seen
	for _, r := range requests() {
		if strings.HasPrefix(r.uri, "/q") {
			q = r
		} else {
			empty = r
		}
	}
	if q.method != "POST" || q.uri != "/q?page=2" || q.body != `{"query":1}` || q.header != "yes" || q.auth != "Basic YW5uOnMzY3JldA==" {
		t.Errorf("q request %+v", q)
	}
	if empty.auth != "Basic Ym9iOmh1bnRlcjI=" {
		t.Errorf("empty request %+v", empty)
	}
}

func TestFailureEvents(t *testing.T) {
	port := iotest.FreePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/down", port)
	for _, ecs := range []string{"v8", "disabled"} {
		e := iotest.RunInput(t, build(t, fmt.Sprintf(`urls => { down => "%s" } schedule => { every => "1h" } ecs_compatibility => %s`, url, ecs))).Next(t)
		if !e.HasTag("_http_request_failure") {
			t.Fatalf("%s: no failure tag", ecs)
		}
		var want map[string]any
		if ecs == "v8" {
			want = map[string]any{"[url][full]": url, "[http][request][method]": "get", "[@metadata][input][http_poller][request][name]": "down"}
			if !strings.Contains(iotest.Field(e, "[error][message]"), "connection refused") || field(e, "[event][duration]") == nil {
				t.Errorf("v8 error fields: %v", e.Data().Keys())
			}
		} else {
			want = map[string]any{"[http_request_failure][name]": "down", "[http_request_failure][request][url]": url, "[@metadata][name]": "down"}
			if !strings.Contains(iotest.Field(e, "[http_request_failure][error]"), "connection refused") || field(e, "[http_request_failure][runtime_seconds]") == nil {
				t.Errorf("legacy error fields: %v", e.Data().Keys())
			}
		}
		for ref, w := range want {
			if got := field(e, ref); got != w {
				t.Errorf("%s: %s = %#v, want %#v", ecs, ref, got, w)
			}
		}
	}
}

func TestCronSchedule(t *testing.T) {
	s, _ := server(t, map[string]string{"/t": `{"tick":true}`})
	e := iotest.RunInput(t, build(t, fmt.Sprintf(`urls => { tick => "%s/t" } schedule => { cron => "* * * * * *" }`, s.URL))).Next(t)
	if field(e, "tick") != true {
		t.Fatalf("event %v", e.Data().Keys())
	}
}

// TestPythonHTTPServer polls Python's http.server, an independent server.
func TestPythonHTTPServer(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "doc.json"), []byte(`{"from":"python"}`), 0o644)
	port := iotest.FreePort(t)
	iotest.Start(t, "python3", "-m", "http.server", fmt.Sprint(port), "--bind", "127.0.0.1", "--directory", dir)
	iotest.WaitListening(t, fmt.Sprintf("127.0.0.1:%d", port))
	e := iotest.RunInput(t, build(t, fmt.Sprintf(`urls => { py => "http://127.0.0.1:%d/doc.json" } schedule => { every => "1h" }`, port))).Next(t)
	if iotest.Field(e, "from") != "python" || iotest.Field(e, "[@metadata][input][http_poller][response][headers][content-type]") != "application/json" {
		t.Fatalf("event %s", event.AppendJSON(nil, e.Data()))
	}
}

func TestConfigErrors(t *testing.T) {
	for block, want := range map[string]string{
		`urls => { ab => "http://h/" } schedule => { every => "1m" cron => "* * * * *" }`:          "Invalid config. schedule hash must contain exactly one of the following keys - cron, at, every or in",
		`urls => { ab => "http://h/" } schedule => { cron => "61 * * * *" }`:                       `invalid cron string "61 * * * *"`,
		`urls => { ab => "not a url" } schedule => { every => "1m" }`:                              "Invalid URL not a url",
		`urls => { ab => { url => "http://h/" user => "u" } } schedule => { every => "1m" }`:       "'user' and 'password' must both be specified for input HTTP poller!",
		`urls => { ab => { url => "http://h/" verb => "get" } } schedule => { every => "1m" }`:     `unknown setting "verb" for ab`,
		`urls => { ab => { url => "http://h/" method => "fetch" } } schedule => { every => "1m" }`: `unknown method "fetch" for ab`,
		`urls => { ab => { method => get } } schedule => { every => "1m" }`:                        "No URL provided for request! ab",
		`schedule => { every => "1m" }`:                                                            "Missing a required setting for the http_poller input plugin: urls",
	} {
		_, diags := iotest.TryBuild(plugin.KindInput, "http_poller { "+block+" }", nil)
		if !strings.Contains(diags, want) {
			t.Errorf("%s:\n%s\nwant %q", block, diags, want)
		}
	}
}
