package aggregate

import (
	"context"
	"log/slog"

	"github.com/gostash/gostash/runtime/logging"
)

// asAggregate is a log handler that names what the shared ruby filter
// logs (the code's @logger, its exceptions) as the aggregate filter's,
// which is where Logstash logs them.
type asAggregate struct {
	slog.Handler
	name, id string
}

func (h asAggregate) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		switch a.Key {
		case logging.LoggerKey:
			a.Value = slog.StringValue(h.name)
		case logging.PluginIDKey:
			a.Value = slog.StringValue(h.id)
		}
		out[i] = a
	}
	return asAggregate{h.Handler.WithAttrs(out), h.name, h.id}
}

func (h asAggregate) WithGroup(name string) slog.Handler {
	return asAggregate{h.Handler.WithGroup(name), h.name, h.id}
}

func (h asAggregate) Handle(ctx context.Context, r slog.Record) error {
	return h.Handler.Handle(ctx, r)
}
