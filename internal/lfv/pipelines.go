package lfv

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gostash/gostash/lang"
)

// Pipeline is one pipeline of the config under test.
type Pipeline struct {
	ID      string
	Configs []*lang.Config
	// ECS is the pipeline's own pipeline.ecs_compatibility, "" when it
	// sets none and the process-wide mode applies.
	ECS string
	// Base is what is cut from a config file's name to name the ids
	// --add-missing-id gives (LFV names them after the file's path
	// relative to the pipeline base).
	Base string
}

// pipelineSettingsIgnored are the Logstash pipeline settings that do not
// change what a test sees (how events are scheduled, queued and reloaded);
// LFV passes them to Logstash and overrides the workers and ordering.
var pipelineSettingsIgnored = map[string]bool{
	"pipeline.workers": true, "pipeline.batch.size": true, "pipeline.batch.delay": true,
	"pipeline.ordered": true, "pipeline.unsafe_shutdown": true, "pipeline.plugin_classloaders": true,
	"pipeline.system": true, "pipeline.separate_logs": true, "pipeline.buffer.type": true,
	"queue.type": true, "queue.page_capacity": true, "queue.max_events": true, "queue.max_bytes": true,
	"queue.checkpoint.acks": true, "queue.checkpoint.writes": true, "queue.checkpoint.interval": true,
	"queue.checkpoint.retry": true, "queue.drain": true, "queue.compression": true, "path.queue": true,
	"dead_letter_queue.enable": true, "dead_letter_queue.max_bytes": true, "dead_letter_queue.flush_interval": true,
	"dead_letter_queue.storage_policy": true, "dead_letter_queue.retain.age": true, "path.dead_letter_queue": true,
	"config.reload.automatic": true, "config.reload.interval": true, "config.debug": true,
	"config.test_and_exit": true, "config.support_escapes": true,
}

// LoadPipelines reads a pipelines.yml the way LFV's daemon mode does: a list
// of pipelines, each with pipeline.id and path.config (nested keys such as
// `path: {config: ...}` mean the same), path.config relative to base (the
// file's directory when base is empty), a trailing / meaning every file in
// the directory. The map holds the text of every file read, by name, for
// rendering the diagnostics.
func LoadPipelines(file, base string, opts lang.ParseOptions) ([]*Pipeline, map[string][]byte, lang.Diagnostics) {
	sources := map[string][]byte{}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, sources, lang.Diagnostics{lang.Errorf(lang.Pos{File: file}, "%v", err)}
	}
	sources[file] = src
	if base == "" {
		base = filepath.Dir(file)
	}
	if abs, err := filepath.Abs(base); err == nil {
		base = abs
	}
	l := newLocator(file, src)
	root, d := parseYAML(l)
	if d != nil {
		return nil, sources, lang.Diagnostics{d}
	}
	r := &reader{l: l, yaml: true}
	entries := r.list(root, "a pipelines.yml")
	if root.kind == nullKind || (root.kind == arrayKind && len(entries) == 0) {
		r.errorf(root, "pipelines.yml defines no pipeline")
	}
	var pipelines []*Pipeline
	seen := map[string]*node{}
	for _, entry := range entries {
		if entry.kind != objectKind {
			r.errorf(entry, "a pipelines.yml entry must be an object with pipeline.id and path.config, not %s", entry.kind)
			continue
		}
		settings := map[string]*node{}
		var keys []*node
		flattenSettings(entry, "", settings, &keys)
		id, path := settings["pipeline.id"], settings["path.config"]
		for _, k := range keys {
			switch name := k.str; {
			case name == "pipeline.id" || name == "path.config" || name == "pipeline.ecs_compatibility":
			case name == "config.string":
				r.errorf(k, "config.string: LFV tests the config files of path.config; put this pipeline's config in a file")
			case pipelineSettingsIgnored[name]:
			default:
				r.errorf(k, "unknown pipeline setting %q", name)
			}
		}
		if id == nil || path == nil {
			r.errorf(entry, "a pipelines.yml entry needs pipeline.id and path.config")
			continue
		}
		p := &Pipeline{ID: r.str(id, "pipeline.id"), Base: base}
		if prev, ok := seen[p.ID]; ok {
			r.errorf(id, "pipeline id %q is used twice (first at line %d)", p.ID, prev.pos.Line)
			continue
		}
		seen[p.ID] = id
		if ecs := settings["pipeline.ecs_compatibility"]; ecs != nil {
			switch p.ECS = r.str(ecs, "pipeline.ecs_compatibility"); p.ECS {
			case "disabled", "v1", "v8":
			default:
				r.errorf(ecs, "pipeline.ecs_compatibility must be disabled, v1 or v8, not %q", p.ECS)
			}
		}
		pattern := r.str(path, "path.config")
		if strings.HasSuffix(pattern, "/") {
			pattern += "*"
		}
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(base, pattern)
		}
		configs, files, diags := lang.LoadPath(pattern, opts)
		for name, text := range files {
			sources[name] = text
		}
		for _, d := range diags {
			// A path that matches nothing is the entry's problem.
			if d.Severity == lang.Error && d.Pos.File == pattern {
				d = lang.Errorf(path, "path.config %q: %s", pattern, d.Summary)
			}
			r.diags = append(r.diags, d)
		}
		p.Configs = configs
		pipelines = append(pipelines, p)
	}
	if r.diags.HasErrors() {
		return nil, sources, r.diags
	}
	return pipelines, sources, r.diags
}

// flattenSettings collects an entry's settings by dotted name, as Logstash
// reads nested keys in its settings files.
func flattenSettings(n *node, prefix string, out map[string]*node, keys *[]*node) {
	for i, k := range n.keys {
		name := prefix + k.str
		if v := n.items[i]; v.kind == objectKind {
			flattenSettings(v, name+".", out, keys)
			continue
		}
		out[name] = n.items[i]
		*keys = append(*keys, &node{pos: k.pos, end: k.end, kind: stringKind, str: name})
	}
}
