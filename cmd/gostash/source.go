package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// configSource is where the pipeline config comes from: -f (files) or -e
// (a string).
type configSource struct {
	path     string
	text     string
	isString bool
	interval time.Duration
}

func newConfigSource(st settings, reload bool) (*configSource, error) {
	path := strings.TrimPrefix(st.str("path.config", ""), "file://")
	text, hasText := st["config.string"]
	switch {
	case path != "" && hasText:
		return nil, errors.New("Settings 'path.config' (-f) and 'config.string' (-e) can't be used simultaneously.")
	case hasText && reload:
		return nil, errors.New("Configuration reloading can't be used with 'config.string' (-e).")
	case path == "" && !hasText:
		return nil, errors.New("No configuration file was specified. Perhaps you forgot to provide the '-f yourlogstash.conf' flag?")
	}
	interval, err := parseDuration(st.str("config.reload.interval", "3s"))
	if err != nil {
		return nil, fmt.Errorf("setting config.reload.interval: %w", err)
	}
	if hasText {
		return &configSource{text: fmt.Sprint(text), isString: true, interval: interval}, nil
	}
	return &configSource{path: path, interval: interval}, nil
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

// runWithReload runs p until it ends or ctx is cancelled. With -r (or on
// SIGHUP) a changed config is compiled; when it compiles the running
// pipeline is drained and replaced, otherwise the error is logged and the
// old pipeline keeps running, as in Logstash. With -r, a pipeline whose
// inputs finished leaves gostash waiting for the next change.
func runWithReload(ctx context.Context, p *pipeline.Pipeline, build func() (*pipeline.Pipeline, error), src *configSource,
	auto bool, reloadNow <-chan struct{}, logger *slog.Logger) error {
	agent := logging.Logger(logger, "logstash.agent")
	last := src.fingerprint()
	var tick <-chan time.Time
	if auto {
		t := time.NewTicker(src.interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func(p *pipeline.Pipeline) { done <- p.Run(pctx) }(p)
		running := true
	wait:
		for {
			select {
			case err := <-done:
				running = false
				if err != nil || ctx.Err() != nil || !auto {
					cancel()
					return err
				}
				continue
			case <-ctx.Done():
				if !running {
					cancel()
					return nil
				}
				continue
			case <-tick:
			case <-reloadNow:
			}
			fp := src.fingerprint()
			if fp == last {
				continue
			}
			last = fp
			if running && !p.Reloadable() {
				agent.Error("Failed to execute action", slog.String("action", "Reload/pipeline_id:"+p.Settings().ID),
					slog.String("message", "Cannot reload pipeline, because the existing pipeline is not reloadable"))
				continue
			}
			next, err := build()
			if err != nil {
				p.RecordReload(err)
				agent.Error("Failed to execute action", slog.String("action", "Reload/pipeline_id:"+p.Settings().ID),
					slog.String("exception", "LogStash::ConfigurationError"), slog.String("message", firstError(err)))
				continue
			}
			cancel()
			if running {
				if err := <-done; err != nil {
					return err
				}
			}
			next.InheritReloads(p)
			next.RecordReload(nil)
			p = next
			break wait
		}
	}
}
