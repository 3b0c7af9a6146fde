package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"time"

	"github.com/gostash/gostash/internal/lfv"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

const testUsage = `usage: gostash test --config PATH [options] TESTS...

Runs Logstash Filter Verifier test case files (.json, .yaml, .yml; a
directory means the files directly in it) through the filters of a config.
The config's inputs and outputs are not run. Time zones default to UTC, as
in LFV.

Options:
  --config, -f PATH         the config to test: a file, a directory or a glob, as -f
  --plugin-mock FILE        LFV plugin mock file: plugins to replace (id, mock) or remove (id)
  --ecs-compatibility MODE  pipeline.ecs_compatibility: disabled, v1 or v8 (default v8)
  --verbose, -v             also list the testcases that pass
`

// runTest is `gostash test`: it prints every failed testcase with its
// differences, then "N passed, M failed", and exits 1 when anything failed
// or could not run.
func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gostash test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	var configPath, mockPath, ecs string
	var verbose bool
	fs.StringVar(&configPath, "config", "", "the Logstash config whose filters are tested")
	fs.StringVar(&configPath, "f", "", "same as --config")
	fs.StringVar(&mockPath, "plugin-mock", "", "a YAML list of filters to replace (id, mock) or remove (id)")
	fs.StringVar(&ecs, "ecs-compatibility", "v8", "pipeline.ecs_compatibility: disabled, v1 or v8")
	fs.BoolVar(&verbose, "verbose", false, "also list the testcases that pass")
	fs.BoolVar(&verbose, "v", false, "same as --verbose")
	// Flags may follow the test paths.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fmt.Fprint(stdout, testUsage)
				return 0
			}
			fmt.Fprint(stderr, testUsage)
			return 1
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if configPath == "" || len(paths) == 0 {
		fmt.Fprint(stderr, testUsage)
		return 1
	}
	switch ecs {
	case "disabled", "v1", "v8":
	default:
		fmt.Fprintf(stderr, "ERROR: --ecs-compatibility must be disabled, v1 or v8, not %q\n", ecs)
		return 1
	}
	// LFV runs Logstash with TZ=UTC so that dates without a zone parse the
	// same on every machine.
	time.Local = time.UTC

	// sources collects the text of every file read, config, mock and test
	// case files alike, to show the lines diagnostics are about.
	configs, sources, diags := lang.LoadPath(configPath, lang.ParseOptions{})
	printDiagnostics(stderr, diags, sources)
	if diags.HasErrors() {
		return 1
	}
	if mockPath != "" {
		mocks, mockFiles, diags := lfv.LoadMocks(mockPath)
		maps.Copy(sources, mockFiles)
		printDiagnostics(stderr, diags, sources)
		if diags.HasErrors() {
			return 1
		}
		configs, diags = lfv.ApplyMocks(configs, mocks)
		printDiagnostics(stderr, diags, sources)
		if diags.HasErrors() {
			return 1
		}
	}
	ps := plugin.DefaultPipelineSettings(1)
	ps.ECSCompatibility = ecs
	logger := slog.New(logging.NewLogHandler(stderr, slog.LevelWarn))
	runner, diags := lfv.NewRunner(configs, &plugin.BuildContext{Pipeline: ps, Sources: sources, Logger: logger})
	printDiagnostics(stderr, diags, sources)
	if diags.HasErrors() {
		return 1
	}

	rep := &lfv.Reporter{W: stdout, Verbose: verbose}
	for _, path := range paths {
		files, err := lfv.Discover(path)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("%s: no test case files (.json, .yaml, .yml)", path)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
			rep.Failed++
			continue
		}
		for _, file := range files {
			suite, suiteFiles, diags := lfv.Load(file)
			maps.Copy(sources, suiteFiles)
			printDiagnostics(stderr, diags, sources)
			if diags.HasErrors() {
				rep.Failed++
				continue
			}
			results, diags := runner.Run(suite)
			rep.Suite(suite, results)
			printDiagnostics(stderr, diags, sources)
			if diags.HasErrors() {
				rep.Failed++
			}
		}
	}
	rep.Summary()
	if rep.Failed > 0 {
		return 1
	}
	return 0
}
