// Package tcp is the tcp input: it reads byte streams from TCP connections
// it accepts (server mode) or makes (client mode), decoding each with its
// own instance of the codec (line by default), optionally over TLS and
// behind a PROXY protocol v1 header.
package tcp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/servertls"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost                      = plugin.String("host").Default("0.0.0.0").Doc("The address to listen on (server mode) or to connect to (client mode).")
	optPort                      = plugin.Int("port").Required().Between(0, 65535).Doc("The port to listen on or connect to.")
	optMode                      = plugin.Enum("mode", "server", "client").Default("server").Doc("server accepts connections; client connects to host:port and reconnects when the connection ends.")
	optProxyProtocol             = plugin.Bool("proxy_protocol").Default(false).Doc("Read a PROXY protocol v1 header at the start of each connection; its addresses replace the peer's.")
	optSSLEnabled                = plugin.Bool("ssl_enabled").Default(false).Doc("Use TLS.")
	optSSLClientAuthentication   = plugin.Enum("ssl_client_authentication", "none", "optional", "required").Default("required").Doc("Server mode: whether clients must (required) or may (optional) present a certificate, checked against ssl_certificate_authorities (or the system's CAs).")
	optSSLVerificationMode       = plugin.Enum("ssl_verification_mode", "full", "none").Default("full").Doc("Client mode: full checks the server's certificate chain against ssl_certificate_authorities and the system's CAs; none does not.")
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("PEM certificate (chain) this side presents.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("PEM private key of ssl_certificate: PKCS#1, PKCS#8 or SEC 1, encrypted or not.")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("Passphrase of an encrypted ssl_key.")
	optSSLExtraChainCerts        = plugin.Strings("ssl_extra_chain_certs").Default([]string{}).Doc("PEM files of intermediate certificates sent after ssl_certificate.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Default([]string{}).Doc("PEM files of trusted CAs.")
	optSSLSupportedProtocols     = plugin.StringList("ssl_supported_protocols").Default([]string{}).Validate(eachValid(servertls.CheckProtocol)).Doc("TLS versions to accept (TLSv1.1, TLSv1.2, TLSv1.3); empty means Go's defaults.")
	optSSLCipherSuites           = plugin.StringList("ssl_cipher_suites").Default([]string{}).Validate(eachValid(servertls.CheckCipherSuite)).Doc("TLS 1.2 cipher suites by their IANA (Java) names; empty means Go's defaults.")
	optTCPKeepAlive              = plugin.Bool("tcp_keep_alive").Default(false).Doc("Turn on TCP keep-alives (with the operating system's timings), which also detect peers that vanished.")
	optDNSReverseLookupEnabled   = plugin.Bool("dns_reverse_lookup_enabled").Default(true).Doc("Whether the host field holds the peer's name by reverse DNS, or its IP address.")

	obsoleteSSLEnable = plugin.Any("ssl_enable").Obsolete("Use 'ssl_enabled' instead.")
	obsoleteSSLVerify = plugin.Any("ssl_verify").Obsolete("Use 'ssl_client_authentication' when mode is 'server' or 'ssl_verification_mode' when mode is 'client'")
	obsoleteSSLCert   = plugin.Any("ssl_cert").Obsolete("Use 'ssl_certificate' instead.")
)

var sslOptions = []plugin.Handle{optSSLClientAuthentication, optSSLVerificationMode, optSSLCertificate, optSSLKey, optSSLKeyPassphrase,
	optSSLExtraChainCerts, optSSLCertificateAuthorities, optSSLSupportedProtocols, optSSLCipherSuites}

func init() {
	opts := []plugin.Declared{optHost, optPort, optMode, optProxyProtocol, optSSLEnabled}
	for _, o := range sslOptions {
		opts = append(opts, o)
	}
	opts = append(opts, optTCPKeepAlive, optDNSReverseLookupEnabled, plugin.ECS, obsoleteSSLEnable, obsoleteSSLVerify, obsoleteSSLCert)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "tcp",
			Summary: "Reads events from TCP connections, as a server or a client, with a codec (line by default) per connection.",
			Options: opts,
		},
		DefaultCodec: "line",
		New:          newInput,
	})
}

func eachValid(check func(string) error) func([]string) error {
	return func(values []string) error {
		for _, v := range values {
			if err := check(v); err != nil {
				return err
			}
		}
		return nil
	}
}

// fields are where connection facts go, by ECS mode.
type fields struct {
	host, ip, port, proxyHost, proxyPort, sslSubject event.FieldRef
}

var (
	legacyFields = fields{
		host:       event.MustFieldRef("host"),
		ip:         event.MustFieldRef("[@metadata][ip_address]"),
		port:       event.MustFieldRef("port"),
		proxyHost:  event.MustFieldRef("proxy_host"),
		proxyPort:  event.MustFieldRef("proxy_port"),
		sslSubject: event.MustFieldRef("sslsubject"),
	}
	ecsFields = fields{
		host:       event.MustFieldRef("[@metadata][input][tcp][source][name]"),
		ip:         event.MustFieldRef("[@metadata][input][tcp][source][ip]"),
		port:       event.MustFieldRef("[@metadata][input][tcp][source][port]"),
		proxyHost:  event.MustFieldRef("[@metadata][input][tcp][proxy][ip]"),
		proxyPort:  event.MustFieldRef("[@metadata][input][tcp][proxy][port]"),
		sslSubject: event.MustFieldRef("[@metadata][input][tcp][tls][client][subject]"),
	}
)

