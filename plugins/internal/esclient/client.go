package esclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Product says which servers a plugin accepts and how it checks them.
type Product int

const (
	// Elasticsearch checks the product as Logstash's elasticsearch plugins
	// do (version 7+, the X-Elastic-Product header or the 7.x tagline) and
	// the license, and also accepts OpenSearch, whose missing features
	// (ILM) the plugin then refuses by name.
	Elasticsearch Product = iota
	// AnyEngine accepts any server that answers GET / (the opensearch
	// output): no product or license check.
	AnyEngine
)

// Config is what a Client needs.
type Config struct {
	Hosts []*url.URL
	HostSettings
	// Product is the kind of server expected.
	Product Product
	// DefaultMajor is the major version assumed when GET / gives none
	// (the opensearch output's default_server_major_version); 0 means such
	// a server is not usable.
	DefaultMajor int
	TLS          *tls.Config
	// Proxy is an HTTP proxy URL; nil for direct connections.
	Proxy *url.URL
	// Timeout bounds a whole request; ConnectTimeout (Timeout when 0)
	// the connection and TLS handshake.
	Timeout, ConnectTimeout time.Duration
	// PoolMax bounds idle connections overall, PoolMaxPerRoute the
	// connections to one host.
	PoolMax, PoolMaxPerRoute int
	// IdleTimeout is how long an unused connection is kept for reuse.
	IdleTimeout time.Duration
	// Header is sent with every request (custom headers, Authorization
	// for API keys, the product origin).
	Header    http.Header
	UserAgent string
	// HealthcheckPath is HEADed to test a host; SniffingPath lists nodes.
	HealthcheckPath, SniffingPath string
	ResurrectDelay                time.Duration
	Sniffing                      bool
	SniffingDelay                 time.Duration
	Logger                        *slog.Logger
}

// ServerInfo is what GET / told about the server.
type ServerInfo struct {
	// Number is the version as reported (OpenSearch in compatibility
	// mode reports 7.10.2).
	Number      string
	Major       int
	BuildFlavor string
	// OpenSearch is set for OpenSearch (its distribution or tagline).
	OpenSearch  bool
	ClusterUUID string
}

// Serverless reports an Elastic serverless project.
func (i ServerInfo) Serverless() bool { return i.BuildFlavor == "serverless" }

// ErrNoConnection is returned when every host is dead.
var ErrNoConnection = errors.New("No Available connections")

// HostUnreachableError is a failure to talk to a host at all (refused,
// reset, timed out); the host is marked dead.
type HostUnreachableError struct {
	URL string
	Err error
}

func (e *HostUnreachableError) Error() string {
	return fmt.Sprintf("Elasticsearch Unreachable: [%s] %v", e.URL, e.Err)
}

func (e *HostUnreachableError) Unwrap() error { return e.Err }

// BadResponseError is an answer with a status outside 2xx.
type BadResponseError struct {
	Code int
	URL  string
	Body []byte
}

func (e *BadResponseError) Error() string {
	return fmt.Sprintf("Got response code '%d' contacting Elasticsearch at URL '%s'", e.Code, e.URL)
}

// ConfigError is a problem only the server could reveal (bad credentials,
// an incompatible server, a feature it lacks): the pipeline cannot run.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// Response is a 2xx answer, its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

type hostState int

const (
	stateUnknown hostState = iota
	stateAlive
	stateDead
)

type host struct {
	ep    Endpoint
	state hostState
	inUse int
}

// Client sends requests to a pool of hosts: each goes to a live host with
// the fewest requests in flight; a host that cannot be reached is marked
// dead and retried by the resurrectionist every ResurrectDelay.
type Client struct {
	cfg    Config
	tmpl   template
	log    *slog.Logger
	http   *http.Client
	header http.Header

	mu       sync.Mutex
	hosts    []*host
	info     ServerInfo
	maxMajor int
	known    bool

	startOnce sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
}

// New checks the hosts and builds a client; it does not connect.
func New(cfg Config) (*Client, error) {
	tmpl, err := newTemplate(cfg.Hosts, cfg.HostSettings)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, tmpl: tmpl, log: cfg.Logger, stop: make(chan struct{})}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, h := range cfg.Hosts {
		c.hosts = append(c.hosts, &host{ep: tmpl.endpoint(h, cfg.Parameters)})
	}
	connect := cfg.ConnectTimeout
	if connect == 0 {
		connect = cfg.Timeout
	}
	dialer := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		TLSClientConfig:     cfg.TLS,
		MaxIdleConns:        cfg.PoolMax,
		MaxIdleConnsPerHost: cfg.PoolMaxPerRoute,
		MaxConnsPerHost:     cfg.PoolMaxPerRoute,
		IdleConnTimeout:     cfg.IdleTimeout,
		TLSHandshakeTimeout: connect,
	}
	if cfg.Proxy != nil {
		transport.Proxy = http.ProxyURL(cfg.Proxy)
	}
	if cfg.TLS != nil && cfg.TLS.VerifyConnection != nil {
		transport.DialTLSContext = verifyingDialer(dialer, cfg.TLS)
	}
	c.http = &http.Client{Transport: transport, Timeout: cfg.Timeout,
		// Redirects are answers to report, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c.header = http.Header{"Content-Type": {"application/json"}}
	for k, v := range cfg.Header {
		c.header[k] = v
	}
	if cfg.UserAgent != "" {
		c.header.Set("User-Agent", cfg.UserAgent)
	}
	return c, nil
}

