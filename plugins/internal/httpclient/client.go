package httpclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostash/gostash/plugins/internal/tlsopts"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Client sends requests as the mixin's Manticore client does.
type Client struct {
	http               *http.Client
	retries            int
	retryNonIdempotent bool
	user               string
	password           plugin.Secret
}

// Request is one request to send. Its body is bytes so that it can be
// sent again.
type Request struct {
	Method  string // lower case, as the plugins' options spell it
	URL     string
	Headers http.Header
	Body    []byte
	// User and Password, when User is set, replace the client's basic
	// authentication for this request.
	User     string
	Password plugin.Secret
}

// Response is a response whose body has been read.
type Response struct {
	// HTTP is the response itself, its body already read into Body.
	HTTP    *http.Response
	Code    int
	Message string // the reason phrase of the status line ("OK")
	Headers http.Header
	Body    []byte
	// TimesRetried is how many times automatic_retries resent the request.
	TimesRetried int
}

// BadRequestError is a request that could not even be built (an invalid
// URL): sending it again cannot help.
type BadRequestError struct{ Err error }

func (e *BadRequestError) Error() string { return e.Err.Error() }
func (e *BadRequestError) Unwrap() error { return e.Err }

// New checks the mixin's options as its client_config does and builds
// the client.
func New(s *plugin.Settings) (*Client, error) {
	if User.IsSet(s) && !Password.Get(s).IsSet() {
		return nil, User.Errorf(s, "User '%s' specified without password!", User.Get(s))
	}
	tlsConfig, err := tlsConfig(s)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: seconds(ConnectTimeout.Get(s)), KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   seconds(ConnectTimeout.Get(s)),
		ResponseHeaderTimeout: seconds(SocketTimeout.Get(s)),
		MaxIdleConns:          int(PoolMax.Get(s)),
		MaxIdleConnsPerHost:   int(PoolMaxPerRoute.Get(s)),
		MaxConnsPerHost:       int(PoolMaxPerRoute.Get(s)),
		DisableKeepAlives:     !Keepalive.Get(s),
		IdleConnTimeout:       90 * time.Second,
	}
	if Proxy.IsSet(s) {
		u, err := proxyURL(Proxy.Get(s))
		if err != nil {
			return nil, Proxy.Errorf(s, "%v", err)
		}
		transport.Proxy = http.ProxyURL(u)
	}
	hc := &http.Client{Transport: transport, Timeout: seconds(RequestTimeout.Get(s))}
	if Cookies.Get(s) {
		hc.Jar, _ = cookiejar.New(nil)
	}
	if !FollowRedirects.Get(s) {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return &Client{http: hc, retries: int(AutomaticRetries.Get(s)), retryNonIdempotent: RetryNonIdempotent.Get(s),
		user: User.Get(s), password: Password.Get(s)}, nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func tlsConfig(s *plugin.Settings) (*tls.Config, error) {
	if !SSLEnabled.Get(s) {
		var ignored []string
		for _, o := range sslOptions {
			if o.IsSet(s) {
				ignored = append(ignored, strconv.Quote(o.Name()))
			}
		}
		if len(ignored) > 0 {
			s.Logger().Warn(fmt.Sprintf("Configured SSL settings are not used when `ssl_enabled` is set to `false`: [%s]", strings.Join(ignored, ", ")))
		}
		return nil, nil
	}
	switch {
	case SSLTruststorePassword.IsSet(s) && !SSLTruststorePath.IsSet(s):
		return nil, SSLTruststorePassword.Errorf(s, "An `ssl_truststore_password` cannot be specified unless `ssl_truststore_path` is also provided.")
	case SSLKeystorePassword.IsSet(s) && !SSLKeystorePath.IsSet(s):
		return nil, SSLKeystorePassword.Errorf(s, "An `ssl_keystore_password` cannot be specified unless `ssl_keystore_path` is also provided.")
	case SSLCertificate.IsSet(s) != SSLKey.IsSet(s):
		return nil, SSLCertificate.Errorf(s, "You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!")
	}
	full := SSLVerificationMode.Get(s) == "full"
	client := tlsopts.Client{
		Common: tlsopts.Common{SupportedProtocols: SSLSupportedProtocols.Get(s), CipherSuites: SSLCipherSuites.Get(s)},
		Identity: tlsopts.Identity{Certificate: SSLCertificate.Get(s), Key: SSLKey.Get(s),
			Keystore: SSLKeystorePath.Get(s), KeystoreType: SSLKeystoreType.Get(s), KeystorePassword: SSLKeystorePassword.Get(s).Reveal()},
		Trust: tlsopts.Trust{CertificateAuthorities: SSLCertificateAuthorities.Get(s),
			Truststore: SSLTruststorePath.Get(s), TruststoreType: SSLTruststoreType.Get(s), TruststorePassword: SSLTruststorePassword.Get(s).Reveal()},
		VerifyServer: full, VerifyHostname: full,
	}
	cfg, err := client.Config()
	if err != nil {
		return nil, tlsopts.Locate(s, err, sslOptions...)
	}
	// The server name comes from each request's URL.
	cfg.ServerName = ""
	return cfg, nil
}

// checkProxy validates the proxy option's shape.
func checkProxy(v any) error {
	_, err := proxyURL(v)
	return err
}

// proxyURL reads the proxy option: a URL, or a hash with host, port,
// scheme, user and password, or with url, user and password.
func proxyURL(v any) (*url.URL, error) {
	var raw, user, password string
	switch t := v.(type) {
	case string:
		raw = t
	case *event.Map:
		get := func(k string) string {
			x, _ := t.Get(k)
			if x == nil {
				return ""
			}
			return event.ValueString(x)
		}
		for _, k := range t.Keys() {
			switch k {
			case "host", "port", "scheme", "url", "user", "password":
			default:
				return nil, fmt.Errorf("unknown proxy setting %q: use url, or host, port and scheme, with user and password", k)
			}
		}
		raw = get("url")
		if raw == "" {
			if get("host") == "" {
				return nil, errors.New("a proxy hash needs url or host")
			}
			scheme := get("scheme")
			if scheme == "" {
				scheme = "http"
			}
			raw = scheme + "://" + get("host")
			if p := get("port"); p != "" {
				raw += ":" + p
			}
		}
		user, password = get("user"), get("password")
	default:
		return nil, fmt.Errorf("a proxy is a URL or a hash, got %s", event.ValueString(v))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid proxy URL %q", redact(raw))
	}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u, nil
}

// redact hides a URL's password.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return raw
}