type input struct {
	s   *plugin.Settings
	log *slog.Logger

	host          string
	port          int
	client        bool
	proxyProtocol bool
	keepAlive     bool
	reverseDNS    bool
	tls           *tls.Config
	// verifyPeer says a TLS peer's certificate subject goes into events.
	verifyPeer bool
	fields     fields
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{
		s:             s,
		log:           s.Logger(),
		host:          optHost.Get(s),
		port:          int(optPort.Get(s)),
		client:        optMode.Get(s) == "client",
		proxyProtocol: optProxyProtocol.Get(s),
		keepAlive:     optTCPKeepAlive.Get(s),
		reverseDNS:    optDNSReverseLookupEnabled.Get(s),
		fields:        legacyFields,
	}
	if s.ECS() != "disabled" {
		in.fields = ecsFields
	}
	if err := in.configureSSL(); err != nil {
		return nil, err
	}
	return in, nil
}

// configureSSL checks the ssl_* options as Logstash's validate_ssl_config!
// does and builds the TLS configuration of either side.
func (in *input) configureSSL() error {
	s := in.s
	if !optSSLEnabled.Get(s) {
		var unused []any
		for _, o := range sslOptions {
			if o.IsSet(s) {
				unused = append(unused, o.Name())
			}
		}
		if len(unused) > 0 {
			in.log.Warn(fmt.Sprintf("Configured SSL settings are not used when `ssl_enabled` is set to `false`: %s", ruby.Inspect(unused)))
		}
		return nil
	}
	hasCert, hasKey := optSSLCertificate.IsSet(s), optSSLKey.IsSet(s)
	if hasCert && !hasKey {
		return optSSLCertificate.Errorf(s, "Using an `ssl_certificate` requires an `ssl_key`")
	}
	if hasKey && !hasCert {
		return optSSLKey.Errorf(s, "An `ssl_certificate` is required when using an `ssl_key`")
	}
	cas := optSSLCertificateAuthorities.Get(s)
	if in.client {
		if optSSLClientAuthentication.IsSet(s) {
			return optSSLClientAuthentication.Errorf(s, "`ssl_client_authentication` must not be configured when mode is `client`, use `ssl_verification_mode` instead.")
		}
		cfg, err := in.clientTLS(cas)
		if err != nil {
			return err
		}
		in.tls = cfg
		in.verifyPeer = optSSLVerificationMode.Get(s) == "full"
		return nil
	}
	if optSSLVerificationMode.IsSet(s) {
		return optSSLVerificationMode.Errorf(s, "`ssl_verification_mode` must not be configured when mode is `server`, use `ssl_client_authentication` instead.")
	}
	if !hasCert {
		return optSSLEnabled.Errorf(s, "An `ssl_certificate` is required when `ssl_enabled` => true")
	}
	mode := optSSLClientAuthentication.Get(s)
	if optSSLClientAuthentication.IsSet(s) && mode != "none" && len(cas) == 0 {
		return optSSLClientAuthentication.Errorf(s, "An `ssl_certificate_authorities` is required when `ssl_client_authentication` => `%s`", mode)
	}
	cfg, err := servertls.Config{
		Certificate:            optSSLCertificate.Get(s),
		Key:                    optSSLKey.Get(s),
		KeyPassphrase:          optSSLKeyPassphrase.Get(s).Reveal(),
		ExtraChainCerts:        optSSLExtraChainCerts.Get(s),
		CertificateAuthorities: cas,
		ClientAuthentication:   mode,
		SupportedProtocols:     optSSLSupportedProtocols.Get(s),
		CipherSuites:           optSSLCipherSuites.Get(s),
	}.Build()
	if err != nil {
		in.log.Error("SSL configuration invalid", slog.String("message", err.Error()))
		return servertls.Locate(s, err, optSSLEnabled, sslOptions...)
	}
	in.tls = cfg
	in.verifyPeer = mode != "none"
	return nil
}

// clientTLS is client mode's TLS: like the Ruby client socket Logstash
// uses, it checks the server's chain (ssl_verification_mode full) against
// the CAs given plus the system's, but not the server's name.
func (in *input) clientTLS(cas []string) (*tls.Config, error) {
	s := in.s
	cfg := &tls.Config{MinVersion: tls.VersionTLS11}
	if optSSLCertificate.IsSet(s) {
		cert, err := servertls.LoadKeyPair(optSSLCertificate.Get(s), optSSLKey.Get(s), optSSLKeyPassphrase.Get(s).Reveal(), optSSLExtraChainCerts.Get(s))
		if err != nil {
			return nil, servertls.Locate(s, err, optSSLCertificate, sslOptions...)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if protocols := optSSLSupportedProtocols.Get(s); len(protocols) > 0 {
		cfg.MinVersion, cfg.MaxVersion = protocolRange(protocols)
	}
	for _, name := range optSSLCipherSuites.Get(s) {
		for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			if cs.Name == name && !slices.Contains(cs.SupportedVersions, tls.VersionTLS13) {
				cfg.CipherSuites = append(cfg.CipherSuites, cs.ID)
			}
		}
	}
	cfg.InsecureSkipVerify = true
	if optSSLVerificationMode.Get(s) == "none" {
		return cfg, nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	for _, f := range cas {
		certs, err := servertls.ReadCertificates(f)
		if err != nil || len(certs) == 0 {
			return nil, optSSLCertificateAuthorities.Errorf(s, "no certificate read from %s: %v", f, err)
		}
		for _, c := range certs {
			roots.AddCert(c)
		}
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the server sent no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(opts)
		return err
	}
	return cfg, nil
}

func protocolRange(names []string) (lo, hi uint16) {
	for _, p := range names {
		v := servertls.Protocols[p]
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi
}
