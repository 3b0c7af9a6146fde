package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestQueueSettings(t *testing.T) {
	st := settings{"queue.type": "persisted", "queue.page_capacity": "1mb", "queue.max_bytes": "2 GB",
		"queue.max_events": 500, "queue.checkpoint.writes": 1, "queue.checkpoint.acks": "10",
		"queue.checkpoint.interval": 250, "queue.checkpoint.retry": "false", "queue.drain": true, "path.data": "/var/lib/gostash"}
	ps, err := st.pipelineSettings()
	if err != nil {
		t.Fatal(err)
	}
	q := ps.Queue
	p := q.Persisted
	if q.Type != "persisted" || !q.Drain || q.Path != filepath.Join("/var/lib/gostash", "queue") ||
		p.PageCapacity != 1<<20 || p.MaxBytes != 2<<30 || p.MaxEvents != 500 || p.CheckpointWrites != 1 ||
		p.CheckpointAcks != 10 || p.CheckpointInterval != 250*time.Millisecond || p.CheckpointRetry {
		t.Fatalf("queue settings %+v", q)
	}
	if ps, _ := (settings{"path.queue": "/q"}).pipelineSettings(); ps.Queue.Path != "/q" || ps.Queue.Type != "memory" {
		t.Fatalf("path.queue: %+v", ps.Queue)
	}
	for _, c := range []struct {
		st   settings
		want string
	}{
		{settings{"queue.type": "disk"}, `setting queue.type: Invalid value "disk"`},
		{settings{"queue.max_bytes": "lots"}, "setting queue.max_bytes: expected a byte size"},
		{settings{"queue.compression": "speed"}, "queue.compression"},
		{settings{"queue.type": "persisted", "queue.page_capacity": "2gb", "queue.max_bytes": "1gb"}, "queue.page_capacity"},
		{settings{"queue.type": "persisted", "queue.page_capacity": "64mb", "queue.max_bytes": "10mb"}, "must be smaller or equal to `queue.max_bytes`"},
	} {
		if _, err := c.st.pipelineSettings(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.st, err, c.want)
		}
	}
}
