// Package aggregate is Logstash's aggregate filter: events of one task
// (sharing a task id) update a map kept between them by Ruby code, and the
// map ends the task as an event of its own (at the end event, on a
// timeout, or when the next task starts).
//
// The code is Ruby and runs in MRI, through the ruby filter's machinery:
// gostash builds one ruby filter per pipeline (by name, through the plugin
// registry) whose init is aggregate.rb. Every aggregate filter of the
// pipeline registers its code there, and the task maps live in that one
// Ruby process, shared by the filters of a task_id pattern as in Logstash.
package aggregate

import (
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

//go:embed aggregate.rb
var rubyInit string

var (
	optTaskID                   = plugin.String("task_id").Required().Doc("What identifies a task: a sprintf pattern such as `%{type}%{my_task_id}` (it must hold a `%{...}`).")
	optCode                     = plugin.String("code").Required().Doc("Ruby code run on each event of a task, with `event`, `map` (the task's map), `map_meta` and `new_event_block`.")
	optMapAction                = plugin.Enum("map_action", "create", "update", "create_or_update").Default("create_or_update").Doc("Whether the event may create the task's map, update an existing one, or both.")
	optEndOfTask                = plugin.Bool("end_of_task").Default(false).Doc("The event ends its task: the map is dropped after the code ran.")
	optAggregateMapsPath        = plugin.String("aggregate_maps_path").Doc("A file the maps are stored in at shutdown and read back at start (one aggregate filter per pipeline may set it).")
	optTimeout                  = plugin.Float("timeout").Doc("Seconds after its creation a task times out (1800 once timeouts are in use).")
	optInactivityTimeout        = plugin.Float("inactivity_timeout").Doc("Seconds without an event after which a task times out; at most timeout.")
	optTimeoutCode              = plugin.String("timeout_code").Doc("Ruby code run on the event a timed-out task makes, with `event`.")
	optPushMapAsEventOnTimeout  = plugin.Bool("push_map_as_event_on_timeout").Default(false).Doc("A timed-out task's map becomes an event.")
	optPushPreviousMapAsEvent   = plugin.Bool("push_previous_map_as_event").Default(false).Doc("When a new task starts, the previous task's map becomes an event (and the last one at shutdown); for tasks that arrive one after another.")
	optTimeoutTimestampField    = plugin.String("timeout_timestamp_field").Doc("A timestamp field to measure timeouts by, instead of the system clock.")
	optTimeoutTaskIDField       = plugin.String("timeout_task_id_field").Doc("The field the task id goes to in a timeout event.")
	optTimeoutTags              = plugin.Strings("timeout_tags").Default([]string{}).Doc("Tags added to timeout events.")
	optMapCountWarningThreshold = plugin.Int("map_count_warning_threshold").Default(5000).Doc("Log a warning when a task_id pattern holds this many maps (0: never).")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "aggregate",
			Summary: "Aggregates the events of a task in a map kept by Ruby code, and makes an event of it when the task ends. Needs one pipeline worker.",
			Options: []plugin.Declared{optTaskID, optCode, optMapAction, optEndOfTask, optAggregateMapsPath, optTimeout, optInactivityTimeout,
				optTimeoutCode, optPushMapAsEventOnTimeout, optPushPreviousMapAsEvent, optTimeoutTimestampField, optTimeoutTaskIDField,
				optTimeoutTags, optMapCountWarningThreshold},
			Examples: []plugin.Example{{
				Title: "Sum the durations of a task's events and end it at the end event",
				Config: `input { stdin { codec => json_lines } }
filter {
  aggregate {
    task_id => "%{task}"
    code => "map['total'] ||= 0; map['total'] += event.get('duration'); event.set('total', map['total']) if event.get('end')"
    end_of_task => false
  }
  if [end] { aggregate { task_id => "%{task}" code => "" end_of_task => true } }
  mutate { remove_field => ["event", "host", "@version", "@timestamp"] }
}
output { stdout { codec => json_lines } }
`,
				Input:    "{\"task\": \"t1\", \"duration\": 5}\n{\"task\": \"t1\", \"duration\": 7, \"end\": true}\n",
				Output:   `{"task":"t1","duration":5}` + "\n" + `{"task":"t1","duration":7,"end":true,"total":12}` + "\n",
				Requires: []string{"ruby"},
			}},
		},
		New: newAggregate,
	})
}

// Metadata keys of the requests to aggregate.rb and its answers.
var (
	requestRef = event.MustFieldRef("[@metadata][__gostash_aggregate]")
	resultRef  = event.MustFieldRef("[@metadata][__gostash_aggregate_result]")
)

