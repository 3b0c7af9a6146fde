package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/plugin"
)

// settings are Logstash's settings, from logstash.yml then the command line.
type settings map[string]any

// loadSettings reads logstash.yml from path.settings (flag or
// LS_SETTINGS_DIR) when given, flattening nested keys to dotted names and
// substituting ${VAR} as Logstash does (keystore first, then the
// environment), then applies the flags over it. It also returns that
// ${VAR} lookup, for the pipeline configs.
func loadSettings(cli *cliArgs) (settings, lang.LookupFunc, error) {
	s := settings{}
	dir, _ := cli.settings["path.settings"].(string)
	if dir == "" {
		dir = os.Getenv("LS_SETTINGS_DIR")
	}
	lookup, err := secretLookup(dir)
	if err != nil {
		return nil, nil, err
	}
	if dir != "" {
		path := filepath.Join(dir, "logstash.yml")
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(os.Stderr, "WARNING: Could not find logstash.yml which is typically located in $LS_HOME/config or /etc/logstash. You can specify the path using --path.settings. Continuing using the defaults\n")
		case err != nil:
			return nil, nil, fmt.Errorf("reading %s: %w", path, err)
		default:
			expanded, _, err := lang.ExpandVars(string(data), lookup)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(expanded), &doc); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			flatten("", doc, s)
			for k := range s {
				if !knownSetting(k) {
					return nil, nil, fmt.Errorf("%s: unknown setting %q%s", path, k, didYouMean(k, settingNames()))
				}
			}
		}
	}
	for k, v := range cli.settings {
		s[k] = v
	}
	return s, lookup, nil
}

func flatten(prefix string, m map[string]any, out settings) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && !knownSetting(key) {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

// yamlOnlySettings are logstash.yml keys without a flag that gostash honours.
var yamlOnlySettings = []string{"config.field_reference.escape_style", "http.host", "http.port",
	"path.queue", "queue.type", "queue.drain", "queue.page_capacity", "queue.max_bytes", "queue.max_events",
	"queue.checkpoint.acks", "queue.checkpoint.writes", "queue.checkpoint.interval", "queue.checkpoint.retry", "queue.compression",
	"api.auth.type", "api.auth.basic.username", "api.auth.basic.password",
	"api.auth.basic.password_policy.mode", "api.auth.basic.password_policy.length.minimum",
	"api.auth.basic.password_policy.include.upper", "api.auth.basic.password_policy.include.lower",
	"api.auth.basic.password_policy.include.digit", "api.auth.basic.password_policy.include.symbol",
	"api.ssl.enabled", "api.ssl.keystore.path", "api.ssl.keystore.password", "api.ssl.supported_protocols"}

// settingNames are the logstash.yml keys gostash knows.
func settingNames() []string {
	names := append([]string(nil), yamlOnlySettings...)
	for _, f := range flagTable {
		if f.setting != "" {
			names = append(names, f.setting)
		}
	}
	return names
}

// didYouMean is a " (did you mean x?)" hint for a misspelt name, or "".
func didYouMean(name string, candidates []string) string {
	if s := lang.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func knownSetting(k string) bool {
	if findFlag("--"+k) != nil {
		return true
	}
	for _, y := range yamlOnlySettings {
		if y == k {
			return true
		}
	}
	return false
}

func (s settings) str(key, def string) string {
	switch v := s[key].(type) {
	case string:
		return v
	case nil:
		return def
	default:
		return fmt.Sprint(v)
	}
}

func (s settings) boolean(key string, def bool) (bool, error) {
	switch v := s[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("setting %s: expected true or false, got %q", key, v)
		}
		return b, nil
	}
	return false, fmt.Errorf("setting %s: expected true or false, got %v", key, s[key])
}

func (s settings) integer(key string, def int) (int, bool, error) {
	switch v := s[key].(type) {
	case nil:
		return def, false, nil
	case int:
		return v, true, nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false, fmt.Errorf("setting %s: expected a number, got %q", key, v)
		}
		return n, true, nil
	}
	return 0, false, fmt.Errorf("setting %s: expected a number, got %v", key, s[key])
}

