// Package elapsed is Logstash's elapsed filter: it pairs a start event and
// an end event sharing an id (found by their tags) and records the time
// between them; start events whose end never comes expire into an error
// event.
package elapsed

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optStartTag        = plugin.String("start_tag").Required().Doc("The tag that marks a start event.")
	optEndTag          = plugin.String("end_tag").Required().Doc("The tag that marks an end event.")
	optUniqueIDField   = plugin.String("unique_id_field").Required().Doc("The field whose value pairs a start event with its end event.")
	optTimeout         = plugin.Float("timeout").Default(1800).Doc("Seconds a start event waits for its end event before it expires into an `elapsed_expired_error` event.")
	optNewEventOnMatch = plugin.Bool("new_event_on_match").Default(false).Doc("Put the elapsed time in a new event rather than in the end event.")
	optKeepStartEvent  = plugin.Enum("keep_start_event", "first", "last").Default("first").Doc("Which start event counts when several with one id arrive before the end.")
	optPeriodicFlush   = plugin.Bool("periodic_flush").Default(true).Doc("Age the waiting start events every five seconds.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "elapsed",
			Summary: "Measures the time between a start event and an end event with the same id.",
			Options: []plugin.Declared{optStartTag, optEndTag, optUniqueIDField, optTimeout, optNewEventOnMatch, optKeepStartEvent, optPeriodicFlush},
		},
		New: newElapsed,
	})
}

// Field names and tags the filter writes.
const (
	elapsedField       = "elapsed_time"
	timestampStart     = "elapsed_timestamp_start"
	elapsedTag         = "elapsed"
	expiredTag         = "elapsed_expired_error"
	endWithoutStartTag = "elapsed_end_without_start"
	matchTag           = "elapsed_match"
)

type start struct {
	id        any
	timestamp any
	age       float64
}

type elapsed struct {
	log        *slog.Logger
	host       string
	startTag   string
	endTag     string
	idField    string
	idRef      event.FieldRef
	timeout    float64
	newEvent   bool
	keepFirst  bool
	mu         sync.Mutex
	starts     map[string]*start
	startOrder []string
}

func newElapsed(s *plugin.Settings) (plugin.Filter, error) {
	host, _ := os.Hostname()
	f := &elapsed{log: s.Logger(), host: host, startTag: optStartTag.Get(s), endTag: optEndTag.Get(s), idField: optUniqueIDField.Get(s),
		timeout: optTimeout.Get(s), newEvent: optNewEventOnMatch.Get(s), keepFirst: optKeepStartEvent.Get(s) == "first",
		starts: map[string]*start{}}
	var err error
	if f.idRef, err = event.ParseFieldRef(f.idField); err != nil {
		return nil, optUniqueIDField.Errorf(s, "%v", err)
	}
	f.log.Info(fmt.Sprintf("Elapsed, timeout: %s seconds", number(f.timeout)))
	return f, nil
}

func number(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return ruby.FloatToS(f)
}

// hasTag is Ruby's tags.include?(tag): an element of a list, or a
// substring when tags is a string.
func hasTag(e *event.Event, tag string) bool {
	switch t, _ := e.Get(event.TagsField); v := t.(type) {
	case []any:
		for _, x := range v {
			if x == tag {
				return true
			}
		}
	case string:
		return strings.Contains(v, tag)
	}
	return false
}

// idKey tells ids apart by type and value, as Ruby hash keys are.
func idKey(v any) string { return fmt.Sprintf("%T\x00%s", v, event.AppendJSON(nil, v)) }

// Filter records a start event, or completes the pair at an end event:
// the elapsed seconds go into the end event, or (new_event_on_match) into
// a new event. An end event with no start is tagged.
func (f *elapsed) Filter(e *event.Event, emit func(*event.Event)) bool {
	id, ok := e.GetRef(f.idRef)
	if !ok || id == nil {
		return false
	}
	key := idKey(id)
	switch {
	case hasTag(e, f.startTag):
		f.log.Debug("Elapsed, 'start event' received", slog.String("start_tag", f.startTag), slog.String("unique_id_field", f.idField))
		ts, _ := e.Get(event.TimestampField)
		f.mu.Lock()
		if _, seen := f.starts[key]; !seen {
			f.startOrder = append(f.startOrder, key)
			f.starts[key] = &start{id: event.CloneValue(id), timestamp: ts}
		} else if !f.keepFirst {
			f.starts[key] = &start{id: event.CloneValue(id), timestamp: ts}
		}
		f.mu.Unlock()
		return true
	case hasTag(e, f.endTag):
		f.log.Debug("Elapsed, 'end event' received", slog.String("end_tag", f.endTag), slog.String("unique_id_field", f.idField))
		f.mu.Lock()
		st, found := f.starts[key]
		if found {
			f.remove(key)
		}
		f.mu.Unlock()
		if !found {
			e.Tag(endWithoutStartTag)
			return true
		}
		endTS, _ := e.Timestamp()
		startTS, _ := st.timestamp.(event.Timestamp)
		secs := endTS.Sub(startTS.Time).Seconds()
		if f.newEvent {
			ne := event.NewEvent()
			ne.Data().Set("host", f.host)
			f.addInfo(ne, secs, id, st.timestamp)
			emit(ne)
			return true
		}
		f.addInfo(e, secs, id, st.timestamp)
		return true
	}
	return false
}

func (f *elapsed) remove(key string) {
	delete(f.starts, key)
	for i, k := range f.startOrder {
		if k == key {
			f.startOrder = append(f.startOrder[:i], f.startOrder[i+1:]...)
			break
		}
	}
}

func (f *elapsed) addInfo(e *event.Event, secs float64, id, startTS any) {
	e.Tag(elapsedTag)
	e.Tag(matchTag)
	e.Data().Set(elapsedField, secs)
	_ = e.SetRef(f.idRef, event.CloneValue(id))
	e.Data().Set(timestampStart, startTS)
}

// FlushMatched ages the waiting start events by five seconds and turns
// those past the timeout into error events, which the filter matched.
func (f *elapsed) FlushMatched(_ bool, emit func(*event.Event, bool)) {
	f.mu.Lock()
	var expired []*start
	kept := f.startOrder[:0]
	for _, k := range f.startOrder {
		st := f.starts[k]
		st.age += 5
		if st.age >= f.timeout {
			expired = append(expired, st)
			delete(f.starts, k)
			continue
		}
		kept = append(kept, k)
	}
	f.startOrder = kept
	f.mu.Unlock()
	for _, st := range expired {
		e := event.NewEvent()
		e.Tag(elapsedTag)
		e.Tag(expiredTag)
		e.Data().Set("host", f.host)
		_ = e.SetRef(f.idRef, st.id)
		e.Data().Set(elapsedField, int64(st.age))
		e.Data().Set(timestampStart, st.timestamp)
		emit(e, true)
	}
}
