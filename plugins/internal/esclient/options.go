package esclient

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// The connection options the elasticsearch output, input and filter share,
// with Logstash's names and defaults.
var (
	OptUser      = plugin.String("user").Doc("User name for HTTP basic authentication.")
	OptPassword  = plugin.Password("password").Doc("Password for HTTP basic authentication.")
	OptAPIKey    = plugin.Password("api_key").Doc("API key sent as `Authorization: ApiKey ...`: the base64 key, or `id:api_key` (encoded for you). Needs TLS.")
	OptCloudID   = plugin.String("cloud_id").Doc("Elastic Cloud deployment id (`label:base64`); it names the https host, so `hosts` must stay unset.")
	OptCloudAuth = plugin.Password("cloud_auth").Doc("Elastic Cloud credentials as `user:password`.")
	OptProxy     = plugin.URI("proxy").Doc("HTTP proxy to send every request through; an empty string means none.")

	OptCustomHeaders = plugin.Hash("custom_headers").Default(event.NewMap(0)).Doc("Headers added to every request.")

	OptSSLEnabled                = plugin.Bool("ssl_enabled").Doc("Use TLS. Unset: on when every host is an https URL.")
	OptSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Validate(filesExist).Doc("PEM file of CA certificates that the server's certificate must chain to (one file); the system's roots when unset.")
	OptSSLVerificationMode       = plugin.Enum("ssl_verification_mode", "full", "none").Default("full").Doc("`full` checks the server's certificate and host name; `none` checks nothing (insecure).")
	OptCATrustedFingerprint      = plugin.String("ca_trusted_fingerprint").Validate(checkFingerprint).Doc("Hex SHA-256 fingerprint of a CA certificate to trust when the server's chain holds it.")
	OptSSLTruststorePath         = plugin.Path("ssl_truststore_path").Doc("JKS or PKCS12 file of trusted certificates; not with ssl_certificate_authorities.")
	OptSSLTruststoreType         = plugin.Enum("ssl_truststore_type", "pkcs12", "jks").Doc("Format of ssl_truststore_path; guessed from the file when unset.")
	OptSSLTruststorePassword     = plugin.Password("ssl_truststore_password").Doc("Password of ssl_truststore_path.")
	OptSSLKeystorePath           = plugin.Path("ssl_keystore_path").Doc("JKS or PKCS12 file holding the client certificate and key; not with ssl_certificate.")
	OptSSLKeystoreType           = plugin.Enum("ssl_keystore_type", "pkcs12", "jks").Doc("Format of ssl_keystore_path; guessed from the file when unset.")
	OptSSLKeystorePassword       = plugin.Password("ssl_keystore_password").Doc("Password of ssl_keystore_path.")
	OptSSLSupportedProtocols     = plugin.Strings("ssl_supported_protocols").Default([]string{}).Validate(checkProtocols).Doc("TLS versions allowed: TLSv1.1, TLSv1.2, TLSv1.3; unset means TLSv1.2 and TLSv1.3.")
	OptSSLCertificate            = plugin.Path("ssl_certificate").Doc("PEM client certificate, for servers that ask for one; needs ssl_key.")
	OptSSLKey                    = plugin.Path("ssl_key").Doc("PEM (PKCS#8) private key of ssl_certificate.")
	OptSSLCipherSuites           = plugin.Strings("ssl_cipher_suites").Doc("Cipher suites allowed, by IANA name; Go's secure defaults when unset.")
)

// SecurityOptions are the shared authentication, proxy and TLS options.
func SecurityOptions() []plugin.Declared {
	var out []plugin.Declared
	for _, h := range SecurityHandles() {
		out = append(out, h)
	}
	return out
}

// SecurityHandles are SecurityOptions as handles, for checks over them.
func SecurityHandles() []plugin.Handle {
	return []plugin.Handle{OptUser, OptPassword, OptAPIKey, OptCloudID, OptCloudAuth, OptProxy, OptCustomHeaders,
		OptSSLEnabled, OptSSLCertificateAuthorities, OptSSLVerificationMode, OptCATrustedFingerprint,
		OptSSLTruststorePath, OptSSLTruststoreType, OptSSLTruststorePassword,
		OptSSLKeystorePath, OptSSLKeystoreType, OptSSLKeystorePassword,
		OptSSLSupportedProtocols, OptSSLCertificate, OptSSLKey, OptSSLCipherSuites}
}

