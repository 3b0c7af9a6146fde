package monitor

import (
	"fmt"
	"net/http"
	goruntime "runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/deadletter"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// Handler serves the API; Start serves it on the configured port, tests may
// mount it anywhere.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// apiError is an error response in Logstash's shape.
type apiError struct {
	status  int
	message string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	pretty := false
	if v, ok := r.URL.Query()["pretty"]; ok {
		pretty = len(v) == 0 || v[0] == "" || v[0] == "true"
	}
	status := http.StatusOK
	var body obj
	var aerr *apiError
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		aerr = &apiError{http.StatusNotFound, "Not Found"}
	} else if strings.TrimSuffix(r.URL.Path, "/") == "/_node/hot_threads" && r.URL.Query().Get("human") == "true" {
		var text string
		if _, text, aerr = s.hotThreads(r); aerr == nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte(text))
			return
		}
	} else {
		status, body, aerr = s.route(r)
	}
	if aerr != nil {
		status = aerr.status
		body = obj{{"path", r.URL.Path}, {"status", aerr.status}, {"error", obj{{"message", aerr.message}}}}
	}
	out := appendJSON(nil, body, pretty)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

var notFound = &apiError{http.StatusNotFound, "Not Found"}

func (s *Server) route(r *http.Request) (int, obj, *apiError) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case path == "":
		return s.root(r)
	case parts[0] == "_health_report" && len(parts) == 1:
		return http.StatusOK, s.healthReport(), nil
	case parts[0] != "_node":
		return 0, nil, notFound
	case len(parts) == 1:
		body, err := s.nodeInfo([]string{"pipelines", "os", "jvm"}, "")
		return http.StatusOK, body, err
	case parts[1] == "plugins" && len(parts) == 2:
		return http.StatusOK, s.plugins(), nil
	case parts[1] == "hot_threads" && len(parts) == 2:
		body, _, err := s.hotThreads(r)
		return http.StatusOK, body, err
	case parts[1] == "stats":
		types := []string{"jvm", "process", "events", "flow", "pipelines", "reloads", "os", "queue"}
		id := ""
		switch len(parts) {
		case 2:
		case 3:
			types = strings.Split(parts[2], ",")
		case 4:
			if parts[2] != "pipelines" {
				return 0, nil, notFound
			}
			types, id = []string{"pipelines"}, parts[3]
		default:
			return 0, nil, notFound
		}
		body, err := s.nodeStats(types, id)
		return http.StatusOK, body, err
	default:
		id := ""
		switch len(parts) {
		case 2:
		case 3:
			if parts[1] != "pipelines" {
				return 0, nil, notFound
			}
			id = parts[2]
		default:
			return 0, nil, notFound
		}
		body, err := s.nodeInfo(strings.Split(parts[1], ","), id)
		return http.StatusOK, body, err
	}
}

// statusRank orders health from worst to best.
var statusRank = map[string]int{"red": 0, "yellow": 1, "green": 2}

// root answers GET /, optionally waiting (?wait_for_status=&timeout=) for
// the node to reach a status; 408 when it does not in time.
func (s *Server) root(r *http.Request) (int, obj, *apiError) {
	q := r.URL.Query()
	status := http.StatusOK
	if want := q.Get("wait_for_status"); want != "" || q.Has("timeout") {
		target, ok := statusRank[strings.ToLower(want)]
		if !ok {
			return 0, nil, &apiError{http.StatusBadRequest, fmt.Sprintf("Invalid value for wait_for_status: %q. Valid values are green, yellow and red", want)}
		}
		var timeout time.Duration
		if t := q.Get("timeout"); t != "" {
			var err error
			if timeout, err = parseTimeValue(t); err != nil {
				return 0, nil, &apiError{http.StatusBadRequest, err.Error()}
			}
		}
		deadline := time.Now().Add(timeout)
		for {
			if status, _ := s.health(); statusRank[status] >= target {
				break
			}
			if !time.Now().Before(deadline) {
				status = http.StatusRequestTimeout
				break
			}
			select {
			case <-r.Context().Done():
				return http.StatusRequestTimeout, nil, nil
			case <-time.After(min(100*time.Millisecond, time.Until(deadline))):
			}
		}
	}
	body := s.header()
	body.add("build_date", "")
	body.add("build_sha", "")
	body.add("build_snapshot", false)
	return status, body, nil
}

