// Package beats is the beats input: a lumberjack (v1 and v2) server that
// Filebeat and the other Beats ship to. A window's ACK goes back only after
// the pipeline has taken every event of the window, so a full pipeline
// holds the Beats back instead of losing events, as in Logstash.
package beats

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/servertls"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

const (
	enrichSource  = "source_metadata"
	enrichCodec   = "codec_metadata"
	enrichSSLPeer = "ssl_peer_metadata"
)

var enrichValues = []string{enrichSource, enrichCodec, enrichSSLPeer, "all", "none"}

var (
	optCodec                     = plugin.CodecName("codec").Default("plain").Doc("The codec that decodes the message (or line) of each event; not multiline.")
	optHost                      = plugin.String("host").Default("0.0.0.0").Doc("The address to listen on.")
	optPort                      = plugin.Int("port").Required().Between(0, 65535).Doc("The port to listen on.")
	optSSLEnabled                = plugin.Bool("ssl_enabled").Default(false).Doc("Serve TLS; needs ssl_certificate and ssl_key.")
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("PEM certificate (chain) the server presents.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("PEM private key of ssl_certificate: PKCS#8 (as Logstash asks), PKCS#1 or SEC 1, encrypted or not.")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("Passphrase of an encrypted ssl_key.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Default([]string{}).Doc("PEM files of the CAs client certificates are checked against; without ssl_client_authentication, giving them requires client certificates.")
	optSSLClientAuthentication   = plugin.Enum("ssl_client_authentication", "none", "optional", "required").Default("none").Doc("Whether clients must (required) or may (optional) present a certificate signed by ssl_certificate_authorities.")
	optSSLHandshakeTimeout       = plugin.Int("ssl_handshake_timeout").Default(10000).AtLeast(0).Doc("Milliseconds a client gets to complete the TLS handshake.")
	optSSLCipherSuites           = plugin.StringList("ssl_cipher_suites").Default(servertls.DefaultCipherSuites).Validate(eachValid(servertls.CheckCipherSuite)).Doc("TLS 1.2 cipher suites by their IANA (Java) names; Go always offers its TLS 1.3 suites.")
	optSSLSupportedProtocols     = plugin.StringList("ssl_supported_protocols").Default([]string{"TLSv1.2", "TLSv1.3"}).Validate(eachValid(servertls.CheckProtocol)).Doc("TLS versions to accept: TLSv1.1, TLSv1.2, TLSv1.3.")
	optClientInactivityTimeout   = plugin.Int("client_inactivity_timeout").Default(60).AtLeast(0).Doc("Seconds a connection may go without reading or writing anything before it is closed; 0 never closes it.")
	optExecutorThreads           = plugin.Int("executor_threads").AtLeast(1).Doc("Accepted for compatibility (Logstash's default is the number of CPU cores); each connection is handled by its own goroutine.")
	optEventLoopThreads          = plugin.Int("event_loop_threads").Default(0).AtLeast(0).Doc("Accepted for compatibility (Netty's event loop size in Logstash); Go's network poller needs no tuning.")
	optEnrich                    = plugin.StringList("enrich").Validate(eachValid(oneOf(enrichValues))).Doc("What to add to events: source_metadata (the peer's IP), codec_metadata (the codec tag and [event][original]), ssl_peer_metadata (the client certificate), or all/none. Default: source_metadata and codec_metadata.")
	optIncludeCodecTag           = plugin.Bool("include_codec_tag").Default(true).Deprecated("use `enrich` option to configure which enrichments to perform").Doc("Tag events beats_input_codec_<codec>_applied (or beats_input_raw_event); deprecated for enrich.")
	optAddHostname               = plugin.Bool("add_hostname").Default(false).Deprecated("This option will be removed in the future as beats determine the event schema").Doc("Copy [beat][hostname] to host (ECS: [@metadata][input][beats][host][name]) when that is empty.")

	obsoleteSSL           = plugin.Any("ssl").Obsolete("Use 'ssl_enabled' instead.")
	obsoleteSSLPeerMeta   = plugin.Any("ssl_peer_metadata").Obsolete("Use 'enrich' instead.")
	obsoleteSSLVerifyMode = plugin.Any("ssl_verify_mode").Obsolete("Use 'ssl_client_authentication' instead.")
	obsoleteCipherSuites  = plugin.Any("cipher_suites").Obsolete("Use 'ssl_cipher_suites' instead.")
	obsoleteTLSMin        = plugin.Any("tls_min_version").Obsolete("Use 'ssl_supported_protocols' instead.")
	obsoleteTLSMax        = plugin.Any("tls_max_version").Obsolete("Use 'ssl_supported_protocols' instead.")
)

// sslOptions are the ssl_* options, for the warning that they go unused
// while ssl_enabled is false.
var sslOptions = []plugin.Handle{optSSLCertificate, optSSLKey, optSSLKeyPassphrase, optSSLCertificateAuthorities,
	optSSLClientAuthentication, optSSLHandshakeTimeout, optSSLCipherSuites, optSSLSupportedProtocols}

func init() {
	opts := []plugin.Declared{optCodec, optHost, optPort, optSSLEnabled}
	for _, o := range sslOptions {
		opts = append(opts, o)
	}
	opts = append(opts, optClientInactivityTimeout, optExecutorThreads, optEventLoopThreads, optEnrich, optIncludeCodecTag,
		optAddHostname, plugin.ECS, obsoleteSSL, obsoleteSSLPeerMeta, obsoleteSSLVerifyMode, obsoleteCipherSuites, obsoleteTLSMin, obsoleteTLSMax)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "beats",
			Summary: "Receives events from Elastic Beats (Filebeat, Metricbeat, ...) over the lumberjack protocol, acknowledging each window once the pipeline has taken it.",
			Options: opts,
		},
		New: newInput,
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

func oneOf(allowed []string) func(string) error {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("Expected one of %s, got %s", ruby.Inspect(toAny(allowed)), ruby.Inspect(v))
		}
		return nil
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// fields are where the input writes what it knows, by ECS mode.
type fields struct {
	hostIP, hostname                event.FieldRef
	tlsProtocol, tlsSubject, tlsCip event.FieldRef
}

var (
	legacyFields = fields{
		hostIP:      event.MustFieldRef("[@metadata][ip_address]"),
		hostname:    event.MustFieldRef("host"),
		tlsProtocol: event.MustFieldRef("[@metadata][tls_peer][protocol]"),
		tlsSubject:  event.MustFieldRef("[@metadata][tls_peer][subject]"),
		tlsCip:      event.MustFieldRef("[@metadata][tls_peer][cipher_suite]"),
	}
	ecsFields = fields{
		hostIP:      event.MustFieldRef("[@metadata][input][beats][host][ip]"),
		hostname:    event.MustFieldRef("[@metadata][input][beats][host][name]"),
		tlsProtocol: event.MustFieldRef("[@metadata][input][beats][tls][version_protocol]"),
		tlsSubject:  event.MustFieldRef("[@metadata][input][beats][tls][client][subject]"),
		tlsCip:      event.MustFieldRef("[@metadata][input][beats][tls][cipher]"),
	}
)

type input struct {
	s   *plugin.Settings
	log *slog.Logger

	host       string
	port       int
	tls        *tls.Config
	handshake  time.Duration
	inactivity time.Duration

	fields      fields
	sourceMeta  bool
	peerMeta    bool // ssl_peer_metadata with client certificates asked for
	peerTrusted bool // client certificates are required, so a peer is verified
	addHostname bool
	// codecTag is the tag of events decoded from a message's text; rawTag
	// the tag of events made from a message without one. Empty when off.
	codecTag, rawTag string
	// dropOriginal stands for Logstash swapping the default plain codec for
	// one with ECS disabled when codec_metadata is not enriched.
	dropOriginal bool
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{
		s:           s,
		log:         s.Logger(),
		host:        optHost.Get(s),
		port:        int(optPort.Get(s)),
		handshake:   time.Duration(optSSLHandshakeTimeout.Get(s)) * time.Millisecond,
		inactivity:  time.Duration(optClientInactivityTimeout.Get(s)) * time.Second,
		fields:      legacyFields,
		addHostname: optAddHostname.Get(s),
	}
	if s.ECS() != "disabled" {
		in.fields = ecsFields
	}
	if err := in.configureSSL(); err != nil {
		return nil, err
	}
	enrich, err := resolveEnrich(s)
	if err != nil {
		return nil, err
	}
	in.sourceMeta = slices.Contains(enrich, enrichSource)
	in.peerMeta = in.peerMeta && slices.Contains(enrich, enrichSSLPeer)
	codecTag := slices.Contains(enrich, enrichCodec)
	if optIncludeCodecTag.IsSet(s) {
		codecTag = optIncludeCodecTag.Get(s)
	}
	if codecTag {
		in.codecTag = "beats_input_codec_" + s.CodecName() + "_applied"
		in.rawTag = "beats_input_raw_event"
	}
	if !slices.Contains(enrich, enrichCodec) {
		if optCodec.IsSet(s) {
			in.log.Warn("An explicit `codec` is specified but `enrich` does not include `codec_metadata`. ECS compatibility will remain aligned on the pipeline or codec's `ecs_compatibility` (enabled by default).")
		} else {
			in.dropOriginal = true
		}
	}
	if s.CodecName() == "multiline" {
		return nil, optCodec.Errorf(s, "Multiline codec with beats input is not supported. Please refer to the beats documentation for how to best manage multiline data. See https://www.elastic.co/guide/en/beats/filebeat/current/multiline-examples.html")
	}
	return in, nil
}

// resolveEnrich is the enrichments in force, after Logstash's rules for
// the aliases and the deprecated include_codec_tag.
func resolveEnrich(s *plugin.Settings) ([]string, error) {
	if optIncludeCodecTag.IsSet(s) && optEnrich.IsSet(s) {
		return nil, optEnrich.Errorf(s, "both `enrich` and (deprecated) `include_codec_tag` were provided; use only `enrich`")
	}
	if !optEnrich.IsSet(s) {
		return []string{enrichSource, enrichCodec}, nil
	}
	enrich := optEnrich.Get(s)
	var aliases []string
	for _, a := range []string{"none", "all"} {
		if slices.Contains(enrich, a) {
			aliases = append(aliases, a)
		}
	}
	if len(aliases) > 0 && len(enrich) > 1 {
		noun := "alias"
		if len(aliases) > 1 {
			noun = "aliases"
		}
		return nil, optEnrich.Errorf(s, "when an alias is provided to `enrich`, it must be the only value given (got: %s, including %s %s)",
			ruby.Inspect(toAny(enrich)), noun, strings.Join(aliases, ","))
	}
	switch {
	case slices.Contains(aliases, "all"):
		return []string{enrichSource, enrichCodec, enrichSSLPeer}, nil
	case slices.Contains(aliases, "none"):
		return nil, nil
	}
	return enrich, nil
}

// configureSSL checks the ssl_* options as Logstash's validate_ssl_config!
// does and builds the TLS configuration.
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
	if !optSSLKey.IsSet(s) || optSSLKey.Get(s) == "" {
		return optSSLEnabled.Errorf(s, "ssl_key => is a required setting when ssl_enabled => true is configured")
	}
	if !optSSLCertificate.IsSet(s) || optSSLCertificate.Get(s) == "" {
		return optSSLEnabled.Errorf(s, "ssl_certificate => is a required setting when ssl_enabled => true is configured")
	}
	mode := optSSLClientAuthentication.Get(s)
	cas := optSSLCertificateAuthorities.Get(s)
	if (mode == "optional" || mode == "required") && len(cas) == 0 {
		return optSSLClientAuthentication.Errorf(s, "ssl_certificate_authorities => is a required setting when `ssl_client_authentication => '%s'` is configured", mode)
	}
	if optSSLClientAuthentication.IsSet(s) && len(cas) > 0 && mode == "none" {
		return optSSLCertificateAuthorities.Errorf(s, "Configuring ssl_certificate_authorities requires ssl_client_authentication => to be configured with 'optional' or 'required'")
	}
	// CAs without an explicit ssl_client_authentication require client
	// certificates.
	if !optSSLClientAuthentication.IsSet(s) && len(cas) > 0 {
		mode = "required"
	}
	in.peerMeta = mode != "none"
	in.peerTrusted = optSSLClientAuthentication.Get(s) == "required"
	cfg := servertls.Config{
		Certificate:          optSSLCertificate.Get(s),
		Key:                  optSSLKey.Get(s),
		KeyPassphrase:        optSSLKeyPassphrase.Get(s).Reveal(),
		ClientAuthentication: mode,
		SupportedProtocols:   optSSLSupportedProtocols.Get(s),
		CipherSuites:         optSSLCipherSuites.Get(s),
	}
	if mode != "none" {
		cfg.CertificateAuthorities = cas
	}
	var err error
	in.tls, err = cfg.Build()
	if err != nil {
		in.log.Error("Looks like you either have a bad certificate, an invalid key or your private key was not in PKCS8 format.")
		return servertls.Locate(s, err, optSSLEnabled, sslOptions...)
	}
	return nil
}
