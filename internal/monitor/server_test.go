package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/deadletter"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// countOption is how many events the test source emits.
var countOption = plugin.Int("count").Default(1)

// The test plugins: a source emitting `count` events, a filter that
// matches everything and a sink that keeps what it gets, so the counters the
// API reports can be checked against what really went through.
func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec:         plugin.Spec{Name: "monitor_test_source", Options: []plugin.Declared{countOption}},
		DefaultCodec: "monitor_test_codec",
		New: func(s *plugin.Settings) (plugin.Input, error) {
			return sourceInput(countOption.Get(s)), nil
		},
	})
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{Name: "monitor_test_pass"},
		New:  func(*plugin.Settings) (plugin.Filter, error) { return passFilter{}, nil },
	})
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec:         plugin.Spec{Name: "monitor_test_sink"},
		DefaultCodec: "monitor_test_codec",
		New:          func(*plugin.Settings) (plugin.Output, error) { return &sinkOutput{}, nil },
	})
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{Name: "monitor_test_codec"},
		New:  func(*plugin.Settings) (plugin.Codec, error) { return nopCodec{}, nil },
	})
}

type sourceInput int64

func (n sourceInput) Run(ctx context.Context, out plugin.Emitter) error {
	for i := int64(0); i < int64(n) && ctx.Err() == nil; i++ {
		e := event.NewEvent()
		e.Set("message", "m"+strconv.FormatInt(i, 10))
		out.Emit(e)
	}
	return nil
}

// nopCodec stands in for plain, which this package does not link.
type nopCodec struct{}

func (nopCodec) Decode([]byte, func(*event.Event))        {}
func (nopCodec) Flush(func(*event.Event))                 {}
func (nopCodec) Encode(dst []byte, _ *event.Event) []byte { return dst }

type passFilter struct{}

func (passFilter) Filter(*event.Event, func(*event.Event)) bool { return true }

type sinkOutput struct {
	mu sync.Mutex
	n  int
}

func (o *sinkOutput) Output(_ context.Context, events []*event.Event) error {
	o.mu.Lock()
	o.n += len(events)
	o.mu.Unlock()
	return nil
}

func pluginBlock(name string, attrs ...*lang.Attribute) *lang.Plugin {
	return &lang.Plugin{Name: name, Attributes: attrs}
}

// compile builds source(count) -> pass -> sink.
func compile(t *testing.T, id string, count int64) *pipeline.Pipeline {
	t.Helper()
	cfg := &lang.Config{Sections: []*lang.Section{
		{Kind: lang.InputSection, Body: []lang.Statement{pluginBlock("monitor_test_source",
			&lang.Attribute{Name: "count", Value: &lang.Number{Raw: strconv.FormatInt(count, 10), Int: count}},
			&lang.Attribute{Name: "id", Value: &lang.String{Value: "src", Quote: '"'}})}},
		{Kind: lang.FilterSection, Body: []lang.Statement{pluginBlock("monitor_test_pass",
			&lang.Attribute{Name: "id", Value: &lang.String{Value: "pass", Quote: '"'}})}},
		{Kind: lang.OutputSection, Body: []lang.Statement{pluginBlock("monitor_test_sink",
			&lang.Attribute{Name: "id", Value: &lang.String{Value: "sink", Quote: '"'}})}},
	}}
	ps := plugin.DefaultPipelineSettings(2)
	ps.ID = id
	ps.Workers = 1
	p, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: quietLogger()})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	return p
}

// only is a source of one running pipeline.
func only(p *pipeline.Pipeline) Source {
	return func() []Pipeline { return []Pipeline{{P: p}} }
}

func quietLogger() *slog.Logger { return slog.New(logging.NewLogHandler(io.Discard, slog.LevelError)) }

func get(t *testing.T, h http.Handler, path string) (int, map[string]any, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: invalid JSON %q: %v", path, rec.Body.String(), err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return rec.Code, body, rec.Body.String()
}

func dig(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: %q is not in an object", path, k)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("%v: no %q in %v", path, k, m)
		}
	}
	return v
}

