package elasticsearch_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/estest"
)

// TestMain removes the gostash binary the tests run (estest.Start).
func TestMain(m *testing.M) { goldencase.Main(m) }

// These tests run the gostash binary against the OpenSearch node that
// scripts/opensearch/opensearch.sh runs, and read the results back from it.

func esOutput(n *estest.Node, opts string) string {
	return fmt.Sprintf(`elasticsearch { hosts => ["%s"] %s }`, n.URL, opts)
}

func TestEveryEventIndexed(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-count")
	estest.MustRun(t, fmt.Sprintf(`input { generator { count => 5000 } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s"`, index))), "")
	if got := n.Count(t, index); got != 5000 {
		t.Fatalf("%d documents, want 5000", got)
	}
}

// TestDocumentAsLogstashSendsIt checks the fields as Logstash sends them:
// @timestamp with milliseconds, @version, tags, nothing of @metadata.
func TestDocumentAsLogstashSendsIt(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-doc")
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } }
filter { mutate { add_tag => ["t1"] add_field => { "[@metadata][hidden]" => "x" } remove_field => ["host", "event"] } }
output { %s }`, esOutput(n, fmt.Sprintf(`index => "%s" document_id => "one"`, index))),
		`{"@timestamp":"2024-05-01T10:11:12.5Z","message":"hi","n":3}`+"\n")
	got := n.Source(t, index, "one")
	want := map[string]any{"@timestamp": "2024-05-01T10:11:12.500Z", "@version": "1", "message": "hi", "n": float64(3), "tags": []any{"t1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("document %v, want %v", got, want)
	}
}

func TestDailyIndices(t *testing.T) {
	n := estest.Require(t)
	prefix := n.Name(t, "e2e-daily")
	var in strings.Builder
	for i, day := range []string{"2024-01-30", "2024-01-31", "2024-01-31", "2024-02-01"} {
		fmt.Fprintf(&in, `{"@timestamp":"%sT23:59:59.999Z","i":%d}`+"\n", day, i)
	}
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s-%%{+YYYY.MM.dd}"`, prefix))), in.String())
	for index, want := range map[string]int{prefix + "-2024.01.30": 1, prefix + "-2024.01.31": 2, prefix + "-2024.02.01": 1} {
		if got := n.Count(t, index); got != want {
			t.Errorf("%s: %d documents, want %d", index, got, want)
		}
	}
}

func TestUpsertsAndScripts(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-upsert")
	in := `{"id":"a","color":"red"}` + "\n" + `{"id":"a","size":"L"}` + "\n" + `{"id":"b","color":"blue"}` + "\n"
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "update" document_id => "%%{id}" doc_as_upsert => true`, index))), in, "-w", "1")
	a := n.Source(t, index, "a")
	if a["color"] != "red" || a["size"] != "L" {
		t.Fatalf("doc a = %v: the second event should have updated the first", a)
	}
	if b := n.Source(t, index, "b"); b["color"] != "blue" {
		t.Fatalf("doc b = %v: doc_as_upsert should have created it", b)
	}

	// A script counting the events per id, with scripted_upsert creating
	// the document on the first one.
	counter := n.Name(t, "e2e-script")
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "update" document_id => "%%{id}" scripted_upsert => true
			script => "if (ctx._source.seen == null) { ctx._source.seen = 0 } ctx._source.seen += params.event.get('n')"`, counter))),
		`{"id":"x","n":1}`+"\n"+`{"id":"x","n":2}`+"\n"+`{"id":"x","n":4}`+"\n", "-w", "1", "-b", "1")
	if x := n.Source(t, counter, "x"); x["seen"] != float64(7) {
		t.Fatalf("scripted doc = %v, want seen 7", x)
	}

	// upsert inserts its own document when the id is new.
	withUpsert := n.Name(t, "e2e-upsertdoc")
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "update" document_id => "%%{id}" upsert => '{"created_from":"%%{id}"}'`, withUpsert))),
		`{"id":"new","x":1}`+"\n")
	if d := n.Source(t, withUpsert, "new"); d["created_from"] != "new" || d["x"] != nil {
		t.Fatalf("upserted doc = %v", d)
	}
}

func TestDeletesAndSprintfActions(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-delete")
	var in strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&in, `{"id":"%d","op":"index"}`+"\n", i)
	}
	for i := 0; i < 10; i += 2 {
		fmt.Fprintf(&in, `{"id":"%d","op":"delete"}`+"\n", i)
	}
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "%%{op}" document_id => "%%{id}"`, index))), in.String(), "-w", "1", "-b", "10")
	if got := n.Count(t, index); got != 5 {
		t.Fatalf("%d documents left, want 5", got)
	}
	if n.Source(t, index, "4") != nil || n.Source(t, index, "5") == nil {
		t.Fatal("the even ids should be deleted and the odd ones kept")
	}
}

