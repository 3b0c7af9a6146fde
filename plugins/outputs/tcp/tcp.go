// Package tcp is the tcp output: events encoded by a codec (json by
// default) written to a TCP stream, either as a client of a server or as
// a server to every client connected, with optional TLS.
package tcp

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/plugins/internal/tlsopts"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost              = plugin.String("host").Required().Doc("In client mode the server to connect to; in server mode the address to listen on.")
	optPort              = plugin.Int("port").Required().Between(0, 65535).Doc("In client mode the server's port; in server mode the port to listen on.")
	optReconnectInterval = plugin.Float("reconnect_interval").Default(10).Doc("Seconds to wait before connecting again after a failed connection or write (client mode).")
	optMode              = plugin.Enum("mode", "server", "client").Default("client").Doc("client connects to host:port and writes every event to it; server listens and writes every event to each connected client.")

	optSSLEnabled                = plugin.Bool("ssl_enabled").Default(false).Doc("Speak TLS; the other ssl_ options apply only with it.")
	optSSLClientAuthentication   = plugin.Enum("ssl_client_authentication", "none", "optional", "required").Default("none").Doc("Server mode: whether clients must present a certificate signed by ssl_certificate_authorities.")
	optSSLVerificationMode       = plugin.Enum("ssl_verification_mode", "full", "none").Default("full").Doc("Client mode: full checks the server's certificate and that it names host; none checks nothing.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Doc("PEM files of the CAs to trust, besides the system's.").Validate(existingFiles)
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("The PEM certificate (chain) this side presents; required in server mode.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("The PEM private key of ssl_certificate (PKCS#1, PKCS#8 or SEC 1).")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("The passphrase of an encrypted ssl_key.")
	optSSLSupportedProtocols     = plugin.Strings("ssl_supported_protocols").Default([]string{}).Validate(protocols).Doc("TLS versions allowed, of TLSv1.1, TLSv1.2, TLSv1.3; empty leaves Go's defaults (1.2 and 1.3).")
	optSSLCipherSuites           = plugin.Strings("ssl_cipher_suites").Validate(cipherSuites).Doc("Cipher suites allowed, by their IANA names.")

	obsoleteSSLEnable = plugin.Any("ssl_enable").Obsolete("Use 'ssl_enabled' instead.")
	obsoleteSSLVerify = plugin.Any("ssl_verify").Obsolete("Use 'ssl_client_authentication' when `mode` is 'server' or 'ssl_verification_mode' when mode is `client`")
	obsoleteSSLCACert = plugin.Any("ssl_cacert").Obsolete("Use 'ssl_certificate_authorities' instead.")
	obsoleteSSLCert   = plugin.Any("ssl_cert").Obsolete("Use 'ssl_certificate' instead.")
)

func existingFiles(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("File does not exist or cannot be opened %s", p)
		}
	}
	return nil
}

func protocols(names []string) error {
	for _, n := range names {
		if !slices.Contains(tlsopts.ProtocolNames, n) {
			return fmt.Errorf(`Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got %q`, n)
		}
	}
	return nil
}

func cipherSuites(names []string) error {
	for _, n := range names {
		if err := tlsopts.CheckCipherSuite(n); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "tcp",
			Summary: "Writes events to a TCP stream, as a client of a server or as a server to its clients, optionally over TLS.",
			Options: []plugin.Declared{optHost, optPort, optReconnectInterval, optMode,
				optSSLEnabled, optSSLClientAuthentication, optSSLVerificationMode, optSSLCertificateAuthorities,
				optSSLCertificate, optSSLKey, optSSLKeyPassphrase, optSSLSupportedProtocols, optSSLCipherSuites,
				obsoleteSSLEnable, obsoleteSSLVerify, obsoleteSSLCACert, obsoleteSSLCert},
		},
		DefaultCodec: "json",
		New:          New,
	})
}

var sslOptions = []plugin.Handle{optSSLClientAuthentication, optSSLVerificationMode, optSSLCertificateAuthorities,
	optSSLCertificate, optSSLKey, optSSLKeyPassphrase, optSSLSupportedProtocols, optSSLCipherSuites}

// New builds a tcp output; in server mode it listens once the pipeline
// starts it.
func New(s *plugin.Settings) (plugin.Output, error) {
	tlsConfig, err := tlsConfig(s)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(optHost.Get(s), strconv.FormatInt(optPort.Get(s), 10))
	log := s.Logger()
	if optMode.Get(s) == "server" {
		return newServer(addr, tlsConfig, s.NewCodec(), log), nil
	}
	return &client{addr: addr, tls: tlsConfig, codec: s.NewCodec(), log: log,
		reconnect: time.Duration(optReconnectInterval.Get(s) * float64(time.Second))}, nil
}

