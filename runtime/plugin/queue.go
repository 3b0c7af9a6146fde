package plugin

import "github.com/gostash/gostash/runtime/queue/persisted"

// QueueSettings are a pipeline's queue.* settings and path.queue.
type QueueSettings struct {
	Type      string // queue.type: "memory" or "persisted"
	Path      string // path.queue: a persisted queue lives in Path/<pipeline.id>
	Drain     bool   // queue.drain: at shutdown, process every queued event first
	Persisted persisted.Settings
}

// DefaultQueueSettings are Logstash's: a memory queue, and the persisted
// queue's defaults for when queue.type is set alone.
func DefaultQueueSettings() QueueSettings {
	return QueueSettings{Type: "memory", Persisted: persisted.DefaultSettings()}
}