// TestConflictsDropped: a second create of an id is a 409, logged and
// dropped as Logstash does, and the pipeline carries on.
func TestConflictsDropped(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-conflict")
	r := estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "create" document_id => "%%{id}"`, index))),
		`{"id":"1","v":"first"}`+"\n"+`{"id":"1","v":"second"}`+"\n"+`{"id":"2"}`+"\n", "-w", "1", "-b", "1")
	if got := n.Count(t, index); got != 2 {
		t.Fatalf("%d documents, want 2", got)
	}
	if d := n.Source(t, index, "1"); d["v"] != "first" {
		t.Fatalf("doc 1 = %v: the conflicting create must not replace it", d)
	}
	if !strings.Contains(r.Stderr(), `Failed action {"status"=>409`) || !strings.Contains(r.Stderr(), "version_conflict_engine_exception") {
		t.Fatalf("the conflict was not logged:\n%s", r.Stderr())
	}

	// silence_errors_in_log keeps it out of the log.
	quiet := estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" action => "create" document_id => "%%{id}" silence_errors_in_log => ["version_conflict_engine_exception"]`, index))),
		`{"id":"1"}`+"\n")
	if strings.Contains(quiet.Stderr(), "Failed action") {
		t.Fatalf("a silenced conflict was logged:\n%s", quiet.Stderr())
	}
}

// TestMappingErrorsLoggedOncePerKind: documents the engine refuses (400)
// are not retried; without a dead letter queue each kind is logged once
// with the document and the reason.
func TestMappingErrorsLoggedOncePerKind(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-mapping")
	n.MustDo(t, http.MethodPut, "/"+index, `{"mappings":{"properties":{"n":{"type":"long"}}}}`)
	var in strings.Builder
	in.WriteString(`{"n":1}` + "\n")
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&in, `{"n":"not a number %d"}`+"\n", i)
	}
	in.WriteString(`{"n":2}` + "\n")
	r := estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s"`, index))), in.String(), "-w", "1", "-b", "10")
	if got := n.Count(t, index); got != 2 {
		t.Fatalf("%d documents, want 2", got)
	}
	logged := strings.Count(r.Stderr(), "Could not index event to Elasticsearch.")
	if logged != 1 || !strings.Contains(r.Stderr(), "mapper_parsing_exception") ||
		!strings.Contains(r.Stderr(), `not a number 0`) || !strings.Contains(r.Stderr(), `"count"=>5`) {
		t.Fatalf("want one log line for the five refused documents, with the first one and the reason; got %d:\n%s", logged, r.Stderr())
	}
}

func TestTemplates(t *testing.T) {
	n := estest.Require(t)
	name := n.Name(t, "e2e-tmpl")

	// The default legacy template, named and matched as configured.
	estest.MustRun(t, fmt.Sprintf(`input { generator { count => 1 } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s-x" template_name => "%s-legacy" ecs_compatibility => disabled`, name, name))), "")
	var legacy map[string]struct {
		IndexPatterns []string `json:"index_patterns"`
		Version       int      `json:"version"`
	}
	n.JSON(t, http.MethodGet, "/_template/"+name+"-legacy", "", &legacy)
	if got := legacy[name+"-legacy"]; got.Version != 60001 || fmt.Sprint(got.IndexPatterns) != "[logstash-*]" {
		t.Fatalf("legacy template: %+v", legacy)
	}

	// A custom composable template, installed and then kept unless
	// template_overwrite is set.
	file := filepath.Join(t.TempDir(), "template.json")
	write := func(version int) {
		body := fmt.Sprintf(`{"index_patterns":["%s-c-*"],"version":%d,"template":{"mappings":{"properties":{"code":{"type":"keyword"}}}}}`, name, version)
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := func(extra string) string {
		return fmt.Sprintf(`input { generator { count => 1 } } output { %s }`,
			esOutput(n, fmt.Sprintf(`index => "%s-c-1" template => "%s" template_name => "%s-composable" template_api => composable %s`, name, file, name, extra)))
	}
	version := func() int {
		var answer struct {
			IndexTemplates []struct {
				IndexTemplate struct {
					Version int `json:"version"`
				} `json:"index_template"`
			} `json:"index_templates"`
		}
		n.JSON(t, http.MethodGet, "/_index_template/"+name+"-composable", "", &answer)
		return answer.IndexTemplates[0].IndexTemplate.Version
	}
	write(1)
	estest.MustRun(t, conf(""), "")
	write(2)
	estest.MustRun(t, conf(""), "")
	if v := version(); v != 1 {
		t.Fatalf("version %d: an existing template must be kept without template_overwrite", v)
	}
	estest.MustRun(t, conf("template_overwrite => true"), "")
	if v := version(); v != 2 {
		t.Fatalf("version %d: template_overwrite must replace it", v)
	}
	var mapping map[string]struct {
		Mappings struct {
			Properties map[string]struct {
				Type string `json:"type"`
			} `json:"properties"`
		} `json:"mappings"`
	}
	n.JSON(t, http.MethodGet, "/"+name+"-c-1/_mapping", "", &mapping)
	if mapping[name+"-c-1"].Mappings.Properties["code"].Type != "keyword" {
		t.Fatalf("the index did not take the template's mapping: %+v", mapping)
	}
}

