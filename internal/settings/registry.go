package settings

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Def declares one setting: its name, type and default as Logstash
// registers it, whether pipelines.yml may set it per pipeline, and what
// gostash does with it. Every setting Logstash documents is declared: a
// value gostash honours is used; a value it cannot honour is refused with
// the reason (Refuse); one that means nothing outside the JVM is accepted
// with a warning saying so (NoEffect). None is accepted and ignored.
type Def struct {
	Name     string
	Type     Type
	Default  any // in the coerced form; nil for a nullable setting without one
	Options  []string
	Nullable bool
	// Pipeline marks settings a pipelines.yml entry may override
	// (Logstash's PIPELINE_SETTINGS_WHITE_LIST).
	Pipeline bool
	// Check validates a value beyond its type (Logstash's validator).
	Check func(v any) error
	// Refuse returns why gostash cannot honour the value, or "".
	Refuse func(v any) string
	// NoEffect says why the setting changes nothing in gostash; setting it
	// logs that as a warning.
	NoEffect string
	// AliasOf names the setting this deprecated name stands for.
	AliasOf string
}

// registry holds every declared setting by name.
var registry = map[string]*Def{}

func register(defs ...*Def) {
	for _, d := range defs {
		if _, dup := registry[d.Name]; dup {
			panic("setting " + d.Name + " declared twice")
		}
		if d.Default != nil {
			v, err := d.coerce(d.Default)
			if err != nil {
				panic(fmt.Sprintf("setting %s: default: %v", d.Name, err))
			}
			d.Default = v
		}
		registry[d.Name] = d
	}
}

// Lookup returns the declaration of a setting.
func Lookup(name string) (*Def, bool) {
	d, ok := registry[name]
	return d, ok
}

// Names returns every declared setting name, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PipelineNames are the settings a pipelines.yml entry may set, in
// Logstash's order of its allow-list message.
func PipelineNames() []string {
	var names []string
	for _, n := range Names() {
		if registry[n].Pipeline {
			names = append(names, n)
		}
	}
	return names
}

// deprecatedPipelineOverrides are process settings Logstash once allowed
// per pipeline: in pipelines.yml they are dropped with a deprecation warning.
var deprecatedPipelineOverrides = []string{"config.reload.automatic", "config.reload.interval"}

// refuseUnless refuses every value but the ones given, with reason.
func refuseUnless(reason string, allowed ...any) func(any) string {
	return func(v any) string {
		for _, a := range allowed {
			if fmt.Sprint(a) == fmt.Sprint(v) {
				return ""
			}
		}
		return reason
	}
}

// refuseSet refuses any value.
func refuseSet(reason string) func(any) string {
	return func(any) string { return reason }
}

