package esoutput

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
)

// The engine cannot be made to answer 429 or 503 for chosen items on
// demand, so these tests script the answers with a stand-in server; the
// e2e tests cover the real node.

type scriptedServer struct {
	t       *testing.T
	mu      sync.Mutex
	answers []func(w http.ResponseWriter, body string)
	bodies  []string
}

func (s *scriptedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_bulk" {
		w.Write([]byte(`{"version":{"number":"7.10.2","build_flavor":"default"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`))
		return
	}
	var in io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			s.t.Error(err)
			return
		}
		in = gz
	}
	body, _ := io.ReadAll(in)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	answer := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	s.mu.Unlock()
	answer(w, string(body))
}

// okAll answers every action of the request with 201.
func okAll(w http.ResponseWriter, body string) {
	n := strings.Count(body, "\n") / 2
	w.Write([]byte(`{"errors":false,"items":[` + strings.TrimSuffix(strings.Repeat(`{"index":{"status":201}},`, n), ",") + `]}`))
}

func answer(text string) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, _ string) { w.Write([]byte(text)) }
}

func status(code int) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, _ string) { w.WriteHeader(code) }
}

type memoryDLQ struct{ reasons []string }

func (m *memoryDLQ) Write(e *event.Event, reason string) error {
	m.reasons = append(m.reasons, reason)
	return nil
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestOutput(t *testing.T, srv *scriptedServer, dlq *memoryDLQ, gzipLevel int) (*Output, *logBuffer) {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	u, _ := url.Parse(hs.URL)
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := esclient.New(esclient.Config{Hosts: []*url.URL{u}, Timeout: 10 * time.Second, HealthcheckPath: "/",
		ResurrectDelay: time.Second, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Client: c, Mapper: &Mapper{Index: event.MustTemplate("i"), DocumentID: event.MustTemplate("%{n}")}, Log: log,
		Engine: "Elasticsearch", BulkPath: "/_bulk", MaxBulkBytes: 1 << 20, GzipLevel: gzipLevel,
		RetryInitial: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond,
		DLQCodes: map[int]bool{400: true, 404: true}, DropErrorTypes: map[string]bool{}, SilencedErrorTypes: map[string]bool{}}
	if dlq != nil {
		cfg.DLQ = dlq
	}
	o := New(cfg)
	t.Cleanup(func() { o.Close() })
	return o, logs
}

func events(n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = event.NewEvent()
		out[i].Data().Set("n", int64(i))
	}
	return out
}

// TestItemResults: success kept, 409 dropped and logged, 400 sent to the
// DLQ, 429 and 503 retried alone until they succeed.
func TestItemResults(t *testing.T) {
	srv := &scriptedServer{t: t, answers: []func(http.ResponseWriter, string){
		answer(`{"errors":true,"items":[` +
			`{"index":{"status":201}},` +
			`{"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}},` +
			`{"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad n"}}},` +
			`{"index":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"exists"}}},` +
			`{"index":{"status":503,"error":{"type":"unavailable_shards_exception","reason":"no shard"}}}]}`),
		answer(`{"errors":true,"items":[{"index":{"status":201}},{"index":{"status":503,"error":{"type":"unavailable_shards_exception"}}}]}`),
		okAll,
	}}
	dlq := &memoryDLQ{}
	o, logs := newTestOutput(t, srv, dlq, 0)
	if err := o.Output(context.Background(), events(5)); err != nil {
		t.Fatal(err)
	}
	if len(srv.bodies) != 3 {
		t.Fatalf("%d bulk requests, want 3", len(srv.bodies))
	}
	if !strings.Contains(srv.bodies[1], `"_id":"1"`) || !strings.Contains(srv.bodies[1], `"_id":"4"`) || strings.Count(srv.bodies[1], "\n") != 4 {
		t.Fatalf("second request should retry actions 1 and 4 only:\n%s", srv.bodies[1])
	}
	if !strings.Contains(srv.bodies[2], `"_id":"4"`) || strings.Count(srv.bodies[2], "\n") != 2 {
		t.Fatalf("third request should retry action 4 only:\n%s", srv.bodies[2])
	}
	if len(dlq.reasons) != 1 || !strings.HasPrefix(dlq.reasons[0], `Could not index event to Elasticsearch. status: 400, action: ["index", {"index":{"_id":"2"`) {
		t.Fatalf("DLQ: %q", dlq.reasons)
	}
	for _, want := range []string{"Failed action", "version_conflict_engine_exception", "Retrying failed action", "Retrying individual bulk actions"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestWholeRequestRetried: error statuses and 413 are retried (413 as
// payload_too_large items) until the request succeeds.
func TestWholeRequestRetried(t *testing.T) {
	srv := &scriptedServer{t: t, answers: []func(http.ResponseWriter, string){
		status(http.StatusServiceUnavailable), status(http.StatusTooManyRequests), status(http.StatusRequestEntityTooLarge), okAll,
	}}
	o, logs := newTestOutput(t, srv, nil, 1)
	if err := o.Output(context.Background(), events(3)); err != nil {
		t.Fatal(err)
	}
	if len(srv.bodies) != 4 {
		t.Fatalf("%d requests, want 4", len(srv.bodies))
	}
	for _, b := range srv.bodies {
		if strings.Count(b, "\n") != 6 {
			t.Fatalf("every attempt should carry the whole batch:\n%s", b)
		}
	}
	for _, want := range []string{"Encountered a retryable error", "Bulk request rejected: `413 Payload Too Large`", "payload_too_large"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestMaxBulkBytes: a batch over the cap goes in several requests, an
// action over it alone.
func TestMaxBulkBytes(t *testing.T) {
	srv := &scriptedServer{t: t, answers: []func(http.ResponseWriter, string){okAll}}
	o, _ := newTestOutput(t, srv, nil, 0)
	o.cfg.MaxBulkBytes = 300
	evs := events(4)
	evs[2].Data().Set("big", strings.Repeat("x", 400))
	if err := o.Output(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range srv.bodies {
		sizes = append(sizes, strings.Count(b, "\n")/2)
	}
	if len(sizes) != 3 || sizes[0] != 2 || sizes[1] != 1 || sizes[2] != 1 {
		t.Fatalf("actions per request %v, want [2 1 1]", sizes)
	}
}

// TestUnreachableHoldsBack: with nothing listening the output keeps
// retrying (back-pressure) and gives up only when the pipeline forces it.
func TestUnreachableHoldsBack(t *testing.T) {
	srv := &scriptedServer{t: t, answers: []func(http.ResponseWriter, string){okAll}}
	o, logs := newTestOutput(t, srv, nil, 0)
	if err := o.Output(context.Background(), events(1)); err != nil {
		t.Fatal(err)
	}
	dead, _ := url.Parse("http://127.0.0.1:1")
	c, err := esclient.New(esclient.Config{Hosts: []*url.URL{dead}, Timeout: time.Second, HealthcheckPath: "/", ResurrectDelay: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o.cfg.Client = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Output(ctx, events(1)) }()
	deadline := time.After(time.Minute)
	for !strings.Contains(logs.String(), "unreachable or down") && !strings.Contains(logs.String(), "no living connections") {
		select {
		case <-deadline:
			t.Fatal("no retry was logged")
		case err := <-done:
			t.Fatalf("Output returned %v while the server was unreachable", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Output returned %v after a forced stop", err)
	}
}
