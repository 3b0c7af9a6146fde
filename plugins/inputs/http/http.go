// Package http is the http input: every request body is decoded into
// events by the codec its Content-Type selects, and the request is answered
// once the pipeline has taken them. A pipeline that stays full turns into
// 429 answers instead of an unbounded backlog.
package http

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/plugins/internal/servertls"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost                      = plugin.String("host").Default("0.0.0.0").Doc("The address to listen on.")
	optPort                      = plugin.Int("port").Default(8080).Between(0, 65535).Doc("The port to listen on.")
	optUser                      = plugin.String("user").Doc("Basic authentication user; authentication is required when user and password are both set.")
	optPassword                  = plugin.Password("password").Doc("Basic authentication password.")
	optAdditionalCodecs          = plugin.Hash("additional_codecs").Default(mapOf("application/json", "json")).Doc("Codec by MIME type of the request's Content-Type; other types use codec.")
	optResponseHeaders           = plugin.Hash("response_headers").Default(mapOf("Content-Type", "text/plain")).Doc("Headers of a successful response (its Content-Type is text/plain unless response_code is 204, as in Logstash).")
	optResponseCode              = plugin.Int("response_code").Default(200).Validate(oneOfCodes).Doc("Status of a successful response: 200, 201, 202 or 204.")
	optRemoteHostTargetField     = plugin.FieldRef("remote_host_target_field").Doc("Field for the client's IP address; host, or [host][ip] in ECS mode.")
	optRequestHeadersTargetField = plugin.FieldRef("request_headers_target_field").Doc("Field for the request's headers; headers, or [@metadata][input][http][request][headers] in ECS mode.")
	optThreads                   = plugin.Int("threads").AtLeast(1).Doc("Requests decoded and pushed at once; the number of CPU cores when unset.")
	optMaxPendingRequests        = plugin.Int("max_pending_requests").Default(200).AtLeast(0).Doc("Requests that may wait for one of the threads; beyond that the input answers 429.")
	optMaxContentLength          = plugin.Int("max_content_length").Default(100 * 1024 * 1024).AtLeast(1).Doc("The largest body accepted, after decompression; larger ones get 413.")

	optSSLEnabled                = plugin.Bool("ssl_enabled").Default(false).Doc("Serve HTTPS; needs ssl_certificate and ssl_key, or ssl_keystore_path.")
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("PEM certificate (chain) the server presents.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("PEM private key of ssl_certificate.")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("Passphrase of an encrypted ssl_key.")
	optSSLKeystorePath           = plugin.Path("ssl_keystore_path").Doc("PKCS12 or JKS keystore holding the server's key and certificate (instead of ssl_certificate and ssl_key).")
	optSSLKeystorePassword       = plugin.Password("ssl_keystore_password").Doc("Password of ssl_keystore_path.")
	optSSLKeystoreType           = plugin.Enum("ssl_keystore_type", "pkcs12", "jks").Doc("Type of ssl_keystore_path; guessed from the file when unset.")
	optSSLTruststorePath         = plugin.Path("ssl_truststore_path").Doc("PKCS12 or JKS truststore of the CAs client certificates are checked against.")
	optSSLTruststorePassword     = plugin.Password("ssl_truststore_password").Doc("Password of ssl_truststore_path.")
	optSSLTruststoreType         = plugin.Enum("ssl_truststore_type", "pkcs12", "jks").Doc("Type of ssl_truststore_path; guessed from the file when unset.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Default([]string{}).Doc("PEM files of the CAs client certificates are checked against.")
	optSSLClientAuthentication   = plugin.Enum("ssl_client_authentication", "none", "optional", "required").Default("none").Doc("Whether clients must (required) or may (optional) present a certificate.")
	optSSLHandshakeTimeout       = plugin.Int("ssl_handshake_timeout").Default(10000).AtLeast(0).Doc("Milliseconds a client gets to complete the TLS handshake.")
	optSSLCipherSuites           = plugin.StringList("ssl_cipher_suites").Default(servertls.DefaultCipherSuites).Validate(eachValid(servertls.CheckCipherSuite)).Doc("TLS 1.2 cipher suites by their IANA (Java) names; Go always offers its TLS 1.3 suites.")
	optSSLSupportedProtocols     = plugin.StringList("ssl_supported_protocols").Default([]string{"TLSv1.2", "TLSv1.3"}).Validate(eachValid(servertls.CheckProtocol)).Doc("TLS versions to accept: TLSv1.1, TLSv1.2, TLSv1.3.")

	obsoleteSSL              = plugin.Any("ssl").Obsolete("Set 'ssl_enabled' instead.")
	obsoleteKeystore         = plugin.Any("keystore").Obsolete("Set 'ssl_keystore_path' instead.")
	obsoleteKeystorePassword = plugin.Any("keystore_password").Obsolete("Set 'ssl_keystore_password' instead.")
	obsoleteVerifyMode       = plugin.Any("verify_mode").Obsolete("Set 'ssl_client_authentication' instead.")
	obsoleteCipherSuites     = plugin.Any("cipher_suites").Obsolete("Set 'ssl_cipher_suites' instead.")
	obsoleteTLSMinVersion    = plugin.Any("tls_min_version").Obsolete("Set 'ssl_supported_protocols' instead.")
	obsoleteTLSMaxVersion    = plugin.Any("tls_max_version").Obsolete("Set 'ssl_supported_protocols' instead.")
	obsoleteSSLVerifyMode    = plugin.Any("ssl_verify_mode").Obsolete("Set 'ssl_client_authentication' instead.")
)

var sslOptions = []plugin.Handle{optSSLCertificate, optSSLKey, optSSLKeyPassphrase, optSSLKeystorePath, optSSLKeystorePassword,
	optSSLKeystoreType, optSSLTruststorePath, optSSLTruststorePassword, optSSLTruststoreType, optSSLCertificateAuthorities,
	optSSLClientAuthentication, optSSLHandshakeTimeout, optSSLCipherSuites, optSSLSupportedProtocols}

func init() {
	opts := []plugin.Declared{optHost, optPort, optUser, optPassword, optAdditionalCodecs, optResponseHeaders, optResponseCode,
		optRemoteHostTargetField, optRequestHeadersTargetField, optThreads, optMaxPendingRequests, optMaxContentLength, optSSLEnabled}
	for _, o := range sslOptions {
		opts = append(opts, o)
	}
	opts = append(opts, plugin.ECS, obsoleteSSL, obsoleteKeystore, obsoleteKeystorePassword, obsoleteVerifyMode, obsoleteCipherSuites,
		obsoleteTLSMinVersion, obsoleteTLSMaxVersion, obsoleteSSLVerifyMode)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "http",
			Summary: "Receives events in HTTP(S) request bodies, decoded by the codec the Content-Type selects; answers 429 when the pipeline stays full.",
			Options: opts,
		},
		New: newInput,
	})
}

