package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGlobLikeRuby(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a.conf": "", "b.conf": "", "B.conf": "", ".hidden.conf": "", "c.txt": "",
		"sub/d.conf": "", "sub/deep/e.conf": "", ".dot/f.conf": "", "sub/.g.conf": "",
	})
	rel := func(ms []string) []string {
		var out []string
		for _, m := range ms {
			r, _ := filepath.Rel(root, m)
			out = append(out, r)
		}
		return out
	}
	cases := map[string][]string{
		"*.conf":            {"B.conf", "a.conf", "b.conf"},
		"?.conf":            {"B.conf", "a.conf", "b.conf"},
		"{a,c}.*":           {"a.conf", "c.txt"},
		"[ab].conf":         {"a.conf", "b.conf"},
		"**/*.conf":         {"B.conf", "a.conf", "b.conf", "sub/d.conf", "sub/deep/e.conf"},
		"sub/**/*.conf":     {"sub/d.conf", "sub/deep/e.conf"},
		".*.conf":           {".hidden.conf"},
		"a.conf":            {"a.conf"},
		"missing.conf":      nil,
		"{sub,.dot}/*.conf": {".dot/f.conf", "sub/d.conf"},
	}
	for pattern, want := range cases {
		got := rel(Glob(filepath.Join(root, pattern)))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Glob(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestLoadPath(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"10-in.conf":     "input { stdin {} }\n",
		"20-filter.conf": "filter { mutate { add_tag => [\"x\"] } }\n",
		"30-out.conf":    "output { stdout {} }\n",
		"30-out.conf~":   "this is not read",
		"sub/x.conf":     "not a directory's file",
	})
	configs, sources, diags := LoadPath("file://"+root, ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(sources))
	}
	if len(configs) != 3 || len(sources) != 3 {
		t.Fatalf("got %d configs, %d sources", len(configs), len(sources))
	}
	for i, kind := range []SectionKind{InputSection, FilterSection, OutputSection} {
		if configs[i].Sections[0].Kind != kind {
			t.Errorf("config %d is %s, want %s (byte order)", i, configs[i].Sections[0].Kind, kind)
		}
	}
	if len(diags) != 1 || diags[0].Severity != Warning || !strings.HasSuffix(diags[0].Pos.File, "30-out.conf~") ||
		diags[0].Summary != "NOT reading config file because it is a temp file" {
		t.Errorf("want one temp-file warning, got:\n%s", diags.Format(sources))
	}

	// Each file is parsed on its own: errors name the file and count lines in it.
	writeFiles(t, root, map[string]string{"40-bad.conf": "\n\nfilter { x => }\n"})
	_, _, diags = LoadPath(filepath.Join(root, "*.conf"), ParseOptions{})
	if !diags.HasErrors() {
		t.Fatal("want a syntax error")
	}
	d := diags[len(diags)-1]
	if d.Pos.File != filepath.Join(root, "40-bad.conf") || d.Pos.Line != 3 {
		t.Errorf("error at %s, want 40-bad.conf line 3", d.Pos)
	}
}

func TestLoadPathNotUTF8(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"a.conf": "input { stdin {} } # caf\xe9\n", "b.conf": "output { stdout {} }"})
	_, _, diags := LoadPath(root, ParseOptions{})
	want := `The following config files contains non-ascii characters but are not UTF-8 encoded ["` + filepath.Join(root, "a.conf") + `"]`
	if len(diags) != 1 || diags[0].Detail != want {
		t.Fatalf("got:\n%s\nwant detail %s", diags.Format(nil), want)
	}
}

func TestLoadPathRemote(t *testing.T) {
	configs, _, diags := LoadPath("https://127.0.0.1/x.conf", ParseOptions{})
	if configs != nil || !diags.HasErrors() {
		t.Fatalf("want an error for a remote path, got %v %s", configs, diags.Format(nil))
	}
}

func TestLoadPathNothingFound(t *testing.T) {
	configs, _, diags := LoadPath(filepath.Join(t.TempDir(), "*.conf"), ParseOptions{})
	if configs != nil || len(diags) != 1 || diags[0].Summary != "No config files found in path" {
		t.Fatalf("got %v\n%s", configs, diags.Format(nil))
	}
}

func TestParseStringDefaults(t *testing.T) {
	cases := []struct {
		src       string
		in, out   bool
		nSections int
	}{
		{"", true, true, 2},
		{"filter { mutate {} }", true, true, 3},
		{"input { generator {} }", false, true, 2},
		{"output{ null {} }", true, false, 2},
		{"# input {\n# output {\nfilter {}", false, false, 1}, // raw-text match, comments count
		{"input\n\t{ stdin {} } output {}", false, false, 2},
	}
	for _, c := range cases {
		if got := NeedsDefaultInput(c.src); got != c.in {
			t.Errorf("NeedsDefaultInput(%q) = %t", c.src, got)
		}
		if got := NeedsDefaultOutput(c.src); got != c.out {
			t.Errorf("NeedsDefaultOutput(%q) = %t", c.src, got)
		}
		cfg, sources, diags := ParseString(c.src, ParseOptions{})
		if cfg == nil {
			t.Fatalf("ParseString(%q): %s", c.src, diags.Format(sources))
		}
		if len(cfg.Sections) != c.nSections {
			t.Errorf("ParseString(%q): %d sections, want %d", c.src, len(cfg.Sections), c.nSections)
		}
		if _, ok := sources[ConfigStringName]; !ok {
			t.Errorf("sources lack %q", ConfigStringName)
		}
	}
	cfg, _, _ := ParseString("", ParseOptions{})
	if got := string(Format(cfg)); got != "input {\n  stdin {\n    type => stdin\n  }\n}\n\noutput {\n  stdout {\n    codec => rubydebug\n  }\n}\n" {
		t.Errorf("defaults formatted as:\n%s", got)
	}
	_, _, diags := ParseString("filter { x => }", ParseOptions{})
	if !diags.HasErrors() || diags[0].Pos.File != ConfigStringName {
		t.Errorf("want an error located in %s, got:\n%s", ConfigStringName, diags.Format(nil))
	}
}
