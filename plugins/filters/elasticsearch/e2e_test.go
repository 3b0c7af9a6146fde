package elasticsearch_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/estest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// TestMain removes the gostash binary the tests run (estest.Start).
func TestMain(m *testing.M) { goldencase.Main(m) }

func run(t *testing.T, n *estest.Node, filter, stdin string) []map[string]any {
	t.Helper()
	r := estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } }
filter { elasticsearch { hosts => ["%s"] %s } mutate { remove_field => ["event", "host"] } }
output { stdout { codec => json_lines } }`, n.URL, filter), stdin, "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout.String()), "\n") {
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, d)
	}
	return out
}

// TestLookupPreviousEvent is the plugin's classic use: find the start
// event of an operation and copy its timestamp into the end event.
func TestLookupPreviousEvent(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-lookup")
	n.MustDo(t, http.MethodPost, "/_bulk?refresh=true",
		`{"index":{"_index":"`+index+`","_id":"s1"}}`+"\n"+`{"op":"start","opid":"42","@timestamp":"2024-03-01T10:00:00.000Z","user":{"name":"ann"}}`+"\n"+
			`{"index":{"_index":"`+index+`","_id":"s2"}}`+"\n"+`{"op":"start","opid":"43","@timestamp":"2024-03-01T11:00:00.000Z","user":{"name":"bob"}}`+"\n")
	got := run(t, n, fmt.Sprintf(`index => "%s" query => "op:start AND opid:%%{opid}"
		fields => { "@timestamp" => "started" "[user][name]" => "[who]" } docinfo_fields => { "_id" => "start_id" } add_tag => ["found"]`, index),
		`{"opid":"42"}`+"\n"+`{"opid":"99"}`+"\n")
	if got[0]["started"] != "2024-03-01T10:00:00.000Z" || got[0]["who"] != "ann" || got[0]["start_id"] != "s1" || fmt.Sprint(got[0]["tags"]) != "[found]" {
		t.Fatalf("match: %v", got[0])
	}
	if got[1]["started"] != nil || got[1]["tags"] != nil {
		t.Fatalf("no match must change nothing: %v", got[1])
	}

	// Several hits give lists; target puts everything under one field.
	got = run(t, n, fmt.Sprintf(`index => "%s" query => "op:start" result_size => 5 sort => "opid.keyword:asc" target => "lookup" fields => { "opid" => "ids" }`, index), `{}`+"\n")
	if fmt.Sprint(got[0]["lookup"]) != "map[ids:[42 43]]" {
		t.Fatalf("list under target: %v", got[0])
	}
}

func TestQueryTemplateAndAggregations(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-lookupagg")
	n.MustDo(t, http.MethodPost, "/_bulk?refresh=true",
		`{"index":{"_index":"`+index+`"}}`+"\n"+`{"user":"ann","bytes":10}`+"\n"+
			`{"index":{"_index":"`+index+`"}}`+"\n"+`{"user":"ann","bytes":32}`+"\n"+
			`{"index":{"_index":"`+index+`"}}`+"\n"+`{"user":"bob","bytes":5}`+"\n")
	tmpl := filepath.Join(t.TempDir(), "query.json")
	os.WriteFile(tmpl, []byte(`{ "size": 0, "query": { "term": { "user.keyword": "%{user}" } }, "aggs": { "total": { "sum": { "field": "bytes" } } } }`), 0o644)
	got := run(t, n, fmt.Sprintf(`index => "%s" query_template => "%s" aggregation_fields => { "total" => "bytes_total" }`, index, tmpl), `{"user":"ann"}`+"\n")
	if fmt.Sprint(got[0]["bytes_total"]) != "map[value:42]" {
		t.Fatalf("aggregation: %v", got[0])
	}
}

func TestFailureTagged(t *testing.T) {
	n := estest.Require(t)
	got := run(t, n, `index => "no-such-index-e2e" query => "x:1"`, `{"a":1}`+"\n")
	if fmt.Sprint(got[0]["tags"]) != "[_elasticsearch_lookup_failure]" {
		t.Fatalf("failed lookup: %v", got[0])
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ block, want string }{
		{``, "Both `query` and `query_template` are empty. Require either `query` or `query_template`."},
		{`query => "a" query_template => "/etc/hostname"`, "Both `query` and `query_template` are set. Use either `query` or `query_template`."},
		{`query => "a" query_params => ["x"]`, "`query_params` is not allowed when `query_type => 'dsl'`."},
		{`query_type => esql query => "FROM x"`, "ES|QL queries (query_type => esql) are not supported by gostash"},
		{`query => "a" fields => ["a", "b", "c"]`, "expected a hash or a list of [source, destination] pairs"},
		{`query => "a" ca_file => "/x"`, "obsolete"},
	}
	for _, c := range cases {
		t.Run(c.block, func(t *testing.T) {
			_, err := plugintest.TryFilter(t, "elasticsearch { "+c.block+" }")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to contain %q", err, c.want)
			}
		})
	}
}
