package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"time"

	rubyfilter "github.com/gostash/gostash/plugins/filters/ruby"

	"github.com/gostash/gostash/internal/lfv"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

const testUsage = `usage: gostash test (--config PATH | --pipeline FILE) [options] TESTS...
       gostash test --ruby-script SCRIPT.rb...

--ruby-script runs the test blocks of ruby filter path scripts, as Logstash
does when it loads them, and exits 1 when one fails or does not load.

Runs Logstash Filter Verifier test case files (.json, .yaml, .yml; a
directory means the files directly in it) against a Logstash config, as
LFV does, in milliseconds. Time zones default to UTC, as in LFV.

A file with input_plugin runs as in LFV's daemon mode: its lines enter by
that input (with its codec, type, tags and add_field), go through the
filters and outputs of its pipeline and of the pipelines pipeline outputs
send to, and every output an event reaches reports it once. A file without
input_plugin runs as in LFV's standalone mode: its lines are decoded with
its codec and what leaves the filters is compared.

Options:
  --config, -f PATH         the config to test: a file, a directory or a glob, as -f
                            (--logstash-config is the same, as LFV names it)
  --pipeline, -p FILE       a pipelines.yml: the pipelines to test, each path.config
                            relative to --pipeline-base
  --pipeline-base DIR       where relative path.config entries start (default: the
                            directory of --pipeline)
  --testcase-dir, -t DIR    a directory of test case files, as TESTS
  --plugin-mock FILE        LFV plugin mock file: plugins to replace (id, mock) or remove (id)
  --add-missing-id          give plugins without an id the ids LFV gives them
  --debug                   keep LFV's own fields (__lfv_id, __lfv_out_passed) and tags
  --metadata-key KEY        the field exported @metadata is compared under (default @metadata)
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
	var configPath, pipelinesPath, pipelineBase, mockPath, ecs string
	var verbose, addMissingID bool
	var opts lfv.Options
	var paths []string
	fs.StringVar(&configPath, "config", "", "the Logstash config whose filters are tested")
	fs.StringVar(&configPath, "f", "", "same as --config")
	fs.StringVar(&configPath, "logstash-config", "", "same as --config")
	fs.StringVar(&pipelinesPath, "pipeline", "", "a pipelines.yml listing the pipelines to test")
	fs.StringVar(&pipelinesPath, "p", "", "same as --pipeline")
	fs.StringVar(&pipelineBase, "pipeline-base", "", "the directory relative path.config entries start from")
	fs.Func("testcase-dir", "a directory of test case files", func(dir string) error {
		paths = append(paths, dir)
		return nil
	})
	fs.Func("t", "same as --testcase-dir", func(dir string) error {
		paths = append(paths, dir)
		return nil
	})
	fs.StringVar(&mockPath, "plugin-mock", "", "a YAML list of plugins to replace (id, mock) or remove (id)")
	fs.BoolVar(&addMissingID, "add-missing-id", false, "give plugins without an id the ids LFV gives them")
	fs.BoolVar(&opts.Debug, "debug", false, "keep LFV's own fields and tags in the events")
	fs.StringVar(&opts.MetadataKey, "metadata-key", "@metadata", "the field exported @metadata is compared under")
	fs.StringVar(&ecs, "ecs-compatibility", "v8", "pipeline.ecs_compatibility: disabled, v1 or v8")
	fs.BoolVar(&verbose, "verbose", false, "also list the testcases that pass")
	fs.BoolVar(&verbose, "v", false, "same as --verbose")
	var rubyScripts []string
	fs.Func("ruby-script", "a ruby filter path script whose test blocks to run", func(p string) error {
		rubyScripts = append(rubyScripts, p)
		return nil
	})
	// Flags may follow the test paths.
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
	if len(rubyScripts) > 0 && configPath == "" && pipelinesPath == "" && len(paths) == 0 {
		return runRubyScriptTests(rubyScripts, stdout, stderr)
	}
	if (configPath == "") == (pipelinesPath == "") || len(paths) == 0 {
		if configPath != "" {
			fmt.Fprintln(stderr, "ERROR: --config and --pipeline exclude each other")
		}
		fmt.Fprint(stderr, testUsage)
		return 1
	}
	switch ecs {
	case "disabled", "v1", "v8":
	default:
		fmt.Fprintf(stderr, "ERROR: --ecs-compatibility must be disabled, v1 or v8, not %q\n", ecs)
		return 1
	}
	if opts.MetadataKey == "" {
		fmt.Fprintln(stderr, "ERROR: --metadata-key must not be empty")
		return 1
	}
	// LFV runs Logstash with TZ=UTC so that dates without a zone parse the
	// same on every machine.
	time.Local = time.UTC
	// sources collects the text of every file read, config, mock and test
	// case files alike, to show the lines diagnostics are about.
	var pipelines []*lfv.Pipeline
	var sources map[string][]byte
	var diags lang.Diagnostics
	if pipelinesPath != "" {
		pipelines, sources, diags = lfv.LoadPipelines(pipelinesPath, pipelineBase, lang.ParseOptions{})
	} else {
		var configs []*lang.Config
		configs, sources, diags = lang.LoadPath(configPath, lang.ParseOptions{})
		pipelines = []*lfv.Pipeline{{ID: "main", Configs: configs, Base: implicitBase(configPath)}}
	}
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
		pipelines, diags = lfv.ApplyMocks(pipelines, mocks)
		printDiagnostics(stderr, diags, sources)
		if diags.HasErrors() {
			return 1
		}
	}
	if addMissingID {
		for _, p := range pipelines {
			lfv.AddMissingIDs(p)
		}
	}
	ps := plugin.DefaultPipelineSettings(1)
	ps.ECSCompatibility = ecs
	logger := slog.New(logging.NewLogHandler(stderr, slog.LevelWarn))
	runner, diags := lfv.NewRunner(pipelines, &plugin.BuildContext{Pipeline: ps, Sources: sources, Logger: logger}, opts)
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

// implicitBase is what LFV's --add-missing-id cuts from the names of the
// config files of --logstash-config: the current directory, with the
// separator after it when the path is relative (LFV names the files as its
// glob of the path returns them, then cuts the current directory).
func implicitBase(configPath string) string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	if filepath.IsAbs(configPath) {
		return wd
	}
	return wd + string(filepath.Separator)
}

// runRubyScriptTests runs the test blocks of ruby filter path scripts.
func runRubyScriptTests(scripts []string, stdout, stderr io.Writer) int {
	logger := slog.New(logging.NewLogHandler(stderr, slog.LevelInfo))
	code := 0
	for _, path := range scripts {
		res, err := rubyfilter.TestScript(path, nil, logger)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", path, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "PASS %s: %d tests passed\n", path, res.Passed)
	}
	return code
}