func TestCountersMatchEventsThrough(t *testing.T) {
	const n = 5000
	p := compile(t, "main", n)
	s, err := New(Config{Version: "1.2.3", Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	// Before the pipeline starts the API answers, with zero counters and a
	// loading pipeline.
	code, body, _ := get(t, h, "/_node/stats/pipelines/main")
	if code != 200 || dig(t, body, "pipelines", "main", "events", "out").(float64) != 0 {
		t.Fatalf("before start: %d %v", code, body)
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, body, _ = get(t, h, "/_node/stats/pipelines/main")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	main := dig(t, body, "pipelines", "main")
	for _, k := range []string{"in", "filtered", "out"} {
		if got := dig(t, main, "events", k).(float64); got != n {
			t.Errorf("events.%s = %v, want %d", k, got, n)
		}
	}
	for _, k := range []string{"duration_in_millis", "queue_push_duration_in_millis"} {
		dig(t, main, "events", k)
	}
	for _, k := range []string{"input_throughput", "filter_throughput", "output_throughput", "queue_backpressure", "worker_concurrency", "worker_utilization"} {
		dig(t, main, "flow", k, "lifetime")
		dig(t, main, "flow", k, "current")
	}
	in := dig(t, main, "plugins", "inputs").([]any)[0]
	if dig(t, in, "id") != "src" || dig(t, in, "name") != "monitor_test_source" || dig(t, in, "events", "out").(float64) != n {
		t.Errorf("input stats %v", in)
	}
	dig(t, in, "flow", "throughput", "lifetime")
	for _, kind := range []string{"filters", "outputs"} {
		st := dig(t, main, "plugins", kind).([]any)[0]
		if dig(t, st, "events", "in").(float64) != n || dig(t, st, "events", "out").(float64) != n {
			t.Errorf("%s stats %v", kind, st)
		}
		dig(t, st, "events", "duration_in_millis")
		dig(t, st, "flow", "worker_utilization", "lifetime")
		dig(t, st, "flow", "worker_millis_per_event", "lifetime")
	}
	if dig(t, main, "queue", "type") != "memory" || dig(t, main, "pipeline", "workers").(float64) != 1 ||
		dig(t, main, "pipeline", "batch_size").(float64) != 125 || dig(t, main, "pipeline", "batch_delay").(float64) != 50 {
		t.Errorf("queue/pipeline: %v %v", dig(t, main, "queue"), dig(t, main, "pipeline"))
	}
	if dig(t, main, "reloads", "successes").(float64) != 0 || dig(t, main, "reloads", "last_error") != nil {
		t.Errorf("reloads %v", dig(t, main, "reloads"))
	}

	// The whole-node view has the same events, the process and a jvm
	// stand-in benchmark-cli reads.
	_, body, _ = get(t, h, "/_node/stats")
	if dig(t, body, "events", "filtered").(float64) != n {
		t.Errorf("node events %v", dig(t, body, "events"))
	}
	for _, k := range [][]string{{"process", "cpu", "percent"}, {"process", "cpu", "total_in_millis"}, {"process", "mem", "total_virtual_in_bytes"},
		{"process", "open_file_descriptors"}, {"process", "peak_open_file_descriptors"}, {"process", "max_file_descriptors"},
		{"jvm", "mem", "heap_used_percent"}, {"flow", "output_throughput", "lifetime"}, {"reloads", "failures"}, {"queue", "events_count"},
		{"pipelines", "main", "events", "out"}, {"os"}} {
		dig(t, body, k...)
	}
	for _, k := range []string{"host", "version", "http_address", "id", "name", "ephemeral_id", "snapshot", "status"} {
		dig(t, body, k)
	}
	if body["version"] != "1.2.3" || body["status"] != "green" {
		t.Errorf("header %v", body)
	}
}

func TestNotFound(t *testing.T) {
	p := compile(t, "main", 1)
	s, err := New(Config{Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/_node/stats/pipelines/nope", "/_node/pipelines/nope", "/nope", "/_node/stats/nope", "/_node/nope"} {
		code, body, _ := get(t, s.Handler(), path)
		if code != 404 || body["status"].(float64) != 404 || body["path"] != path || dig(t, body, "error", "message") != "Not Found" {
			t.Errorf("GET %s: %d %v", path, code, body)
		}
	}
	for _, path := range []string{"/_node/pipelines/main", "/_node/stats/events,process", "/_node/plugins", "/_node", "/_health_report"} {
		if code, body, _ := get(t, s.Handler(), path); code != 200 {
			t.Errorf("GET %s: %d %v", path, code, body)
		}
	}
}

func TestNodeInfoAndPlugins(t *testing.T) {
	p := compile(t, "main", 1)
	dir := t.TempDir()
	s, err := New(Config{Logger: quietLogger(), NodeName: "node-a", DataPath: dir}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, s.Handler(), "/")
	if body["name"] != "node-a" || body["build_snapshot"] != false || dig(t, body, "pipeline", "workers").(float64) != 1 {
		t.Errorf("root %v", body)
	}
	// The id is kept in path.data and comes back on the next start; the
	// ephemeral id does not.
	again, err := New(Config{Logger: quietLogger(), DataPath: dir}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	if again.id != s.id || again.ephemeralID == s.ephemeralID {
		t.Errorf("ids: %s/%s then %s/%s", s.id, s.ephemeralID, again.id, again.ephemeralID)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "uuid")); string(data) != s.id {
		t.Errorf("uuid file %q, id %q", data, s.id)
	}
	_, body, _ = get(t, s.Handler(), "/_node/pipelines")
	if dig(t, body, "pipelines", "main", "batch_size").(float64) != 125 {
		t.Errorf("/_node/pipelines %v", body)
	}
	_, body, _ = get(t, s.Handler(), "/_node/plugins")
	found := false
	for _, pl := range body["plugins"].([]any) {
		if dig(t, pl, "name") == "logstash-output-monitor_test_sink" {
			found = true
		}
	}
	if !found || int(body["total"].(float64)) != len(body["plugins"].([]any)) {
		t.Errorf("/_node/plugins %v", body)
	}
}

func TestWaitForStatus(t *testing.T) {
	p := compile(t, "main", 1)
	s, err := New(Config{Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	// Not started yet: the pipeline is loading, the node yellow.
	if code, body, _ := get(t, h, "/?wait_for_status=yellow&timeout=1s"); code != 200 || body["status"] != "yellow" {
		t.Errorf("yellow: %d %v", code, body)
	}
	start := time.Now()
	if code, _, _ := get(t, h, "/?wait_for_status=green&timeout=200ms"); code != 408 {
		t.Errorf("green before start: %d, want 408", code)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Errorf("gave up after %v, before the timeout", time.Since(start))
	}
	for _, q := range []string{"wait_for_status=blue&timeout=1s", "wait_for_status=green&timeout=3", "wait_for_status=green&timeout=xs"} {
		if code, body, _ := get(t, h, "/?"+q); code != 400 || dig(t, body, "error", "message") == "" {
			t.Errorf("%s: %d %v", q, code, body)
		}
	}
	done := make(chan error)
	go func() { done <- p.Run(context.Background()) }()
	// Green as soon as the pipeline has started.
	code, body, _ := get(t, h, "/?wait_for_status=green&timeout=5s")
	<-done
	if code != 200 || body["status"] != "green" {
		t.Errorf("green: %d %v", code, body)
	}
}

func TestPretty(t *testing.T) {
	got := string(appendJSON(nil, obj{{"a", int64(1)}, {"b", obj{{"c", []any{obj{{"d", true}}, "x"}}, {"e", obj{}}, {"f", []any{}}}},
		{"g", javaFloat(12)}, {"h", nil}}, true))
	want := `{
  "a" : 1,
  "b" : {
    "c" : [ {
      "d" : true
    }, "x" ],
    "e" : { },
    "f" : [ ]
  },
  "g" : 12.0,
  "h" : null
}`
	if got != want {
		t.Errorf("pretty:\n%s\nwant:\n%s", got, want)
	}
	p := compile(t, "main", 1)
	s, err := New(Config{Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	_, _, raw := get(t, s.Handler(), "/?pretty")
	if !strings.HasPrefix(raw, "{\n  \"host\" : ") {
		t.Errorf("?pretty: %q", raw)
	}
	_, _, raw = get(t, s.Handler(), "/")
	if strings.Contains(raw, "\n") || !strings.HasPrefix(raw, `{"host":`) {
		t.Errorf("compact: %q", raw)
	}
}

func TestRoundRate(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{189723.4, "189700.0"}, {1.97351, "1.974"}, {0.00012345, "1.235E-4"}, {99.995, "100.0"}, {0.5, "0.5"}, {-2.34567, "-2.346"}, {12345678, "1.235E7"}} {
		if got := string(appendJSON(nil, roundRate(c.in), false)); got != c.want {
			t.Errorf("roundRate(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestFlowWindows checks the windows against a made-up history: a steady
// 100 events/s, then 1000 events/s for the last 10 seconds.
func TestFlowWindows(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	h := newHistory()
	var in int64
	for sec := 1; sec <= 120; sec++ {
		if sec > 110 {
			in += 1000
		} else {
			in += 100
		}
		h.add(counters{at: t0.Add(time.Duration(sec) * time.Second), in: in})
	}
	now, _ := h.latest()
	got := rates(h, now, counters{at: t0}, func(n, b counters) (float64, float64) { return float64(n.in - b.in), n.at.Sub(b.at).Seconds() })
	want := obj{{"current", javaFloat(1000)}, {"last_1_minute", javaFloat(250)}, {"lifetime", javaFloat(175)}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rates %v, want %v", got, want)
	}
}

func TestPortRange(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	var logs bytes.Buffer
	logger := slog.New(logging.NewLogHandler(&logs, slog.LevelInfo))
	p := compile(t, "main", 1)
	s, err := New(Config{Port: fmt.Sprintf("%d-%d", port, port+20), Logger: logger}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if s.Port() <= port || s.Port() > port+20 {
		t.Errorf("port %d, want the next free one after %d", s.Port(), port)
	}
	wantLog := fmt.Sprintf(`[logstash.agent           ] Successfully started Logstash API endpoint {"port"=>%d, "ssl_enabled"=>false}`, s.Port())
	if !strings.Contains(logs.String(), wantLog) {
		t.Errorf("log %q lacks %q", logs.String(), wantLog)
	}
	resp, err := http.Get("http://" + s.Addr() + "/_node/stats/pipelines")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || body["http_address"] != s.Addr() {
		t.Errorf("over HTTP: %v %v", err, body)
	}

	// A single port that is taken is an error, not a silent move.
	_, err = New(Config{Port: strconv.Itoa(port), Logger: logger}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	busy, _ := New(Config{Port: strconv.Itoa(port), Logger: logger}, only(p))
	if err := busy.Start(ctx); err == nil || !strings.Contains(err.Error(), "no free port") {
		t.Errorf("taken port: %v", err)
	}
	for _, bad := range []string{"x", "9700-9600", "0", "70000", "96a0-9700"} {
		if _, err := New(Config{Port: bad}, nil); err == nil {
			t.Errorf("port %q accepted", bad)
		}
	}
}

func TestReloadKeepsNodeTotals(t *testing.T) {
	first := compile(t, "main", 300)
	second := compile(t, "main", 200)
	var mu sync.Mutex
	current := first
	s, err := New(Config{Logger: quietLogger()}, func() []Pipeline { mu.Lock(); defer mu.Unlock(); return []Pipeline{{P: current}} })
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	get(t, s.Handler(), "/_node/stats")
	second.InheritReloads(first)
	second.RecordReload(nil)
	mu.Lock()
	current = second
	mu.Unlock()
	if err := second.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, s.Handler(), "/_node/stats")
	if got := dig(t, body, "events", "out").(float64); got != 500 {
		t.Errorf("node events.out %v, want 500 (both pipelines)", got)
	}
	if got := dig(t, body, "pipelines", "main", "events", "out").(float64); got != 200 {
		t.Errorf("pipeline events.out %v, want 200 (the running one)", got)
	}
	if dig(t, body, "reloads", "successes").(float64) != 1 || dig(t, body, "pipelines", "main", "reloads", "last_success_timestamp") == nil {
		t.Errorf("reloads %v", dig(t, body, "pipelines", "main", "reloads"))
	}
}

func TestHotThreads(t *testing.T) {
	p := compile(t, "main", 1)
	s, err := New(Config{Logger: quietLogger(), NodeName: "n1"}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	// The goroutine serving the request is running, so it is listed even
	// with idle goroutines left out.
	_, body, _ := get(t, s.Handler(), "/_node/hot_threads")
	threads := dig(t, body, "hot_threads", "threads").([]any)
	found := false
	for _, th := range threads {
		if dig(t, th, "state") == "running" && strings.Contains(fmt.Sprint(dig(t, th, "traces")), "hotThreads") {
			found = true
		}
	}
	if !found {
		t.Errorf("the serving goroutine is not among %v", threads)
	}
	_, body, _ = get(t, s.Handler(), "/_node/hot_threads?threads=2&ignore_idle_threads=false")
	if n := len(dig(t, body, "hot_threads", "threads").([]any)); n != 2 || dig(t, body, "hot_threads", "busiest_threads").(float64) != 2 {
		t.Errorf("threads=2: %d threads, %v", n, dig(t, body, "hot_threads"))
	}
	if code, _, _ := get(t, s.Handler(), "/_node/hot_threads?threads=0"); code != 400 {
		t.Errorf("threads=0: %d", code)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_node/hot_threads?human=true", nil))
	if text := rec.Body.String(); !strings.HasPrefix(text, "::: {n1}\nHot threads at ") || !strings.Contains(text, "[running]") {
		t.Errorf("human: %q", text)
	}
}

// TestHealthFollowsWorkerUtilization makes the workers look saturated for
// the last minute (yellow), then five (red), with a made-up history.
func TestHealthFollowsWorkerUtilization(t *testing.T) {
	p := compile(t, "main", 1)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	if status, hs := s.health(); status != "green" || hs[0].state != "RUNNING" {
		t.Fatalf("finished quickly, idle since: %s %+v", status, hs)
	}
	started := startedAt(p)
	busy := time.Duration(p.Stats().DurationNanos.Load())
	for _, c := range []struct {
		minutes int
		status  string
	}{{2, "yellow"}, {6, "red"}} {
		s.mu.Lock()
		tp := s.track()[0]
		tp.hist = newHistory()
		// One worker busy all the time for the last c.minutes minutes.
		now := started.Add(time.Duration(c.minutes)*time.Minute + time.Second)
		s.now = func() time.Time { return now }
		for sec := c.minutes * 60; sec >= 1; sec-- {
			at := now.Add(-time.Duration(sec) * time.Second)
			tp.hist.add(counters{at: at, busy: busy - time.Duration(sec)*time.Second})
		}
		s.mu.Unlock()
		if status, hs := s.health(); status != c.status || hs[0].status != c.status {
			t.Errorf("saturated for %d minutes: %s (%s), want %s", c.minutes, status, hs[0].symptom, c.status)
		}
		_, body, _ := get(t, s.Handler(), "/_health_report")
		if dig(t, body, "indicators", "pipelines", "indicators", "main", "status") != c.status || body["status"] != c.status {
			t.Errorf("health report: %v", body)
		}
	}
}

// TestSeveralPipelines: every pipeline is reported on its own and the node
// adds them up; one that is removed still counts in the node's totals; the
// health report judges each.
func TestSeveralPipelines(t *testing.T) {
	a, b, gone := compile(t, "a", 100), compile(t, "b", 20), compile(t, "gone", 7)
	for _, p := range []*pipeline.Pipeline{a, b, gone} {
		if err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	list := []Pipeline{{P: a}, {P: b, Ended: true, Err: fmt.Errorf("output failed")}, {P: gone, Ended: true}}
	s, err := New(Config{Logger: quietLogger()}, func() []Pipeline { mu.Lock(); defer mu.Unlock(); return list })
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	_, body, _ := get(t, h, "/_node/stats/pipelines")
	for id, n := range map[string]float64{"a": 100, "b": 20, "gone": 7} {
		if got := dig(t, body, "pipelines", id, "events", "out").(float64); got != n {
			t.Errorf("%s: events.out %v, want %v", id, got, n)
		}
	}
	_, body, _ = get(t, h, "/_node/stats/pipelines/b")
	if ps := dig(t, body, "pipelines").(map[string]any); len(ps) != 1 || ps["b"] == nil {
		t.Errorf("/_node/stats/pipelines/b: %v", ps)
	}
	_, body, _ = get(t, h, "/_node/pipelines")
	if ps := dig(t, body, "pipelines").(map[string]any); len(ps) != 3 {
		t.Errorf("/_node/pipelines: %v", ps)
	}
	_, body, _ = get(t, h, "/_health_report")
	if body["status"] != "red" || dig(t, body, "indicators", "pipelines", "symptom") !=
		"1 indicator is unhealthy (`b`), 1 indicator is concerning (`gone`), and 1 indicator is healthy (`a`)" {
		t.Errorf("health report: %v", body)
	}
	if dig(t, body, "indicators", "pipelines", "indicators", "b", "details", "status", "state") != "TERMINATED" ||
		dig(t, body, "indicators", "pipelines", "indicators", "gone", "details", "status", "state") != "FINISHED" {
		t.Errorf("states: %v", dig(t, body, "indicators", "pipelines", "indicators"))
	}
	mu.Lock()
	list = list[:2]
	mu.Unlock()
	_, body, _ = get(t, h, "/_node/stats")
	if got := dig(t, body, "events", "out").(float64); got != 127 {
		t.Errorf("node events.out %v, want 127 (the removed pipeline's too)", got)
	}
	if _, ok := dig(t, body, "pipelines").(map[string]any)["gone"]; ok {
		t.Error("the removed pipeline is still reported")
	}
	if code, _, _ := get(t, h, "/_node/stats/pipelines/gone"); code != 404 {
		t.Errorf("removed pipeline: %d", code)
	}
}

// waitInput runs until its pipeline stops.
type waitInput struct{}

func (waitInput) Run(ctx context.Context, _ plugin.Emitter) error {
	<-ctx.Done()
	return nil
}

func init() {
	plugin.RegisterInput(plugin.InputSpec{Spec: plugin.Spec{Name: "monitor_test_wait"}, DefaultCodec: "monitor_test_codec",
		New: func(*plugin.Settings) (plugin.Input, error) { return waitInput{}, nil }})
}

// TestDeadLetterQueueStats: a pipeline with a dead letter queue shows it
// in /_node/pipelines and its figures in the pipeline's stats.
func TestDeadLetterQueueStats(t *testing.T) {
	dir := t.TempDir()
	dlq := deadletter.NewHandle(deadletter.Settings{Dir: filepath.Join(dir, "main"), MaxBytes: 1 << 20, FlushInterval: time.Hour, FlushCheckInterval: time.Hour}, quietLogger())
	cfg := &lang.Config{Sections: []*lang.Section{
		{Kind: lang.InputSection, Body: []lang.Statement{pluginBlock("monitor_test_wait")}},
		{Kind: lang.OutputSection, Body: []lang.Statement{pluginBlock("monitor_test_sink")}},
	}}
	ps := plugin.DefaultPipelineSettings(1)
	p, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: quietLogger(), DeadLetters: dlq})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	<-p.Ready()
	if err := dlq.Writer("elasticsearch", "es").Write(event.NewEvent(), "rejected"); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Logger: quietLogger()}, only(p))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, s.Handler(), "/_node/stats/pipelines/main")
	q := dig(t, body, "pipelines", "main", "dead_letter_queue")
	if dig(t, q, "queue_size_in_bytes").(float64) <= 1 || dig(t, q, "max_queue_size_in_bytes").(float64) != 1<<20 ||
		dig(t, q, "storage_policy") != "drop_newer" || dig(t, q, "last_error") != "no errors" || dig(t, q, "dropped_events").(float64) != 0 {
		t.Errorf("dead_letter_queue %v", q)
	}
	_, body, _ = get(t, s.Handler(), "/_node/pipelines/main")
	if dig(t, body, "pipelines", "main", "dead_letter_queue_enabled") != true || dig(t, body, "pipelines", "main", "dead_letter_queue_path") != filepath.Join(dir, "main") {
		t.Errorf("node info %v", dig(t, body, "pipelines", "main"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
