package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/multiline"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// deadline bounds every wait: generous, since it only turns a hang into a
// failure.
const deadline = plugintest.Deadline

// collector is the pipeline as the input sees it: it keeps every event
// and, unless holding, releases it at once (the pipeline finished with it).
type collector struct {
	mu      sync.Mutex
	events  []*event.Event
	held    []*event.Event
	holding bool
	changed chan struct{}
}

func newCollector(holding bool) *collector {
	return &collector{holding: holding, changed: make(chan struct{}, 1)}
}

func (c *collector) Emit(e *event.Event)   { c.EmitDecorated(e) }
func (c *collector) Decorate(*event.Event) {}
func (c *collector) EmitDecorated(e *event.Event) {
	c.mu.Lock()
	c.events = append(c.events, e)
	if c.holding {
		c.held = append(c.held, e)
	}
	c.mu.Unlock()
	if !c.holding {
		e.Release()
	}
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// release releases the held events at the given indexes (into the held
// list), or all when none are given.
func (c *collector) release(idx ...int) {
	c.mu.Lock()
	var rel []*event.Event
	if len(idx) == 0 {
		rel, c.held = c.held, nil
	} else {
		for _, i := range idx {
			rel = append(rel, c.held[i])
		}
	}
	c.mu.Unlock()
	for _, e := range rel {
		e.Release()
	}
}

// messages are the events' messages in order.
func (c *collector) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.events))
	for i, e := range c.events {
		v, _ := e.Get("message")
		out[i] = event.ValueString(v)
	}
	return out
}

// waitFor waits until the messages satisfy ok.
func (c *collector) waitFor(t *testing.T, what string, ok func([]string) bool) []string {
	t.Helper()
	timeout := time.After(deadline)
	for {
		if m := c.messages(); ok(m) {
			return m
		}
		select {
		case <-c.changed:
		case <-time.After(20 * time.Millisecond):
		case <-timeout:
			t.Fatalf("waiting for %s; have %q", what, c.messages())
		}
	}
}

// waitCount waits for n events.
func (c *collector) waitCount(t *testing.T, n int) []string {
	t.Helper()
	return c.waitFor(t, fmt.Sprintf("%d events", n), func(m []string) bool { return len(m) >= n })
}

// waitMessage waits until an event with message msg arrives.
func (c *collector) waitMessage(t *testing.T, msg string) []string {
	t.Helper()
	return c.waitFor(t, fmt.Sprintf("message %q", msg), func(m []string) bool {
		for _, x := range m {
			if x == msg {
				return true
			}
		}
		return false
	})
}

// build configures a file input from option text, e.g. `path => ["/x"]`,
// with path.data in a temporary directory.
func build(t testing.TB, options string) (*Input, error) {
	t.Helper()
	dataPath := t.TempDir()
	b, err := plugintest.TryInput(t, "file { "+options+" }", func(c *plugin.BuildContext) { c.Pipeline.DataPath = dataPath })
	if err != nil {
		return nil, err
	}
	return b.Plugin.(*Input), nil
}

// running is an input running in the background.
type running struct {
	in     *Input
	out    *collector
	cancel context.CancelFunc
	done   chan error
}

// start builds and runs an input; fast polling keeps the tests quick
// (they never depend on it).
func start(t *testing.T, out *collector, options string) *running {
	t.Helper()
	in, err := build(t, `stat_interval => "20 ms" discover_interval => 1 sincedb_write_interval => 0 `+options)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{in: in, out: out, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx, out) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the input, waits for Run and closes it (the final sincedb
// write); it is safe to call twice.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Run did not return after cancel")
	}
	r.in.Close()
}

// wait waits for Run to end by itself (exit_after_read), then closes.
func (r *running) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Run did not end")
	}
	r.cancel()
	r.cancel = nil
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// sincedbLines reads the sincedb file.
func sincedbLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// positionOf is the sincedb position recorded for the file at path, or -1.
func positionOf(t *testing.T, sincedbPath, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	key := keyOf(fi).String() + " "
	for _, l := range sincedbLines(t, sincedbPath) {
		if strings.HasPrefix(l, key) {
			var pos int64
			fmt.Sscan(strings.Fields(l)[3], &pos)
			return pos
		}
	}
	return -1
}

// waitPosition waits until the sincedb file records pos for path.
func waitPosition(t *testing.T, sincedbPath, path string, pos int64) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		if _, err := os.Stat(sincedbPath); err == nil && positionOf(t, sincedbPath, path) == pos {
			return
		}
		select {
		case <-timeout:
			b, _ := os.ReadFile(sincedbPath)
			t.Fatalf("sincedb never recorded %d for %s; it holds:\n%s", pos, path, b)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// barrier makes sure every watched file sorting between first and last
// (file_sort_by => path) has been looked at after this call: a line
// appended to the first file comes out, then one appended to the last.
func barrier(t *testing.T, out *collector, first, last string, n int) {
	t.Helper()
	for _, f := range []string{first, last} {
		mark := fmt.Sprintf("barrier %d %s", n, filepath.Base(f))
		appendTo(t, f, mark+"\n")
		out.waitMessage(t, mark)
	}
}
