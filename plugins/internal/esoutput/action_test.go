package esoutput

import (
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

func testEvent(t *testing.T) *event.Event {
	t.Helper()
	e := event.NewEvent()
	e.SetTimestamp(event.Timestamp{Time: time.Date(2024, 5, 1, 10, 11, 12, 0, time.UTC)})
	e.Data().Set("message", "hello")
	e.Data().Set("id", "42")
	e.Metadata().Set("secret", "not sent")
	return e
}

func tmpl(s string) *event.Template { return event.MustTemplate(s) }

// TestMapShapes checks the action and source lines against the shapes
// Logstash's http_client sends (keys in its order, nulls kept).
func TestMapShapes(t *testing.T) {
	doc := `{"@timestamp":"2024-05-01T10:11:12.000Z","@version":"1","message":"hello","id":"42"}`
	cases := []struct {
		name string
		m    Mapper
		want string
	}{
		{"index with defaults", Mapper{Index: tmpl("logstash-%{+yyyy.MM.dd}")},
			`{"index":{"_id":null,"_index":"logstash-2024.05.01","routing":null}}` + "\n" + doc + "\n"},
		{"create with id, routing, pipeline", Mapper{Action: tmpl("create"), Index: tmpl("i"), DocumentID: tmpl("%{id}"), Routing: tmpl("r"), Pipeline: tmpl("p")},
			`{"create":{"_id":"42","_index":"i","routing":"r","pipeline":"p"}}` + "\n" + doc + "\n"},
		{"empty pipeline omitted", Mapper{Index: tmpl("i"), Pipeline: tmpl("")},
			`{"index":{"_id":null,"_index":"i","routing":null}}` + "\n" + doc + "\n"},
		{"delete has no source", Mapper{Action: tmpl("delete"), Index: tmpl("i"), DocumentID: tmpl("%{id}")},
			`{"delete":{"_id":"42","_index":"i","routing":null}}` + "\n"},
		{"versioned index", Mapper{Index: tmpl("i"), Version: tmpl("%{id}"), VersionType: tmpl("external")},
			`{"index":{"_id":null,"_index":"i","routing":null,"version":"42","version_type":"external"}}` + "\n" + doc + "\n"},
		{"update as upsert", Mapper{Action: tmpl("update"), Index: tmpl("i"), DocumentID: tmpl("%{id}"), RetryOnConflict: 1, DocAsUpsert: true},
			`{"update":{"_id":"42","_index":"i","routing":null,"retry_on_conflict":1}}` + "\n" + `{"doc":` + doc + `,"doc_as_upsert":true}` + "\n"},
		{"update with upsert document", Mapper{Action: tmpl("update"), Index: tmpl("i"), DocumentID: tmpl("%{id}"), RetryOnConflict: 3, Upsert: tmpl(`{ "n" : %{id} }`)},
			`{"update":{"_id":"42","_index":"i","routing":null,"retry_on_conflict":3}}` + "\n" + `{"doc":` + doc + `,"upsert":{"n":42}}` + "\n"},
		{"scripted update", Mapper{Action: tmpl("update"), Index: tmpl("i"), DocumentID: tmpl("%{id}"), RetryOnConflict: 1, Script: tmpl("ctx._source.n += 1"), ScriptType: "inline", ScriptLang: "painless", ScriptVarName: "event", ScriptedUpsert: true},
			`{"update":{"_id":"42","_index":"i","routing":null,"retry_on_conflict":1}}` + "\n" + `{"script":{"params":{"event":` + doc + `},"inline":"ctx._source.n += 1","lang":"painless"},"scripted_upsert":true,"upsert":{}}` + "\n"},
		{"stored script as upsert", Mapper{Action: tmpl("update"), Index: tmpl("i"), DocumentID: tmpl("%{id}"), Script: tmpl("s1"), ScriptType: "indexed", ScriptVarName: "e", DocAsUpsert: true},
			`{"update":{"_id":"42","_index":"i","routing":null,"retry_on_conflict":0}}` + "\n" + `{"script":{"params":{"e":` + doc + `},"id":"s1"},"upsert":` + doc + `}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buf, a, err := c.m.Map(nil, testEvent(t))
			if err != nil {
				t.Fatal(err)
			}
			if string(buf) != c.want || string(a.Lines) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", buf, c.want)
			}
		})
	}
}

func TestMapErrors(t *testing.T) {
	cases := []struct {
		m    Mapper
		want string
	}{
		{Mapper{Action: tmpl("%{message}"), Index: tmpl("i")}, "Elasticsearch doesn't support [hello] action"},
		{Mapper{Index: tmpl("x-%{[missing]}"), CheckPlaceholders: true}, "Badly formatted index, after interpolation still contains placeholder: [x-%{[missing]}]"},
		{Mapper{Action: tmpl("update"), Index: tmpl("i"), Upsert: tmpl("{nope")}, "Invalid upsert JSON"},
	}
	for _, c := range cases {
		_, _, err := c.m.Map(nil, testEvent(t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	m := Mapper{Index: tmpl("x-%{[missing]}")}
	if _, _, err := m.Map(nil, testEvent(t)); err != nil {
		t.Errorf("without dlq_on_failed_indexname_interpolation the literal index is sent: %v", err)
	}
}

func TestMapIngestDocument(t *testing.T) {
	e := testEvent(t)
	ingest := event.NewMap(3)
	ingest.Set("id", "from-ingest")
	ingest.Set("index", "ingest-index")
	ingest.Set("pipeline", "ingest-pipeline")
	e.Metadata().Set("_ingest_document", ingest)
	m := Mapper{Index: tmpl("default"), IndexIsDefault: true, IngestMetadata: true}
	buf, _, err := m.Map(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"index":{"_id":"from-ingest","_index":"ingest-index","routing":null,"pipeline":"ingest-pipeline"}}`
	if got := strings.SplitN(string(buf), "\n", 2)[0]; got != want {
		t.Fatalf("got %s", got)
	}
}

func TestMapDataStream(t *testing.T) {
	ds := &DataStream{Type: "logs", Dataset: "generic", Namespace: "default", AutoRouting: true, SyncFields: true}
	m := Mapper{Action: tmpl("index"), Index: tmpl("ignored"), DataStream: ds}

	e := testEvent(t)
	buf, a, err := m.Map(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"create":{"_id":null,"_index":"logs-generic-default","routing":null}}` + "\n" +
		`{"@timestamp":"2024-05-01T10:11:12.000Z","@version":"1","message":"hello","id":"42","data_stream":{"type":"logs","dataset":"generic","namespace":"default"}}` + "\n"
	if string(buf) != want || a.Name != "create" {
		t.Fatalf("got\n%s", buf)
	}
	if e.Includes("[data_stream]") {
		t.Fatal("the event itself was changed")
	}

	routed := testEvent(t)
	own := event.NewMap(1)
	own.Set("dataset", "nginx")
	routed.Data().Set("data_stream", own)
	buf, _, _ = m.Map(nil, routed)
	if !strings.HasPrefix(string(buf), `{"create":{"_id":null,"_index":"logs-nginx-default"`) ||
		!strings.Contains(string(buf), `"data_stream":{"dataset":"nginx","type":"logs","namespace":"default"}`) {
		t.Fatalf("auto routing: %s", buf)
	}

	fixed := Mapper{Index: tmpl("x"), DataStream: &DataStream{Type: "logs", Dataset: "generic", Namespace: "default", SyncFields: true}}
	buf, _, _ = fixed.Map(nil, routed)
	if !strings.HasPrefix(string(buf), `{"create":{"_id":null,"_index":"logs-generic-default"`) ||
		!strings.Contains(string(buf), `"data_stream":{"dataset":"generic","type":"logs","namespace":"default"}`) {
		t.Fatalf("without auto routing the fields are synced to the settings: %s", buf)
	}
}
