package plugin

import (
	"context"
	"errors"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// Kind is the kind of a plugin.
type Kind string

const (
	KindInput  Kind = "input"
	KindFilter Kind = "filter"
	KindOutput Kind = "output"
	KindCodec  Kind = "codec"
)

// Input produces events until it has no more (stdin at EOF, a generator's
// count) or ctx is cancelled at shutdown. It returns nil in both cases; an
// error is logged and the input restarted after a second, as Logstash does.
type Input interface {
	Run(ctx context.Context, out Emitter) error
}

// Emitter takes an input's events. Emit applies the input's common options
// (type, add_field, tags) and blocks while the queue is full (back-pressure).
// An input that must know when an event has been fully handled attaches an
// Ack with Event.SetAck before emitting it.
//
// Inputs that add fields only when decoration left them unset (stdin and
// generator set host "if absent") call Decorate first, add their fields,
// then EmitDecorated.
type Emitter interface {
	Emit(e *event.Event)
	Decorate(e *event.Event)
	EmitDecorated(e *event.Event)
}

// BatchEmitter is implemented by the pipeline's Emitter. An input that
// makes events in bursts (the generator) hands a burst over at once,
// decorated: one queue operation instead of one per event. Order is kept;
// it blocks while the queue is full; the slice may be reused on return.
type BatchEmitter interface {
	EmitDecoratedBatch(events []*event.Event)
}

// Filter handles one event at a time and may be called from several workers
// at once, so it must not keep per-event state. It returns true when it
// "matched" (Logstash's filter_matched), which applies the common options
// add_field, remove_field, add_tag and remove_tag. Events passed to emit
// (clone, split) are new events: they get the common options and continue
// through the filters after this one. Cancelling e drops it.
type Filter interface {
	Filter(e *event.Event, emit func(*event.Event)) (matched bool)
}

// CommonOptionsFailer is a filter that handles a failure of its common
// options (add_field naming an invalid field reference) itself: mutate tags
// the event, since Logstash's mutate rescues its filter_matched. For other
// filters the pipeline logs the failure and passes the event on.
type CommonOptionsFailer interface {
	CommonOptionsFailed(e *event.Event, err error)
}

// Flusher is a filter that holds events back and releases them when asked:
// every five seconds and at shutdown.
type Flusher interface {
	Flush(emit func(*event.Event))
}

// MatchedFlusher is a filter that holds events back (or makes them, as the
// metrics filter does) and says which of those it releases it matched
// (Logstash's filter_matched in the filter's flush): those get the
// filter's common options (add_field, add_tag...). The pipeline calls
// FlushMatched every five seconds and, with final true, once at shutdown
// (Logstash's flush(final: true)), in place of Flush.
type MatchedFlusher interface {
	FlushMatched(final bool, emit func(e *event.Event, matched bool))
}

// Output delivers a batch of events. It may be called from several workers
// at once. It retries what it can itself; a returned error stops the
// pipeline. ctx is cancelled only when shutdown is forced.
type Output interface {
	Output(ctx context.Context, events []*event.Event) error
}

// Closer is implemented by plugins holding resources, closed once at the
// end of the pipeline, after the last event.
type Closer interface {
	Close() error
}

// Codec turns bytes into events and events into bytes.
//
// Decode and Flush keep stream state (a partial line, say) and are called by
// one goroutine; every stream gets its own instance (Settings.NewCodec).
// Encode must be safe for concurrent use: outputs share one instance.
type Codec interface {
	// Decode consumes the next chunk of a stream, emitting each complete event.
	Decode(data []byte, emit func(*event.Event))
	// Flush emits whatever is buffered at the end of a stream.
	Flush(emit func(*event.Event))
	// Encode appends e's encoded form to dst.
	Encode(dst []byte, e *event.Event) []byte
}

// ErrFrameTooLarge is wrapped by the error of a StreamDecoder that met a
// frame (a line, a message) longer than the codec's documented limit.
var ErrFrameTooLarge = errors.New("frame too large")

// StreamDecoder is a codec that buffers a stream across Decode calls (a
// partial line, say) and bounds what it buffers. Decode drops an oversized
// frame, logs it and carries on, which suits a source that cannot be
// refused (a file, stdin); DecodeStream instead returns an error wrapping
// ErrFrameTooLarge, after emitting the events before that frame, so that an
// input reading a connection closes it. The codec is not used again after
// such an error.
type StreamDecoder interface {
	DecodeStream(data []byte, emit func(*event.Event)) error
}

// DecodeStream decodes the next chunk of a stream the caller can end (a
// network connection, a request): with the codec's DecodeStream where it
// has one, else with Decode, which then never fails.
func DecodeStream(c Codec, data []byte, emit func(*event.Event)) error {
	if sd, ok := c.(StreamDecoder); ok {
		return sd.DecodeStream(data, emit)
	}
	c.Decode(data, emit)
	return nil
}

// SenderAwareCodec is a codec whose decoding depends on which peer sent
// the data (netflow keeps each exporter's templates apart). Inputs that
// know the sender of each chunk (udp) call DecodeFrom instead of Decode.
type SenderAwareCodec interface {
	Codec
	// DecodeFrom is Decode for data that sender (an IP address) sent.
	DecodeFrom(data []byte, sender string, emit func(*event.Event))
}

// HoldingCodec is a codec that holds decoded input back across Decode calls
// until later input completes an event (multiline); Flush emits what it
// holds.
type HoldingCodec interface {
	Codec
	// Held is how many of the latest Decode calls gave input that the codec
	// holds and has not emitted yet. An input that records how far its
	// source has been handled (file) does not count that input as handled.
	Held() int
	// TakeIdleFlush hands flushing after a pause to the caller, so that it
	// happens between the caller's own Decode calls: the codec stops using
	// its own timer and returns the pause after which the caller should call
	// Flush (0 when the codec is not configured to flush after a pause).
	TakeIdleFlush() time.Duration
}

// PipelineSettings are the settings of the pipeline a plugin runs in.
type PipelineSettings struct {
	ID                 string
	Workers            int
	WorkersSet         bool
	BatchSize          int
	BatchDelay         time.Duration
	Ordered            string // auto, true, false
	ECSCompatibility   string // disabled, v1, v8
	SupportEscapes     bool
	FieldRefEscapeMode string
	// DataPath is path.data, where plugins keep their state (a sincedb).
	DataPath string
	// OutputChunkingFactor is pipeline.batch.output_chunking.growth_threshold_factor:
	// a batch the filters grew past this many times the batch size goes to
	// the outputs in chunks of the batch size.
	OutputChunkingFactor int
	Queue                QueueSettings
}

// DefaultPipelineSettings returns Logstash's defaults for this machine.
func DefaultPipelineSettings(cores int) PipelineSettings {
	return PipelineSettings{
		ID:                   "main",
		Workers:              cores,
		BatchSize:            125,
		BatchDelay:           50 * time.Millisecond,
		Ordered:              "auto",
		ECSCompatibility:     "v8",
		FieldRefEscapeMode:   "none",
		OutputChunkingFactor: 1000,
		Queue:                DefaultQueueSettings(),
	}
}

// Starter is implemented by plugins that take hold of something shared
// when their pipeline starts, not when it is built (a pipeline input binds
// its address, a pipeline output registers as a sender): a pipeline may be
// built and thrown away (a reload that fails). The pipeline calls Start on
// every plugin before its inputs run; an error stops it from starting.
// Close gives back what Start took.
type Starter interface {
	Start() error
}
