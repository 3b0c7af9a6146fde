package plugin

import "github.com/gostash/gostash/runtime/event"

// BatchFilter is a filter whose cost is per call rather than per event (a
// round trip to another process), so the pipeline hands it every event of
// a worker's batch that reaches it, at once, in order, instead of calling
// Filter for each.
//
// matched has one entry per event; the filter sets matched[i] when events[i]
// matched (the common options add_field, add_tag... then apply to it).
// Events the filter makes are passed to emit with the index of the event
// they were made from: they follow that event, in the order emitted, and
// continue with the filters after this one. Unlike events passed to
// Filter's emit they get no common options, as Logstash applies them only
// where a plugin calls filter_matched. Cancelling an event drops it.
//
// FilterBatch may be called from several workers at once. Filter stays
// for callers that have a single event.
type BatchFilter interface {
	Filter
	FilterBatch(events []*event.Event, matched []bool, emit func(parent int, e *event.Event))
}
