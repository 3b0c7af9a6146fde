package persisted

import (
	"fmt"
	"math"
	"time"
)

// Settings are the queue.* settings of a persisted queue.
type Settings struct {
	PageCapacity       int64         // queue.page_capacity: bytes per page file
	MaxBytes           int64         // queue.max_bytes: bytes of all pages; 0 is no limit
	MaxEvents          int64         // queue.max_events: records written but not read; 0 is no limit
	CheckpointWrites   int64         // queue.checkpoint.writes: sync every N writes; 0 is never by count
	CheckpointAcks     int64         // queue.checkpoint.acks: checkpoint every N acknowledgements; 0 is never by count
	CheckpointInterval time.Duration // queue.checkpoint.interval: sync what is unsynced this often; 0 is never
	CheckpointRetry    bool          // queue.checkpoint.retry: retry a failed checkpoint rename
}

// DefaultSettings are Logstash's defaults.
func DefaultSettings() Settings {
	return Settings{
		PageCapacity:       64 << 20,
		MaxBytes:           1 << 30,
		CheckpointWrites:   1024,
		CheckpointAcks:     1024,
		CheckpointInterval: time.Second,
		CheckpointRetry:    true,
	}
}

// MinPageCapacity is the smallest page: its header and one small record.
const MinPageCapacity = pageHeaderSize + recordHeaderSize + 16

// Validate checks the settings as Logstash's queue factory and its
// persisted-queue validator do.
func (s Settings) Validate() error {
	switch {
	case s.PageCapacity < MinPageCapacity:
		return fmt.Errorf("queue.page_capacity must be at least %d bytes, got %d", MinPageCapacity, s.PageCapacity)
	case s.PageCapacity >= math.MaxInt32:
		// Logstash keeps it in a Java int; gostash's checkpoints do the same.
		return fmt.Errorf("queue.page_capacity must be less than 2gb, got %d bytes", s.PageCapacity)
	case s.MaxBytes < 0:
		return fmt.Errorf("queue.max_bytes must not be negative, got %d", s.MaxBytes)
	case s.MaxBytes > 0 && s.PageCapacity > s.MaxBytes:
		return fmt.Errorf("Invalid configuration, `queue.page_capacity` must be smaller or equal to `queue.max_bytes` (%d > %d bytes)", s.PageCapacity, s.MaxBytes)
	case s.MaxEvents < 0:
		return fmt.Errorf("queue.max_events must not be negative, got %d", s.MaxEvents)
	case s.CheckpointWrites < 0:
		return fmt.Errorf("queue.checkpoint.writes must not be negative, got %d", s.CheckpointWrites)
	case s.CheckpointAcks < 0:
		return fmt.Errorf("queue.checkpoint.acks must not be negative, got %d", s.CheckpointAcks)
	case s.CheckpointInterval < 0:
		return fmt.Errorf("queue.checkpoint.interval must not be negative, got %v", s.CheckpointInterval)
	}
	return nil
}

// maxRecord is the largest record data a page can hold.
func (s Settings) maxRecord() int64 { return s.PageCapacity - pageHeaderSize - recordHeaderSize }
