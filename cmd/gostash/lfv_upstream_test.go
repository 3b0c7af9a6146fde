package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/runtime/plugin"
)

// lfvUpstreamCase is one entry of the case list in Logstash Filter
// Verifier's integration_test.go, with the flags it gives `daemon run`.
type lfvUpstreamCase struct {
	name string
	// logstashConfig runs the case with --logstash-config instead of a
	// pipelines.yml.
	logstashConfig bool
	addMissingID   bool
	debug          bool
	pluginMock     string
	// args are flags for what LFV decides by the Logstash version it runs:
	// the cases for Logstash 7 run with Logstash 7's ECS default.
	args []string
}

var lfvUpstreamCases = []lfvUpstreamCase{
	{name: "basic_pipeline", addMissingID: true},
	{name: "basic_logstash_config_dir", logstashConfig: true},
	{name: "basic_logstash_config_file.conf", logstashConfig: true},
	{name: "drop_and_split"},
	{name: "conditional_output"},
	{name: "multiple_parallel_outputs"},
	{name: "pipeline_to_pipeline"},
	{name: "basic_pipeline_debug", debug: true},
	{name: "codec_test"},
	{name: "codec_version_7_test", args: []string{"--ecs-compatibility", "disabled"}},
	{name: "codec_version_8_test"},
	{name: "codec_optional_test"},
	{name: "filtermock", pluginMock: "mocks/filtermock.yml"},
	{name: "inputoutputmock", pluginMock: "mocks/inputoutputmock.yml"},
	{name: "special_chars"},
	{name: "testcases_event"},
	{name: "issue_153"},
	{name: "issue_150"},
	{name: "issue_150a"},
	{name: "issue_155"},
	{name: "issue_166"},
	{name: "issue_175", addMissingID: true},
}

// lfvUpstreamCodecs are the codecs LFV's cases need beyond those every
// gostash build has, by test case file.
var lfvUpstreamCodecs = map[string]string{
	"codec_test/edn.json":           "edn",
	"codec_test/edn_lines.json":     "edn_lines",
	"codec_test/graphite.json":      "graphite",
	"codec_test/multiline.json":     "multiline",
	"codec_version_7_test/cef.json": "cef",
	"codec_version_8_test/cef.json": "cef",
}

// TestLFVUpstreamCases runs Logstash Filter Verifier's own integration test
// cases (testdata/lfv-upstream: LFV's testdata directory, unchanged, see
// PROVENANCE there) through `gostash test`, with the flags LFV's
// integration test gives `logstash-filter-verifier daemon run`, one test
// case file at a time. Every file must pass; a file is skipped only when
// gostash lacks a codec it needs.
func TestLFVUpstreamCases(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lfv-upstream")
	var codecs []string
	for _, p := range plugin.Plugins(plugin.KindCodec) {
		codecs = append(codecs, p.Name)
	}
	dirs, err := os.ReadDir(filepath.Join(root, "testcases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !slices.ContainsFunc(lfvUpstreamCases, func(c lfvUpstreamCase) bool { return c.name == d.Name() }) {
			t.Errorf("testcases/%s is not in lfvUpstreamCases", d.Name())
		}
	}
	for _, c := range lfvUpstreamCases {
		files, err := os.ReadDir(filepath.Join(root, "testcases", c.name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			file := c.name + "/" + f.Name()
			t.Run(file, func(t *testing.T) {
				t.Parallel()
				if codec, ok := lfvUpstreamCodecs[file]; ok && !slices.Contains(codecs, codec) {
					t.Skipf("needs the %s codec, which gostash does not have", codec)
				}
				args := []string{"test"}
				if c.logstashConfig {
					args = append(args, "--logstash-config", c.name)
				} else {
					args = append(args, "--pipeline", c.name+".yml", "--pipeline-base", c.name)
				}
				if c.addMissingID {
					args = append(args, "--add-missing-id")
				}
				if c.debug {
					args = append(args, "--debug")
				}
				if c.pluginMock != "" {
					args = append(args, "--plugin-mock", c.pluginMock)
				}
				args = append(args, c.args...)
				args = append(args, "--testcase-dir", filepath.Join("testcases", file), "--verbose")
				cmd := exec.Command(goldencase.Binary(t), args...)
				cmd.Dir = root
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						t.Fatal(err)
					}
					t.Errorf("gostash %s: exit %d\n%s%s", strings.Join(args, " "), ee.ExitCode(), stdout.String(), stderr.String())
				}
			})
		}
	}
}