// tlsConfig checks the ssl_ options as the plugin does when it registers
// and builds the TLS configuration, or nil without ssl_enabled.
func tlsConfig(s *plugin.Settings) (*tls.Config, error) {
	server := optMode.Get(s) == "server"
	if !optSSLEnabled.Get(s) {
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
	case optSSLCertificate.IsSet(s) && !optSSLKey.IsSet(s):
		return nil, optSSLCertificate.Errorf(s, "Using an `ssl_certificate` requires an `ssl_key`")
	case optSSLKey.IsSet(s) && !optSSLCertificate.IsSet(s):
		return nil, optSSLKey.Errorf(s, "An `ssl_certificate` is required when using an `ssl_key`")
	case !server && optSSLClientAuthentication.IsSet(s):
		return nil, optSSLClientAuthentication.Errorf(s, "`ssl_client_authentication` must not be configured when mode is `client`, use `ssl_verification_mode` instead.")
	case server && optSSLVerificationMode.IsSet(s):
		return nil, optSSLVerificationMode.Errorf(s, "`ssl_verification_mode` must not be configured when mode is `server`, use `ssl_client_authentication` instead.")
	case server && !optSSLCertificate.IsSet(s):
		return nil, optSSLEnabled.Errorf(s, "An `ssl_certificate` is required when `ssl_enabled` => true")
	case server && optSSLClientAuthentication.IsSet(s) && optSSLClientAuthentication.Get(s) != "none" && len(optSSLCertificateAuthorities.Get(s)) == 0:
		return nil, optSSLClientAuthentication.Errorf(s, "An `ssl_certificate_authorities` is required when `ssl_client_authentication` => `%s`", optSSLClientAuthentication.Get(s))
	}
	common := tlsopts.Common{SupportedProtocols: optSSLSupportedProtocols.Get(s), CipherSuites: optSSLCipherSuites.Get(s)}
	id := tlsopts.Identity{Certificate: optSSLCertificate.Get(s), Key: optSSLKey.Get(s), KeyPassphrase: optSSLKeyPassphrase.Get(s).Reveal()}
	trust := tlsopts.Trust{CertificateAuthorities: optSSLCertificateAuthorities.Get(s), WithSystemRoots: true}
	var cfg *tls.Config
	var err error
	if server {
		cfg, err = tlsopts.Server{Common: common, Identity: id, Trust: trust, ClientAuthentication: optSSLClientAuthentication.Get(s)}.Config()
	} else {
		full := optSSLVerificationMode.Get(s) == "full"
		cfg, err = tlsopts.Client{Common: common, Identity: id, Trust: trust, VerifyServer: full, VerifyHostname: full, ServerName: optHost.Get(s)}.Config()
	}
	if err != nil {
		return nil, tlsopts.Locate(s, err, sslOptions...)
	}
	return cfg, nil
}

// client writes to one server, reconnecting after failures.
type client struct {
	addr      string
	tls       *tls.Config
	codec     plugin.Codec
	log       *slog.Logger
	reconnect time.Duration

	// mu makes the stream one writer's, as Logstash runs this output in a
	// single thread.
	mu   sync.Mutex
	conn net.Conn
	buf  []byte
	ends []int
}

// Output writes the batch's encodings to the server. A refused connection
// or a failed write is logged and retried every reconnect_interval until
// it works: the pipeline is held back (back-pressure), nothing is dropped.
// After a failed write the event it was in is sent again whole, so a
// server may see part of it twice, as with Logstash. Only a forced
// shutdown (ctx) gives up.
func (c *client) Output(ctx context.Context, events []*event.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	for _, e := range events {
		c.buf = c.codec.Encode(c.buf, e)
		c.ends = append(c.ends, len(c.buf))
	}
	sent := 0
	for sent < len(c.buf) {
		if c.conn == nil {
			conn, err := c.connect(ctx)
			if err != nil {
				return err
			}
			c.conn = conn
		}
		n, err := c.conn.Write(c.buf[sent:])
		if err == nil {
			return nil
		}
		// Resend from the start of the event the failure cut.
		done := sent + n
		sent = 0
		for _, end := range c.ends {
			if end > done {
				break
			}
			sent = end
		}
		c.log.Warn("client socket failed:", slog.String("address", c.addr), slog.String("message", err.Error()))
		c.conn.Close()
		c.conn = nil
		if err := c.pause(ctx); err != nil {
			return err
		}
	}
	return nil
}

// connect connects, retrying every reconnect_interval until it works.
func (c *client) connect(ctx context.Context) (net.Conn, error) {
	for {
		conn, err := c.dial(ctx)
		if err == nil {
			c.log.Debug("opened connection", slog.String("client", conn.LocalAddr().String()), slog.String("server", c.addr))
			return conn, nil
		}
		c.log.Error("failed to connect:", slog.String("address", c.addr), slog.String("message", err.Error()))
		if err := c.pause(ctx); err != nil {
			return nil, err
		}
	}
}

func (c *client) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 15 * time.Second}
	if c.tls == nil {
		return d.DialContext(ctx, "tcp", c.addr)
	}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, c.tls)
	if err := conn.HandshakeContext(ctx); err != nil {
		c.log.Error("connect ssl failure:", slog.String("message", err.Error()))
		raw.Close()
		return nil, err
	}
	return conn, nil
}

func (c *client) pause(ctx context.Context) error {
	timer := time.NewTimer(c.reconnect)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Close closes the connection.
func (c *client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		return c.conn.Close()
	}
	return nil
}
