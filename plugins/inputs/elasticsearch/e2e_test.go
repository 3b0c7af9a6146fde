package elasticsearch_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	"github.com/gostash/gostash/plugins/internal/estest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// TestMain removes the gostash binary the tests run (estest.Start).
func TestMain(m *testing.M) { goldencase.Main(m) }

// seed indexes docs {"n": i, "@timestamp": ...} with ids i.
func seed(t *testing.T, n *estest.Node, index string, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, `{"index":{"_index":%q,"_id":"%d"}}`+"\n"+`{"n":%d,"@timestamp":"2024-01-01T00:00:%02d.000Z","tags":["seeded"]}`+"\n", index, i, i, i%60)
	}
	n.MustDo(t, http.MethodPost, "/_bulk?refresh=true", b.String())
}

// lines decodes gostash's json_lines output.
func lines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		docs = append(docs, d)
	}
	return docs
}

func TestReadsEveryDocument(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-in")
	seed(t, n, index, 0, 2500)
	for _, api := range []string{"scroll", "search_after"} {
		for _, slices := range []string{"", "slices => 3"} {
			t.Run(api+slices, func(t *testing.T) {
				r := estest.MustRun(t, fmt.Sprintf(`input { elasticsearch { hosts => ["%s"] index => "%s" size => 400 search_api => %s %s docinfo => true } }
filter { mutate { add_field => { "id" => "%%{[@metadata][input][elasticsearch][_id]}" } } }
output { stdout { codec => json_lines } }`, n.URL, index, api, slices), "")
				docs := lines(t, r.Stdout.String())
				if len(docs) != 2500 {
					t.Fatalf("%d events, want 2500", len(docs))
				}
				seen := map[string]bool{}
				for _, d := range docs {
					if fmt.Sprint(d["n"]) != d["id"] {
						t.Fatalf("docinfo _id %v for document %v", d["id"], d["n"])
					}
					seen[d["id"].(string)] = true
				}
				if len(seen) != 2500 {
					t.Fatalf("%d distinct documents", len(seen))
				}
				if docs[0]["@timestamp"] == nil || docs[0]["tags"] == nil {
					t.Fatalf("event %v", docs[0])
				}
			})
		}
	}
}

func TestTargetAndAggregations(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-inagg")
	seed(t, n, index, 0, 10)
	r := estest.MustRun(t, fmt.Sprintf(`input { elasticsearch { hosts => ["%s"] index => "%s" response_type => aggregations
	query => '{ "aggs": { "total": { "sum": { "field": "n" } } } }' } }
output { stdout { codec => json_lines } }`, n.URL, index), "")
	docs := lines(t, r.Stdout.String())
	if len(docs) != 1 || fmt.Sprint(docs[0]["total"]) != "map[value:45]" {
		t.Fatalf("aggregation events: %v", docs)
	}

	r = estest.MustRun(t, fmt.Sprintf(`input { elasticsearch { hosts => ["%s"] index => "%s" target => "[doc]" query => '{ "query": { "term": { "n": 7 } } }' } }
output { stdout { codec => json_lines } }`, n.URL, index), "")
	docs = lines(t, r.Stdout.String())
	if len(docs) != 1 || fmt.Sprint(docs[0]["doc"].(map[string]any)["n"]) != "7" {
		t.Fatalf("targeted events: %v", docs)
	}
}

// TestScheduleAndTrackingField: a run every second picks up only the
// documents added since the last value it recorded.
func TestScheduleAndTrackingField(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-intrack")
	seed(t, n, index, 0, 9)
	state := filepath.Join(t.TempDir(), "last_run")
	r := estest.Start(t, fmt.Sprintf(`input { elasticsearch { hosts => ["%s"] index => "%s" search_api => search_after schedule => "* * * * * *"
	tracking_field => "[n]" tracking_field_seed => "-1" last_run_metadata_path => "%s"
	query => '{ "query": { "range": { "n": { "gt": ":last_value" } } }, "sort": [ { "n": "asc" } ] }' } }
output { stdout { codec => json_lines } }`, n.URL, index, state), "")
	waitFor := func(what string, ok func() bool) {
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; stdout:\n%s", what, r.Stdout.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the cursor to reach 8", func() bool { b, _ := os.ReadFile(state); return string(b) == "8" })
	seed(t, n, index, 9, 12)
	waitFor("the cursor to reach 11", func() bool { b, _ := os.ReadFile(state); return string(b) == "11" })
	if code := r.Stop(time.Minute); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got []string
	for _, d := range lines(t, r.Stdout.String()) {
		got = append(got, fmt.Sprint(d["n"]))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "0,1,10,11,2,3,4,5,6,7,8,9" {
		t.Fatalf("events %v: every document exactly once", got)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ block, want string }{
		{`query => "not json"`, "Unrecognized token 'not'"},
		{`slices => 2 query => '{"slice":{"id":0,"max":2}}'`, "cannot specify specific `slice`"},
		{`query_type => esql`, "ES|QL queries (query_type => esql) are not supported by gostash"},
		{`tracking_field => "[n]" search_api => scroll`, "The `tracking_field` feature can only be used with `search_after` non-aggregation queries"},
		{`tracking_field => "[n]"`, "gostash needs last_run_metadata_path with tracking_field"},
		{`schedule => "every minute"`, "expected 5 to 6 fields"},
		{`ssl => true`, "obsolete"},
		{`user => "bob" cloud_auth => "a:b"`, "Multiple authentication options are specified"},
	}
	for _, c := range cases {
		t.Run(c.block, func(t *testing.T) {
			_, err := plugintest.TryInput(t, "elasticsearch { "+c.block+" }")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to contain %q", err, c.want)
			}
		})
	}
	for _, ok := range []string{`schedule => "*/5 * * * *"`, `schedule => "0 0 * * * Europe/Paris"`, `schedule => "30 * * * * *"`} {
		if _, err := plugintest.TryInput(t, "elasticsearch { "+ok+" }"); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
