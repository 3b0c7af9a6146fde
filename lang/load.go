package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Names and texts Logstash uses for the parts of a -e config.
const (
	ConfigStringName  = "config_string"
	DefaultInputName  = "default input"
	DefaultOutputName = "default output"
	DefaultInput      = "input { stdin { type => stdin } }"
	DefaultOutput     = "output { stdout { codec => rubydebug } }"
)

// Logstash checks the raw -e text, comments and strings included. Ruby's \s
// also matches vertical tab, which Go's does not.
var (
	inputBlockRE  = regexp.MustCompile(`input[ \t\r\n\f\v]*\{`)
	outputBlockRE = regexp.MustCompile(`output[ \t\r\n\f\v]*\{`)
)

// NeedsDefaultInput reports whether Logstash would add the default stdin
// input to a -e config: when the text nowhere matches /input\s*{/.
func NeedsDefaultInput(src string) bool { return !inputBlockRE.MatchString(src) }

// NeedsDefaultOutput reports whether Logstash would add the default stdout
// output to a -e config: when the text nowhere matches /output\s*{/.
func NeedsDefaultOutput(src string) bool { return !outputBlockRE.MatchString(src) }

// ParseString parses a -e config string. Like Logstash, it adds the default
// input (`input { stdin { type => stdin } }`) and/or output (`output {
// stdout { codec => rubydebug } }`) sections when NeedsDefaultInput or
// NeedsDefaultOutput say so; their sections come first and their positions
// name DefaultInputName / DefaultOutputName. Logstash also logs a WARN for each
// default added; that is the caller's to print, since it names the pipeline.
// The map holds every source text by name, for diagnostics.
func ParseString(src string, opts ParseOptions) (*Config, map[string][]byte, Diagnostics) {
	sources := map[string][]byte{ConfigStringName: []byte(src)}
	var parts []string
	if NeedsDefaultInput(src) {
		sources[DefaultInputName] = []byte(DefaultInput)
		parts = append(parts, DefaultInputName)
	}
	if NeedsDefaultOutput(src) {
		sources[DefaultOutputName] = []byte(DefaultOutput)
		parts = append(parts, DefaultOutputName)
	}
	parts = append(parts, ConfigStringName)

	merged := &Config{Pos: Pos{File: ConfigStringName, Line: 1, Column: 1}, SupportEscapes: opts.SupportEscapes}
	var diags Diagnostics
	for _, name := range parts {
		cfg, ds := Parse(name, sources[name], opts)
		diags = append(diags, ds...)
		if cfg != nil {
			merged.Sections = append(merged.Sections, cfg.Sections...)
		}
	}
	if diags.HasErrors() {
		return nil, sources, diags
	}
	return merged, sources, diags
}

