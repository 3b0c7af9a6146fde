package settings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gostash/gostash/lang"
)

// Dir resolves path.settings as Logstash does: the flag, else
// LS_SETTINGS_DIR, else the package's directory when this user may read
// it (the package lets only root and the gostash group in). explicit is
// false when the directory is the package default.
func Dir(flag string, getenv func(string) string) (dir string, explicit bool) {
	if flag != "" {
		return flag, true
	}
	if env := getenv("LS_SETTINGS_DIR"); env != "" {
		return env, true
	}
	if f, err := os.Open(DefaultSettingsDir); err == nil {
		_, err = f.Readdirnames(1)
		f.Close()
		if err == nil || errors.Is(err, io.EOF) {
			return DefaultSettingsDir, false
		}
	}
	return "", false
}

// CommandLine is the origin of settings given as flags.
const CommandLine = "command line"

// MissingFileWarning is Logstash's notice for a settings directory without logstash.yml.
const MissingFileWarning = "WARNING: Could not find logstash.yml which is typically located in $LS_HOME/config or /etc/logstash. You can specify the path using --path.settings. Continuing using the defaults"

// Load reads <dir>/logstash.yml (when dir is not empty) then applies the
// command-line settings over it. Values in the file get ${VAR} substitution
// through lookup. missing reports that dir has no logstash.yml.
func Load(dir string, cli map[string]any, lookup lang.LookupFunc) (s *Settings, missing bool, err error) {
	s = New()
	if dir != "" {
		path := filepath.Join(dir, "logstash.yml")
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = true
		case err != nil:
			return nil, false, fmt.Errorf("reading %s: %w", path, err)
		default:
			if err := s.loadYAML(path, data, lookup); err != nil {
				return nil, false, err
			}
		}
		if err := s.Set("path.settings", dir, "--path.settings"); err != nil {
			return nil, false, err
		}
	}
	names := make([]string, 0, len(cli))
	for k := range cli {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := s.Set(k, cli[k], CommandLine); err != nil {
			return nil, false, err
		}
	}
	return s, missing, nil
}

// loadYAML merges a logstash.yml: nested maps are flattened to dotted
// names (pipeline: {batch: {size: 125}} is pipeline.batch.size), string
// values get ${VAR} substitution, and each value is checked where it is.
func (s *Settings) loadYAML(path string, data []byte, lookup lang.LookupFunc) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("Failed to parse YAML file %q. Please confirm if the YAML structure is valid (e.g. look for incorrect usage of whitespace or indentation). Aborting... parser_error=>%v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file, or only comments
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d:%d: logstash.yml must hold a map of settings, found %s", path, root.Line, root.Column, nodeKind(root))
	}
	type entry struct {
		name  string
		value *yaml.Node
		key   *yaml.Node
	}
	var entries []entry
	var walk func(prefix string, m *yaml.Node)
	walk = func(prefix string, m *yaml.Node) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			name := k.Value
			if prefix != "" {
				name = prefix + "." + name
			}
			if v.Kind == yaml.MappingNode {
				if _, known := registry[name]; !known {
					walk(name, v)
					continue
				}
			}
			entries = append(entries, entry{name, v, k})
		}
	}
	walk("", root)
	for _, e := range entries {
		origin := fmt.Sprintf("%s:%d:%d", path, e.key.Line, e.key.Column)
		raw, err := nodeValue(e.value, lookup)
		if err != nil {
			return &SettingError{origin, e.name, err.Error()}
		}
		if err := s.Set(e.name, raw, origin); err != nil {
			return err
		}
	}
	return nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a map"
	case yaml.ScalarNode:
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "something else"
}

// nodeValue turns a YAML value into what Logstash's YAML loader gives:
// strings (after ${VAR} substitution), integers, floats, booleans (YAML
// 1.1's plain yes/no/on/off too, as Ruby's Psych reads them), nil, lists
// and maps.
func nodeValue(n *yaml.Node, lookup lang.LookupFunc) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias, lookup)
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			v, err := nodeValue(c, lookup)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeValue(n.Content[i+1], lookup)
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	}
	if n.Style == 0 && n.Tag == "!!str" {
		switch n.Value {
		case "yes", "Yes", "YES", "on", "On", "ON":
			return true, nil
		case "no", "No", "NO", "off", "Off", "OFF":
			return false, nil
		}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		expanded, _, err := lang.ExpandVars(x, lookup)
		if err != nil {
			return nil, err
		}
		return expanded, nil
	case int:
		return int64(x), nil
	case uint64:
		return nil, fmt.Errorf("number %d is too large", x)
	}
	return v, nil
}

// Pipeline is one pipelines.yml entry: the process settings with the
// entry's settings over them.
type Pipeline struct {
	*Settings
	// Origin is where the entry starts in pipelines.yml.
	Origin string
}