// engine is the Ruby side shared by a pipeline's aggregate filters.
type engine struct {
	mu            sync.Mutex
	ruby          plugin.BatchFilter
	refs          int
	timeoutOwners map[string]string
	pathOwner     string
	// registered are the filters' registrations, in order, to send again
	// to a Ruby worker that replaced one that died.
	registered []registration
}

type registration struct {
	id       string
	settings *event.Map
}

type aggregate struct {
	log     *slog.Logger
	id      string
	taskID  *event.Template
	pattern string
	engine  *engine
}

var dynamicPattern = regexp.MustCompile(`%\{.+\}`)

func newAggregate(s *plugin.Settings) (plugin.Filter, error) {
	f := &aggregate{log: s.Logger(), id: s.ID(), pattern: optTaskID.Get(s)}
	if !dynamicPattern.MatchString(f.pattern) {
		return nil, optTaskID.Errorf(s, "Aggregate plugin: task_id pattern '%s' must contain a dynamic expression like '%%{field}'", f.pattern)
	}
	var err error
	if f.taskID, err = event.CompileTemplate(f.pattern); err != nil {
		return nil, optTaskID.Errorf(s, "%v", err)
	}
	if p := s.Pipeline(); p.Workers > 1 {
		f.log.Warn("Warning: Manual override - there are filters that might not work with multiple worker threads",
			slog.Int("worker_threads", p.Workers), slog.String("filters", `["aggregate"]`),
			slog.String("reason", "the aggregate filter needs one pipeline worker (-w 1) to see a task's events in order"))
	}
	timeoutOptions := optTimeout.IsSet(s) || optInactivityTimeout.IsSet(s) || optTimeoutCode.IsSet(s) || optPushMapAsEventOnTimeout.Get(s) ||
		optPushPreviousMapAsEvent.Get(s) || optTimeoutTimestampField.IsSet(s) || optTimeoutTaskIDField.IsSet(s) || len(optTimeoutTags.Get(s)) > 0
	if optInactivityTimeout.IsSet(s) {
		limit := 1800.0
		if optTimeout.IsSet(s) {
			limit = optTimeout.Get(s)
		}
		if optInactivityTimeout.Get(s) > limit {
			timeout := "nil"
			if optTimeout.IsSet(s) {
				timeout = number(optTimeout.Get(s))
			}
			return nil, optInactivityTimeout.Errorf(s, "Aggregate plugin: For task_id pattern %s, inactivity_timeout (%s) must be lower than timeout (%s)", f.pattern, number(optInactivityTimeout.Get(s)), timeout)
		}
	}
	f.engine = s.PipelineShared("aggregate", func() any { return &engine{timeoutOwners: map[string]string{}} }).(*engine)
	e := f.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	if timeoutOptions {
		if _, taken := e.timeoutOwners[f.pattern]; taken {
			return nil, s.Errorf("Aggregate plugin: For task_id pattern '%s', there are more than one filter which defines timeout options. All timeout options have to be defined in only one aggregate filter per task_id pattern. Timeout options are : timeout, inactivity_timeout, timeout_code, push_map_as_event_on_timeout, push_previous_map_as_event, timeout_timestamp_field, timeout_task_id_field, timeout_tags", f.pattern)
		}
	}
	if optAggregateMapsPath.IsSet(s) && e.pathOwner != "" {
		return nil, optAggregateMapsPath.Errorf(s, "Aggregate plugin: Option 'aggregate_maps_path' must be set on only one aggregate filter")
	}
	if e.ruby == nil {
		ruby, err := startRuby(s)
		if err != nil {
			return nil, err
		}
		e.ruby = ruby
	}
	settings := event.NewMap(16)
	settings.Set("task_id", f.pattern)
	settings.Set("code", optCode.Get(s))
	if optTimeoutCode.IsSet(s) {
		settings.Set("timeout_code", optTimeoutCode.Get(s))
	}
	settings.Set("map_action", optMapAction.Get(s))
	settings.Set("end_of_task", optEndOfTask.Get(s))
	if optTimeout.IsSet(s) {
		settings.Set("timeout", numberValue(optTimeout.Get(s)))
	}
	if optInactivityTimeout.IsSet(s) {
		settings.Set("inactivity_timeout", numberValue(optInactivityTimeout.Get(s)))
	}
	settings.Set("push_map_as_event_on_timeout", optPushMapAsEventOnTimeout.Get(s))
	settings.Set("push_previous_map_as_event", optPushPreviousMapAsEvent.Get(s))
	for _, o := range []plugin.Opt[string]{optTimeoutTimestampField, optTimeoutTaskIDField, optAggregateMapsPath} {
		if o.IsSet(s) {
			settings.Set(o.Name(), o.Get(s))
		}
	}
	tags := make([]any, 0)
	for _, t := range optTimeoutTags.Get(s) {
		tags = append(tags, t)
	}
	settings.Set("timeout_tags", tags)
	settings.Set("map_count_warning_threshold", optMapCountWarningThreshold.Get(s))
	settings.Set("timeout_options", timeoutOptions)
	res, err := e.call("register", f.id, map[string]any{"settings": settings}, nil)
	if err != nil {
		e.stopIfUnused()
		return nil, s.Errorf("%v", err)
	}
	if msg, ok := res.Get("syntax"); ok {
		opt := optCode
		if in, _ := res.Get("in"); in == "timeout_code" {
			opt = optTimeoutCode
		}
		line, _ := res.Get("line")
		n, _ := line.(int64)
		// An unclosed construct is found at the end of the lambda Ruby
		// wraps the code in, a line past the code's own.
		n = min(max(n, 1), int64(strings.Count(opt.Get(s), "\n")+1))
		pos := opt.ValuePos(s)
		if n > 1 {
			pos.Line += int(n) - 1
			pos.Column = 1
		}
		e.stopIfUnused()
		return nil, s.ErrorfAt(pos, "syntax error in %s, line %d: %s", opt.Name(), n, event.ValueString(msg))
	}
	if timeoutOptions {
		e.timeoutOwners[f.pattern] = f.id
	}
	if optAggregateMapsPath.IsSet(s) {
		e.pathOwner = f.id
	}
	e.registered = append(e.registered, registration{f.id, settings})
	e.refs++
	return f, nil
}

