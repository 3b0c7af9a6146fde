package esclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// QueryClientConfig is the connection of the elasticsearch input and
// filter: hosts as `host[:port]` (https when TLS is on) or URLs, with the
// shared security options.
func QueryClientConfig(s *plugin.Settings, hostsOpt plugin.Opt[[]string], hosts []string, log *slog.Logger) (Config, error) {
	var parsed []*url.URL
	for _, h := range hosts {
		u, err := ParseHost(h)
		if err != nil {
			return Config{}, hostsOpt.Errorf(s, "%v", err)
		}
		parsed = append(parsed, u)
	}
	sec, err := ReadSecurity(s, parsed, hostsOpt.IsSet(s), log)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		Hosts:           sec.Hosts,
		HostSettings:    HostSettings{Scheme: sec.Scheme, User: sec.User, Password: sec.Password},
		Product:         Elasticsearch,
		Proxy:           sec.Proxy,
		Header:          sec.Header,
		HealthcheckPath: "/",
		ResurrectDelay:  5 * time.Second,
		PoolMax:         100,
		PoolMaxPerRoute: 100,
		IdleTimeout:     time.Minute,
		Logger:          log,
	}
	if sec.TLS != nil {
		if cfg.TLS, err = sec.TLS.Config(); err != nil {
			return Config{}, OptSSLEnabled.Errorf(s, "%v", err)
		}
	}
	return cfg, nil
}

// WaitConnected starts the client and waits, retrying with backoff, until
// a host answers; a server that cannot be used is a *ConfigError.
func (c *Client) WaitConnected(ctx context.Context) error {
	if err := c.Start(); err != nil {
		return err
	}
	wait := 100 * time.Millisecond
	for !c.Connected() {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, 5*time.Second)
	}
	return nil
}

// SearchJSON posts a JSON body to path and decodes the answer into
// ordered event values (objects as *event.Map).
func (c *Client) SearchJSON(ctx context.Context, method, path string, body *event.Map) (*event.Map, error) {
	var data []byte
	if body != nil {
		data = event.AppendJSON(nil, body)
	}
	resp, err := c.Do(ctx, method, path, nil, data)
	if err != nil {
		var bad *BadResponseError
		if errors.As(err, &bad) {
			return nil, fmt.Errorf("%s %s: %d %s", method, strings.SplitN(path, "?", 2)[0], bad.Code, truncate(bad.Body, 500))
		}
		return nil, err
	}
	v, err := event.DecodeJSON(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", method, path, err)
	}
	m, ok := v.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("%s %s: the answer is not a JSON object", method, path)
	}
	return m, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
