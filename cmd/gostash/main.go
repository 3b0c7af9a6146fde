// Command gostash runs Logstash pipeline configs: the same syntax, plugin
// options and output, as one small binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gostash/gostash/internal/keystore"
	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/all"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// version is the gostash version; the Makefile may override it with -ldflags.
var version = "0.1.0"

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program, returning its exit code: 0 on a normal end
// (inputs finished, or a clean shutdown), 1 for every error, as Logstash.
func run(args []string, stdout, stderr io.Writer) int {
	// GOSTASH_NOW fixes the clock for golden tests and reproducible demos;
	// a value that does not parse is an error, never the real clock.
	if err := event.FixClock(os.Getenv(event.ClockEnv)); err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	if len(args) > 0 {
		switch args[0] {
		case "fmt":
			return runFmt(args[1:], stdout, stderr)
		case "plugins":
			return runPlugins(args[1:], stdout, stderr)
		case "docs":
			return runDocs(args[1:], stdout, stderr)
		case "test":
			return runTest(args[1:], stdout, stderr)
		case "keystore":
			return keystore.RunCLI(args[1:], os.Stdin, stdout, stderr, os.Getenv("LS_SETTINGS_DIR"))
		}
	}
	cli, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(cli.rest) > 0 {
		fmt.Fprintf(stderr, "ERROR: Unrecognised option '%s'\n\nSee: 'gostash --help'\n", cli.rest[0])
		return 1
	}
	if cli.settings["help"] == true {
		fmt.Fprint(stdout, usage())
		return 0
	}
	if cli.settings["version"] == true {
		fmt.Fprintf(stdout, "gostash %s\n", version)
		return 0
	}
	st, lookup, err := loadSettings(cli)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	level, err := logging.ParseLogLevel(st.str("log.level", "info"))
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	if f := st.str("log.format", "plain"); f != "plain" {
		fmt.Fprintf(stderr, "ERROR: log.format %q is not supported; gostash logs in Logstash's plain format\n", f)
		return 1
	}
	logger := slog.New(logging.NewLogHandler(stderr, level))
	slog.SetDefault(logger)
	runner := logging.Logger(logger, "logstash.runner")

	ps, err := st.pipelineSettings()
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	if err := event.SetFieldRefEscapeStyle(ps.FieldRefEscapeMode); err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	testOnly, err := st.boolean("config.test_and_exit", false)
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	reload, err := st.boolean("config.reload.automatic", false)
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	src, err := newConfigSource(st, reload)
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	if !testOnly {
		runner.Info("Starting Logstash", slog.String("logstash.version", "gostash "+version))
	}

	configDebug, err := st.boolean("config.debug", false)
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	if configDebug && level > slog.LevelDebug {
		runner.Warn("--config.debug was specified, but log.level was not set to 'debug'! No config info will be logged.")
	}
	build := func() (*pipeline.Pipeline, error) {
		configs, sources, diags := src.load(ps, logger)
		if !diags.HasErrors() {
			ctx := &plugin.BuildContext{Pipeline: ps, Sources: sources, Lookup: lookup, Logger: logger}
			p, pdiags := pipeline.Compile(configs, ctx)
			diags = append(diags, pdiags...)
			if configDebug {
				// After Compile, password values in the text are masked.
				logConfigSources(runner, sources)
			}
			if !diags.HasErrors() {
				printDiagnostics(stderr, diags, sources)
				return p, nil
			}
		}
		printDiagnostics(stderr, diags, sources)
		return nil, diags
	}

	if testOnly {
		if _, err := build(); err != nil {
			runner.Log(context.Background(), logging.LevelFatal, "The given configuration is invalid. Reason: "+firstError(err))
			return 1
		}
		fmt.Fprintln(stdout, "Configuration OK")
		runner.Info("Using config.test_and_exit mode. Config Validation Result: OK. Exiting Logstash")
		return 0
	}

	p, err := build()
	if err != nil {
		logging.Logger(logger, "logstash.agent").Error("Failed to execute action", slog.String("action", "Create/pipeline_id:"+ps.ID),
			slog.String("exception", "LogStash::ConfigurationError"), slog.String("message", firstError(err)))
		return 1
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	reloadNow := make(chan struct{}, 1)
	go handleSignals(sigs, stop, reloadNow, runner)

	// The monitoring API reports on the running pipeline, which a reload replaces.
	var running atomic.Pointer[pipeline.Pipeline]
	running.Store(p)
	stopAPI, err := startAPI(context.Background(), st, reload, src, logger, running.Load)
	if err != nil {
		runner.Log(context.Background(), logging.LevelFatal, err.Error())
		return 1
	}
	defer stopAPI()
	rebuild := func() (*pipeline.Pipeline, error) {
		next, err := build()
		if err == nil {
			running.Store(next)
		}
		return next, err
	}

	err = runWithReload(ctx, p, rebuild, src, reload, reloadNow, logger)
	if err != nil {
		runner.Error("Pipeline failed", slog.String("error", err.Error()))
		runner.Info("Logstash shut down.")
		return 1
	}
	runner.Info("Logstash shut down.")
	return 0
}

// handleSignals does what Logstash does on a signal: SIGHUP reloads, SIGINT
// and SIGTERM start a graceful shutdown, and only a second SIGINT forces an
// immediate exit. A repeated SIGTERM is not a forced exit: `timeout` and
// service managers send it to the whole process group as well.
func handleSignals(sigs <-chan os.Signal, stop func(), reloadNow chan<- struct{}, runner *slog.Logger) {
	interrupted, stopping := false, false
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			runner.Warn("SIGHUP received.")
			select {
			case reloadNow <- struct{}{}:
			default:
			}
			continue
		case os.Interrupt:
			if interrupted {
				runner.Log(context.Background(), logging.LevelFatal, "SIGINT received. Terminating immediately..")
				os.Exit(1)
			}
			interrupted = true
			runner.Warn("SIGINT received. Shutting down.")
		default:
			runner.Warn("SIGTERM received. Shutting down.")
		}
		if stopping {
			continue
		}
		stopping = true
		stop()
		go func() {
			time.Sleep(5 * time.Second)
			runner.Warn("Received shutdown signal, but pipeline is still waiting for in-flight events to be processed. Sending another ^C will force quit Logstash, but this may cause data loss.")
		}()
	}
}

// printDiagnostics prints diags with the lines they are about, taken from
// files (file name to text).
func printDiagnostics(w io.Writer, diags lang.Diagnostics, files map[string][]byte) {
	fmt.Fprint(w, diags.Format(files))
}

// firstError is the message Logstash would give for the first error: a
// syntax error's Logstash text (Diagnostic.Detail) when there is one, else
// the located summary.
func firstError(err error) string {
	var diags lang.Diagnostics
	if errors.As(err, &diags) {
		for _, d := range diags {
			if d.Severity == lang.Error {
				if d.Detail != "" {
					return strings.TrimSpace(d.Detail)
				}
				return d.Error()
			}
		}
	}
	return err.Error()
}

// logConfigSources logs each config part at debug level, as Logstash's
// config.debug does, in file order.
func logConfigSources(l *slog.Logger, sources map[string][]byte) {
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l.Debug("Config string", slog.String("file", name), slog.String("text", string(sources[name])))
	}
}
