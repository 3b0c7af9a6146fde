package deadletter

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Handle is a pipeline's dead letter queue as the pipeline and its
// plugins hold it (plugin.DeadLetterQueue). The queue opens when the
// pipeline starts (plugin.Starter) and closes when it ends (plugin.Closer),
// so a pipeline built and thrown away, as a reload that fails is, never
// touches the directory, and a reload's new pipeline opens it only once
// the old one has closed it.
type Handle struct {
	settings Settings
	logger   *slog.Logger

	mu sync.Mutex
	w  *Writer
}

// NewHandle prepares the queue without opening it.
func NewHandle(s Settings, logger *slog.Logger) *Handle {
	return &Handle{settings: s, logger: logger}
}

// Start opens the queue.
func (h *Handle) Start() error {
	w, err := Open(h.settings, h.logger)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.w = w
	h.mu.Unlock()
	return nil
}

// Close closes the queue.
func (h *Handle) Close() error {
	h.mu.Lock()
	w := h.w
	h.w = nil
	h.mu.Unlock()
	if w == nil {
		return nil
	}
	return w.Close()
}

// Dir is the queue's directory.
func (h *Handle) Dir() string { return h.settings.Dir }

// Stats returns the queue's figures; ok is false while it is not open.
func (h *Handle) Stats() (s Stats, ok bool) {
	h.mu.Lock()
	w := h.w
	h.mu.Unlock()
	if w == nil {
		return Stats{}, false
	}
	return w.Stats(), true
}

var errNotOpen = errors.New("the dead letter queue is not open: its pipeline is not running")

// Writer returns the writer one plugin instance writes through.
func (h *Handle) Writer(pluginName, pluginID string) plugin.DeadLetterWriter {
	return &handleWriter{h: h, pluginType: pluginName, pluginID: pluginID}
}

type handleWriter struct {
	h                    *Handle
	pluginType, pluginID string
}

func (hw *handleWriter) Write(e *event.Event, reason string) error {
	hw.h.mu.Lock()
	w := hw.h.w
	hw.h.mu.Unlock()
	if w == nil {
		return errNotOpen
	}
	return w.Write(e, hw.pluginType, hw.pluginID, reason)
}