// parseTimeValue reads an Elasticsearch/Logstash time value: a number and a
// unit (nanos, micros, ms, s, m, h, d).
func parseTimeValue(v string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second},
		{"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			n, err := strconv.ParseInt(num, 10, 64)
			if err == nil && n >= 0 {
				return time.Duration(n) * u.unit, nil
			}
			break
		}
	}
	return 0, fmt.Errorf("invalid timeout %q: expected a number and a unit (nanos, micros, ms, s, m, h, d), e.g. 3s", v)
}

// header is what every response starts with: the node's identity, its
// health, and the process-level pipeline settings.
func (s *Server) header() obj {
	s.mu.Lock()
	tps := s.track()
	s.mu.Unlock()
	status, _ := s.health()
	o := obj{{"host", s.hostname}, {"version", s.cfg.Version}, {"http_address", s.Addr()}, {"id", s.id},
		{"name", s.cfg.NodeName}, {"ephemeral_id", s.ephemeralID}, {"snapshot", false}, {"status", status}}
	switch {
	case s.cfg.Defaults.Workers > 0:
		o.add("pipeline", pipelineSettings(s.cfg.Defaults))
	case len(tps) > 0:
		o.add("pipeline", pipelineSettings(tps[0].p.Settings()))
	}
	if s.cfg.MonitoringClusterUUID != "" {
		o.add("monitoring", obj{{"cluster_uuid", s.cfg.MonitoringClusterUUID}})
	}
	return o
}

func pipelineSettings(ps plugin.PipelineSettings) obj {
	return obj{{"workers", ps.Workers}, {"batch_size", ps.BatchSize}, {"batch_delay", ps.BatchDelay.Milliseconds()}}
}

// pipelinesFor returns the pipeline id names, every pipeline when id is
// empty, or a 404.
func (s *Server) pipelinesFor(id string) ([]*trackedPipeline, *apiError) {
	s.mu.Lock()
	tps := s.track()
	s.mu.Unlock()
	if id == "" {
		return tps, nil
	}
	for _, tp := range tps {
		if tp.p.Settings().ID == id {
			return []*trackedPipeline{tp}, nil
		}
	}
	return nil, notFound
}

// nodeInfo answers GET /_node[/types] and /_node/pipelines/<id>.
func (s *Server) nodeInfo(types []string, id string) (obj, *apiError) {
	tps, aerr := s.pipelinesFor(id)
	if aerr != nil {
		return nil, aerr
	}
	body := s.header()
	for _, t := range types {
		switch t {
		case "pipelines":
			pipelines := obj{}
			for _, tp := range tps {
				ps := tp.p.Settings()
				dlq, hasDLQ := tp.p.DeadLetters().(deadLetterQueue)
				entry := obj{{"ephemeral_id", tp.ephemeralID}, {"workers", ps.Workers}, {"batch_size", ps.BatchSize},
					{"batch_delay", ps.BatchDelay.Milliseconds()}, {"config_reload_automatic", s.cfg.ReloadAutomatic},
					{"config_reload_interval", s.cfg.ReloadInterval.Nanoseconds()}, {"dead_letter_queue_enabled", hasDLQ}}
				if hasDLQ {
					entry.add("dead_letter_queue_path", dlq.Dir())
				}
				pipelines.add(ps.ID, entry)
			}
			body.add("pipelines", pipelines)
		case "os":
			body.add("os", obj{{"name", goruntime.GOOS}, {"arch", goruntime.GOARCH}, {"version", osVersion()},
				{"available_processors", goruntime.NumCPU()}})
		case "jvm":
			body.add("jvm", obj{{"start_time_in_millis", s.started.UnixMilli()}, {"vm_name", "Go"},
				{"vm_version", goruntime.Version()}, {"vm_vendor", "The Go Authors"}})
		default:
			return nil, notFound
		}
	}
	return body, nil
}