// verifyingDialer dials TLS with a custom verification that needs the host
// name even for IP hosts, to which TLS sends no server name.
func verifyingDialer(dialer *net.Dialer, base *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		verify := base.VerifyConnection
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if cs.ServerName == "" {
				cs.ServerName = host
			}
			return verify(cs)
		}
		raw, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, cfg)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return conn, nil
	}
}

// Endpoints lists the pool's hosts as logs show them.
func (c *Client) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.hosts))
	for i, h := range c.hosts {
		out[i] = h.ep.String()
	}
	return out
}

// Start health-checks every host once and starts the resurrectionist (and
// the sniffer). An unreachable server is no error: requests wait for it.
// A server that answers but cannot be used (bad credentials, not a
// compatible engine) is a *ConfigError.
func (c *Client) Start() error {
	var err error
	c.startOnce.Do(func() {
		err = c.healthcheck(true)
		c.loop(c.cfg.ResurrectDelay, func() {
			if err := c.healthcheck(false); err != nil {
				c.log.Warn("Error while performing resurrection", slog.String("error_message", err.Error()))
			}
		})
		if c.cfg.Sniffing {
			c.loop(c.cfg.SniffingDelay, c.sniff)
		}
	})
	return err
}

func (c *Client) loop(every time.Duration, task func()) {
	if every <= 0 {
		every = time.Second
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				task()
			}
		}
	}()
}

// Close stops the background checks and drops idle connections.
func (c *Client) Close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.wg.Wait()
	c.http.CloseIdleConnections()
}

// Connected reports whether some host is alive and the server's version
// is known: what a plugin waits for before its first request.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known {
		return false
	}
	for _, h := range c.hosts {
		if h.state == stateAlive {
			return true
		}
	}
	return false
}

// Info is what the last health check learnt about the server.
func (c *Client) Info() ServerInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// MaxMajor is the highest major version seen on any host.
func (c *Client) MaxMajor() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxMajor
}

// Do sends a request to a live host. path may carry a query. header adds
// to the client's headers.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*Response, error) {
	h := c.acquire()
	if h == nil {
		return nil, ErrNoConnection
	}
	defer c.release(h)
	resp, err := c.doTo(ctx, h.ep, method, path, header, body)
	var unreachable *HostUnreachableError
	if errors.As(err, &unreachable) {
		c.markDead(h, err)
	}
	return resp, err
}

// Get is Do for GET without a body.
func (c *Client) Get(ctx context.Context, path string) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, nil, nil)
}

// Exists is HEAD path (GET with useGet): true for 2xx, false for 404.
func (c *Client) Exists(ctx context.Context, path string, useGet bool) (bool, error) {
	method := http.MethodHead
	if useGet {
		method = http.MethodGet
	}
	_, err := c.Do(ctx, method, path, nil, nil)
	var bad *BadResponseError
	if errors.As(err, &bad) && bad.Code == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

func (c *Client) doTo(ctx context.Context, ep Endpoint, method, path string, header http.Header, body []byte) (*Response, error) {
	target := ep.URL(path)
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if ep.User != "" {
		req.SetBasicAuth(ep.User, ep.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.log.Info("Failed to perform request", slog.String("message", err.Error()))
		return nil, &HostUnreachableError{URL: target, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, &HostUnreachableError{URL: target, Err: err}
	}
	if len(data) > MaxResponseBytes {
		return nil, fmt.Errorf("%s: the response body is larger than %d bytes", target, MaxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &BadResponseError{Code: resp.StatusCode, URL: target, Body: data}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// acquire picks, among hosts not dead, one with the fewest requests in
// flight (at random among ties), as Logstash's pool does.
func (c *Client) acquire() *host {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best []*host
	lowest := -1
	for _, h := range c.hosts {
		if h.state == stateDead {
			continue
		}
		switch {
		case lowest < 0 || h.inUse < lowest:
			lowest = h.inUse
			best = append(best[:0], h)
		case h.inUse == lowest:
			best = append(best, h)
		}
	}
	if len(best) == 0 {
		return nil
	}
	h := best[rand.IntN(len(best))]
	h.inUse++
	return h
}

func (c *Client) release(h *host) {
	c.mu.Lock()
	h.inUse--
	c.mu.Unlock()
}

func (c *Client) markDead(h *host, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h.state == stateDead {
		return
	}
	h.state = stateDead
	c.log.Warn("Marking url as dead. Last error: "+err.Error(), slog.String("url", h.ep.String()))
}

// MaxResponseBytes bounds a response body, which is read whole. Logstash's
// client has no bound; 256 MiB is well above a search page of the
// elasticsearch input (size 1000 documents of 256 KiB each) or a bulk
// response, and keeps one response from exhausting memory.
const MaxResponseBytes = 256 << 20
