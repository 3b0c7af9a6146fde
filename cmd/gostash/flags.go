package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// flagKind says how a flag's value is read.
type flagKind int

const (
	flagString flagKind = iota
	flagBool
	flagInt
)

// flagSpec is one command-line flag. Each maps to a Logstash setting of
// the same name, so logstash.yml and the command line share one table.
type flagSpec struct {
	short   string
	setting string
	kind    flagKind
	arg     string
	doc     string
	alias   []string
}

// flagTable holds Logstash's flags that gostash supports, in --help order.
var flagTable = []flagSpec{
	{short: "-f", setting: "path.config", arg: "CONFIG_PATH", doc: "Load the config from a file, a directory (all its files) or a glob; files are read in byte order."},
	{short: "-e", setting: "config.string", arg: "CONFIG_STRING", doc: "Use the given string as the config; without an input it reads stdin, without an output it prints rubydebug."},
	{short: "-t", setting: "config.test_and_exit", kind: flagBool, doc: "Check the config (syntax, plugins, options) and exit: 0 and \"Configuration OK\", or 1 and the located errors."},
	{short: "-r", setting: "config.reload.automatic", kind: flagBool, doc: "Reload the config when its files change."},
	{setting: "config.reload.interval", arg: "RELOAD_INTERVAL", doc: "How often to check the config for changes with -r (e.g. 3s)."},
	{setting: "config.debug", kind: flagBool, doc: "Log the compiled pipeline at debug level."},
	{setting: "config.support_escapes", kind: flagBool, doc: "Process backslash escapes (\\n, \\t, \\\", ...) in quoted config strings."},
	{setting: "field-reference-escape-style", arg: "STYLE", doc: "How brackets in field names are escaped: none, percent or ampersand."},
	{setting: "pipeline.id", arg: "ID", doc: "The pipeline's id (default main)."},
	{short: "-w", setting: "pipeline.workers", kind: flagInt, arg: "COUNT", doc: "Worker goroutines running filters and outputs (default: the number of CPU cores)."},
	{short: "-b", setting: "pipeline.batch.size", kind: flagInt, arg: "SIZE", doc: "Events a worker takes from the queue at once (default 125)."},
	{short: "-u", setting: "pipeline.batch.delay", kind: flagInt, arg: "DELAY_IN_MS", doc: "Milliseconds a worker waits for each next event before running a short batch (default 50)."},
	{setting: "pipeline.ordered", arg: "ORDERED", doc: "auto (ordered when -w 1 is given), true or false."},
	{setting: "pipeline.ecs_compatibility", arg: "STRING", doc: "Default ECS mode of plugins: disabled, v1 or v8 (default v8)."},
	{setting: "pipeline.unsafe_shutdown", kind: flagBool, doc: "Allow a forced exit when shutdown stalls."},
	{setting: "path.settings", arg: "SETTINGS_DIR", doc: "Directory holding logstash.yml (also LS_SETTINGS_DIR)."},
	{setting: "path.data", arg: "PATH", doc: "Data directory (default ./data): the persisted queue and the file input's sincedb; the monitoring API keeps its node id there when it is set."},
	{short: "-l", setting: "path.logs", arg: "PATH", doc: "Log directory (accepted for compatibility; logs go to stderr)."},
	{short: "-n", setting: "node.name", arg: "NAME", doc: "Node name shown by the monitoring API (default: the host name)."},
	{setting: "log.level", arg: "LEVEL", doc: "fatal, error, warn, info, debug or trace (default info)."},
	{setting: "log.format", arg: "FORMAT", doc: "plain (json is not supported)."},
	{setting: "api.enabled", kind: flagBool, doc: "Serve the monitoring API (default true)."},
	{setting: "api.http.host", arg: "HTTP_HOST", doc: "Monitoring API bind address (default 127.0.0.1)."},
	{setting: "api.http.port", arg: "HTTP_PORT", doc: "Monitoring API port or range (default 9600-9700: the first free port)."},
	{short: "-V", setting: "version", kind: flagBool, doc: "Print the version and exit."},
	{short: "-h", setting: "help", kind: flagBool, doc: "Print this help and exit."},
}

// cliArgs is the parsed command line: settings by name, in the types
// logstash.yml would give them.
type cliArgs struct {
	settings map[string]any
	rest     []string
}

// unrecognisedError is Logstash's text for an unknown flag.
type unrecognisedError struct{ flag string }

func (e *unrecognisedError) Error() string {
	return fmt.Sprintf("ERROR: Unrecognised option '%s'\n\nSee: 'gostash --help'", e.flag)
}

func parseArgs(args []string) (*cliArgs, error) {
	out := &cliArgs{settings: map[string]any{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			out.rest = append(out.rest, a)
			continue
		}
		if a == "--" {
			out.rest = append(out.rest, args[i+1:]...)
			break
		}
		name, value, hasValue := strings.Cut(a, "=")
		spec := findFlag(name)
		if spec == nil && len(name) > 2 && name[1] != '-' {
			// -w2 style: a short flag with its value attached.
			if s := findFlag(name[:2]); s != nil && s.kind != flagBool {
				spec, value, hasValue = s, a[2:], true
			}
		}
		if spec == nil {
			return nil, &unrecognisedError{flag: name}
		}
		if spec.kind == flagBool {
			v := true
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return nil, fmt.Errorf("ERROR: option '%s': expected true or false, got %q", name, value)
				}
				v = b
			} else if i+1 < len(args) && (args[i+1] == "true" || args[i+1] == "false") {
				v = args[i+1] == "true"
				i++
			}
			out.settings[spec.setting] = v
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("ERROR: option '%s' needs an argument", name)
			}
			i++
			value = args[i]
		}
		if spec.kind == flagInt {
			n, err := strconv.Atoi(value)
			if err != nil {
				return nil, fmt.Errorf("ERROR: option '%s': expected a number, got %q", name, value)
			}
			out.settings[spec.setting] = n
			continue
		}
		out.settings[spec.setting] = value
	}
	return out, nil
}

func findFlag(name string) *flagSpec {
	for i := range flagTable {
		f := &flagTable[i]
		if name == f.short || name == "--"+f.setting {
			return f
		}
		for _, al := range f.alias {
			if name == al {
				return f
			}
		}
	}
	return nil
}

func usage() string {
	var b strings.Builder
	b.WriteString("Usage:\n    gostash [OPTIONS]\n    gostash fmt [-w|--check] FILE...  print configs in canonical form, or rewrite or check them\n    gostash plugins [NAME]            list plugins, or one plugin's options\n    gostash docs DIR                  write each plugin's README.md from its declaration\n    gostash test --config PATH TESTS  run Logstash Filter Verifier test cases\n\nEach subcommand prints its own usage with -h or --help.\n\nOptions:\n")
	for _, f := range flagTable {
		names := "--" + f.setting
		if f.short != "" {
			names = f.short + ", " + names
		}
		if f.arg != "" {
			names += " " + f.arg
		}
		fmt.Fprintf(&b, "    %-48s %s\n", names, f.doc)
	}
	return b.String()
}

// parseDuration reads Logstash's TimeValue strings: a number and a unit
// (nanos, micros, ms, s, m, h, d).
func parseDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(strings.TrimSpace(s), u.suffix); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil {
				break
			}
			return time.Duration(n * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("invalid time value %q: a number and a unit (nanos, micros, ms, s, m, h, d) such as 3s", s)
}
