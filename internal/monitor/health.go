package monitor

import (
	"fmt"
	"os"
	"strings"
)

// pipelineHealth is the health indicator of one pipeline.
type pipelineHealth struct {
	id      string
	status  string // green, yellow, red
	state   string // LOADING, RUNNING, FINISHED, TERMINATED
	symptom string
	flow    obj // worker_utilization rates behind the verdict
}

// saturated is the worker utilization (percent) Logstash treats as
// "workers never idle": the pipeline cannot keep up.
const saturated = 99.999

// statusOrder ranks statuses from healthy to unhealthy, with the word
// Logstash's health report uses for each.
var statusOrder = []struct{ status, word string }{{"green", "healthy"}, {"unknown", "unknown"}, {"yellow", "concerning"}, {"red", "unhealthy"}}

func statusRankOf(status string) int {
	for i, s := range statusOrder {
		if s.status == status {
			return i
		}
	}
	return 0
}

// health judges the node and each pipeline as Logstash's health report
// does. A pipeline is green while it runs with some idle worker time;
// yellow while it loads, once it finished, or when its workers were
// saturated over the last minute; red when it failed or its workers were
// saturated for five minutes (it is blocked). The node has the worst
// status of its pipelines, yellow when it has none.
func (s *Server) health() (status string, pipelines []pipelineHealth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status = "green"
	tps := s.track()
	if len(tps) == 0 {
		return "yellow", nil
	}
	now := s.now()
	for _, tp := range tps {
		h := pipelineHealth{id: tp.p.Settings().ID, flow: obj{}}
		switch {
		case tp.err != nil:
			h.status, h.state, h.symptom = "red", "TERMINATED", "The pipeline is not running, it may have been terminated by an error: "+tp.err.Error()
		case tp.ended:
			h.status, h.state, h.symptom = "yellow", "FINISHED", "The pipeline has finished running"
		case !started(tp.p):
			h.status, h.state, h.symptom = "yellow", "LOADING", "The pipeline is loading"
		default:
			h.status, h.state, h.symptom = "green", "RUNNING", "The pipeline is healthy"
			reading := readPipeline(tp.p, now)
			workers := max(tp.p.Settings().Workers, 1)
			util := rates(tp.hist, reading, counters{at: startedAt(tp.p)}, func(n, b counters) (float64, float64) {
				return float64(n.busy-b.busy) * 100, float64(n.at.Sub(b.at)) * float64(workers)
			})
			h.flow.add("worker_utilization", util)
			if v, ok := util.get("last_5_minutes"); ok && float64(v.(javaFloat)) >= saturated {
				h.status, h.symptom = "red", "The pipeline's workers have been completely busy for the last 5 minutes; the pipeline is blocked"
			} else if v, ok := util.get("last_1_minute"); ok && float64(v.(javaFloat)) >= saturated {
				h.status, h.symptom = "yellow", "The pipeline's workers have been completely busy for the last minute"
			}
		}
		if statusRankOf(h.status) > statusRankOf(status) {
			status = h.status
		}
		pipelines = append(pipelines, h)
	}
	return status, pipelines
}

// healthReport answers GET /_health_report.
func (s *Server) healthReport() obj {
	status, hs := s.health()
	body := s.header()
	pipelines := obj{}
	names := map[string][]string{}
	for _, h := range hs {
		details := obj{{"status", obj{{"state", h.state}}}}
		if h.state == "RUNNING" {
			details.add("flow", h.flow)
		}
		indicator := obj{{"status", h.status}, {"symptom", h.symptom}}
		switch {
		case h.state == "RUNNING" && h.status != "green":
			indicator.add("diagnosis", []any{obj{{"cause", "pipeline workers saturated"},
				{"action", "increase pipeline.workers or find the slow filter or output in the monitoring API's per-plugin worker_utilization"}}})
			indicator.add("impacts", []any{obj{{"severity", 2}, {"description", "The pipeline processes events more slowly than they arrive"},
				{"impact_areas", []any{"pipeline_execution"}}}})
		case h.state == "TERMINATED":
			indicator.add("diagnosis", []any{obj{{"cause", "pipeline is not running, likely because it has encountered an error"},
				{"action", "view logs to determine the cause of abnormal pipeline shutdown"}}})
			indicator.add("impacts", []any{obj{{"severity", 1}, {"description", "the pipeline is not currently processing"},
				{"impact_areas", []any{"pipeline_execution"}}}})
		}
		indicator.add("details", details)
		pipelines.add(h.id, indicator)
		names[h.status] = append(names[h.status], h.id)
	}
	pipelinesSymptom := summarize(names)
	if len(hs) == 0 {
		pipelinesSymptom = "no indicators"
	}
	body.add("symptom", summarize(map[string][]string{status: {"pipelines"}}))
	body.add("indicators", obj{{"pipelines", obj{{"status", status}, {"symptom", pipelinesSymptom}, {"indicators", pipelines}}}})
	return body
}

// summarize is Logstash's symptom for a group of indicators: how many are
// in each status, the most degraded first ("1 indicator is unhealthy
// (`a`) and 2 indicators are healthy (`b`, `c`)").
func summarize(byStatus map[string][]string) string {
	var parts []string
	for i := len(statusOrder) - 1; i >= 0; i-- {
		ids := byStatus[statusOrder[i].status]
		if len(ids) == 0 {
			continue
		}
		verb := "indicators are"
		if len(ids) == 1 {
			verb = "indicator is"
		}
		parts = append(parts, fmt.Sprintf("%d %s %s (`%s`)", len(ids), verb, statusOrder[i].word, strings.Join(ids, "`, `")))
	}
	switch len(parts) {
	case 0:
		return "no indicators"
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}

// osVersion is the kernel release where the system reports one.
func osVersion() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