// LoadPath reads the configs a -f PATH names, the way Logstash does (except
// that http:// and https:// paths, which Logstash fetches, are an error): a
// leading file:// is dropped and the path made absolute; a directory means
// every file in it; anything else is a Ruby Dir.glob pattern (*, ?, [set],
// {a,b}, **; no dotfiles). Matches are sorted in byte order, directories
// skipped, names ending in ~ skipped with a warning, and each file parsed on
// its own. A file that is not UTF-8 is an error naming it. When nothing
// matches, the result has no configs and an error "No config files found in
// path". The map holds every file's text by name, for diagnostics.
func LoadPath(path string, opts ParseOptions) ([]*Config, map[string][]byte, Diagnostics) {
	if lower := strings.ToLower(path); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		// Logstash can fetch a config over HTTP; gostash reads local files only.
		return nil, map[string][]byte{}, Diagnostics{Errorf(Pos{File: path}, "remote config paths are not supported; download the config and pass its file path")}
	}
	if len(path) >= 7 && strings.EqualFold(path[:7], "file://") {
		path = path[7:]
	}
	if abs, err := filepath.Abs(expandHome(path)); err == nil {
		path = abs
	}
	pattern := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		pattern = filepath.Join(path, "*")
	}
	var diags Diagnostics
	sources := map[string][]byte{}
	var files []string
	for _, name := range Glob(pattern) {
		fi, err := os.Stat(name)
		if err != nil || !(fi.Mode().IsRegular() || fi.Mode()&os.ModeNamedPipe != 0) {
			continue
		}
		if strings.HasSuffix(name, "~") {
			diags = append(diags, Warnf(Pos{File: name}, "NOT reading config file because it is a temp file"))
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, Errorf(Pos{File: name}, "cannot read config file: %v", err))
			continue
		}
		sources[name] = src
		files = append(files, name)
	}

	var notUTF8 []string
	for _, name := range files {
		if !utf8.Valid(sources[name]) {
			notUTF8 = append(notUTF8, name)
		}
	}
	if len(notUTF8) > 0 {
		quoted := make([]string, len(notUTF8))
		for i, n := range notUTF8 {
			quoted[i] = strconv.Quote(n)
		}
		d := Errorf(Pos{File: notUTF8[0]}, "config file is not UTF-8 encoded")
		d.Detail = "The following config files contains non-ascii characters but are not UTF-8 encoded [" + strings.Join(quoted, ", ") + "]"
		return nil, sources, append(diags, d)
	}
	if diags.HasErrors() {
		return nil, sources, diags
	}
	if len(files) == 0 {
		d := Errorf(Pos{File: path}, "No config files found in path")
		d.Detail = fmt.Sprintf("No config files found in path {:path=>%q}\nNo configuration found in the configured sources.", pattern)
		return nil, sources, append(diags, d)
	}

	var configs []*Config
	for _, name := range files {
		cfg, ds := Parse(name, sources[name], opts)
		diags = append(diags, ds...)
		if cfg != nil {
			configs = append(configs, cfg)
		}
	}
	if diags.HasErrors() {
		return nil, sources, diags
	}
	return configs, sources, diags
}

// expandHome does the ~ expansion of Ruby's File.expand_path.
func expandHome(path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + path[1:]
		}
	}
	return path
}

// Glob returns the names matching a Ruby Dir.glob pattern, sorted in byte
// order: {a,b} alternatives, * and ? within one name (never matching a
// leading dot), [set] classes, \ escapes, and ** as a whole path element for
// any number of directories (hidden ones and symlinks not entered).
func Glob(pattern string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range expandBraces(pattern) {
		for _, m := range globOne(p) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// expandBraces expands the first top-level {a,b,...} group, recursively.
func expandBraces(p string) []string {
	start, depth := -1, 0
	var commas []int
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				start = i
				commas = commas[:0]
			}
			depth++
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				var out []string
				prev := start + 1
				for _, c := range append(commas, i) {
					out = append(out, expandBraces(p[:start]+p[prev:c]+p[i+1:])...)
					prev = c + 1
				}
				return out
			}
		}
	}
	return []string{p}
}

func globOne(pattern string) []string {
	root := ""
	rest := pattern
	if strings.HasPrefix(pattern, "/") {
		root = "/"
		rest = strings.TrimLeft(pattern, "/")
	}
	var out []string
	globWalk(root, strings.Split(rest, "/"), &out)
	return out
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func globWalk(dir string, comps []string, out *[]string) {
	for len(comps) > 0 && comps[0] == "" {
		comps = comps[1:]
	}
	if len(comps) == 0 {
		if _, err := os.Lstat(dir); err == nil {
			*out = append(*out, dir)
		}
		return
	}
	comp, rest := comps[0], comps[1:]
	join := func(name string) string {
		if dir == "" {
			return name
		}
		return filepath.Join(dir, name)
	}
	if comp == "**" && len(rest) > 0 {
		globWalk(dir, rest, out)
		for _, e := range readDir(dir) {
			if e.IsDir() && e.Type()&os.ModeSymlink == 0 && !strings.HasPrefix(e.Name(), ".") {
				globWalk(join(e.Name()), comps, out)
			}
		}
		return
	}
	if comp == "**" {
		comp = "*"
	}
	if !hasMeta(comp) {
		globWalk(join(comp), rest, out)
		return
	}
	for _, e := range readDir(dir) {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(comp, ".") {
			continue
		}
		if ok, err := filepath.Match(comp, name); err == nil && ok {
			globWalk(join(name), rest, out)
		}
	}
}

func readDir(dir string) []os.DirEntry {
	if dir == "" {
		dir = "."
	}
	entries, _ := os.ReadDir(dir)
	return entries
}