// plugins answers GET /_node/plugins: every plugin this binary has.
func (s *Server) plugins() obj {
	var list []any
	for _, kind := range []plugin.Kind{plugin.KindInput, plugin.KindCodec, plugin.KindFilter, plugin.KindOutput} {
		for _, p := range plugin.Plugins(kind) {
			list = append(list, obj{{"name", "logstash-" + string(kind) + "-" + p.Name}, {"version", s.cfg.Version}})
		}
	}
	body := s.header()
	body.add("total", len(list))
	body.add("plugins", append([]any{}, list...))
	return body
}

// nodeStats answers GET /_node/stats[/types] and /_node/stats/pipelines/<id>.
func (s *Server) nodeStats(types []string, id string) (obj, *apiError) {
	tps, aerr := s.pipelinesFor(id)
	if aerr != nil {
		return nil, aerr
	}
	body := s.header()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	all := s.track()
	node := s.nodeReading(all, now)
	nodeStart := counters{at: s.started}
	for _, t := range types {
		switch t {
		case "jvm":
			body.add("jvm", s.jvmStats(now))
		case "process":
			body.add("process", s.processStats(node))
		case "events":
			body.add("events", eventCounts(node))
		case "flow":
			workers := 0
			for _, tp := range all {
				if !tp.ended {
					workers += max(tp.p.Settings().Workers, 1)
				}
			}
			body.add("flow", pipelineFlows(s.nodeHist, node, nodeStart, workers))
		case "pipelines":
			pipelines := obj{}
			for _, tp := range tps {
				pipelines.add(tp.p.Settings().ID, s.pipelineStats(tp, now))
			}
			body.add("pipelines", pipelines)
		case "reloads":
			var successes, failures int64
			for _, tp := range all {
				r := tp.p.Reloads().Snapshot()
				successes, failures = successes+r.Successes, failures+r.Failures
			}
			body.add("reloads", obj{{"successes", successes}, {"failures", failures}})
		case "os":
			section := obj{}
			if cgroup, ok := cgroupStats(); ok {
				section.add("cgroup", cgroup)
			}
			body.add("os", section)
		case "queue":
			body.add("queue", obj{{"events_count", int64(0)}})
		default:
			return nil, notFound
		}
	}
	return body, nil
}

func eventCounts(c counters) obj {
	return obj{{"in", c.in}, {"filtered", c.filtered}, {"out", c.out}, {"duration_in_millis", c.busy.Milliseconds()},
		{"queue_push_duration_in_millis", c.pushWait.Milliseconds()}}
}

// pipelineFlows are Logstash's flow metrics of a pipeline, or of the node.
// workers scales worker_utilization.
func pipelineFlows(h *history, now, start counters, workers int) obj {
	seconds := func(now, base counters) float64 { return now.at.Sub(base.at).Seconds() }
	flows := obj{
		{"input_throughput", rates(h, now, start, func(n, b counters) (float64, float64) { return float64(n.in - b.in), seconds(n, b) })},
		{"filter_throughput", rates(h, now, start, func(n, b counters) (float64, float64) {
			return float64(n.filtered - b.filtered), seconds(n, b)
		})},
		{"output_throughput", rates(h, now, start, func(n, b counters) (float64, float64) { return float64(n.out - b.out), seconds(n, b) })},
		{"queue_backpressure", rates(h, now, start, func(n, b counters) (float64, float64) {
			return float64(n.pushWait - b.pushWait), float64(n.at.Sub(b.at))
		})},
		{"worker_concurrency", rates(h, now, start, func(n, b counters) (float64, float64) {
			return float64(n.busy - b.busy), float64(n.at.Sub(b.at))
		})},
	}
	if workers > 0 {
		flows.add("worker_utilization", rates(h, now, start, func(n, b counters) (float64, float64) {
			return float64(n.busy-b.busy) * 100, float64(n.at.Sub(b.at)) * float64(workers)
		}))
	}
	return flows
}

