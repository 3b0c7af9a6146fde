package settings

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
)

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lookupOf(vars map[string]string) lang.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// loadYML loads a logstash.yml holding text, with cli over it.
func loadYML(t *testing.T, text string, cli map[string]any) (*Settings, error) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "logstash.yml", text)
	s, _, err := Load(dir, cli, lookupOf(map[string]string{"BATCH": "250", "Q": "/var/q"}))
	return s, err
}

func TestLogstashYMLNestedFlatAndSubstituted(t *testing.T) {
	s, err := loadYML(t, `
pipeline:
  batch:
    size: ${BATCH}
    delay: ${DELAY:20}
  ecs_compatibility: disabled
path.queue: "${Q}"
config.reload.automatic: yes
queue.max_bytes: 2gb
config.reload.interval: 500ms
# a comment with ${UNSET} is not substituted
api.http.port: 9700
`, map[string]any{"pipeline.workers": 3})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"pipeline.batch.size", s.Int("pipeline.batch.size"), int64(250)},
		{"pipeline.batch.delay", s.Millis("pipeline.batch.delay"), 20 * time.Millisecond},
		{"pipeline.ecs_compatibility", s.String("pipeline.ecs_compatibility"), "disabled"},
		{"path.queue", s.String("path.queue"), "/var/q"},
		{"config.reload.automatic", s.Bool("config.reload.automatic"), true},
		{"queue.max_bytes", s.Int("queue.max_bytes"), int64(2 << 30)},
		{"config.reload.interval", s.Duration("config.reload.interval"), 500 * time.Millisecond},
		{"api.http.port", s.String("api.http.port"), "9700-9700"},
		{"pipeline.workers", s.Int("pipeline.workers"), int64(3)},
		{"pipeline.id default", s.String("pipeline.id"), "main"},
		{"path.dead_letter_queue default", s.String("path.dead_letter_queue"), filepath.Join("data", "dead_letter_queue")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if s.Origin("pipeline.batch.size") == "" || !strings.HasSuffix(s.Origin("pipeline.batch.size"), "logstash.yml:4:5") {
		t.Errorf("origin of pipeline.batch.size: %q", s.Origin("pipeline.batch.size"))
	}
}

func TestDefaultWorkersAreTheCores(t *testing.T) {
	if got := New().Int("pipeline.workers"); got != int64(runtime.NumCPU()) {
		t.Errorf("pipeline.workers default %d, want %d", got, runtime.NumCPU())
	}
}

// TestSettingErrors: every bad value is refused with Logstash's text and
// where it was set.
func TestSettingErrors(t *testing.T) {
	cases := []struct{ yml, want string }{
		{"pipeline.wrokers: 2", `logstash.yml:1:1: setting pipeline.wrokers: Setting "pipeline.wrokers" doesn't exist. Please check if you haven't made a typo. (did you mean "pipeline.workers"?)`},
		{"pipeline:\n  workers: 0", `logstash.yml:2:3: setting pipeline.workers: Number must be bigger than 0. Received: 0`},
		{"pipeline.batch.size: many", `setting pipeline.batch.size: Failed to coerce value to PositiveIntegerSetting. Received many (String)`},
		{"config.reload.automatic: maybe", "Cannot coerce `maybe` to boolean (config.reload.automatic)"},
		{"pipeline.ordered: sometimes", `Invalid value "sometimes". Options are: [auto, true, false]`},
		{"log.level: loud", `Invalid value "log.level: loud" . Options are: [fatal, error, warn, debug, info, trace]`},
		{"queue.page_capacity: lots", `Could not coerce 'lots' into a bytes value`},
		{"config.reload.interval: 3 parsecs", `invalid time value "3 parsecs"`},
		{"api.http.port: 70000", `Invalid value "70000-70000": ports must be within 1..65535`},
		{"queue.compression: size", `setting queue.compression: gostash cannot honour queue.compression => "size": gostash writes queue pages uncompressed`},
		{"log.format: json", `gostash cannot honour log.format => "json": gostash logs only in Logstash's plain format`},
		{"api.ssl.supported_protocols: TLSv1.2,SSLv3", `Failed to validate the setting "api.ssl.supported_protocols" value(s): ["SSLv3"]`},
		{"slowlog.threshold.warn: 2s", `gostash has no slowlog`},
		{"path.plugins: [/opt/plugins]", `gostash cannot load Ruby or Java plugins`},
		{"xpack.monitoring.enabled: true", `setting xpack.monitoring.enabled: gostash does not have X-Pack monitoring`},
		{"xpack.management.elasticsearch.hosts: [a]", `gostash does not have centralized pipeline management`},
		{"otel.metrics.enabled: true", `gostash does not export OpenTelemetry metrics`},
		{"dead_letter_queue.retain.age: 3 weeks", `setting dead_letter_queue.retain.age: Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [3 weeks]`},
		{"pipeline.batch.size: ${NOPE}", `setting pipeline.batch.size: Cannot evaluate`},
		{"- a\n- b", `logstash.yml:1:1: logstash.yml must hold a map of settings, found a list`},
		{"pipeline: [", `Failed to parse YAML file`},
	}
	for _, c := range cases {
		_, err := loadYML(t, c.yml, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.yml, err, c.want)
		}
	}
	if _, err := loadYML(t, "", map[string]any{"pipeline.batch.size": 0}); err == nil ||
		err.Error() != "command line: setting pipeline.batch.size: Number must be bigger than 0. Received: 0" {
		t.Errorf("a bad flag value: %v", err)
	}
}