func mapOf(k, v string) *event.Map {
	m := event.NewMap(1)
	m.Set(k, v)
	return m
}

func oneOfCodes(code int64) error {
	if !slices.Contains([]int64{200, 201, 202, 204}, code) {
		return fmt.Errorf("Expected one of [200, 201, 202, 204], got %d", code)
	}
	return nil
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

type input struct {
	s   *plugin.Settings
	log *slog.Logger

	host            string
	port            int
	authToken       string // "Basic <base64(user:password)>", or "" when authentication is off
	responseHeaders [][2]string
	responseCode    int
	threads         int
	maxPending      int
	maxContent      int64
	tls             *tls.Config
	handshake       int64 // milliseconds

	ecs           bool
	remoteHost    event.FieldRef
	headersTarget event.FieldRef
	// codecs maps a MIME type to the codec plugin block that builds it.
	codecs map[string]*lang.Plugin
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{
		s:            s,
		log:          s.Logger(),
		host:         optHost.Get(s),
		port:         int(optPort.Get(s)),
		responseCode: int(optResponseCode.Get(s)),
		threads:      int(optThreads.Get(s)),
		maxPending:   int(optMaxPendingRequests.Get(s)),
		maxContent:   optMaxContentLength.Get(s),
		handshake:    optSSLHandshakeTimeout.Get(s),
		ecs:          s.ECS() != "disabled",
		codecs:       map[string]*lang.Plugin{},
	}
	if !optThreads.IsSet(s) {
		in.threads = runtime.NumCPU()
	}
	if err := in.configureSSL(); err != nil {
		return nil, err
	}
	if optUser.IsSet(s) && optPassword.IsSet(s) {
		in.authToken = "Basic " + base64.StdEncoding.EncodeToString([]byte(optUser.Get(s)+":"+optPassword.Get(s).Reveal()))
	}
	optResponseHeaders.Get(s).Range(func(k string, v any) bool {
		in.responseHeaders = append(in.responseHeaders, [2]string{k, ruby.ToS(v)})
		return true
	})
	remote, headers := "host", "headers"
	if in.ecs {
		remote, headers = "[host][ip]", "[@metadata][input][http][request][headers]"
	}
	if optRemoteHostTargetField.IsSet(s) {
		remote = optRemoteHostTargetField.Get(s)
	}
	if optRequestHeadersTargetField.IsSet(s) {
		headers = optRequestHeadersTargetField.Get(s)
	}
	in.remoteHost, in.headersTarget = event.MustFieldRef(remote), event.MustFieldRef(headers)
	var codecErr error
	optAdditionalCodecs.Get(s).Range(func(mime string, v any) bool {
		p := &lang.Plugin{Name: ruby.ToS(v), Pos: optAdditionalCodecs.Pos(s)}
		if _, diags := plugin.Build(plugin.KindCodec, p, &plugin.BuildContext{Pipeline: s.Pipeline()}); diags.HasErrors() {
			var msgs []string
			for _, d := range diags {
				if d.Severity == lang.Error {
					msgs = append(msgs, d.Summary)
				}
			}
			codecErr = optAdditionalCodecs.Errorf(s, "codec for %q: %s", mime, strings.Join(msgs, "; "))
			return false
		}
		in.codecs[mime] = p
		return true
	})
	if codecErr != nil {
		return nil, codecErr
	}
	return in, nil
}

// newCodec builds an instance of an additional codec (validated in
// newInput, so building cannot fail).
func (in *input) newCodec(p *lang.Plugin) plugin.Codec {
	inst, diags := plugin.Build(plugin.KindCodec, p, &plugin.BuildContext{Pipeline: in.s.Pipeline()})
	if inst == nil {
		panic(fmt.Sprintf("codec %q: %s", p.Name, diags.Error()))
	}
	return inst.Plugin.(plugin.Codec)
}

// configureSSL checks the ssl_* options as Logstash's validate_ssl_settings!
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
	hasCert, hasKey := optSSLCertificate.IsSet(s), optSSLKey.IsSet(s)
	hasKeystore, hasTruststore := optSSLKeystorePath.IsSet(s), optSSLTruststorePath.IsSet(s)
	hasCAs := len(optSSLCertificateAuthorities.Get(s)) > 0
	switch {
	case hasCert && !hasKey:
		return optSSLCertificate.Errorf(s, "Using an `ssl_certificate` requires an `ssl_key`")
	case hasKey && !hasCert:
		return optSSLKey.Errorf(s, "An `ssl_certificate` is required when using an `ssl_key`")
	case !hasCert && !hasKeystore:
		return optSSLEnabled.Errorf(s, "Either an `ssl_certificate` or `ssl_keystore_path` is required when SSL is enabled `ssl_enabled => true`")
	case hasCert && hasKeystore:
		return optSSLKeystorePath.Errorf(s, "Use either an `ssl_certificate` or an `ssl_keystore_path`")
	case hasCAs && hasTruststore:
		return optSSLTruststorePath.Errorf(s, "Use either an `ssl_certificate_authorities` or an `ssl_truststore_path`")
	}
	mode := optSSLClientAuthentication.Get(s)
	if mode != "none" {
		if !hasCAs && !hasTruststore && !hasKeystore {
			return optSSLClientAuthentication.Errorf(s, "Using `ssl_client_authentication` set to `optional` or `required`, requires the configuration of `ssl_certificate_authorities` or `ssl_truststore_path`")
		}
	} else {
		if hasTruststore {
			return optSSLTruststorePath.Errorf(s, "The configuration of `ssl_truststore_path` requires setting `ssl_client_authentication` to `optional` or 'required'")
		}
		if hasCAs {
			return optSSLCertificateAuthorities.Errorf(s, "The configuration of `ssl_certificate_authorities` requires setting `ssl_client_authentication` to `optional` or 'required'")
		}
	}
	cfg := servertls.Config{
		Certificate:          optSSLCertificate.Get(s),
		Key:                  optSSLKey.Get(s),
		KeyPassphrase:        optSSLKeyPassphrase.Get(s).Reveal(),
		KeyStore:             optSSLKeystorePath.Get(s),
		KeyStoreType:         optSSLKeystoreType.Get(s),
		KeyStorePassword:     optSSLKeystorePassword.Get(s).Reveal(),
		ClientAuthentication: mode,
		SupportedProtocols:   optSSLSupportedProtocols.Get(s),
		CipherSuites:         optSSLCipherSuites.Get(s),
	}
	if mode != "none" {
		if hasCAs {
			cfg.CertificateAuthorities = optSSLCertificateAuthorities.Get(s)
		} else if hasTruststore {
			cfg.TrustStore = optSSLTruststorePath.Get(s)
			cfg.TrustStoreType = optSSLTruststoreType.Get(s)
			cfg.TrustStorePassword = optSSLTruststorePassword.Get(s).Reveal()
		}
	}
	var err error
	if in.tls, err = cfg.Build(); err != nil {
		in.log.Error("SSL configuration invalid", slog.String("message", err.Error()))
		return servertls.Locate(s, err, optSSLEnabled, sslOptions...)
	}
	return nil
}
