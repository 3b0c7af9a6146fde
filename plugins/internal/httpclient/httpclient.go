// Package httpclient is Logstash's http_client mixin (logstash-mixin-
// http_client 7.x) for gostash plugins: its options, declared once, and
// the HTTP client they describe (timeouts, redirects, retries, cookies,
// proxy, basic authentication and TLS).
package httpclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"time"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	OptRequestTimeout          = plugin.Float("request_timeout").Default(60).Doc("Seconds a whole request may take.")
	OptSocketTimeout           = plugin.Float("socket_timeout").Default(10).Doc("Seconds to wait for data on the connection.")
	OptConnectTimeout          = plugin.Float("connect_timeout").Default(10).Doc("Seconds to wait for a connection.")
	OptFollowRedirects         = plugin.Bool("follow_redirects").Default(true).Doc("Follow redirects.")
	OptPoolMax                 = plugin.Int("pool_max").Default(50).Doc("Most connections kept open.")
	OptPoolMaxPerRoute         = plugin.Int("pool_max_per_route").Default(25).Doc("Most connections kept open to one host.")
	OptKeepalive               = plugin.Bool("keepalive").Default(true).Doc("Reuse connections.")
	OptAutomaticRetries        = plugin.Int("automatic_retries").Default(1).Doc("How many times a request that failed to get any answer is tried again (idempotent methods only unless retry_non_idempotent).")
	OptRetryNonIdempotent      = plugin.Bool("retry_non_idempotent").Default(false).Doc("Also retry POST and PATCH requests.")
	OptValidateAfterInactivity = plugin.Int("validate_after_inactivity").Default(200).Doc("Milliseconds after which an idle connection is checked before reuse (kept for compatibility; Go checks connections itself).")
	OptSSLEnabled              = plugin.Bool("ssl_enabled").Default(true).Doc("Use the ssl_* options for https URLs.")
	OptCookies                 = plugin.Bool("cookies").Default(true).Doc("Keep cookies between requests.")
	OptProxy                   = plugin.Any("proxy").Doc("A proxy URL, or a hash with host, port and scheme (and user, password).")
	OptUser                    = plugin.String("user").Doc("User name for basic authentication.")
	OptPassword                = plugin.Password("password").Doc("Password for basic authentication.")

	obsoleteCacert             = plugin.String("cacert").Obsolete("Use `ssl_certificate_authorities` instead")
	obsoleteClientCert         = plugin.String("client_cert").Obsolete("Use `ssl_certificate` instead")
	obsoleteClientKey          = plugin.String("client_key").Obsolete("Use `ssl_key` instead")
	obsoleteKeystore           = plugin.String("keystore").Obsolete("Use `ssl_keystore_path` instead")
	obsoleteKeystoreType       = plugin.String("keystore_type").Obsolete("Use `ssl_keystore_type` instead")
	obsoleteTruststore         = plugin.String("truststore").Obsolete("Use `ssl_truststore_path` instead")
	obsoleteTruststoreType     = plugin.String("truststore_type").Obsolete("Use `ssl_truststore_type` instead")
	obsoleteKeystorePassword   = plugin.Password("keystore_password").Obsolete("Use `ssl_keystore_password` instead")
	obsoleteTruststorePassword = plugin.Password("truststore_password").Obsolete("Use `ssl_truststore_password` instead")
)

// Options are the mixin's options, with the obsolete SSL ones, for a
// plugin's Spec.
func Options() []plugin.Declared {
	return []plugin.Declared{OptRequestTimeout, OptSocketTimeout, OptConnectTimeout, OptFollowRedirects, OptPoolMax, OptPoolMaxPerRoute,
		OptKeepalive, OptAutomaticRetries, OptRetryNonIdempotent, OptValidateAfterInactivity, OptSSLEnabled,
		esclient.OptSSLCertificateAuthorities, esclient.OptSSLCertificate, esclient.OptSSLKey, esclient.OptSSLKeystorePath,
		esclient.OptSSLKeystorePassword, esclient.OptSSLKeystoreType, esclient.OptSSLVerificationMode, esclient.OptSSLCipherSuites,
		esclient.OptSSLSupportedProtocols, esclient.OptSSLTruststorePath, esclient.OptSSLTruststorePassword, esclient.OptSSLTruststoreType,
		OptCookies, OptProxy, OptUser, OptPassword,
		obsoleteCacert, obsoleteClientCert, obsoleteClientKey, obsoleteKeystore, obsoleteKeystoreType, obsoleteTruststore,
		obsoleteTruststoreType, obsoleteKeystorePassword, obsoleteTruststorePassword}
}

// Client is the configured client.
type Client struct {
	HTTP     *http.Client
	user     string
	password plugin.Secret
	retries  int
	retryAll bool
}