func init() {
	register(
		// Paths.
		&Def{Name: "path.settings", Type: String, Default: DefaultSettingsDir},
		&Def{Name: "path.config", Type: String, Nullable: true, Pipeline: true},
		&Def{Name: "config.string", Type: String, Nullable: true, Pipeline: true},
		&Def{Name: "path.data", Type: String, Default: "data"},
		&Def{Name: "path.logs", Type: String, Nullable: true},
		&Def{Name: "path.queue", Type: String, Nullable: true, Pipeline: true},
		&Def{Name: "path.dead_letter_queue", Type: String, Nullable: true, Pipeline: true},
		&Def{Name: "path.plugins", Type: Strings, Default: []string{},
			Refuse: func(v any) string {
				if len(v.([]string)) == 0 {
					return ""
				}
				return "gostash cannot load Ruby or Java plugins: its plugins are built in (`gostash plugins` lists them)"
			}},

		// Config and reload.
		&Def{Name: "config.test_and_exit", Type: Bool, Default: false},
		&Def{Name: "config.reload.automatic", Type: Bool, Default: false},
		&Def{Name: "config.reload.interval", Type: TimeValue, Default: "3s"},
		&Def{Name: "config.support_escapes", Type: Bool, Default: false, Pipeline: true},
		&Def{Name: "config.field_reference.escape_style", Type: String, Default: "none", Options: []string{"none", "percent", "ampersand"}},
		&Def{Name: "config.debug", Type: Bool, Default: false, Pipeline: true},
		&Def{Name: "ssl.reload.automatic", Type: Bool, Default: false,
			Refuse: refuseUnless("gostash does not watch TLS files for changes; restart it after replacing certificates", false)},

		// Pipeline.
		&Def{Name: "pipeline.id", Type: String, Default: "main", Pipeline: true},
		&Def{Name: "pipeline.system", Type: Bool, Default: false, Pipeline: true},
		&Def{Name: "pipeline.workers", Type: PositiveInt, Default: 1, Pipeline: true},
		&Def{Name: "pipeline.batch.size", Type: PositiveInt, Default: 125, Pipeline: true},
		&Def{Name: "pipeline.batch.delay", Type: Numeric, Default: 50, Pipeline: true},
		&Def{Name: "pipeline.batch.output_chunking.growth_threshold_factor", Type: PositiveInt, Default: 1000, Pipeline: true},
		&Def{Name: "pipeline.batch.metrics.sampling_mode", Type: String, Default: "minimal", Options: []string{"disabled", "minimal", "full"}, Pipeline: true,
			NoEffect: "gostash does not measure batch sizes (a technical preview in Logstash)"},
		&Def{Name: "pipeline.unsafe_shutdown", Type: Bool, Default: false},
		&Def{Name: "pipeline.reloadable", Type: Bool, Default: true, Pipeline: true},
		&Def{Name: "pipeline.recoverable", Type: Coercible, Default: "false", Options: []string{"auto", "true", "false"}, Pipeline: true},
		&Def{Name: "pipeline.plugin_classloaders", Type: Bool, Default: false, Pipeline: true,
			NoEffect: "gostash has no Java plugins to isolate"},
		&Def{Name: "pipeline.separate_logs", Type: Bool, Default: false},
		&Def{Name: "pipeline.ordered", Type: Coercible, Default: "auto", Options: []string{"auto", "true", "false"}, Pipeline: true},
		&Def{Name: "pipeline.ecs_compatibility", Type: Coercible, Default: "v8", Options: []string{"disabled", "v1", "v8"}, Pipeline: true},
		&Def{Name: "pipeline.buffer.type", Type: String, Default: "heap", Options: []string{"direct", "heap"},
			NoEffect: "gostash has no JVM heap or direct memory to choose between"},

		// Queue.
		&Def{Name: "queue.type", Type: String, Default: "memory", Options: []string{"persisted", "memory"}, Pipeline: true},
		&Def{Name: "queue.drain", Type: Bool, Default: false, Pipeline: true},
		&Def{Name: "queue.page_capacity", Type: Bytes, Default: "64mb", Pipeline: true},
		&Def{Name: "queue.max_bytes", Type: Bytes, Default: "1024mb", Pipeline: true},
		&Def{Name: "queue.max_events", Type: Numeric, Default: 0, Pipeline: true},
		&Def{Name: "queue.checkpoint.acks", Type: Numeric, Default: 1024, Pipeline: true},
		&Def{Name: "queue.checkpoint.writes", Type: Numeric, Default: 1024, Pipeline: true},
		// Logstash 9 no longer uses queue.checkpoint.interval; gostash's
		// persisted queue keeps its documented meaning (sync at that interval).
		&Def{Name: "queue.checkpoint.interval", Type: Numeric, Default: 1000, Pipeline: true},
		&Def{Name: "queue.checkpoint.retry", Type: Bool, Default: true, Pipeline: true},
		&Def{Name: "queue.compression", Type: String, Default: "none", Options: []string{"none", "speed", "balanced", "size", "disabled"}, Pipeline: true,
			Refuse: refuseUnless("gostash writes queue pages uncompressed", "none", "disabled")},

		// Dead letter queue.
		&Def{Name: "dead_letter_queue.enable", Type: Bool, Default: false, Pipeline: true},
		&Def{Name: "dead_letter_queue.max_bytes", Type: Bytes, Default: "1024mb", Pipeline: true},
		&Def{Name: "dead_letter_queue.flush_interval", Type: Numeric, Default: 5000, Pipeline: true},
		&Def{Name: "dead_letter_queue.flush_check_interval", Type: Numeric, Default: 1000, Pipeline: true},
		&Def{Name: "dead_letter_queue.storage_policy", Type: String, Default: "drop_newer", Options: []string{"drop_newer", "drop_older"}, Pipeline: true},
		&Def{Name: "dead_letter_queue.retain.age", Type: String, Nullable: true, Pipeline: true, Check: checkRetainAge},

		// API.
		&Def{Name: "api.enabled", Type: Bool, Default: true},
		&Def{Name: "api.http.host", Type: String, Default: "127.0.0.1"},
		&Def{Name: "api.http.port", Type: PortRange, Default: "9600-9700"},
		&Def{Name: "http.host", Type: String, Nullable: true, AliasOf: "api.http.host"},
		&Def{Name: "http.port", Type: PortRange, Nullable: true, AliasOf: "api.http.port"},
		&Def{Name: "api.environment", Type: String, Default: "production"},
		&Def{Name: "api.auth.type", Type: String, Default: "none", Options: []string{"none", "basic"}},
		&Def{Name: "api.auth.basic.username", Type: String, Nullable: true},
		&Def{Name: "api.auth.basic.password", Type: Password, Nullable: true},
		&Def{Name: "api.auth.basic.password_policy.mode", Type: String, Default: "WARN", Options: []string{"WARN", "ERROR"}},
		&Def{Name: "api.auth.basic.password_policy.length.minimum", Type: Numeric, Default: 8},
		&Def{Name: "api.auth.basic.password_policy.include.upper", Type: String, Default: "REQUIRED", Options: []string{"REQUIRED", "OPTIONAL"}},
		&Def{Name: "api.auth.basic.password_policy.include.lower", Type: String, Default: "REQUIRED", Options: []string{"REQUIRED", "OPTIONAL"}},
		&Def{Name: "api.auth.basic.password_policy.include.digit", Type: String, Default: "REQUIRED", Options: []string{"REQUIRED", "OPTIONAL"}},
		&Def{Name: "api.auth.basic.password_policy.include.symbol", Type: String, Default: "OPTIONAL", Options: []string{"REQUIRED", "OPTIONAL"}},
		&Def{Name: "api.ssl.enabled", Type: Bool, Default: false},
		&Def{Name: "api.ssl.keystore.path", Type: String, Nullable: true},
		&Def{Name: "api.ssl.keystore.password", Type: Password, Nullable: true},
		&Def{Name: "api.ssl.supported_protocols", Type: Strings, Nullable: true, Options: []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},

		// Logging.
		&Def{Name: "log.level", Type: String, Default: "info", Options: []string{"fatal", "error", "warn", "debug", "info", "trace"}},
		&Def{Name: "log.format", Type: String, Default: "plain", Options: []string{"json", "plain"},
			Refuse: refuseUnless("gostash logs only in Logstash's plain format", "plain")},
		&Def{Name: "log.format.json.fix_duplicate_message_fields", Type: Bool, Default: true,
			NoEffect: "it applies to log.format json, which gostash does not write"},

		// Node and process.
		&Def{Name: "node.name", Type: String, Nullable: true},
		&Def{Name: "allow_superuser", Type: Bool, Default: false},
		&Def{Name: "metric.collect", Type: Bool, Default: true, Pipeline: true,
			NoEffect: "gostash always keeps its event counters; they cost nothing measurable"},
		&Def{Name: "slowlog.threshold.warn", Type: TimeValue, Default: "-1", Refuse: refuseSlowlog},
		&Def{Name: "slowlog.threshold.info", Type: TimeValue, Default: "-1", Refuse: refuseSlowlog},
		&Def{Name: "slowlog.threshold.debug", Type: TimeValue, Default: "-1", Refuse: refuseSlowlog},
		&Def{Name: "slowlog.threshold.trace", Type: TimeValue, Default: "-1", Refuse: refuseSlowlog},
		&Def{Name: "keystore.classname", Type: String, Default: "org.logstash.secret.store.backend.JavaKeyStore",
			Refuse: refuseUnless("gostash reads only Logstash's default keystore (a PKCS12 logstash.keystore)", "org.logstash.secret.store.backend.JavaKeyStore")},
		&Def{Name: "keystore.file", Type: String, Nullable: true},
		&Def{Name: "monitoring.cluster_uuid", Type: String, Nullable: true},

		// Command line only.
		&Def{Name: "interactive", Type: String, Nullable: true, Refuse: refuseSet("gostash has no interactive Ruby shell")},
		&Def{Name: "enable-local-plugin-development", Type: Bool, Default: false,
			Refuse: refuseUnless("gostash cannot load plugins from source", false)},
		&Def{Name: "version", Type: Bool, Default: false},
		&Def{Name: "help", Type: Bool, Default: false},

		// OpenTelemetry metric export.
		&Def{Name: "otel.metrics.enabled", Type: Bool, Default: false,
			Refuse: refuseUnless("gostash does not export OpenTelemetry metrics; read them from the monitoring API (/_node/stats)", false)},
		&Def{Name: "otel.exporter.otlp.endpoint", Type: String, Default: "http://localhost:4317"},
		&Def{Name: "otel.metric.export.interval", Type: TimeValue, Default: "10s"},
		&Def{Name: "otel.exporter.otlp.protocol", Type: String, Default: "grpc", Options: []string{"grpc", "http"}},
		&Def{Name: "otel.exporter.otlp.headers", Type: Password, Nullable: true},
		&Def{Name: "otel.service.name", Type: String, Nullable: true},
		&Def{Name: "otel.resource.attributes", Type: String, Nullable: true},
		&Def{Name: "otel.exporter.otlp.certificate", Type: String, Nullable: true},
		&Def{Name: "otel.exporter.otlp.client.key", Type: String, Nullable: true},
		&Def{Name: "otel.exporter.otlp.client.certificate", Type: String, Nullable: true},
	)
}

