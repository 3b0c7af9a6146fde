package main

import (
	"log/slog"
	"path/filepath"

	"github.com/gostash/gostash/internal/deadletter"
	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/runtime/plugin"
)

// pipelineSettings are the settings a pipeline's plugins see, from the
// pipeline's settings (logstash.yml, the command line, its pipelines.yml
// entry), which the settings package has already checked.
func pipelineSettings(st *settings.Settings) plugin.PipelineSettings {
	ps := plugin.DefaultPipelineSettings(int(st.Int("pipeline.workers")))
	ps.ID = st.String("pipeline.id")
	ps.WorkersSet = st.IsSet("pipeline.workers")
	ps.BatchSize = int(st.Int("pipeline.batch.size"))
	ps.BatchDelay = st.Millis("pipeline.batch.delay")
	ps.Ordered = st.String("pipeline.ordered")
	ps.ECSCompatibility = st.String("pipeline.ecs_compatibility")
	ps.SupportEscapes = st.Bool("config.support_escapes")
	ps.FieldRefEscapeMode = st.String("config.field_reference.escape_style")
	ps.OutputChunkingFactor = int(st.Int("pipeline.batch.output_chunking.growth_threshold_factor"))
	ps.DataPath = st.String("path.data")
	// Checked when the pipeline's settings were read (sources.definitions).
	ps.Queue, _ = queueSettings(st)
	return ps
}

// queueSettings are a pipeline's queue.* settings and path.queue (by
// default <path.data>/queue); a persisted queue's are checked as Logstash's
// queue factory and validator check them.
func queueSettings(st *settings.Settings) (plugin.QueueSettings, error) {
	q := plugin.DefaultQueueSettings()
	q.Type = st.String("queue.type")
	q.Path = st.String("path.queue")
	q.Drain = st.Bool("queue.drain")
	p := &q.Persisted
	p.PageCapacity = st.Int("queue.page_capacity")
	p.MaxBytes = st.Int("queue.max_bytes")
	p.MaxEvents = st.Int("queue.max_events")
	p.CheckpointAcks = st.Int("queue.checkpoint.acks")
	p.CheckpointWrites = st.Int("queue.checkpoint.writes")
	p.CheckpointInterval = st.Millis("queue.checkpoint.interval")
	p.CheckpointRetry = st.Bool("queue.checkpoint.retry")
	if q.Type == "persisted" {
		if err := p.Validate(); err != nil {
			return q, err
		}
	}
	return q, nil
}

// deadLetterQueue is the pipeline's dead letter queue when
// dead_letter_queue.enable is set: <path.dead_letter_queue>/<pipeline.id>,
// opened when the pipeline starts.
func deadLetterQueue(st *settings.Settings, logger *slog.Logger) *deadletter.Handle {
	if !st.Bool("dead_letter_queue.enable") {
		return nil
	}
	s := deadletter.Settings{
		Dir:                filepath.Join(st.String("path.dead_letter_queue"), st.String("pipeline.id")),
		MaxBytes:           st.Int("dead_letter_queue.max_bytes"),
		DropOlder:          st.String("dead_letter_queue.storage_policy") == "drop_older",
		FlushInterval:      st.Millis("dead_letter_queue.flush_interval"),
		FlushCheckInterval: st.Millis("dead_letter_queue.flush_check_interval"),
	}
	if st.IsSet("dead_letter_queue.retain.age") {
		// The setting's format was checked when it was read.
		s.RetainAge, _ = deadletter.ParseRetainAge(st.String("dead_letter_queue.retain.age"))
	}
	return deadletter.NewHandle(s, logger)
}
