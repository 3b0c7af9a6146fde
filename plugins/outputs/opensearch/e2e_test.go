package opensearch_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/estest"
)

// TestMain removes the gostash binary the tests run (estest.Start).
func TestMain(m *testing.M) { goldencase.Main(m) }

// These tests run the gostash binary against the OpenSearch node that
// scripts/opensearch/opensearch.sh runs.

func osOutput(n *estest.Node, opts string) string {
	return fmt.Sprintf(`opensearch { hosts => ["%s"] %s }`, n.URL, opts)
}

// TestIndexedWithPluginOptions: gzip, small bulk requests (target_bulk_bytes)
// and basic auth from auth_type all reach the node, every event indexed.
func TestIndexedWithPluginOptions(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-os")
	r := estest.MustRun(t, fmt.Sprintf(`input { generator { count => 3000 } } output { %s }`,
		osOutput(n, fmt.Sprintf(`index => "%s" http_compression => true target_bulk_bytes => 4096
			auth_type => { type => basic user => "admin" password => "hunter2" }`, index))), "", "--log.level", "debug")
	if got := n.Count(t, index); got != 3000 {
		t.Fatalf("%d documents, want 3000", got)
	}
	if strings.Contains(r.Stderr(), "hunter2") {
		t.Fatal("the password was logged")
	}
}

func TestComposableTemplate(t *testing.T) {
	n := estest.Require(t)
	name := n.Name(t, "e2e-ostmpl")
	estest.MustRun(t, fmt.Sprintf(`input { generator { count => 1 } } output { %s }`,
		osOutput(n, fmt.Sprintf(`index => "%s-1" template_name => "%s" legacy_template => false ecs_compatibility => disabled`, name, name))), "")
	var answer struct {
		IndexTemplates []struct {
			IndexTemplate struct {
				IndexPatterns []string `json:"index_patterns"`
				Version       int      `json:"version"`
				Priority      int      `json:"priority"`
			} `json:"index_template"`
		} `json:"index_templates"`
	}
	n.JSON(t, http.MethodGet, "/_index_template/"+name, "", &answer)
	got := answer.IndexTemplates[0].IndexTemplate
	if got.Version != 60001 || got.Priority != 10 || fmt.Sprint(got.IndexPatterns) != "[logstash-*]" {
		t.Fatalf("template %+v", got)
	}
}

func TestRejectedDocumentsAndConflicts(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-osreject")
	n.MustDo(t, http.MethodPut, "/"+index, `{"mappings":{"properties":{"n":{"type":"long"}}}}`)
	in := `{"id":"1","n":1}` + "\n" + `{"id":"1","n":2}` + "\n" + `{"id":"2","n":"two"}` + "\n"
	r := estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { %s }`,
		osOutput(n, fmt.Sprintf(`index => "%s" action => "create" document_id => "%%{id}"`, index))), in, "-w", "1", "-b", "1")
	if got := n.Count(t, index); got != 1 {
		t.Fatalf("%d documents, want 1", got)
	}
	for _, want := range []string{`Failed action {"status"=>409`, "Could not index event to OpenSearch.", "mapper_parsing_exception"} {
		if !strings.Contains(r.Stderr(), want) {
			t.Errorf("log lacks %q:\n%s", want, r.Stderr())
		}
	}
}
