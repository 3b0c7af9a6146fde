package plugins_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/all"
	"github.com/gostash/gostash/runtime/plugin"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// TestPluginCases runs, through the real binary, every testcases/<case>
// directory beside a plugin (plugins/<kind>s/<name>/testcases, in the
// format of internal/goldencase) and every example a plugin declares
// (Spec.Examples: Config as config.conf, Input on stdin, Output the exact
// stdout). It then names the plugin folders that have neither; they may be
// covered by other tests, so that is reported, not failed.
func TestPluginCases(t *testing.T) {
	covered := map[string]bool{}

	configs, err := filepath.Glob(filepath.Join("*", "*", "testcases", "*", "config.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// Cases of several pipelines (the pipeline input and output) hold a
	// pipelines.yml instead.
	services, err := filepath.Glob(filepath.Join("*", "*", "testcases", "*", "pipelines.yml"))
	if err != nil {
		t.Fatal(err)
	}
	configs = append(configs, services...)
	if len(configs) == 0 {
		t.Fatal("no plugin testcases found under plugins/*/*/testcases")
	}
	for _, config := range configs {
		dir := filepath.Dir(config)
		folder := filepath.Dir(filepath.Dir(dir))
		covered[filepath.ToSlash(folder)] = true
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			goldencase.Run(t, dir)
		})
	}

	for _, kind := range []plugin.Kind{plugin.KindInput, plugin.KindFilter, plugin.KindOutput, plugin.KindCodec} {
		for _, doc := range plugin.Plugins(kind) {
			folder := string(kind) + "s/" + doc.Name
			for _, ex := range doc.Examples {
				covered[folder] = true
				t.Run(folder+"/example/"+ex.Title, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					files := map[string]string{"config.conf": ex.Config, "stdin": ex.Input, "expected_stdout": ex.Output,
						"requires": strings.Join(ex.Requires, "\n")}
					for name, content := range files {
						if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					goldencase.Run(t, dir)
				})
			}
		}
	}

	folders, err := filepath.Glob(filepath.Join("*s", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var bare []string
	for _, f := range folders {
		if info, err := os.Stat(f); err == nil && info.IsDir() && filepath.Base(f) != "internal" && !covered[filepath.ToSlash(f)] {
			bare = append(bare, filepath.ToSlash(f))
		}
	}
	slices.Sort(bare)
	if len(bare) > 0 {
		t.Logf("plugins with neither testcases nor examples: %v", bare)
	}
}
