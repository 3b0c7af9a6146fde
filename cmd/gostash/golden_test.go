package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// TestGoldenPipelines runs every whole-pipeline case under testdata/pipelines
// through the real binary (see internal/goldencase for the case format).
// Cases about one plugin live beside it, in plugins/*/*/testcases, and run
// in the plugins package's TestPluginCases.
func TestGoldenPipelines(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "pipelines")
	areas, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		if _, err := os.Stat(filepath.Join(root, a.Name(), "PROVENANCE")); a.IsDir() && err != nil {
			t.Errorf("testdata/pipelines/%s has no PROVENANCE file saying where its expected files come from", a.Name())
		}
	}
	if goldencase.RunAll(t, root) == 0 {
		t.Fatal("no golden pipeline cases found under testdata/pipelines")
	}
}
