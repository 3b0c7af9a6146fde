package esoutput

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
)

// Template endpoints.
const (
	LegacyEndpoint     = "_template"
	ComposableEndpoint = "_index_template"
)

// defaultMappings are the mappings of Logstash's default (ECS-disabled)
// template: message as text without norms, other strings as text with a
// keyword subfield, @timestamp a date, @version a keyword, and geoip's
// usual fields typed.
const defaultMappings = `{"dynamic_templates":[` +
	`{"message_field":{"path_match":"message","match_mapping_type":"string","mapping":{"type":"text","norms":false}}},` +
	`{"string_fields":{"match":"*","match_mapping_type":"string","mapping":{"type":"text","norms":false,"fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}],` +
	`"properties":{"@timestamp":{"type":"date"},"@version":{"type":"keyword"},` +
	`"geoip":{"dynamic":true,"properties":{"ip":{"type":"ip"},"location":{"type":"geo_point"},"latitude":{"type":"half_float"},"longitude":{"type":"half_float"}}}}}`

const defaultSettings = `{"index.refresh_interval":"5s","number_of_shards":1}`

// DefaultTemplate is the template installed when none is configured,
// matching indices named pattern: the legacy layout (version 60001) or
// the composable one (version 80001, priority 200).
func DefaultTemplate(composable bool, pattern string) *event.Map {
	var text string
	if composable {
		text = fmt.Sprintf(`{"index_patterns":%s,"version":80001,"template":{"settings":%s,"mappings":%s},"priority":200,"_meta":{"description":"index template for logstash-output-elasticsearch"}}`,
			event.AppendJSONString(nil, pattern), defaultSettings, defaultMappings)
	} else {
		text = fmt.Sprintf(`{"index_patterns":%s,"version":60001,"settings":%s,"mappings":%s}`,
			event.AppendJSONString(nil, pattern), defaultSettings, defaultMappings)
	}
	v, err := event.DecodeJSON([]byte(text))
	if err != nil {
		panic("default template: " + err.Error())
	}
	return v.(*event.Map)
}

// OpenSearchDefaultTemplate is the opensearch output's default template:
// the legacy one, or a composable one with version 60001 and priority 10.
func OpenSearchDefaultTemplate(legacy bool, pattern string) *event.Map {
	if legacy {
		return DefaultTemplate(false, pattern)
	}
	text := fmt.Sprintf(`{"index_patterns":%s,"version":60001,"priority":10,"template":{"settings":%s,"mappings":%s}}`,
		event.AppendJSONString(nil, pattern), defaultSettings, defaultMappings)
	v, err := event.DecodeJSON([]byte(text))
	if err != nil {
		panic("default template: " + err.Error())
	}
	return v.(*event.Map)
}

// LoadTemplate reads a template file.
func LoadTemplate(path string) (*event.Map, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &esclient.ConfigError{Msg: fmt.Sprintf("Template file '%s' could not be found", path)}
		}
		return nil, &esclient.ConfigError{Msg: fmt.Sprintf("Failed to load template file '%s': %v", path, err)}
	}
	v, err := event.DecodeJSON(data)
	m, ok := v.(*event.Map)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, &esclient.ConfigError{Msg: fmt.Sprintf("Failed to load template file '%s': %v", path, err)}
	}
	return m, nil
}

// TemplateSettings returns the settings object of a template, creating it:
// under "template" for composable templates, at the top for legacy ones;
// a template with neither key is read as composable when composable is set.
func TemplateSettings(t *event.Map, composable bool) *event.Map {
	child := func(m *event.Map, key string) *event.Map {
		if v, ok := m.Get(key); ok {
			if c, ok := v.(*event.Map); ok {
				return c
			}
		}
		c := event.NewMap(2)
		m.Set(key, c)
		return c
	}
	switch {
	case t.Has("template"):
		return child(child(t, "template"), "settings")
	case t.Has("settings"):
		return child(t, "settings")
	case composable:
		return child(child(t, "template"), "settings")
	}
	return child(t, "settings")
}

// StripServerlessSettings removes the shard and replica settings a
// serverless project refuses.
func StripServerlessSettings(t *event.Map) {
	var settings *event.Map
	if v, ok := t.Get("template"); ok {
		if m, ok := v.(*event.Map); ok {
			s, _ := m.Get("settings")
			settings, _ = s.(*event.Map)
		}
	}
	if settings == nil {
		v, _ := t.Get("settings")
		settings, _ = v.(*event.Map)
	}
	if settings == nil {
		return
	}
	for _, k := range []string{"number_of_shards", "index.number_of_shards", "number_of_replicas", "index.number_of_replicas"} {
		settings.Delete(k)
	}
}

// InstallTemplate puts the template under endpoint/name unless one exists
// and overwrite is off. A 404 on the PUT is ignored, as Logstash does.
func InstallTemplate(ctx context.Context, c *esclient.Client, log *slog.Logger, engine, endpoint, name string, t *event.Map, overwrite bool) error {
	path := "/" + endpoint + "/" + name
	exists, err := c.Exists(ctx, path, false)
	if err != nil {
		return err
	}
	if exists && !overwrite {
		log.Debug("Found existing "+engine+" template, skipping template management", slog.String("name", name))
		return nil
	}
	log.Info("Installing "+engine+" template", slog.String("name", name))
	_, err = c.Do(ctx, http.MethodPut, path, nil, event.AppendJSON(nil, t))
	var bad *esclient.BadResponseError
	if errors.As(err, &bad) && bad.Code == http.StatusNotFound {
		return nil
	}
	return err
}

// IndexPattern is the default template's pattern for a write target:
// "logstash-*" for logstash-%{+yyyy.MM.dd}, "ecs-logstash-*" for the ECS
// default.
func IndexPattern(ecs string) string {
	if ecs == "disabled" {
		return "logstash-*"
	}
	return "ecs-logstash-*"
}