func filesExist(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("File does not exist or cannot be opened %s", p)
		}
	}
	return nil
}

func checkFingerprint(fp string) error {
	b, err := hex.DecodeString(strings.ReplaceAll(fp, ":", ""))
	if err != nil || len(b) != 32 {
		return errors.New("Expected a hex-encoded SHA-256 fingerprint (64 hex digits)")
	}
	return nil
}

func checkProtocols(ps []string) error {
	for _, p := range ps {
		if _, ok := tlsVersions[p]; !ok {
			return fmt.Errorf(`Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got [%q]`, p)
		}
	}
	return nil
}

// Security is what the shared options say about authentication, TLS and
// the proxy.
type Security struct {
	// Hosts are the configured hosts, or the one cloud_id names.
	Hosts []*url.URL
	// Scheme is "https" when TLS is on, "http" when it is off.
	Scheme         string
	User, Password string
	TLS            *TLSSettings
	Header         http.Header
	Proxy          *url.URL
}

// ReadSecurity reads and cross-checks the shared options as Logstash's
// register does: one authentication method at most, cloud_id instead of
// hosts, API keys only over TLS, CA and client certificate options that
// do not conflict. hostsSet says whether the plugin's hosts were
// configured (not defaulted).
func ReadSecurity(s *plugin.Settings, hosts []*url.URL, hostsSet bool, log *slog.Logger) (*Security, error) {
	sec := &Security{Hosts: hosts, Header: http.Header{}}
	if OptCloudID.IsSet(s) {
		if hostsSet {
			return nil, OptCloudID.Errorf(s, "Both cloud_id and hosts specified, please only use one of those.")
		}
		u, err := CloudID(OptCloudID.Get(s))
		if err != nil {
			return nil, OptCloudID.Errorf(s, "%v", err)
		}
		sec.Hosts = []*url.URL{u}
	}
	methods := 0
	if OptCloudAuth.IsSet(s) {
		methods++
	}
	if OptAPIKey.IsSet(s) {
		methods++
	}
	if OptUser.IsSet(s) || OptPassword.IsSet(s) {
		methods++
	}
	if methods > 1 {
		return nil, s.Errorf("Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key")
	}
	switch {
	case OptSSLEnabled.IsSet(s):
		sec.Scheme = "http"
		if OptSSLEnabled.Get(s) {
			sec.Scheme = "https"
		}
		for _, h := range sec.Hosts {
			if h.Scheme != "" && h.Scheme != sec.Scheme {
				return nil, OptSSLEnabled.Errorf(s, "SSL option was explicitly set to %v but a URL was also declared with a scheme of '%s'. Please reconcile this", OptSSLEnabled.Get(s), h.Scheme)
			}
		}
	default:
		sec.Scheme = "http"
		for _, h := range sec.Hosts {
			if h.Scheme == "https" {
				sec.Scheme = "https"
			}
		}
	}
	if OptAPIKey.IsSet(s) {
		if sec.Scheme != "https" {
			return nil, OptAPIKey.Errorf(s, "Using api_key authentication requires SSL/TLS secured communication using the `ssl_enabled => true` option")
		}
		value, err := APIKeyHeader(OptAPIKey.Get(s).Reveal())
		if err != nil {
			return nil, OptAPIKey.Errorf(s, "%v", err)
		}
		sec.Header.Set("Authorization", value)
	}
	switch {
	case OptCloudAuth.IsSet(s):
		user, password, err := CloudAuth(OptCloudAuth.Get(s).Reveal())
		if err != nil {
			return nil, OptCloudAuth.Errorf(s, "%v", err)
		}
		sec.User, sec.Password = user, password
	case OptUser.IsSet(s) && !OptPassword.IsSet(s):
		return nil, OptUser.Errorf(s, "User '%s' specified without password!", OptUser.Get(s))
	case OptPassword.IsSet(s) && !OptUser.IsSet(s):
		return nil, OptPassword.Errorf(s, "Password specified without user!")
	case OptUser.IsSet(s):
		sec.User, sec.Password = OptUser.Get(s), OptPassword.Get(s).Reveal()
	}
	if OptProxy.IsSet(s) {
		raw := OptProxy.Get(s)
		if raw == "" {
			log.Warn("Supplied proxy setting (proxy => '') has no effect")
		} else {
			u, err := url.Parse(raw)
			if err != nil || u.Host == "" {
				return nil, OptProxy.Errorf(s, "invalid proxy URL %q", raw)
			}
			sec.Proxy = u
		}
	}
	var headerErr error
	OptCustomHeaders.Get(s).Range(func(k string, v any) bool {
		if _, isList := v.([]any); isList {
			headerErr = OptCustomHeaders.Errorf(s, "header %q: expected one value", k)
			return false
		}
		sec.Header.Set(k, event.ValueString(v))
		return true
	})
	if headerErr != nil {
		return nil, headerErr
	}
	tlsSettings, err := readTLS(s, sec.Scheme == "https", log)
	if err != nil {
		return nil, err
	}
	sec.TLS = tlsSettings
	return sec, nil
}

