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
	"syscall"
	"time"

	"github.com/gostash/gostash/internal/agent"
	"github.com/gostash/gostash/internal/keystore"
	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/all"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipelinebus"
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
	flagDir, _ := cli.settings["path.settings"].(string)
	dir, explicitDir := settings.Dir(flagDir, os.Getenv)
	lookup, err := secretLookup(dir)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	st, missing, err := settings.Load(dir, cli.settings, lookup)
	if err != nil {
		var serr *settings.SettingError
		if errors.As(err, &serr) && serr.Origin == settings.CommandLine {
			fmt.Fprintf(stderr, "ERROR: option '--%s': %s\n", serr.Name, serr.Msg)
		} else {
			fmt.Fprintf(stderr, "ERROR: Failed to load settings file from \"path.settings\". Aborting... %v\n", err)
		}
		return 1
	}
	if missing && explicitDir {
		fmt.Fprintln(stderr, settings.MissingFileWarning)
	}
	if st.IsSet("keystore.file") {
		// As in Logstash, logstash.yml itself was read with the keystore
		// of path.settings; the pipeline configs use the one it names.
		if lookup, err = keystoreLookup(st.String("keystore.file")); err != nil {
			fmt.Fprintf(stderr, "ERROR: setting keystore.file: %v\n", err)
			return 1
		}
	}
	level, err := logging.ParseLogLevel(st.String("log.level"))
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	handler := logging.NewLogHandler(stderr, level)
	if st.Bool("pipeline.separate_logs") && !st.IsSet("path.logs") {
		fmt.Fprintln(stderr, "ERROR: setting pipeline.separate_logs: the pipelines' log files go to path.logs, which is not set; set path.logs too")
		return 1
	}
	if st.IsSet("path.logs") {
		files, err := logging.OpenFiles(st.String("path.logs"), st.Bool("pipeline.separate_logs"))
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
			return 1
		}
		defer files.Close()
		handler = handler.WithFiles(files)
	}
	logger := slog.New(handler)
	slog.SetDefault(logger)
	runner := logging.Logger(logger, "logstash.runner")
	fatal := func(msg string) int {
		runner.Log(context.Background(), logging.LevelFatal, msg)
		return 1
	}
	for _, w := range st.Notices(nil) {
		logging.Logger(logger, w.Logger).Warn(w.Message)
	}
	if err := checkSuperuser(st, runner); err != nil {
		return fatal(err.Error())
	}
	if st.Bool("config.debug") && level > slog.LevelDebug {
		runner.Warn("--config.debug was specified, but log.level was not set to 'debug'! No config info will be logged.")
	}
	if st.IsSet("config.field_reference.escape_style") {
		logging.Logger(logger, "logstash.settings").Warn("Setting `config.field_reference.escape_style` is in technical preview and may change in the future")
	}
	if err := event.SetFieldRefEscapeStyle(st.String("config.field_reference.escape_style")); err != nil {
		return fatal(err.Error())
	}
	testOnly := st.Bool("config.test_and_exit")
	reload := st.Bool("config.reload.automatic")
	bus := pipelinebus.New()
	src, err := newSources(st, lookup, logger, bus, stderr)
	if err != nil {
		if dir == "" && !st.IsSet("path.config") && !st.IsSet("config.string") {
			runner.Log(context.Background(), logging.LevelFatal, "No configuration file was specified. Perhaps you forgot to provide the '-f yourlogstash.conf' flag?")
		}
		return fatal(err.Error())
	}
	if !testOnly {
		runner.Info("Starting Logstash", slog.String("logstash.version", "gostash "+version))
	}

	if testOnly {
		defs, err := src.definitions()
		failed := ""
		if err == nil {
			for _, def := range defs {
				if _, err = src.build(def); err != nil {
					failed = def.st.String("pipeline.id")
					break
				}
			}
		}
		if err != nil {
			reason := agent.FirstError(err)
			if src.multi && failed != "" {
				reason = fmt.Sprintf("pipeline %q: %s", failed, reason)
			}
			return fatal("The given configuration is invalid. Reason: " + reason)
		}
		fmt.Fprintln(stdout, "Configuration OK")
		runner.Info("Using config.test_and_exit mode. Config Validation Result: OK. Exiting Logstash")
		return 0
	}

	if st.IsSet("path.data") {
		unlock, err := lockDataPath(st.String("path.data"))
		if err != nil {
			return fatal(err.Error())
		}
		defer unlock()
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	reloadNow := make(chan struct{}, 1)
	go handleSignals(sigs, stop, reloadNow, runner)

	ag := agent.New(agent.Options{Source: src.agentConfigs, AutoReload: reload, Interval: st.Duration("config.reload.interval"),
		Bus: bus, Logger: logger, UnsafeShutdown: st.Bool("pipeline.unsafe_shutdown"), Exit: os.Exit})
	if err := ag.Start(); err != nil {
		if !errors.Is(err, agent.ErrNoPipelines) {
			runner.Log(context.Background(), logging.LevelFatal, "Could not fetch the configuration", slog.String("message", err.Error()))
		}
		return 1
	}
	stopAPI, err := startAPI(context.Background(), st, ag, logger)
	if err != nil {
		return fatal(err.Error())
	}
	defer stopAPI()

	err = ag.Run(ctx, reloadNow)
	runner.Info("Logstash shut down.")
	if err != nil {
		return 1
	}
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