// pipelineSettings builds the pipeline settings, validating values the way
// Logstash's settings do.
func (s settings) pipelineSettings() (plugin.PipelineSettings, error) {
	ps := plugin.DefaultPipelineSettings(runtime.NumCPU())
	ps.ID = s.str("pipeline.id", ps.ID)
	var err error
	var set bool
	if ps.Workers, set, err = s.integer("pipeline.workers", ps.Workers); err != nil {
		return ps, err
	}
	ps.WorkersSet = set
	if ps.Workers < 1 {
		return ps, fmt.Errorf("setting pipeline.workers: Number must be bigger than 0. Received: %d", ps.Workers)
	}
	if ps.BatchSize, _, err = s.integer("pipeline.batch.size", ps.BatchSize); err != nil {
		return ps, err
	}
	if ps.BatchSize < 1 {
		return ps, fmt.Errorf("setting pipeline.batch.size: Number must be bigger than 0. Received: %d", ps.BatchSize)
	}
	delay, _, err := s.integer("pipeline.batch.delay", int(ps.BatchDelay/time.Millisecond))
	if err != nil {
		return ps, err
	}
	if delay < 0 {
		return ps, fmt.Errorf("setting pipeline.batch.delay: Number must be 0 or bigger. Received: %d", delay)
	}
	ps.BatchDelay = time.Duration(delay) * time.Millisecond
	ps.Ordered = s.str("pipeline.ordered", ps.Ordered)
	if !oneOf(ps.Ordered, "auto", "true", "false") {
		return ps, fmt.Errorf("setting pipeline.ordered: Invalid value %q. Options are: [\"auto\", \"true\", \"false\"]", ps.Ordered)
	}
	ps.DataPath = s.str("path.data", "data")
	ps.ECSCompatibility = s.str("pipeline.ecs_compatibility", ps.ECSCompatibility)
	if !oneOf(ps.ECSCompatibility, "disabled", "v1", "v8") {
		return ps, fmt.Errorf("setting pipeline.ecs_compatibility: Invalid value %q. Options are: [\"disabled\", \"v1\", \"v8\"]", ps.ECSCompatibility)
	}
	if ps.SupportEscapes, err = s.boolean("config.support_escapes", false); err != nil {
		return ps, err
	}
	ps.FieldRefEscapeMode = s.str("field-reference-escape-style", s.str("config.field_reference.escape_style", "none"))
	if !oneOf(ps.FieldRefEscapeMode, "none", "percent", "ampersand") {
		return ps, fmt.Errorf("setting config.field_reference.escape_style: Invalid value %q. Options are: [\"none\", \"percent\", \"ampersand\"]", ps.FieldRefEscapeMode)
	}
	return ps, s.queueSettings(&ps.Queue)
}

// queueSettings reads queue.* and path.queue (by default
// <path.data>/queue) into q.
func (s settings) queueSettings(q *plugin.QueueSettings) error {
	q.Type = s.str("queue.type", q.Type)
	if !oneOf(q.Type, "memory", "persisted") {
		return fmt.Errorf("setting queue.type: Invalid value %q. Options are: [\"memory\", \"persisted\"]", q.Type)
	}
	q.Path = s.str("path.queue", filepath.Join(s.str("path.data", "data"), "queue"))
	var err error
	if q.Drain, err = s.boolean("queue.drain", q.Drain); err != nil {
		return err
	}
	p := &q.Persisted
	if p.PageCapacity, err = s.bytes("queue.page_capacity", p.PageCapacity); err != nil {
		return err
	}
	if p.MaxBytes, err = s.bytes("queue.max_bytes", p.MaxBytes); err != nil {
		return err
	}
	for _, n := range []struct {
		key string
		to  *int64
	}{{"queue.max_events", &p.MaxEvents}, {"queue.checkpoint.acks", &p.CheckpointAcks}, {"queue.checkpoint.writes", &p.CheckpointWrites}} {
		v, _, err := s.integer(n.key, int(*n.to))
		if err != nil {
			return err
		}
		*n.to = int64(v)
	}
	interval, _, err := s.integer("queue.checkpoint.interval", int(p.CheckpointInterval/time.Millisecond))
	if err != nil {
		return err
	}
	p.CheckpointInterval = time.Duration(interval) * time.Millisecond
	if p.CheckpointRetry, err = s.boolean("queue.checkpoint.retry", p.CheckpointRetry); err != nil {
		return err
	}
	if c := s.str("queue.compression", "none"); c != "none" {
		return fmt.Errorf("setting queue.compression: %q is not supported: gostash writes queue pages uncompressed (none)", c)
	}
	if q.Type == "persisted" {
		return p.Validate()
	}
	return nil
}

// bytes reads a Logstash byte size: a number of bytes, or a number with a
// unit b, kb, mb, gb, tb or pb (k, m, g, t, p too; powers of 1024, any case).
func (s settings) bytes(key string, def int64) (int64, error) {
	switch v := s[key].(type) {
	case nil:
		return def, nil
	case int:
		return int64(v), nil
	case string:
		t := strings.ToLower(strings.TrimSpace(v))
		num := strings.TrimRight(t, "bkmgtp")
		unit := strings.TrimSpace(t[len(num):])
		mult, ok := map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
			"g": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "p": 1 << 50, "pb": 1 << 50}[unit]
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if ok && err == nil && n >= 0 {
			return int64(n * float64(mult)), nil
		}
	}
	return 0, fmt.Errorf("setting %s: expected a byte size such as 64mb or 1gb, got %v", key, s[key])
}

func oneOf(v string, options ...string) bool {
	for _, o := range options {
		if v == o {
			return true
		}
	}
	return false
}