func number(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(f)
}

// numberValue keeps a whole number an integer, as Logstash's :number does.
func numberValue(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

// startRuby builds the pipeline's ruby filter running aggregate.rb, with
// one Ruby process: the maps must live in one place.
func startRuby(s *plugin.Settings) (plugin.BatchFilter, error) {
	pos := s.Pos()
	str := func(v string) *lang.String { return &lang.String{Pos: pos, End: pos, Value: v, Quote: '"'} }
	p := &lang.Plugin{Pos: pos, End: pos, NameEnd: pos, Name: "ruby", Attributes: []*lang.Attribute{
		{Pos: pos, End: pos, NameEnd: pos, Name: "init", Value: str(rubyInit)},
		{Pos: pos, End: pos, NameEnd: pos, Name: "code", Value: str("__gostash_aggregate(event, new_event_block)")},
	}}
	pipeline := s.Pipeline()
	pipeline.Workers = 1
	logger := slog.New(asAggregate{s.Logger().Handler(), "logstash.filters.aggregate", s.ID()})
	inst, diags := plugin.Build(plugin.KindFilter, p, &plugin.BuildContext{Pipeline: pipeline, Logger: logger})
	if diags.HasErrors() {
		return nil, s.Errorf("starting the Ruby side of the aggregate filter: %s", diags[0].Summary)
	}
	bf, ok := inst.Plugin.(plugin.BatchFilter)
	if !ok {
		return nil, s.Errorf("the ruby filter does not take batches")
	}
	return bf, nil
}

// stopIfUnused stops Ruby when no filter uses it (the first filter's
// registration failed).
func (e *engine) stopIfUnused() {
	if e.refs > 0 || e.ruby == nil {
		return
	}
	if c, ok := e.ruby.(io.Closer); ok {
		c.Close()
	}
	e.ruby = nil
}

// call sends one request on a new event and returns the answer; events
// the Ruby side makes go to emit. A request a new Ruby worker cannot
// answer yet is sent again after the filters are registered there.
func (e *engine) call(op, id string, args map[string]any, emit func(*event.Event)) (*event.Map, error) {
	m, err := e.send(op, id, args, emit)
	if err == nil && op != "register" && unregistered(m) {
		if err := e.reregister(); err != nil {
			return nil, err
		}
		m, err = e.send(op, id, args, emit)
	}
	return m, err
}

func unregistered(m *event.Map) bool {
	v, _ := m.Get("unregistered")
	return v == true
}

// reregister registers every filter again, in order, with a Ruby worker
// that started after the one they were registered with died.
func (e *engine) reregister() error {
	for _, r := range e.registered {
		if _, err := e.send("register", r.id, map[string]any{"settings": r.settings.Clone()}, nil); err != nil {
			return fmt.Errorf("registering the aggregate filters with a new Ruby worker: %w", err)
		}
	}
	return nil
}

func (e *engine) send(op, id string, args map[string]any, emit func(*event.Event)) (*event.Map, error) {
	ev := event.NewEvent()
	req := event.NewMap(len(args) + 2)
	req.Set("op", op)
	req.Set("id", id)
	for k, v := range args {
		req.Set(k, v)
	}
	_ = ev.SetRef(requestRef, req)
	ev.Data().Delete(event.VersionField)
	matched := []bool{false}
	e.ruby.FilterBatch([]*event.Event{ev}, matched, func(_ int, ne *event.Event) {
		if emit != nil {
			emit(ne)
		}
	})
	res, _ := ev.GetRef(resultRef)
	m, ok := res.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("the Ruby side of the aggregate filter did not answer a %s request", op)
	}
	if msg, failed := m.Get("error"); failed {
		return nil, fmt.Errorf("%s", event.ValueString(msg))
	}
	return m, nil
}

