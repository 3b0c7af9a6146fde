package monitor

import (
	"os"
	"strings"
)

// pipelineHealth is the health indicator of one pipeline.
type pipelineHealth struct {
	id      string
	status  string // green, yellow, red, unknown
	state   string // LOADING, RUNNING
	symptom string
	flow    obj // worker_utilization rates behind the verdict
}

// saturated is the worker utilization (percent) Logstash treats as
// "workers never idle": the pipeline cannot keep up.
const saturated = 99.999

// health judges the current pipeline as Logstash's health report does:
// green while it runs with some idle worker time; yellow while it loads or
// when its workers were saturated over the last minute; red when they were
// saturated for five minutes (the pipeline is blocked).
func (s *Server) health() pipelineHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := s.track()
	if tp == nil {
		return pipelineHealth{status: "yellow", symptom: "No pipeline is running"}
	}
	h := pipelineHealth{id: tp.p.Settings().ID, flow: obj{}}
	if !started(tp.p) {
		h.status, h.state, h.symptom = "yellow", "LOADING", "The pipeline is loading"
		return h
	}
	h.status, h.state, h.symptom = "green", "RUNNING", "The pipeline is healthy"
	now := s.now()
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
	return h
}

// healthReport answers GET /_health_report.
func (s *Server) healthReport() obj {
	h := s.health()
	body := s.header()
	pipelines := obj{}
	if h.id != "" {
		details := obj{{"status", obj{{"state", h.state}}}, {"flow", h.flow}}
		indicator := obj{{"status", h.status}, {"symptom", h.symptom}}
		if h.status != "green" && h.state == "RUNNING" {
			indicator.add("diagnosis", []any{obj{{"cause", "pipeline workers saturated"},
				{"action", "increase pipeline.workers or find the slow filter or output in the monitoring API's per-plugin worker_utilization"}}})
			indicator.add("impacts", []any{obj{{"severity", 2}, {"description", "The pipeline processes events more slowly than they arrive"},
				{"impact_areas", []any{"pipeline_execution"}}}})
		}
		indicator.add("details", details)
		pipelines.add(h.id, indicator)
	}
	symptom := "1 indicator is healthy (`pipelines`)"
	if h.status != "green" {
		symptom = "1 indicator is not healthy (`pipelines`)"
	}
	body.add("symptom", symptom)
	body.add("indicators", obj{{"pipelines", obj{{"status", h.status}, {"symptom", pipelinesSymptom(h)}, {"indicators", pipelines}}}})
	return body
}

func pipelinesSymptom(h pipelineHealth) string {
	if h.id == "" {
		return "No pipelines"
	}
	if h.status == "green" {
		return "1 indicator is healthy (`" + h.id + "`)"
	}
	return "1 indicator is not healthy (`" + h.id + "`)"
}

// osVersion is the kernel release where the system reports one.
func osVersion() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
