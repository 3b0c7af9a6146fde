package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/gostash/gostash/internal/monitor"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
)

// startAPI starts the monitoring API (api.enabled, on by default) for the
// pipeline current returns. An invalid api.* setting is an error, which
// stops gostash as a bad setting stops Logstash; a port that cannot be
// bound is not: gostash says why and runs the pipeline without the API.
func startAPI(ctx context.Context, st settings, reload bool, src *configSource, logger *slog.Logger,
	current func() *pipeline.Pipeline) (stop func(), err error) {
	enabled, err := st.boolean("api.enabled", true)
	if err != nil {
		return nil, err
	}
	if !enabled {
		return func() {}, nil
	}
	cfg := monitor.Config{
		Host:            st.str("api.http.host", st.str("http.host", "127.0.0.1")),
		Port:            st.str("api.http.port", st.str("http.port", "9600-9700")),
		NodeName:        st.str("node.name", ""),
		DataPath:        st.str("path.data", ""),
		Version:         version,
		ReloadAutomatic: reload,
		ReloadInterval:  src.interval,
		Logger:          logger,
	}
	api, err := monitor.New(cfg, current)
	if err != nil {
		return nil, err
	}
	if err := api.Start(ctx); err != nil {
		logging.Logger(logger, "logstash.agent").Error("Could not start the API endpoint; running without it", slog.String("error", err.Error()))
		return func() {}, nil
	}
	return func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = api.Shutdown(shutdownCtx)
	}, nil
}
