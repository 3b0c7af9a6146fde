package dead_letter_queue_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/deadletter"
	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/dead_letter_queue"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// collector keeps what it is given and says when it has n events.
type collector struct {
	mu     sync.Mutex
	events []*event.Event
	want   int
	full   chan struct{}
}

func (c *collector) Output(_ context.Context, events []*event.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, events...)
	if len(c.events) == c.want {
		close(c.full)
	}
	return nil
}

var sink = &collector{}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{Spec: plugin.Spec{Name: "test_dlq_sink"}, New: func(*plugin.Settings) (plugin.Output, error) { return sink, nil }})
}

// TestCleanConsumed reads two sealed segments: every event carries its
// dead letter metadata; once they are acknowledged the position is saved
// and the segment left behind is deleted.
func TestCleanConsumed(t *testing.T) {
	root := t.TempDir()
	w, err := deadletter.Open(deadletter.Settings{Dir: filepath.Join(root, "up"), MaxBytes: 1 << 30, FlushInterval: time.Hour, FlushCheckInterval: time.Hour}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		e := event.NewEvent()
		e.Set("message", fmt.Sprint("m", i))
		if err := w.Write(e, "elasticsearch", "es_out", "could not index"); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			// Close seals the head; reopening starts segment 2.
			w.Close()
			if w, err = deadletter.Open(deadletter.Settings{Dir: filepath.Join(root, "up"), MaxBytes: 1 << 30, FlushInterval: time.Hour, FlushCheckInterval: time.Hour}, slog.Default()); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()

	sincedb := filepath.Join(t.TempDir(), "sincedb")
	conf := fmt.Sprintf(`input { dead_letter_queue { path => %q pipeline_id => "up" clean_consumed => true sincedb_path => %q } } output { test_dlq_sink {} }`, root, sincedb)
	cfg, diags := lang.Parse("p.conf", []byte(conf), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	*sink = collector{want: 4, full: make(chan struct{})}
	p, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	select {
	case <-sink.full:
	case <-time.After(20 * time.Second):
		t.Fatalf("got %d events", len(sink.events))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, e := range sink.events {
		msg, _ := e.Get("message")
		ptype, _ := e.Get("[@metadata][dead_letter_queue][plugin_type]")
		pid, _ := e.Get("[@metadata][dead_letter_queue][plugin_id]")
		reason, _ := e.Get("[@metadata][dead_letter_queue][reason]")
		when, _ := e.Get("[@metadata][dead_letter_queue][entry_time]")
		if _, isTime := when.(event.Timestamp); msg != fmt.Sprint("m", i) || ptype != "elasticsearch" || pid != "es_out" || reason != "could not index" || !isTime {
			t.Errorf("event %d: %v %v %v %v %v", i, msg, ptype, pid, reason, when)
		}
	}
	pos, ok, err := deadletter.ReadSinceDB(sincedb)
	if err != nil || !ok || filepath.Base(pos.Segment) != "2.log" {
		t.Errorf("sincedb: %v %v %v", pos, ok, err)
	}
	if _, err := os.Stat(filepath.Join(root, "up", "1.log")); !os.IsNotExist(err) {
		t.Errorf("the consumed segment 1.log is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "up", "2.log")); err != nil {
		t.Errorf("segment 2.log: %v", err)
	}
}

// TestCleanConsumedNeedsCommitOffsets: Logstash's configuration error.
func TestCleanConsumedNeedsCommitOffsets(t *testing.T) {
	cfg, _ := lang.Parse("p.conf", []byte(fmt.Sprintf(`input { dead_letter_queue { path => %q clean_consumed => true commit_offsets => false } } output { test_dlq_sink {} }`, t.TempDir())), lang.ParseOptions{})
	_, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "enabling clean_consumed requires commit_offsets to also be enabled") {
		t.Errorf("diagnostics: %v", diags)
	}
}