// ID is the pipeline's id.
func (p *Pipeline) ID() string { return p.String("pipeline.id") }

// PipelinesFile is the path of pipelines.yml for a settings directory.
func PipelinesFile(dir string) string { return filepath.Join(dir, "pipelines.yml") }

// LoadPipelines reads <path.settings>/pipelines.yml: a list of maps, one
// per pipeline, each holding only pipeline settings (Logstash's allow
// list). Each entry starts from a copy of the process settings. The
// errors are Logstash's, for a file that is missing, empty, not a list or
// not YAML, and for ids used twice. Warnings are the deprecation and
// no-effect notices of the entries' settings.
func LoadPipelines(process *Settings, lookup lang.LookupFunc) ([]*Pipeline, []Warning, error) {
	path := PipelinesFile(process.String("path.settings"))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("Failed to read pipelines yaml file. Location: %s, Exception: %s", path, rubyErrno(err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("Failed to parse contents of pipelines yaml file. Location: %s, Exception: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil, fmt.Errorf("Pipelines YAML file is empty. Location: %s", path)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil, fmt.Errorf("Failed to read pipelines yaml file. Location: %s", path)
	}
	if root.Kind != yaml.SequenceNode {
		return nil, nil, fmt.Errorf("Pipelines YAML file must contain an array of pipeline configs. Found %q in %s", rubyNodeClass(root), path)
	}
	var out []*Pipeline
	var warnings []Warning
	for _, item := range root.Content {
		entryOrigin := fmt.Sprintf("%s:%d:%d", path, item.Line, item.Column)
		if item.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("%s: each pipeline must be a map of settings, found %s", entryOrigin, nodeKind(item))
		}
		p := &Pipeline{Settings: process.Clone(), Origin: entryOrigin}
		// pipeline.id first, so that messages about the other keys can name it.
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "pipeline.id" {
				raw, err := nodeValue(item.Content[i+1], lookup)
				if err == nil {
					err = p.Set("pipeline.id", scalarString(raw), fmt.Sprintf("%s:%d:%d", path, item.Content[i].Line, item.Content[i].Column))
				}
				if err != nil {
					return nil, nil, err
				}
			}
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			origin := fmt.Sprintf("%s:%d:%d", path, k.Line, k.Column)
			name := k.Value
			if name == "pipeline.id" {
				continue
			}
			if contains(deprecatedPipelineOverrides, name) {
				warnings = append(warnings, Warning{"org.logstash.deprecation.settings", fmt.Sprintf(
					"Config option \"%s\", set for pipeline \"%s\", is deprecated as a pipeline override setting. Please only set it at the process level.", name, p.ID())})
				continue
			}
			if d, ok := registry[name]; !ok || !d.Pipeline {
				return nil, nil, &SettingError{origin, name, fmt.Sprintf("Only pipeline related settings are expected. Received \"%s\". Allowed settings: [%s]%s",
					name, strings.Join(PipelineNames(), ", "), didYouMeanPipeline(name))}
			}
			raw, err := nodeValue(v, lookup)
			if err != nil {
				return nil, nil, &SettingError{origin, name, err.Error()}
			}
			if err := p.Set(name, raw, origin); err != nil {
				return nil, nil, err
			}
		}
		warnings = append(warnings, p.Notices(func(o string) bool { return strings.HasPrefix(o, path+":") })...)
		out = append(out, p)
	}
	if dups := duplicateIDs(out); len(dups) > 0 {
		quoted := make([]string, len(dups))
		for i, d := range dups {
			quoted[i] = strconv.Quote(d)
		}
		return nil, nil, fmt.Errorf("Pipelines YAML file contains duplicate pipeline ids: [%s]. Location: %s", strings.Join(quoted, ", "), path)
	}
	return out, warnings, nil
}

func didYouMeanPipeline(name string) string {
	if s := lang.Suggest(name, PipelineNames()); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func duplicateIDs(ps []*Pipeline) []string {
	seen := map[string]int{}
	var dups []string
	for _, p := range ps {
		seen[p.ID()]++
		if seen[p.ID()] == 2 {
			dups = append(dups, p.ID())
		}
	}
	return dups
}

// rubyErrno describes a file error the way Ruby's exception inspect does
// (#<Errno::ENOENT: No such file or directory @ rb_sysopen - path>).
func rubyErrno(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Sprintf("#<Errno::ENOENT: No such file or directory @ rb_sysopen - %s>", pe.Path)
		case errors.Is(err, fs.ErrPermission):
			return fmt.Sprintf("#<Errno::EACCES: Permission denied @ rb_sysopen - %s>", pe.Path)
		}
	}
	return err.Error()
}

// rubyNodeClass names what a YAML node would load as in Ruby.
func rubyNodeClass(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "Hash"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int":
			return "Integer"
		case "!!float":
			return "Float"
		case "!!bool":
			return "TrueClass"
		}
		return "String"
	}
	return "Object"
}
