// Package estest is what the tests of the Elasticsearch-family plugins
// share: the OpenSearch node scripts/opensearch/opensearch.sh runs on
// 127.0.0.1 (required under CI=true, skipped with a message otherwise),
// small HTTP helpers to inspect it, and runs of the gostash binary
// (goldencase.Binary; a package using Start removes it with goldencase.Main)
// driven with a pipeline config.
package estest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// Port is the node's HTTP port: GOSTASH_OPENSEARCH_PORT, as for
// opensearch.sh, else 9200.
func Port() string {
	if p := os.Getenv("GOSTASH_OPENSEARCH_PORT"); p != "" {
		return p
	}
	return "9200"
}

// Node is an engine the tests talk to.
type Node struct {
	URL string
}

var httpClient = &http.Client{Timeout: 60 * time.Second}

// Require returns the test node, failing the test under CI=true when it
// does not answer and skipping it otherwise.
func Require(t testing.TB) *Node {
	t.Helper()
	n := &Node{URL: "http://127.0.0.1:" + Port()}
	resp, err := httpClient.Get(n.URL + "/")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return n
		}
		err = fmt.Errorf("GET / answered %s", resp.Status)
	}
	msg := fmt.Sprintf("no OpenSearch node on %s (start one with `scripts/opensearch/opensearch.sh up`): %v", n.URL, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}

// Do sends a request and returns the status and body.
func (n *Node) Do(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, n.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// MustDo is Do that fails the test on a status outside 2xx.
func (n *Node) MustDo(t testing.TB, method, path, body string) []byte {
	t.Helper()
	code, data := n.Do(t, method, path, body)
	if code < 200 || code > 299 {
		t.Fatalf("%s %s: %d %s", method, path, code, data)
	}
	return data
}

// JSON decodes a 2xx answer into v.
func (n *Node) JSON(t testing.TB, method, path, body string, v any) {
	t.Helper()
	if err := json.Unmarshal(n.MustDo(t, method, path, body), v); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// Count refreshes the indices matching pattern and counts their documents.
func (n *Node) Count(t testing.TB, pattern string) int {
	t.Helper()
	n.MustDo(t, http.MethodPost, "/"+pattern+"/_refresh", "")
	var answer struct {
		Count int `json:"count"`
	}
	n.JSON(t, http.MethodGet, "/"+pattern+"/_count", "", &answer)
	return answer.Count
}

// Source returns a document's _source, or nil when it does not exist.
func (n *Node) Source(t testing.TB, index, id string) map[string]any {
	t.Helper()
	code, data := n.Do(t, http.MethodGet, "/"+index+"/_doc/"+id, "")
	if code == http.StatusNotFound {
		return nil
	}
	var answer struct {
		Source map[string]any `json:"_source"`
	}
	if code != http.StatusOK || json.Unmarshal(data, &answer) != nil {
		t.Fatalf("GET %s/_doc/%s: %d %s", index, id, code, data)
	}
	return answer.Source
}

// Name returns a fresh lower-case name with prefix and removes, when the
// test ends, the indices, data streams and templates named after it.
func (n *Node) Name(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		for _, p := range []string{"/_data_stream/*" + name + "*", "/*" + name + "*?expand_wildcards=all", "/_index_template/*" + name + "*", "/_template/*" + name + "*"} {
			n.Do(t, http.MethodDelete, p, "")
		}
	})
	return name
}

// Root is the repository's root directory.
func Root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Run is a gostash process.
type Run struct {
	t      testing.TB
	cmd    *exec.Cmd
	Stdout bytes.Buffer
	stderr syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start runs gostash on config with stdin (may be empty) and extra args.
func Start(t testing.TB, config, stdin string, args ...string) *Run {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pipeline.conf")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Run{t: t, done: make(chan struct{})}
	r.cmd = exec.Command(goldencase.Binary(t), append([]string{"-f", file, "--api.enabled", "false"}, args...)...)
	r.cmd.Stdin = strings.NewReader(stdin)
	r.cmd.Stdout, r.cmd.Stderr = &r.Stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("gostash stderr:\n%s", tail(r.Stderr(), 40))
		}
	})
	return r
}

// Stderr is what gostash logged so far.
func (r *Run) Stderr() string { return r.stderr.String() }

// Wait waits for gostash to exit by itself and returns its exit code.
func (r *Run) Wait(timeout time.Duration) int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		r.t.Fatalf("gostash did not finish within %s\n%s", timeout, tail(r.Stderr(), 30))
	}
	if ee, ok := r.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if r.err != nil {
		r.t.Fatal(r.err)
	}
	return 0
}

// Stop sends SIGTERM and waits for the exit code.
func (r *Run) Stop(timeout time.Duration) int {
	r.cmd.Process.Signal(syscall.SIGTERM)
	return r.Wait(timeout)
}

// MustRun runs gostash to completion and fails the test unless it exits 0.
func MustRun(t testing.TB, config, stdin string, args ...string) *Run {
	t.Helper()
	r := Start(t, config, stdin, args...)
	if code := r.Wait(2 * time.Minute); code != 0 {
		t.Fatalf("gostash exited %d\n%s", code, tail(r.Stderr(), 30))
	}
	return r
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// PrivateNode starts a node of its own on port (for tests that stop and
// start it, which must not disturb the shared one) and removes it when the
// test ends. Its control is opensearch.sh with the given action.
type PrivateNode struct {
	*Node
	t    testing.TB
	env  []string
	root string
}

// StartPrivateNode runs `opensearch.sh up` on port with its own state dir.
func StartPrivateNode(t testing.TB, port string) *PrivateNode {
	t.Helper()
	p := &PrivateNode{Node: &Node{URL: "http://127.0.0.1:" + port}, t: t, root: Root(t),
		env: append(os.Environ(), "GOSTASH_OPENSEARCH_PORT="+port, "GOSTASH_OPENSEARCH_RUN="+filepath.Join(t.TempDir(), "node"))}
	t.Cleanup(func() { p.control("down") })
	p.control("up")
	return p
}

func (p *PrivateNode) control(action string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(p.root, "scripts/opensearch/opensearch.sh"), action)
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("opensearch.sh %s: %v\n%s", action, err, out)
	}
}

// Stop stops the node, keeping its data.
func (p *PrivateNode) Stop() { p.control("stop") }

// Start starts the stopped node again on its data.
func (p *PrivateNode) Start() { p.control("start") }
