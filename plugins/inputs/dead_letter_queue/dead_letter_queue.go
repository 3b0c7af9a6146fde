// Package dead_letter_queue is the dead_letter_queue input: it reads back
// the events a pipeline set aside in its dead letter queue, with why and by
// which plugin, into this pipeline.
package dead_letter_queue

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gostash/gostash/internal/deadletter"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optPath           = plugin.Path("path").Required().Doc("The dead letter queue directory of the pipeline that wrote it (its path.dead_letter_queue); the input reads <path>/<pipeline_id>.")
	optPipelineID     = plugin.String("pipeline_id").Default("main").Doc("The id of the pipeline whose dead letter queue to read.")
	optCommitOffsets  = plugin.Bool("commit_offsets").Default(true).Doc("Save how far the input has read in the sincedb file, so a restart goes on from there; false reads the whole queue on every start.")
	optSincedbPath    = plugin.String("sincedb_path").Doc("The file the position is saved in; default <path.data>/plugins/inputs/dead_letter_queue/<pipeline_id>/.sincedb_<md5 of path>.")
	optStartTimestamp = plugin.String("start_timestamp").Doc("Start at the first entry written at or after this ISO-8601 time (2017-04-04T23:40:37); it wins over a saved position.")
	optCleanConsumed  = plugin.Bool("clean_consumed").Default(false).Doc("Delete the segments whose every entry has been processed; needs commit_offsets.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "dead_letter_queue",
			Summary: "Reads back the events a pipeline set aside in its dead letter queue, with the reason in [@metadata][dead_letter_queue].",
			Options: []plugin.Declared{optPath, optPipelineID, optCommitOffsets, optSincedbPath, optStartTimestamp, optCleanConsumed},
		},
		Acknowledges: true,
		New:          New,
	})
}

// pollInterval is how often the input looks for newly sealed segments.
const pollInterval = 100 * time.Millisecond

// commitEvery bounds how often the sincedb file is rewritten while
// events are acknowledged.
const commitEvery = time.Second

// Input is the dead_letter_queue input.
type Input struct {
	dir     string
	commit  bool
	clean   bool
	sincedb string
	start   *event.Timestamp
	logger  *slog.Logger

	mu        sync.Mutex
	reader    *deadletter.Reader
	pending   []pendingEntry // read, in order, not yet all acknowledged
	nextSeq   int64
	committed deadletter.Position // every entry up to here is done
	saved     deadletter.Position // what the sincedb file holds
	lastSave  time.Time
}

type pendingEntry struct {
	seq   int64
	after deadletter.Position
	done  bool
}

// New builds a dead_letter_queue input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{
		dir:    filepath.Join(optPath.Get(s), optPipelineID.Get(s)),
		commit: optCommitOffsets.Get(s),
		clean:  optCleanConsumed.Get(s),
		logger: s.Logger(),
	}
	if in.clean && !in.commit {
		return nil, optCleanConsumed.Errorf(s, "enabling clean_consumed requires commit_offsets to also be enabled")
	}
	if optStartTimestamp.IsSet(s) {
		t, ok := event.ParseTimestamp(optStartTimestamp.Get(s))
		if !ok {
			return nil, optStartTimestamp.Errorf(s, "%q is not an ISO-8601 time such as 2017-04-04T23:40:37", optStartTimestamp.Get(s))
		}
		in.start = &t
	}
	if optSincedbPath.IsSet(s) {
		in.sincedb = optSincedbPath.Get(s)
		if st, err := os.Stat(in.sincedb); err == nil && st.IsDir() {
			return nil, optSincedbPath.Errorf(s, "The \"sincedb_path\" argument must point to a file, received a directory: %q", in.sincedb)
		}
	} else {
		sum := md5.Sum([]byte(optPath.Get(s)))
		in.sincedb = filepath.Join(s.Pipeline().DataPath, "plugins", "inputs", "dead_letter_queue", optPipelineID.Get(s), ".sincedb_"+hex.EncodeToString(sum[:]))
	}
	return in, nil
}

// open creates the reader and places it: at start_timestamp when set,
// else where the sincedb file says, else at the oldest entry.
func (in *Input) open() error {
	r, err := deadletter.NewReader(in.dir, in.clean, in.logger)
	if err != nil {
		in.logger.Warn(err.Error())
		return err
	}
	switch {
	case in.start != nil:
		err = r.SeekTime(*in.start)
	case in.commit:
		var p deadletter.Position
		var ok bool
		if p, ok, err = deadletter.ReadSinceDB(in.sincedb); ok {
			in.committed, in.saved = p, p
			err = r.Seek(p)
		}
	}
	if err != nil {
		r.Close()
		return err
	}
	in.reader = r
	return nil
}

// Run reads entries as they are sealed, until ctx ends. Each becomes its
// stored event with [@metadata][dead_letter_queue] plugin_type,
// plugin_id, reason and entry_time, decorated by the input's options.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	in.mu.Lock()
	if in.reader == nil {
		if err := in.open(); err != nil {
			in.mu.Unlock()
			return err
		}
	}
	r := in.reader
	in.mu.Unlock()
	if in.commit {
		if err := os.MkdirAll(filepath.Dir(in.sincedb), 0o755); err != nil {
			return fmt.Errorf("sincedb: %w", err)
		}
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		en, after, ok, err := r.Next()
		if err != nil {
			return err
		}
		if !ok {
			t.Reset(pollInterval)
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			continue
		}
		e := en.Event
		meta := event.NewMap(4)
		meta.Set("plugin_type", en.PluginType)
		meta.Set("plugin_id", en.PluginID)
		meta.Set("reason", en.Reason)
		meta.Set("entry_time", en.Time)
		e.Metadata().Set("dead_letter_queue", meta)
		in.mu.Lock()
		seq := in.nextSeq
		in.nextSeq++
		in.pending = append(in.pending, pendingEntry{seq: seq, after: after})
		in.mu.Unlock()
		e.SetAck(event.NewAck(func() { in.done(seq) }))
		out.Emit(e)
		if ctx.Err() != nil {
			return nil
		}
	}
}

// done records that an entry went through the pipeline; the committed
// position moves past every entry done without a gap.
func (in *Input) done(seq int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for i := range in.pending {
		if in.pending[i].seq == seq {
			in.pending[i].done = true
			break
		}
	}
	moved := false
	for len(in.pending) > 0 && in.pending[0].done {
		in.committed = in.pending[0].after
		in.pending = in.pending[1:]
		moved = true
	}
	if moved && time.Since(in.lastSave) >= commitEvery {
		in.save()
	}
}

// save writes the committed position, and with clean_consumed deletes the
// segments it has left behind; in.mu is held.
func (in *Input) save() {
	if !in.commit || in.committed == in.saved {
		return
	}
	if err := deadletter.WriteSinceDB(in.sincedb, in.committed); err != nil {
		in.logger.Error("Could not save the dead letter queue position", slog.String("sincedb_path", in.sincedb), slog.String("error", err.Error()))
		return
	}
	in.saved, in.lastSave = in.committed, time.Now()
	if in.clean {
		if segments, events := in.reader.DeleteConsumed(in.committed); segments > 0 {
			in.logger.Debug("Deleted consumed dead letter segments", slog.Int("cleaned_segments", segments), slog.Int64("cleaned_events", events))
		}
	}
}

// Close saves the position reached: the pipeline has finished with every
// event by now.
func (in *Input) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.reader == nil {
		return nil
	}
	in.save()
	err := in.reader.Close()
	in.reader = nil
	return err
}
