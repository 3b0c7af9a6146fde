package dead_letter_queue_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/estest"
)

// TestOpenSearchMappingConflictRoundTrip runs the binary against the
// OpenSearch node scripts/opensearch/opensearch.sh runs. A document whose
// field conflicts with the index mapping is refused (400); with
// dead_letter_queue.enable the elasticsearch output sets it aside with
// the engine's reason. A second run reads it back with the
// dead_letter_queue input, fixes the field and indexes it elsewhere: the
// document arrives with the reason it was refused.
func TestOpenSearchMappingConflictRoundTrip(t *testing.T) {
	n := estest.Require(t)
	index, fixed := n.Name(t, "dlq-conflict"), n.Name(t, "dlq-fixed")
	n.MustDo(t, http.MethodPut, "/"+index, `{"mappings":{"properties":{"n":{"type":"long"}}}}`)
	settings := t.TempDir()
	data := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(filepath.Join(settings, "logstash.yml"),
		[]byte("path.data: "+data+"\ndead_letter_queue.enable: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	estest.MustRun(t, fmt.Sprintf(`input { stdin { codec => json } } output { elasticsearch { hosts => [%q] index => %q } }`, n.URL, index),
		`{"n":1}`+"\n"+`{"n":"not a number","id":"refused"}`+"\n", "--path.settings", settings, "-w", "1")
	if got := n.Count(t, index); got != 1 {
		t.Fatalf("%d documents in %s, want the one that fits the mapping", got, index)
	}

	reader := estest.Start(t, fmt.Sprintf(`input { dead_letter_queue { path => %q commit_offsets => false } }
filter {
  mutate {
    rename => { "n" => "n_text" }
    add_field => { "dlq_reason" => "%%{[@metadata][dead_letter_queue][reason]}" "dlq_plugin" => "%%{[@metadata][dead_letter_queue][plugin_type]}" }
  }
}
output { elasticsearch { hosts => [%q] index => %q document_id => "%%{id}" } }`, filepath.Join(data, "dead_letter_queue"), n.URL, fixed), "", "--path.data", t.TempDir())
	deadline := time.Now().Add(60 * time.Second)
	for n.Count(t, fixed+"*") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the dead letter never reached %s\n%s", fixed, reader.Stderr())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code := reader.Stop(time.Minute); code != 0 {
		t.Fatalf("reader exited %d\n%s", code, reader.Stderr())
	}
	doc := n.Source(t, fixed, "refused")
	reason, _ := doc["dlq_reason"].(string)
	if doc["n_text"] != "not a number" || doc["dlq_plugin"] != "elasticsearch" ||
		!strings.Contains(reason, "status: 400") || !strings.Contains(reason, "mapper_parsing_exception") {
		t.Fatalf("document read back from the dead letter queue: %v", doc)
	}
}