// readTLS checks the TLS options; the settings are nil when TLS is off.
func readTLS(s *plugin.Settings, enabled bool, log *slog.Logger) (*TLSSettings, error) {
	cas := OptSSLCertificateAuthorities.Get(s)
	switch {
	case len(cas) > 0 && OptSSLTruststorePath.IsSet(s):
		return nil, OptSSLTruststorePath.Errorf(s, `Use either "ssl_certificate_authorities" or "ssl_truststore_path" when configuring the CA certificate`)
	case OptSSLCertificate.IsSet(s) && OptSSLKeystorePath.IsSet(s):
		return nil, OptSSLKeystorePath.Errorf(s, `Use either "ssl_certificate" or "ssl_keystore_path" when configuring client certificates`)
	case len(cas) > 1:
		return nil, OptSSLCertificateAuthorities.Errorf(s, `Multiple values on "ssl_certificate_authorities" are not supported by this plugin`)
	case OptSSLCertificate.IsSet(s) && !OptSSLKey.IsSet(s):
		return nil, OptSSLCertificate.Errorf(s, `Using an "ssl_certificate" requires an "ssl_key"`)
	case OptSSLKey.IsSet(s) && !OptSSLCertificate.IsSet(s):
		return nil, OptSSLKey.Errorf(s, `An "ssl_certificate" is required when using an "ssl_key"`)
	}
	if !enabled {
		var set []string
		for _, o := range []plugin.Handle{OptSSLCertificateAuthorities, OptCATrustedFingerprint, OptSSLTruststorePath, OptSSLKeystorePath, OptSSLCertificate, OptSSLKey, OptSSLSupportedProtocols, OptSSLCipherSuites} {
			if o.IsSet(s) {
				set = append(set, o.Name())
			}
		}
		if len(set) > 0 {
			log.Warn("TLS is off (no https host and ssl_enabled unset or false), so these options have no effect: " + strings.Join(set, ", "))
		}
		return nil, nil
	}
	t := &TLSSettings{
		CAFiles:              cas,
		CATrustedFingerprint: OptCATrustedFingerprint.Get(s),
		TruststorePath:       OptSSLTruststorePath.Get(s),
		TruststoreType:       OptSSLTruststoreType.Get(s),
		TruststorePassword:   OptSSLTruststorePassword.Get(s).Reveal(),
		KeystorePath:         OptSSLKeystorePath.Get(s),
		KeystoreType:         OptSSLKeystoreType.Get(s),
		KeystorePassword:     OptSSLKeystorePassword.Get(s).Reveal(),
		Certificate:          OptSSLCertificate.Get(s),
		Key:                  OptSSLKey.Get(s),
		VerifyNone:           OptSSLVerificationMode.Get(s) == "none",
		Protocols:            OptSSLSupportedProtocols.Get(s),
		Ciphers:              OptSSLCipherSuites.Get(s),
	}
	if t.VerifyNone {
		log.Warn("You have enabled encryption but DISABLED certificate verification, to make sure your data is secure set `ssl_verification_mode => full`")
	}
	if _, err := t.Config(); err != nil {
		return nil, OptSSLEnabled.Errorf(s, "%v", err)
	}
	return t, nil
}