var retainAgeForm = regexp.MustCompile(`^\d+\s*[dhms]$`)

// checkRetainAge is the format Logstash's DLQ writer requires of
// dead_letter_queue.retain.age.
func checkRetainAge(v any) error {
	if s := v.(string); !retainAgeForm.MatchString(s) {
		return fmt.Errorf("Expected a time specification in the form <number>[d,h,m,s], e.g. 3m, but found [%s]", s)
	}
	return nil
}

func refuseSlowlog(v any) string {
	if v.(time.Duration) < 0 {
		return ""
	}
	return "gostash has no slowlog; the monitoring API's per-plugin worker_millis_per_event shows slow plugins"
}

// xpackFamilies are the settings of Logstash's X-Pack features, which
// gostash does not have. Turning a feature off is honoured (it is off);
// anything else is refused with the reason.
var xpackFamilies = []struct{ prefix, feature string }{
	{"xpack.monitoring.", "X-Pack monitoring (gostash serves the monitoring API for Metricbeat's logstash module instead)"},
	{"monitoring.", "X-Pack monitoring (gostash serves the monitoring API for Metricbeat's logstash module instead)"},
	{"xpack.management.", "centralized pipeline management (gostash reads pipelines.yml and the config files)"},
	{"xpack.geoip.", "the GeoIP database downloader"},
	{"cloud.", "Elastic Cloud id and auth settings"},
}

// xpackRefusal returns the reason an X-Pack setting is refused, "" when it
// only turns its feature off, and ok false for a name outside those families.
func xpackRefusal(name string, v any) (reason string, ok bool) {
	for _, f := range xpackFamilies {
		if strings.HasPrefix(name, f.prefix) {
			if strings.HasSuffix(name, ".enabled") && (v == false || v == "false") {
				return "", true
			}
			return fmt.Sprintf("gostash does not have %s", f.feature), true
		}
	}
	return "", false
}
