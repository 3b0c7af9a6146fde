package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin"
)

// TestPluginDocsAreGenerated keeps every plugin folder's README.md equal to
// what its option declarations generate (`make docs` rewrites them).
func TestPluginDocsAreGenerated(t *testing.T) {
	for _, k := range pluginKinds {
		for _, d := range plugin.Plugins(k) {
			dir := filepath.Join("..", "..", "plugins", string(k)+"s", d.Name)
			if _, err := os.Stat(dir); err != nil {
				continue // registered by a test, not shipped
			}
			got, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil || string(got) != pluginMarkdown(d) {
				t.Errorf("%s/README.md is missing or stale: run `make docs`", dir)
			}
		}
	}
}

func TestEveryShippedPluginFolderIsRegistered(t *testing.T) {
	for _, k := range pluginKinds {
		registered := map[string]bool{}
		for _, d := range plugin.Plugins(k) {
			registered[d.Name] = true
		}
		entries, _ := os.ReadDir(filepath.Join("..", "..", "plugins", string(k)+"s"))
		for _, e := range entries {
			// internal/ holds code shared by plugins of the kind.
			if e.IsDir() && e.Name() != "internal" && !registered[e.Name()] {
				t.Errorf("plugins/%ss/%s is not registered: add it to plugins/all", k, e.Name())
			}
		}
	}
}

func TestPluginMarkdownExamples(t *testing.T) {
	md := pluginMarkdown(plugin.PluginDoc{Kind: plugin.KindFilter, Name: "x", Summary: "S.", Examples: []plugin.Example{
		{Title: "No input", Config: "c", Output: "o\n"},
		{Title: "Fenced", Config: "a ``` b\n", Input: "i\n", Output: "o\n", Requires: []string{"ruby", "java"}},
	}})
	want := "\n## Examples\n\n### No input\n\n```\nc\n```\n\nit prints:\n\n```\no\n```\n" +
		"\n### Fenced\n\nIt needs `ruby`, `java` on the PATH.\n\n````\na ``` b\n````\n\nGiven this on stdin:\n\n```\ni\n```\n\nit prints:\n\n```\no\n```\n"
	if !strings.HasSuffix(md, want) {
		t.Errorf("examples rendered as\n%s", md)
	}
}
