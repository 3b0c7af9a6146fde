// Package redisclient is what the redis input and output share: a go-redis
// client set up from Logstash's connection options (host and port or a
// unix socket, db, password, timeout, TLS) and the command_map renaming of
// commands, which servers hardened with rename-command need.
package redisclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	// go-redis logs pool trouble with the log package on stderr; the
	// plugins log every failure they see themselves, so its lines go to
	// slog at debug level.
	redis.SetLogger(libraryLogger{})
}

type libraryLogger struct{}

func (libraryLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().With(logging.LoggerKey, "redis.client").DebugContext(ctx, fmt.Sprintf(format, v...))
}

// Config is one server and how to talk to it.
type Config struct {
	// Network is "tcp" (Addr is host:port) or "unix" (Addr is a socket path).
	Network  string
	Addr     string
	DB       int
	Password plugin.Secret
	// Timeout bounds connecting, and each read and write, as the Ruby
	// client's timeout does.
	Timeout time.Duration
	// TLS is nil for a plain connection.
	TLS *tls.Config
	// Rename maps a command's own name (lower case) to the name the server
	// knows it by (command_map).
	Rename map[string]string
}

// NewClient returns a client of the server. It connects on first use and
// reconnects by itself after a failure; it does not retry failed commands,
// so that the plugins see, log and retry them the way Logstash does.
func (c Config) NewClient() *redis.Client {
	client := redis.NewClient(&redis.Options{
		Network:      c.Network,
		Addr:         c.Addr,
		DB:           c.DB,
		Password:     c.Password.Reveal(),
		DialTimeout:  c.Timeout,
		ReadTimeout:  c.Timeout,
		WriteTimeout: c.Timeout,
		TLSConfig:    c.TLS,
		MaxRetries:   -1,
		// RESP2 and no CLIENT SETINFO: the commands the Ruby client sends,
		// so that a server which renamed or refuses the newer ones works.
		Protocol:                 2,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	if len(c.Rename) > 0 {
		client.AddHook(renamer(c.Rename))
	}
	return client
}

// Identity names the server and what the plugin does with it in log lines
// (as Logstash's identity does): the password shows as <password>.
func (c Config) Identity(dataType, key string) string {
	auth := ""
	if c.Password.IsSet() {
		auth = "<password>"
	}
	where := auth + "@" + c.Addr
	if c.Network == "tcp" {
		where = "redis://" + where
	}
	return fmt.Sprintf("%s/%d %s:%s", where, c.DB, dataType, key)
}

// CommandMap reads a command_map hash: command name to renamed command.
// Names are matched without regard to case, as Redis matches them.
func CommandMap(m map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for name, renamed := range m {
		if strings.TrimSpace(renamed) == "" || strings.ContainsAny(renamed, " \t\r\n") {
			return nil, fmt.Errorf("the new name of %q must be one word, got %q", name, renamed)
		}
		out[strings.ToLower(name)] = renamed
	}
	return out, nil
}

// renamer sends every command under its renamed name, the connection's
// own set-up (HELLO, AUTH, SELECT) included.
type renamer map[string]string

func (r renamer) rename(cmd redis.Cmder) {
	args := cmd.Args()
	if len(args) == 0 {
		return
	}
	if name, ok := args[0].(string); ok {
		if renamed, ok := r[strings.ToLower(name)]; ok {
			args[0] = renamed
		}
	}
}

func (r renamer) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r renamer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.rename(cmd)
		return next(ctx, cmd)
	}
}

func (r renamer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			r.rename(cmd)
		}
		return next(ctx, cmds)
	}
}

// Pause waits d unless ctx ends first; it reports whether to go on.
func Pause(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