// FilterBatch runs the code on each event whose task id resolves, in one
// round trip to Ruby. An event matches when the code did not raise; the
// events the task makes (a previous map, a timeout) follow it.
func (f *aggregate) FilterBatch(events []*event.Event, matched []bool, emit func(int, *event.Event)) {
	var sent []*event.Event
	var index []int
	for i, e := range events {
		matched[i] = false
		taskID := f.taskID.Render(e)
		if taskID == f.pattern {
			continue
		}
		req := event.NewMap(3)
		req.Set("op", "filter")
		req.Set("id", f.id)
		req.Set("task_id", taskID)
		_ = e.SetRef(requestRef, req)
		sent = append(sent, e)
		index = append(index, i)
	}
	if len(sent) == 0 {
		return
	}
	f.engine.mu.Lock()
	defer f.engine.mu.Unlock()
	for attempt := 0; len(sent) > 0; attempt++ {
		rubyMatched := make([]bool, len(sent))
		f.engine.ruby.FilterBatch(sent, rubyMatched, func(i int, ne *event.Event) { emit(index[i], ne) })
		var again []*event.Event
		var againIndex []int
		for j, e := range sent {
			res, _ := e.RemoveRef(resultRef)
			e.RemoveRef(requestRef)
			m, ok := res.(*event.Map)
			if !ok {
				continue
			}
			if unregistered(m) && attempt == 0 {
				req := event.NewMap(3)
				req.Set("op", "filter")
				req.Set("id", f.id)
				req.Set("task_id", f.taskID.Render(e))
				_ = e.SetRef(requestRef, req)
				again, againIndex = append(again, e), append(againIndex, index[j])
				continue
			}
			if v, _ := m.Get("matched"); v == true {
				matched[index[j]] = true
			}
			if msg, failed := m.Get("error"); failed {
				f.log.Error("Aggregate filter failed on an event", slog.String("error", event.ValueString(msg)))
			}
		}
		if len(again) > 0 {
			if err := f.engine.reregister(); err != nil {
				f.log.Error("Aggregate filter lost its Ruby worker", slog.String("error", err.Error()))
				return
			}
		}
		sent, index = again, againIndex
	}
}

// Filter is FilterBatch for one event.
func (f *aggregate) Filter(e *event.Event, emit func(*event.Event)) bool {
	matched := []bool{false}
	f.FilterBatch([]*event.Event{e}, matched, func(_ int, ne *event.Event) { emit(ne) })
	return matched[0]
}

// FlushMatched lets the filter that holds a pattern's timeout options
// end the tasks that timed out (and, at the final flush, push the last
// map with push_previous_map_as_event, tagged _aggregatefinalflush).
func (f *aggregate) FlushMatched(final bool, emit func(*event.Event, bool)) {
	f.engine.mu.Lock()
	defer f.engine.mu.Unlock()
	if _, err := f.engine.call("flush", f.id, map[string]any{"final": final}, func(e *event.Event) { emit(e, false) }); err != nil {
		f.log.Error("Aggregate flush failed", slog.String("error", err.Error()))
	}
}

// Close stores the maps (for the filter with aggregate_maps_path) and,
// with the last aggregate filter of the pipeline, stops Ruby.
func (f *aggregate) Close() error {
	e := f.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pathOwner == f.id {
		if _, err := e.call("close", f.id, nil, nil); err != nil {
			f.log.Error("Storing the aggregate maps failed", slog.String("error", err.Error()))
		}
	}
	e.refs--
	e.stopIfUnused()
	return nil
}
