package monitor

import (
	"net/http"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"
)

// goroutineStack is one goroutine of a runtime.Stack dump.
type goroutineStack struct {
	id     int64
	state  string // "running", "chan receive", "select", ...
	traces []string
}

// idleStates are goroutine states of waiting for work; Logstash's
// ignore_idle_threads leaves such threads out.
var idleStates = []string{"chan receive", "chan send", "select", "IO wait", "sleep", "sync.Cond.Wait", "semacquire",
	"sync.Mutex.Lock", "sync.RWMutex", "sync.WaitGroup.Wait", "GC ", "finalizer wait", "force gc", "timer goroutine"}

func idle(state string) bool {
	for _, s := range idleStates {
		if strings.HasPrefix(state, s) {
			return true
		}
	}
	return false
}

// goroutines parses a full stack dump: "goroutine N [state, ...]:" then
// pairs of lines, the function and its file:line.
func goroutines() []goroutineStack {
	buf := make([]byte, 1<<16)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutineStack
	for _, block := range strings.Split(strings.TrimSpace(string(buf)), "\n\n") {
		lines := strings.Split(block, "\n")
		head, ok := strings.CutPrefix(lines[0], "goroutine ")
		if !ok {
			continue
		}
		idText, rest, _ := strings.Cut(head, " [")
		state, _, _ := strings.Cut(strings.TrimSuffix(rest, "]:"), ",")
		g := goroutineStack{state: state}
		g.id, _ = strconv.ParseInt(idText, 10, 64)
		for i := 1; i+1 < len(lines); i += 2 {
			fn := lines[i]
			if p := strings.LastIndex(fn, "("); p > 0 && strings.HasSuffix(fn, ")") {
				fn = fn[:p] // arguments
			}
			loc, _, _ := strings.Cut(strings.TrimSpace(lines[i+1]), " +0x")
			g.traces = append(g.traces, fn+" ("+loc+")")
		}
		out = append(out, g)
	}
	return out
}

// hotThreads answers GET /_node/hot_threads with the process's
// goroutines, the Go counterpart of Logstash's JVM threads: by default the
// first 10 that are not idle (?threads=N, ?ignore_idle_threads=false),
// as JSON or, with ?human=true, as text. Go does not account CPU time per
// goroutine, so there is no percent_of_cpu_time.
func (s *Server) hotThreads(r *http.Request) (obj, string, *apiError) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("threads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, "", &apiError{http.StatusBadRequest, "threads must be a positive number, got " + strconv.Quote(v)}
		}
		limit = n
	}
	ignoreIdle := q.Get("ignore_idle_threads") != "false"
	var threads []any
	var text strings.Builder
	now := time.Now().UTC().Format("2006-01-02T15:04:05-07:00")
	text.WriteString("::: {" + s.cfg.NodeName + "}\nHot threads at " + now + ", busiestThreads=" + strconv.Itoa(limit) + ":\n")
	for _, g := range goroutines() {
		if len(threads) == limit {
			break
		}
		if ignoreIdle && idle(g.state) {
			continue
		}
		traces := make([]any, len(g.traces))
		for i, t := range g.traces {
			traces[i] = t
		}
		threads = append(threads, obj{{"name", "goroutine " + strconv.FormatInt(g.id, 10)}, {"thread_id", g.id},
			{"state", g.state}, {"traces", traces}})
		text.WriteString("================================================================================\n")
		text.WriteString("goroutine " + strconv.FormatInt(g.id, 10) + " [" + g.state + "]\n")
		for _, t := range g.traces {
			text.WriteString("\t" + t + "\n")
		}
	}
	body := s.header()
	body.add("hot_threads", obj{{"time", now}, {"busiest_threads", limit}, {"threads", nonNil(threads)}})
	return body, text.String(), nil
}
