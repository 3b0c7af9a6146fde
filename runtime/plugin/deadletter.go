package plugin

import "github.com/gostash/gostash/runtime/event"

// DeadLetterQueue is a pipeline's dead letter queue (Logstash's
// dead_letter_queue.enable): events an output cannot deliver and must not
// retry (a document the search engine rejects with a mapping error) are
// set aside there with the reason, to be read back later by the
// dead_letter_queue input.
type DeadLetterQueue interface {
	// Writer returns the writer one plugin instance writes through; its
	// entries record the plugin's name and id, as Logstash's do.
	Writer(pluginName, pluginID string) DeadLetterWriter
}

// DeadLetterWriter sets one event aside. The event is written as it is,
// @metadata included; reason says why it could not be delivered.
type DeadLetterWriter interface {
	Write(e *event.Event, reason string) error
}

// DeadLetterWriter returns the writer for this plugin instance, or nil when
// the pipeline has no dead letter queue (the plugin then logs what it
// would have written).
func (s *Settings) DeadLetterWriter() DeadLetterWriter {
	if s.ctx.DeadLetters == nil {
		return nil
	}
	return s.ctx.DeadLetters.Writer(s.reg.spec.Name, s.id)
}