// New builds the client a plugin's options describe; problems are config
// errors located at the option.
func New(s *plugin.Settings) (*Client, error) {
	c := &Client{user: OptUser.Get(s), password: OptPassword.Get(s), retries: int(OptAutomaticRetries.Get(s)), retryAll: OptRetryNonIdempotent.Get(s)}
	if OptUser.IsSet(s) && (!c.password.IsSet() || c.password.Reveal() == "") {
		return nil, OptUser.Errorf(s, "User '%s' specified without password!", c.user)
	}
	cas := esclient.OptSSLCertificateAuthorities.Get(s)
	if len(cas) > 1 {
		return nil, esclient.OptSSLCertificateAuthorities.Errorf(s, "Multiple values on `ssl_certificate_authorities` are not supported by this plugin")
	}
	if esclient.OptSSLTruststorePassword.IsSet(s) && !esclient.OptSSLTruststorePath.IsSet(s) {
		return nil, esclient.OptSSLTruststorePassword.Errorf(s, "An `ssl_truststore_password` cannot be specified unless `ssl_truststore_path` is also provided.")
	}
	if esclient.OptSSLKeystorePassword.IsSet(s) && !esclient.OptSSLKeystorePath.IsSet(s) {
		return nil, esclient.OptSSLKeystorePassword.Errorf(s, "An `ssl_keystore_password` cannot be specified unless `ssl_keystore_path` is also provided.")
	}
	if esclient.OptSSLCertificate.IsSet(s) != esclient.OptSSLKey.IsSet(s) {
		return nil, esclient.OptSSLCertificate.Errorf(s, "You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!")
	}
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: seconds(OptConnectTimeout.Get(s)), KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          int(OptPoolMax.Get(s)),
		MaxIdleConnsPerHost:   int(OptPoolMaxPerRoute.Get(s)),
		MaxConnsPerHost:       int(OptPoolMaxPerRoute.Get(s)),
		ResponseHeaderTimeout: seconds(OptSocketTimeout.Get(s)),
		DisableKeepAlives:     !OptKeepalive.Get(s),
		IdleConnTimeout:       90 * time.Second,
	}
	if OptSSLEnabled.Get(s) {
		t := esclient.TLSSettings{CAFiles: cas, Certificate: esclient.OptSSLCertificate.Get(s), Key: esclient.OptSSLKey.Get(s),
			KeystorePath: esclient.OptSSLKeystorePath.Get(s), KeystoreType: esclient.OptSSLKeystoreType.Get(s), KeystorePassword: esclient.OptSSLKeystorePassword.Get(s).Reveal(),
			TruststorePath: esclient.OptSSLTruststorePath.Get(s), TruststoreType: esclient.OptSSLTruststoreType.Get(s), TruststorePassword: esclient.OptSSLTruststorePassword.Get(s).Reveal(),
			VerifyNone: esclient.OptSSLVerificationMode.Get(s) == "none", Protocols: esclient.OptSSLSupportedProtocols.Get(s), Ciphers: esclient.OptSSLCipherSuites.Get(s)}
		cfg, err := t.Config()
		if err != nil {
			return nil, s.Errorf("%v", err)
		}
		transport.TLSClientConfig = cfg
	}
	if OptProxy.IsSet(s) {
		u, err := proxyURL(OptProxy.Get(s))
		if err != nil {
			return nil, OptProxy.Errorf(s, "%v", err)
		}
		if u != nil {
			transport.Proxy = http.ProxyURL(u)
		}
	}
	c.HTTP = &http.Client{Transport: transport, Timeout: seconds(OptRequestTimeout.Get(s))}
	if !OptFollowRedirects.Get(s) {
		c.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if OptCookies.Get(s) {
		jar, _ := cookiejar.New(nil)
		c.HTTP.Jar = jar
	}
	return c, nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// proxyURL reads the proxy option: a URL, or a hash of its parts.
func proxyURL(v any) (*url.URL, error) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return nil, nil
		}
		u, err := url.Parse(t)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("invalid proxy URL %q", t)
		}
		return u, nil
	case *event.Map:
		get := func(k string) string { v, _ := t.Get(k); return event.ValueString(v) }
		scheme := get("scheme")
		if scheme == "" {
			scheme = "http"
		}
		if get("host") == "" {
			return nil, errors.New("a proxy hash needs a host")
		}
		u := &url.URL{Scheme: scheme, Host: get("host")}
		if p := get("port"); p != "" {
			u.Host = net.JoinHostPort(get("host"), p)
		}
		if user := get("user"); user != "" {
			u.User = url.UserPassword(user, get("password"))
		}
		return u, nil
	}
	return nil, fmt.Errorf("proxy must be a URL or a hash, got %T", v)
}

// Do sends a request, with basic authentication when configured, trying
// again on a transport failure as the mixin's retry handler does
// (idempotent methods only, unless retry_non_idempotent).
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*http.Response, []byte, error) {
	idempotent := method != http.MethodPost && method != http.MethodPatch
	var lastErr error
	for try := 0; try <= c.retries; try++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
		if err != nil {
			return nil, nil, err
		}
		req.Header = header.Clone()
		if c.user != "" {
			req.SetBasicAuth(c.user, c.password.Reveal())
		}
		resp, err := c.HTTP.Do(req)
		if err == nil {
			data, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil {
				return resp, data, nil
			}
			err = rerr
		}
		lastErr = err
		if !idempotent && !c.retryAll {
			break
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
	}
	return nil, nil, lastErr
}