// Redacted is a URL as logs may show it: without its password.
func Redacted(raw string) string { return redact(raw) }

// idempotent are the methods automatic retries resend without
// retry_non_idempotent, as Apache's StandardHttpRequestRetryHandler.
var idempotent = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "OPTIONS": true, "TRACE": true}

// Do sends a request (method in any case) and returns the response and
// its body; see Send.
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*http.Response, []byte, error) {
	r, err := c.Send(ctx, Request{Method: method, URL: rawURL, Headers: header, Body: body})
	if err != nil {
		return nil, nil, err
	}
	return r.HTTP, r.Body, nil
}

// Send sends a request, resending it at once (up to automatic_retries
// times) when the connection failed under it.
func (c *Client) Send(ctx context.Context, r Request) (*Response, error) {
	method := strings.ToUpper(r.Method)
	for retried := 0; ; retried++ {
		req, err := http.NewRequestWithContext(ctx, method, r.URL, bytes.NewReader(r.Body))
		if err != nil {
			return nil, &BadRequestError{Err: err}
		}
		if req.URL.Host == "" {
			return nil, &BadRequestError{Err: fmt.Errorf("URL %q has no host", redact(r.URL))}
		}
		if len(r.Body) == 0 {
			req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
		}
		for k, vs := range r.Headers {
			req.Header[k] = vs
		}
		switch {
		case r.User != "":
			req.SetBasicAuth(r.User, r.Password.Reveal())
		case c.user != "":
			// Eager basic authentication, as the mixin configures it.
			req.SetBasicAuth(c.user, c.password.Reveal())
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if retried < c.retries && ctx.Err() == nil && (idempotent[method] || c.retryNonIdempotent) && resendable(err) {
				continue
			}
			return nil, err
		}
		body, err := readBody(resp.Body, MaxResponseBytes)
		resp.Body.Close()
		if err != nil {
			if retried < c.retries && ctx.Err() == nil && (idempotent[method] || c.retryNonIdempotent) && resendable(err) {
				continue
			}
			return nil, err
		}
		return &Response{HTTP: resp, Code: resp.StatusCode, Message: strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))),
			Headers: resp.Header, Body: body, TimesRetried: retried}, nil
	}
}

// resendable tells the failures automatic retries resend: a connection
// that broke under the request. Like Apache's handler it does not resend
// after a refused connection, an unknown host, a TLS failure or a
// timeout.
func resendable(err error) bool {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &dnsErr), errors.As(err, &certErr), errors.As(err, &recordErr),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &netErr) && netErr.Timeout():
		return false
	case strings.Contains(err.Error(), "tls: "):
		return false
	}
	return true
}

// Close drops the idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// MaxResponseBytes bounds a response body, which is read whole (as
// Manticore does for Logstash's http_poller and http filter, without a
// bound). 256 MiB is far more than any API a pipeline polls answers with,
// and keeps one response from exhausting memory.
const MaxResponseBytes = 256 << 20

// readBody reads a body of at most limit bytes; a longer one is an error
// (never retried: the server would send it again).
func readBody(r io.Reader, limit int) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err == nil && len(body) > limit {
		return nil, fmt.Errorf("the response body is larger than %d bytes", limit)
	}
	return body, err
}
