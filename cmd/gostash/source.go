package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostash/gostash/internal/agent"
	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/pipelinebus"
	"github.com/gostash/gostash/runtime/plugin"
)

// configSource is where one pipeline's config comes from: files
// (path.config, -f) or a string (config.string, -e).
type configSource struct {
	path     string
	text     string
	isString bool
}

// load parses the config. For -e, lang.ParseString adds Logstash's
// default input (stdin) and output (rubydebug) where the text has none;
// each default is announced with Logstash's warning.
func (c *configSource) load(ps plugin.PipelineSettings, logger *slog.Logger) ([]*lang.Config, map[string][]byte, lang.Diagnostics) {
	opts := lang.ParseOptions{SupportEscapes: ps.SupportEscapes}
	if !c.isString {
		return lang.LoadPath(c.path, opts)
	}
	loader := logging.Logger(logger, "logstash.config.source.local.configpathloader")
	if lang.NeedsDefaultInput(c.text) {
		loader.Warn("No input block found in the configuration for pipeline `" + ps.ID + "`. A default `stdin` input was added for backward compatibility. If this is unintentional, add an explicit `input { ... }` block.")
	}
	if lang.NeedsDefaultOutput(c.text) {
		loader.Warn("No output block found in the configuration for pipeline `" + ps.ID + "`. A default `stdout` output was added for backward compatibility. If this is unintentional, add an explicit `output { ... }` block.")
	}
	cfg, sources, diags := lang.ParseString(c.text, opts)
	if cfg == nil {
		return nil, sources, diags
	}
	return []*lang.Config{cfg}, sources, diags
}

// fingerprint identifies the current config text, to notice changes.
func (c *configSource) fingerprint() string {
	h := sha256.New()
	if c.isString {
		h.Write([]byte(c.text))
		return string(h.Sum(nil))
	}
	for _, f := range configFiles(c.path) {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		h.Write(data)
	}
	return string(h.Sum(nil))
}

// configFiles lists the files -f names, for change detection; parsing
// goes through lang.LoadPath, which applies the same glob rules.
func configFiles(path string) []string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "*")
	}
	return lang.Glob(path)
}

// pipelineDef is one configured pipeline: its settings and its config.
type pipelineDef struct {
	st  *settings.Settings
	src *configSource
}

// sources finds the pipelines to run, as Logstash's config sources do:
// with -f or -e (or path.config / config.string in logstash.yml) the one
// pipeline they describe; otherwise every entry of pipelines.yml.
type sources struct {
	process *settings.Settings
	multi   bool
	lookup  lang.LookupFunc
	logger  *slog.Logger
	bus     *pipelinebus.Bus
	stderr  io.Writer
	// noticed is the pipelines.yml text whose warnings were last logged:
	// each reload reads the file again, and its warnings are logged once.
	noticed string
}

func newSources(st *settings.Settings, lookup lang.LookupFunc, logger *slog.Logger, bus *pipelinebus.Bus, stderr io.Writer) (*sources, error) {
	s := &sources{process: st, lookup: lookup, logger: logger, bus: bus, stderr: stderr}
	path, text := st.IsSet("path.config"), st.IsSet("config.string")
	reload := st.Bool("config.reload.automatic")
	switch {
	case path && text:
		return nil, errors.New("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.")
	case text && reload:
		return nil, errors.New("Configuration reloading can't be used with 'config.string' (-e).")
	case path || text:
		if _, err := os.Stat(settings.PipelinesFile(st.String("path.settings"))); err == nil {
			logging.Logger(logger, "logstash.config.source.multilocal").Warn("Ignoring the 'pipelines.yml' file because command line options are specified")
		}
		if _, err := queueSettings(st); err != nil {
			return nil, err
		}
		return s, nil
	}
	s.multi = true
	// pipelines.yml is read now, so that a missing or broken file stops
	// the start with Logstash's message.
	if _, err := s.definitions(); err != nil {
		return nil, err
	}
	return s, nil
}