// pipelineStats is one pipeline's entry under "pipelines". Callers hold s.mu.
func (s *Server) pipelineStats(tp *trackedPipeline, now time.Time) obj {
	p := tp.p
	ps := p.Settings()
	workers := max(ps.Workers, 1)
	var reading, start counters
	flows := obj{}
	if started(p) {
		reading = readPipeline(p, now)
		start = counters{at: startedAt(p), plugins: make([]pluginCounters, len(reading.plugins))}
		flows = pipelineFlows(tp.hist, reading, start, workers)
	}
	inputs, filters, outputs := p.PluginStats()
	pluginAt := func(i int) pluginCounters {
		if i < len(reading.plugins) {
			return reading.plugins[i]
		}
		return pluginCounters{}
	}
	var inputList, filterList, outputList []any
	for i, st := range inputs {
		c := pluginAt(i)
		events := obj{{"out", c.out}}
		if len(inputs) == 1 {
			// The pipeline counts queue waits as a whole; with one input they are all its own.
			events.add("queue_push_duration_in_millis", reading.pushWait.Milliseconds())
		}
		flow := obj{}
		if started(p) {
			flow.add("throughput", rates(tp.hist, reading, start, func(n, b counters) (float64, float64) {
				return float64(n.plugins[i].out - b.plugins[i].out), n.at.Sub(b.at).Seconds()
			}))
		}
		inputList = append(inputList, obj{{"id", st.ID}, {"name", st.Name}, {"events", events}, {"flow", flow}})
	}
	worker := func(i int, st *pipeline.PluginStats) obj {
		c := pluginAt(i)
		flow := obj{}
		if started(p) {
			flow.add("worker_utilization", rates(tp.hist, reading, start, func(n, b counters) (float64, float64) {
				return float64(n.plugins[i].busy-b.plugins[i].busy) * 100, float64(n.at.Sub(b.at)) * float64(workers)
			}))
			flow.add("worker_millis_per_event", rates(tp.hist, reading, start, func(n, b counters) (float64, float64) {
				return float64(n.plugins[i].busy-b.plugins[i].busy) / float64(time.Millisecond), float64(n.plugins[i].in - b.plugins[i].in)
			}))
		}
		return obj{{"id", st.ID}, {"name", st.Name}, {"events", obj{{"in", c.in}, {"out", c.out},
			{"duration_in_millis", c.busy.Milliseconds()}}}, {"flow", flow}}
	}
	for i, st := range filters {
		filterList = append(filterList, worker(len(inputs)+i, st))
	}
	for i, st := range outputs {
		outputList = append(outputList, worker(len(inputs)+len(filters)+i, st))
	}
	r := p.Reloads().Snapshot()
	var lastError, lastSuccess, lastFailure any
	if r.LastError != "" {
		lastError = obj{{"message", r.LastError}, {"backtrace", []any{}}}
	}
	if !r.LastSuccess.IsZero() {
		lastSuccess = r.LastSuccess.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if !r.LastFailure.IsZero() {
		lastFailure = r.LastFailure.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	out := obj{
		{"events", eventCounts(reading)},
		{"flow", flows},
		{"plugins", obj{{"inputs", nonNil(inputList)}, {"codecs", []any{}}, {"filters", nonNil(filterList)}, {"outputs", nonNil(outputList)}}},
		{"reloads", obj{{"last_error", lastError}, {"successes", r.Successes}, {"last_success_timestamp", lastSuccess},
			{"last_failure_timestamp", lastFailure}, {"failures", r.Failures}}},
		{"queue", obj{{"type", "memory"}, {"events_count", int64(0)}, {"queue_size_in_bytes", int64(0)}, {"max_queue_size_in_bytes", int64(0)}}},
		{"ephemeral_id", tp.ephemeralID},
		{"pipeline", pipelineSettings(ps)},
	}
	if dlq, ok := p.DeadLetters().(deadLetterQueue); ok {
		if st, open := dlq.Stats(); open {
			lastError := st.LastError
			if lastError == "" {
				lastError = "no errors"
			}
			out.add("dead_letter_queue", obj{{"max_queue_size_in_bytes", st.MaxQueueSize}, {"last_error", lastError},
				{"queue_size_in_bytes", st.QueueSizeInBytes}, {"dropped_events", st.DroppedEvents},
				{"expired_events", st.ExpiredEvents}, {"storage_policy", st.StoragePolicy}})
		}
	}
	return out
}

// deadLetterQueue is what the API reads of a pipeline's dead letter queue.
type deadLetterQueue interface {
	Dir() string
	Stats() (deadletter.Stats, bool)
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// processStats is Logstash's "process" section. cpu.percent is the share
// of all cores used since the reading about a second ago. Callers hold s.mu.
func (s *Server) processStats(node counters) obj {
	s.noteFDs()
	base, ok := s.nodeHist.since(node.at.Add(-2 * sampleEvery))
	if !ok || !base.at.Before(node.at) {
		base = counters{at: s.started}
	}
	percent := int64(0)
	if wall := node.at.Sub(base.at); wall > 0 {
		percent = int64(float64(node.cpu-base.cpu)/float64(wall)/float64(goruntime.NumCPU())*100 + 0.5)
	}
	cpu := obj{{"total_in_millis", node.cpu.Milliseconds()}, {"percent", percent}}
	if one, five, fifteen, ok := loadAverage(); ok {
		cpu.add("load_average", obj{{"1m", one}, {"5m", five}, {"15m", fifteen}})
	}
	return obj{{"open_file_descriptors", openFileDescriptors()}, {"peak_open_file_descriptors", s.peakFDs},
		{"max_file_descriptors", maxFileDescriptors()}, {"mem", obj{{"total_virtual_in_bytes", virtualMemory()}}}, {"cpu", cpu}}
}

// jvmStats stands in for Logstash's JVM section with the Go runtime's
// heap, so tools that read jvm.mem.heap_used_percent (benchmark-cli) work.
func (s *Server) jvmStats(now time.Time) obj {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/gc/gomemlimit:bytes"},
		{Name: "/sched/goroutines:goroutines"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	value := func(i int) int64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(min(samples[i].Value.Uint64(), 1<<63-1))
	}
	used := value(0)
	committed := used + value(1) + value(2)
	maxHeap := committed
	if limit := value(4); limit > 0 && limit < 1<<62 {
		maxHeap = limit
	}
	percent := int64(0)
	if maxHeap > 0 {
		percent = used * 100 / maxHeap
	}
	return obj{
		{"threads", obj{{"count", value(5)}, {"peak_count", value(5)}}},
		{"mem", obj{{"heap_used_percent", percent}, {"heap_committed_in_bytes", committed}, {"heap_max_in_bytes", maxHeap},
			{"heap_used_in_bytes", used}, {"non_heap_used_in_bytes", value(3) - committed}, {"non_heap_committed_in_bytes", value(3) - committed}}},
		{"gc", obj{{"collectors", obj{{"young", obj{{"collection_count", value(6)}, {"collection_time_in_millis", int64(0)}}},
			{"old", obj{{"collection_count", int64(0)}, {"collection_time_in_millis", int64(0)}}}}}}},
		{"uptime_in_millis", now.Sub(s.started).Milliseconds()},
	}
}
