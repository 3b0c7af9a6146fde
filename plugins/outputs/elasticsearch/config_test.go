package elasticsearch_test

import (
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/estest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// dlq is a dead letter queue that keeps what it is given.
type dlq struct{ entries []dlqEntry }

type dlqEntry struct {
	event  *event.Event
	reason string
}

func (d *dlq) Writer(name, id string) plugin.DeadLetterWriter { return d }

func (d *dlq) Write(e *event.Event, reason string) error {
	d.entries = append(d.entries, dlqEntry{e, reason})
	return nil
}

// TestConfigErrors are the checks Logstash makes when the plugin
// registers; gostash makes them when building it, so `-t` reports them
// without any server.
func TestConfigErrors(t *testing.T) {
	cases := []struct{ block, want string }{
		{`action => ""`, "No action specified!"},
		{`action => "upsert"`, `Action 'upsert' is invalid! Pick one of ["index", "delete", "create", "update"] or use a sprintf style statement`},
		{`action => "update"`, "Specifying action => 'update' needs a document_id."},
		{`version_type => external`, "External versioning requires the presence of a version number."},
		{`action => create version => 1 version_type => external_gt`, "External versioning is not supported by the create action."},
		{`doc_as_upsert => true scripted_upsert => true`, "doc_as_upsert and scripted_upsert are mutually exclusive."},
		{`user => bob api_key => "id:key" hosts => ["https://h"]`, "Multiple authentication options are specified"},
		{`api_key => "id:key"`, "Using api_key authentication requires SSL/TLS"},
		{`api_key => "a:b:c" ssl_enabled => true`, "Invalid api_key format"},
		{`user => bob`, "User 'bob' specified without password!"},
		{`cloud_id => "x:eA==" hosts => ["h"]`, "Both cloud_id and hosts specified"},
		{`cloud_id => "x:eA=="`, "cloud_id, after decoding, is invalid"},
		{`cloud_auth => "nocolon"`, `cloud_auth username and password format should be "<username>:<password>".`},
		{`ssl_enabled => false hosts => ["https://h"]`, "SSL option was explicitly set to false but a URL was also declared with a scheme of 'https'"},
		{`hosts => ["ftp://h"]`, "Bad scheme 'ftp' found should be one of http/https"},
		{`path => "/a" hosts => ["http://h:9200/b"]`, "Explicit value for 'path' was declared"},
		{`dlq_custom_codes => [500]`, "DLQ feature (dlq_custom_codes) is configured while DLQ is not enabled"},
		{`data_stream => true index => "x"`, "Invalid data stream configuration: [index]"},
		{`data_stream => true ecs_compatibility => disabled`, "Invalid data stream configuration: `ecs_compatibility => disabled`"},
		{`index => "x" data_stream_dataset => "d"`, "Ambiguous configuration; data stream settings must not be present when data streams are disabled: [data_stream_dataset]"},
		{`data_stream_dataset => "a b"`, "Invalid characters detected"},
		{`data_stream_namespace => ""`, "Invalid identifier - empty string"},
		{`compression_level => 10`, "must be between 0 and 9"},
		{`http_compression => false compression_level => 3`, "Both `compression_level` and the deprecated `http_compression` are set"},
		{`ssl => true`, "The setting `ssl` in plugin `elasticsearch` is obsolete and is no longer available. Set 'ssl_enabled' instead."},
		{`cacert => "/x"`, "obsolete"},
		{`ssl_enabled => true ssl_certificate_authorities => ["/etc/hostname"] ssl_truststore_path => "/etc/hostname"`, `Use either "ssl_certificate_authorities" or "ssl_truststore_path"`},
		{`ssl_enabled => true ssl_certificate => "/etc/hostname"`, `Using an "ssl_certificate" requires an "ssl_key"`},
		{`ssl_supported_protocols => ["SSLv3"]`, `Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"]`},
		{`template_api => "v2"`, `Expected one of ["auto", "legacy", "composable"]`},
		{`nope => 1`, "Unknown setting 'nope' for elasticsearch"},
	}
	for _, c := range cases {
		t.Run(c.block, func(t *testing.T) {
			_, err := plugintest.TryOutput(t, "elasticsearch { "+c.block+" }")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestConfigAccepted(t *testing.T) {
	for _, block := range []string{
		``,
		`hosts => "localhost:9201" index => "app-%{+YYYY.MM.dd}" action => "%{[@metadata][op]}" document_id => "%{id}"`,
		`cloud_id => "x:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRub3RhcmVhbCRpZGVudGlmaWVy" cloud_auth => "elastic:pw"`,
		`action => update document_id => "%{id}" script => "ctx._source.n++" scripted_upsert => true`,
		`data_stream => true data_stream_type => metrics data_stream_dataset => "nginx" routing => "%{r}"`,
		`hosts => ["https://h"] api_key => "id:key" ssl_verification_mode => none`,
	} {
		if _, err := plugintest.TryOutput(t, "elasticsearch { "+block+" }"); err != nil {
			t.Errorf("%s: %v", block, err)
		}
	}
}

// TestSecretsNeverShown: passwords and keys are masked in the errors that
// quote option values.
func TestSecretsNeverShown(t *testing.T) {
	_, err := plugintest.TryOutput(t, `elasticsearch { hosts => ["http://bob:hunter2@h:9200", "ftp://bob:hunter2@x"] }`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
	_, err = plugintest.TryOutput(t, `elasticsearch { password => ["hunter2", "x"] }`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}

// TestDeadLetterQueue: with a DLQ, documents the engine refuses and events
// no action can be made of are written there with the reason.
func TestDeadLetterQueue(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-dlq")
	n.MustDo(t, "PUT", "/"+index, `{"mappings":{"properties":{"n":{"type":"long"}}}}`)
	q := &dlq{}
	out := plugintest.Output(t, `elasticsearch { hosts => ["`+n.URL+`"] index => "`+index+`" action => "%{op}" retry_initial_interval => 0.1 }`,
		plugintest.DeadLetters(q))
	ev := func(op string, n any) *event.Event {
		e := event.NewEvent()
		e.Data().Set("op", op)
		e.Data().Set("n", n)
		return e
	}
	events := []*event.Event{ev("index", int64(1)), ev("index", "x"), ev("frobnicate", int64(2)), ev("index", int64(3))}
	if err := out.Plugin.Output(t.Context(), events); err != nil {
		t.Fatal(err)
	}
	if got := n.Count(t, index); got != 2 {
		t.Fatalf("%d documents, want 2", got)
	}
	if len(q.entries) != 2 {
		t.Fatalf("%d DLQ entries, want 2: %+v", len(q.entries), q.entries)
	}
	refused, unmapped := q.entries[0], q.entries[1]
	if refused.event != events[1] || !strings.HasPrefix(refused.reason, "Could not index event to Elasticsearch. status: 400, action: [\"index\", ") ||
		!strings.Contains(refused.reason, "mapper_parsing_exception") {
		t.Errorf("refused document: %q", refused.reason)
	}
	if unmapped.event != events[2] || !strings.HasPrefix(unmapped.reason, "Elasticsearch doesn't support [frobnicate] action; event: `{") {
		t.Errorf("unmapped event: %q", unmapped.reason)
	}

	_, err := plugintest.TryOutput(t, `elasticsearch { dlq_custom_codes => [404, 503] }`, plugintest.DeadLetters(q))
	if err == nil || !strings.Contains(err.Error(), "[404] are already defined as standard DLQ error codes") {
		t.Fatalf("dlq_custom_codes with 404: %v", err)
	}
}

// TestSniffing: the pool is replaced by the nodes _nodes/http lists (the
// node publishes 127.0.0.1, the config names localhost), and writes go on.
func TestSniffing(t *testing.T) {
	n := estest.Require(t)
	index := n.Name(t, "e2e-sniff")
	local := strings.Replace(n.URL, "127.0.0.1", "localhost", 1)
	out := plugintest.Output(t, `elasticsearch { hosts => ["`+local+`"] index => "`+index+`" sniffing => true sniffing_delay => 0.2 }`)
	if err := out.Output(event.NewEvent()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for len(out.Logs.Lines("Elasticsearch pool URLs updated")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the pool was never updated:\n%s", out.Logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := out.Logs.Lines("Elasticsearch pool URLs updated")[0]; !strings.Contains(s, "added=[http://127.0.0.1:") || !strings.Contains(s, "removed=[http://localhost:") {
		t.Fatalf("unexpected pool change:\n%s", s)
	}
	if err := out.Output(event.NewEvent()); err != nil {
		t.Fatal(err)
	}
	if got := n.Count(t, index); got != 2 {
		t.Fatalf("%d documents, want 2", got)
	}
}