// definitions returns the configured pipelines.
func (s *sources) definitions() ([]pipelineDef, error) {
	if !s.multi {
		src, err := configSourceOf(s.process, "")
		if err != nil {
			return nil, err
		}
		return []pipelineDef{{st: s.process, src: src}}, nil
	}
	entries, warnings, err := settings.LoadPipelines(s.process, s.lookup)
	if err != nil {
		return nil, err
	}
	var defs []pipelineDef
	for _, e := range entries {
		src, err := configSourceOf(e.Settings, e.Origin)
		if err != nil {
			return nil, err
		}
		if _, err := queueSettings(e.Settings); err != nil {
			return nil, fmt.Errorf("%s: pipeline %q: %w", e.Origin, e.ID(), err)
		}
		defs = append(defs, pipelineDef{st: e.Settings, src: src})
	}
	if text := fmt.Sprint(warnings); text != s.noticed {
		s.noticed = text
		for _, w := range warnings {
			logging.Logger(s.logger, w.Logger).Warn(w.Message)
		}
	}
	return defs, nil
}

// configSourceOf reads path.config or config.string from a pipeline's
// settings; origin locates a pipelines.yml entry in messages.
func configSourceOf(st *settings.Settings, origin string) (*configSource, error) {
	path := strings.TrimPrefix(st.String("path.config"), "file://")
	hasPath, hasText := st.IsSet("path.config"), st.IsSet("config.string")
	where := ""
	if origin != "" {
		where = fmt.Sprintf("%s: pipeline %q: ", origin, st.String("pipeline.id"))
	}
	switch {
	case hasPath && hasText:
		return nil, fmt.Errorf("%sSettings 'path.config' and 'config.string' can't be used simultaneously.", where)
	case hasText:
		return &configSource{text: st.String("config.string"), isString: true}, nil
	case hasPath:
		return &configSource{path: path}, nil
	case origin != "":
		return nil, fmt.Errorf("%sneither path.config nor config.string is set, so the pipeline has no config", where)
	}
	return nil, errors.New("No configuration file was specified. Perhaps you forgot to provide the '-f yourlogstash.conf' flag?")
}

// build compiles one pipeline, printing its diagnostics (warnings too).
func (s *sources) build(def pipelineDef) (*pipeline.Pipeline, error) {
	ps := pipelineSettings(def.st)
	logger := s.logger.With(slog.String(logging.PipelineContextKey, ps.ID))
	configs, srcs, diags := def.src.load(ps, logger)
	if !diags.HasErrors() {
		ctx := &plugin.BuildContext{Pipeline: ps, Sources: srcs, Lookup: s.lookup, Logger: logger, Bus: s.bus}
		if dlq := deadLetterQueue(def.st, logger); dlq != nil {
			ctx.DeadLetters = dlq
		}
		p, pdiags := pipeline.Compile(configs, ctx)
		diags = append(diags, pdiags...)
		if def.st.Bool("config.debug") {
			// After Compile, password values in the text are masked.
			logConfigSources(logging.Logger(logger, "logstash.runner"), srcs)
		}
		if !diags.HasErrors() {
			printDiagnostics(s.stderr, diags, srcs)
			return p, nil
		}
	}
	printDiagnostics(s.stderr, diags, srcs)
	return nil, diags
}

// agentConfigs are the pipelines for the agent.
func (s *sources) agentConfigs() ([]agent.PipelineConfig, error) {
	defs, err := s.definitions()
	if err != nil {
		return nil, err
	}
	out := make([]agent.PipelineConfig, 0, len(defs))
	for _, def := range defs {
		recoverable := def.st.String("pipeline.recoverable")
		out = append(out, agent.PipelineConfig{
			ID:          def.st.String("pipeline.id"),
			Fingerprint: def.src.fingerprint() + def.st.Fingerprint(),
			Reloadable:  def.st.Bool("pipeline.reloadable"),
			System:      def.st.Bool("pipeline.system"),
			Recoverable: recoverable == "true" || recoverable == "auto" && def.st.String("queue.type") == "persisted",
			Build:       func() (*pipeline.Pipeline, error) { return s.build(def) },
		})
	}
	return out, nil
}
