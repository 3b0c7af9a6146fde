package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/settings"
)

// settingsOf sets the given settings, as logstash.yml or a pipelines.yml
// entry would.
func settingsOf(t *testing.T, values map[string]any) (*settings.Settings, error) {
	t.Helper()
	st := settings.New()
	for k, v := range values {
		if err := st.Set(k, v, "test"); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func TestQueueSettings(t *testing.T) {
	st, err := settingsOf(t, map[string]any{"queue.type": "persisted", "queue.page_capacity": "1mb", "queue.max_bytes": "2 GB",
		"queue.max_events": 500, "queue.checkpoint.writes": 1, "queue.checkpoint.acks": "10",
		"queue.checkpoint.interval": 250, "queue.checkpoint.retry": "false", "queue.drain": true, "path.data": "/var/lib/gostash"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queueSettings(st)
	if err != nil {
		t.Fatal(err)
	}
	p := q.Persisted
	if q.Type != "persisted" || !q.Drain || q.Path != filepath.Join("/var/lib/gostash", "queue") ||
		p.PageCapacity != 1<<20 || p.MaxBytes != 2<<30 || p.MaxEvents != 500 || p.CheckpointWrites != 1 ||
		p.CheckpointAcks != 10 || p.CheckpointInterval != 250*time.Millisecond || p.CheckpointRetry {
		t.Fatalf("queue settings %+v", q)
	}
	if pipelineSettings(st).Queue != q {
		t.Errorf("pipelineSettings does not carry the queue settings")
	}
	st, _ = settingsOf(t, map[string]any{"path.queue": "/q"})
	if q, _ := queueSettings(st); q.Path != "/q" || q.Type != "memory" {
		t.Fatalf("path.queue: %+v", q)
	}
	for _, c := range []struct {
		values map[string]any
		want   string
	}{
		{map[string]any{"queue.type": "disk"}, `Invalid value "queue.type: disk" . Options are: [persisted, memory]`},
		{map[string]any{"queue.max_bytes": "lots"}, "Could not coerce 'lots' into a bytes value"},
		{map[string]any{"queue.compression": "speed"}, "gostash writes queue pages uncompressed"},
		{map[string]any{"queue.type": "persisted", "queue.page_capacity": "2gb", "queue.max_bytes": "3gb"}, "queue.page_capacity"},
		{map[string]any{"queue.type": "persisted", "queue.page_capacity": "64mb", "queue.max_bytes": "10mb"}, "must be smaller or equal to `queue.max_bytes`"},
	} {
		st, err := settingsOf(t, c.values)
		if err == nil {
			_, err = queueSettings(st)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.values, err, c.want)
		}
	}
}