// TestAcceptedWithNotices: settings that mean nothing outside the JVM are
// accepted with a warning; deprecated names too; turning an
// X-Pack feature off is accepted silently, since it is off.
func TestAcceptedWithNotices(t *testing.T) {
	s, err := loadYML(t, `
pipeline.buffer.type: direct
http.port: 9601
xpack.monitoring.enabled: false
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range s.Notices(nil) {
		got = append(got, w.Message)
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		`Setting "pipeline.buffer.type" (set in `,
		"has no effect in gostash: gostash has no JVM heap or direct memory to choose between",
		"The setting `http.port` is a deprecated alias for `api.http.port`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notices lack %q:\n%s", want, text)
		}
	}
	if len(got) != 2 {
		t.Errorf("want 2 notices, got %d:\n%s", len(got), text)
	}
	if s.String("api.http.port") != "9601-9601" {
		t.Errorf("http.port did not set api.http.port: %q", s.String("api.http.port"))
	}
}

// TestEveryLogstashSettingIsDeclared: the settings Logstash registers
// (logstash-core's environment.rb and settings_helper.rb) are all known, so
// none of them is mistaken for a typo.
func TestEveryLogstashSettingIsDeclared(t *testing.T) {
	logstash := `allow_superuser node.name path.config path.data config.string config.test_and_exit
config.reload.automatic config.reload.interval ssl.reload.automatic config.support_escapes
config.field_reference.escape_style metric.collect pipeline.id pipeline.system pipeline.workers
pipeline.batch.size pipeline.batch.delay pipeline.batch.output_chunking.growth_threshold_factor
pipeline.unsafe_shutdown pipeline.reloadable pipeline.recoverable pipeline.plugin_classloaders
pipeline.separate_logs pipeline.ordered pipeline.ecs_compatibility path.plugins interactive config.debug
log.level version help enable-local-plugin-development log.format log.format.json.fix_duplicate_message_fields
api.enabled api.http.host api.http.port api.environment api.auth.type api.auth.basic.username
api.auth.basic.password api.auth.basic.password_policy.mode api.auth.basic.password_policy.length.minimum
api.auth.basic.password_policy.include.upper api.auth.basic.password_policy.include.lower
api.auth.basic.password_policy.include.digit api.auth.basic.password_policy.include.symbol api.ssl.enabled
api.ssl.keystore.path api.ssl.keystore.password api.ssl.supported_protocols pipeline.batch.metrics.sampling_mode
queue.type queue.drain queue.page_capacity queue.max_bytes queue.max_events queue.checkpoint.acks
queue.checkpoint.writes queue.checkpoint.interval queue.checkpoint.retry queue.compression
dead_letter_queue.enable dead_letter_queue.max_bytes dead_letter_queue.flush_interval
dead_letter_queue.flush_check_interval dead_letter_queue.storage_policy dead_letter_queue.retain.age
slowlog.threshold.warn slowlog.threshold.info slowlog.threshold.debug slowlog.threshold.trace
keystore.classname keystore.file monitoring.cluster_uuid pipeline.buffer.type otel.metrics.enabled
otel.exporter.otlp.endpoint otel.metric.export.interval otel.exporter.otlp.protocol otel.exporter.otlp.headers
otel.service.name otel.resource.attributes otel.exporter.otlp.certificate otel.exporter.otlp.client.key
otel.exporter.otlp.client.certificate path.queue path.dead_letter_queue path.settings path.logs`
	for _, name := range strings.Fields(logstash) {
		if _, ok := Lookup(name); !ok {
			t.Errorf("%s is not declared", name)
		}
	}
	// Logstash's PIPELINE_SETTINGS_WHITE_LIST, exactly.
	allowed := `config.debug config.support_escapes config.string dead_letter_queue.enable
dead_letter_queue.flush_interval dead_letter_queue.flush_check_interval dead_letter_queue.max_bytes
dead_letter_queue.storage_policy dead_letter_queue.retain.age metric.collect pipeline.plugin_classloaders
path.config path.dead_letter_queue path.queue pipeline.batch.delay
pipeline.batch.output_chunking.growth_threshold_factor pipeline.batch.metrics.sampling_mode pipeline.batch.size
pipeline.id pipeline.reloadable pipeline.recoverable pipeline.system pipeline.workers pipeline.ordered
pipeline.ecs_compatibility queue.checkpoint.acks queue.checkpoint.interval queue.checkpoint.writes
queue.checkpoint.retry queue.compression queue.drain queue.max_bytes queue.max_events queue.page_capacity queue.type`
	want := strings.Fields(allowed)
	got := PipelineNames()
	if len(got) != len(want) {
		t.Errorf("per-pipeline settings: %d declared, Logstash allows %d:\n%v", len(got), len(want), got)
	}
	for _, n := range want {
		if d, ok := Lookup(n); !ok || !d.Pipeline {
			t.Errorf("%s may be set per pipeline in Logstash", n)
		}
	}
}

// loadPipelines writes pipelines.yml and loads it over process settings.
func loadPipelines(t *testing.T, yml string, process map[string]any) ([]*Pipeline, []Warning, error) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yml", yml)
	st, _, err := Load(dir, process, lookupOf(map[string]string{"CONF": "/etc/conf.d"}))
	if err != nil {
		t.Fatal(err)
	}
	return LoadPipelines(st, lookupOf(map[string]string{"CONF": "/etc/conf.d"}))
}

func TestPipelinesYMLEntriesOverrideTheProcessSettings(t *testing.T) {
	ps, warnings, err := loadPipelines(t, `
# the package's example
- pipeline.id: ingest
  path.config: "${CONF}/ingest.conf"
  pipeline.workers: 3
  queue.max_bytes: 10mb
- pipeline.id: parse
  config.string: "input { stdin {} }"
  pipeline.batch.size: 10
  pipeline.ecs_compatibility: disabled
  config.reload.automatic: true
`, map[string]any{"pipeline.batch.size": 50, "pipeline.workers": 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID() != "ingest" || ps[1].ID() != "parse" {
		t.Fatalf("pipelines %v", ps)
	}
	if ps[0].String("path.config") != "/etc/conf.d/ingest.conf" || ps[0].Int("pipeline.workers") != 3 ||
		ps[0].Int("pipeline.batch.size") != 50 || ps[0].Int("queue.max_bytes") != 10<<20 {
		t.Errorf("ingest: %s %d %d %d", ps[0].String("path.config"), ps[0].Int("pipeline.workers"), ps[0].Int("pipeline.batch.size"), ps[0].Int("queue.max_bytes"))
	}
	if ps[1].Int("pipeline.workers") != 2 || ps[1].Int("pipeline.batch.size") != 10 || ps[1].String("pipeline.ecs_compatibility") != "disabled" {
		t.Errorf("parse: %d %d %s", ps[1].Int("pipeline.workers"), ps[1].Int("pipeline.batch.size"), ps[1].String("pipeline.ecs_compatibility"))
	}
	if ps[1].Bool("config.reload.automatic") {
		t.Error("config.reload.automatic from pipelines.yml must be dropped")
	}
	if len(warnings) != 1 || warnings[0].Message != `Config option "config.reload.automatic", set for pipeline "parse", is deprecated as a pipeline override setting. Please only set it at the process level.` {
		t.Errorf("warnings %v", warnings)
	}
	if !strings.HasSuffix(ps[1].Origin, "pipelines.yml:7:3") {
		t.Errorf("origin %q", ps[1].Origin)
	}
}

func TestPipelinesYMLErrors(t *testing.T) {
	cases := []struct{ yml, want string }{
		{"", "Pipelines YAML file is empty. Location: "},
		{"# - pipeline.id: main\n#   path.config: x\n", "Pipelines YAML file is empty. Location: "},
		{"pipeline.id: main", `Pipelines YAML file must contain an array of pipeline configs. Found "Hash" in `},
		{"- pipeline.id: [", "Failed to parse contents of pipelines yaml file. Location: "},
		{"- path.config: a\n- path.config: b\n", `Pipelines YAML file contains duplicate pipeline ids: ["main"]. Location: `},
		{"- pipeline.id: x\n  node.name: n\n", `pipelines.yml:2:3: setting node.name: Only pipeline related settings are expected. Received "node.name". Allowed settings: [config.debug,`},
		{"- pipeline.id: x\n  pipeline.wrokers: 1\n", `(did you mean "pipeline.workers"?)`},
		{"- pipeline.id: x\n  pipeline:\n    workers: 2\n", `Received "pipeline"`},
		{"- pipeline.id: x\n  pipeline.workers: -1\n", `pipelines.yml:2:3: setting pipeline.workers: Number must be bigger than 0. Received: -1`},
		{"- pipeline.id: x\n  queue.compression: speed\n", `gostash cannot honour queue.compression => "speed"`},
		{"- just a string\n", "each pipeline must be a map of settings, found a str"},
	}
	for _, c := range cases {
		_, _, err := loadPipelines(t, c.yml, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.yml, err, c.want)
		}
	}
	st := New()
	if err := st.Set("path.settings", t.TempDir(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadPipelines(st, nil); err == nil || !strings.Contains(err.Error(), "Failed to read pipelines yaml file. Location: ") ||
		!strings.Contains(err.Error(), "Exception: #<Errno::ENOENT: No such file or directory @ rb_sysopen - ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"64mb": 64 << 20, "1024MB": 1 << 30, "1g": 1 << 30, "10b": 10, "1.5kb": 1536, "2TB": 2 << 40} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"64", "mb", "lots"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) took it", bad)
		}
	}
}
