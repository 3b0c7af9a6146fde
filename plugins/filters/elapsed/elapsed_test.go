package elapsed

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// logstash-filter-elapsed reads tags with Ruby's include?: an element of
// a list, but a substring when tags is one string.
func TestTagsAsAString(t *testing.T) {
	f := plugintest.Filter(t, `elapsed { start_tag => "start" end_tag => "end" unique_id_field => "id" }`)
	start := plugintest.Event(t, `{"id":"x","tags":"job_start_here","@timestamp":"2026-01-02T00:00:00Z"}`)
	end := plugintest.Event(t, `{"id":"x","tags":["end"],"@timestamp":"2026-01-02T00:01:30.5Z"}`)
	f.Call(start)
	f.Call(end)
	if got := plugintest.Data(end); got != `{"id":"x","tags":["end","elapsed","elapsed_match"],"elapsed_time":90.5,"elapsed_timestamp_start":"2026-01-02T00:00:00.000Z"}` {
		t.Errorf("got %s", got)
	}
}

// Ids of different types are different tasks, as Ruby hash keys are.
func TestIDsKeepTheirType(t *testing.T) {
	f := plugintest.Filter(t, `elapsed { start_tag => "s" end_tag => "e" unique_id_field => "id" timeout => 5 }`)
	f.Call(plugintest.Event(t, `{"id":1,"tags":["s"]}`))
	end := plugintest.Event(t, `{"id":"1","tags":["e"]}`)
	f.Call(end)
	if !end.HasTag("elapsed_end_without_start") {
		t.Errorf("the string id \"1\" ended the task of the number 1: %s", plugintest.Data(end))
	}
	var expired []*event.Event
	f.Plugin.(*elapsed).FlushMatched(false, func(e *event.Event, matched bool) { expired = append(expired, e) })
	if len(expired) != 1 {
		t.Fatalf("%d expired events after 5 s with timeout 5", len(expired))
	}
	if v, _ := expired[0].Get("elapsed_time"); v != int64(5) {
		t.Errorf("elapsed_time %v", v)
	}
}