// TestDataStreams: with ECS on (Logstash 8's default) a bare output
// writes to the data stream logs-<dataset>-<namespace>, routing by the
// event's own data_stream fields. OpenSearch, unlike Elasticsearch, has no
// built-in logs-*-* template, so the test installs one as Elasticsearch
// ships it.
func TestDataStreams(t *testing.T) {
	n := estest.Require(t)
	dataset := strings.ReplaceAll(n.Name(t, "e2eds"), "-", "")
	n.MustDo(t, http.MethodPut, "/_index_template/"+dataset, fmt.Sprintf(`{"index_patterns":["logs-%s*-*"],"data_stream":{},"priority":500}`, dataset))
	t.Cleanup(func() { n.Do(t, http.MethodDelete, "/_index_template/"+dataset, "") })
	in := `{"message":"plain"}` + "\n" + `{"message":"routed","data_stream":{"dataset":"` + dataset + `x"}}` + "\n"
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		esOutput(n, fmt.Sprintf(`data_stream_dataset => "%s"`, dataset))), in)
	for _, ds := range []string{"logs-" + dataset + "-default", "logs-" + dataset + "x-default"} {
		var answer struct {
			DataStreams []struct {
				Name string `json:"name"`
			} `json:"data_streams"`
		}
		n.JSON(t, http.MethodGet, "/_data_stream/"+ds, "", &answer)
		if len(answer.DataStreams) != 1 {
			t.Fatalf("data stream %s missing: %+v", ds, answer)
		}
		if got := n.Count(t, ds); got != 1 {
			t.Fatalf("%s holds %d documents, want 1", ds, got)
		}
	}
	var hits struct {
		Hits struct {
			Hits []struct {
				Source map[string]any `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	n.JSON(t, http.MethodGet, "/logs-"+dataset+"-default/_search", "", &hits)
	if got := fmt.Sprint(hits.Hits.Hits[0].Source["data_stream"]); got != fmt.Sprintf("map[dataset:%s namespace:default type:logs]", dataset) {
		t.Fatalf("data_stream fields not synced: %s", got)
	}
}

// TestILMRefusedOnOpenSearch: OpenSearch has no ILM, so asking for it is
// a clear error that stops the pipeline, while leaving it to auto works.
func TestILMRefusedOnOpenSearch(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-ilm")
	r := estest.Start(t, fmt.Sprintf(`input { generator { count => 1 } } output { %s }`,
		esOutput(n, fmt.Sprintf(`index => "%s" ilm_enabled => true`, index))), "")
	if code := r.Wait(time.Minute); code != 1 || !strings.Contains(r.Stderr(), "OpenSearch, which has no Index Lifecycle Management") {
		t.Fatalf("exit %d:\n%s", code, r.Stderr())
	}
}

// TestEngineRestartLosesNothing starts gostash before the node, then stops the node in the middle of the stream and starts it again:
// the output holds the pipeline back and retries until every event is
// indexed. The node is a private one, so that the other tests keep theirs.
func TestEngineRestartLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node of its own; skipped by -short")
	}
	estest.Require(t)
	const port, index, total = "9251", "e2e-restart", 20000
	r := estest.Start(t, fmt.Sprintf(`input { generator { count => %d } }
output { elasticsearch { hosts => ["http://127.0.0.1:%s"] index => "%s" document_id => "%%{[event][sequence]}" retry_max_interval => 2 resurrect_delay => 1 } }`,
		total, port, index), "", "-b", "50")
	waitFor := func(what string, ok func() bool) {
		deadline := time.Now().Add(2 * time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("gostash to find no node", func() bool {
		return strings.Contains(r.Stderr(), "Attempted to resurrect connection to dead ES instance")
	})
	node := estest.StartPrivateNode(t, port)
	waitFor("the first documents", func() bool {
		code, _ := node.Do(t, http.MethodPost, "/"+index+"/_refresh", "")
		return code == http.StatusOK && node.Count(t, index) > 0
	})
	node.Stop()
	time.Sleep(3 * time.Second)
	node.Start()
	if code := r.Wait(3 * time.Minute); code != 0 {
		t.Fatalf("gostash exited %d", code)
	}
	// Count what is searchable: every write gostash made is in, but the
	// last ones only show after a refresh.
	if code, body := node.Do(t, http.MethodPost, "/"+index+"/_refresh", ""); code != http.StatusOK {
		t.Fatalf("refresh: HTTP %d %s", code, body)
	}
	if got := node.Count(t, index); got != total {
		t.Fatalf("%d documents after the restart, want %d", got, total)
	}
	if !strings.Contains(r.Stderr(), "unreachable or down") && !strings.Contains(r.Stderr(), "no living connections") {
		t.Fatalf("the outage mid-stream was not noticed, so the test proved nothing:\n%s", r.Stderr())
	}
}
