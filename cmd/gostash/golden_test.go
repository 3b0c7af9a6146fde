package main

import (
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
	if goldencase.RunAll(t, filepath.Join("..", "..", "testdata", "pipelines")) == 0 {
		t.Fatal("no golden pipeline cases found under testdata/pipelines")
	}
}
