// Package httpclient is Logstash's http_client mixin (logstash-mixin-
// http_client 7.x) for the plugins that call HTTP servers (the http
// output and filter, the http_poller input): its options,
// their checks, and a client built from them with the mixin's timeouts,
// connection pool, cookies, redirects, proxy, basic auth, TLS and
// automatic retries.
package httpclient

import (
	"fmt"
	"os"
	"slices"

	"github.com/gostash/gostash/plugins/internal/tlsopts"
	"github.com/gostash/gostash/runtime/plugin"
)

// The mixin's options, shared by the plugins that list Options.
var (
	RequestTimeout          = plugin.Float("request_timeout").Default(60).Doc("Seconds a whole request (connection, sending, the response and its body) may take.")
	SocketTimeout           = plugin.Float("socket_timeout").Default(10).Doc("Seconds to wait for the response's headers once the request is sent.")
	ConnectTimeout          = plugin.Float("connect_timeout").Default(10).Doc("Seconds to wait for a connection.")
	FollowRedirects         = plugin.Bool("follow_redirects").Default(true).Doc("Follow redirects.")
	PoolMax                 = plugin.Int("pool_max").Default(50).AtLeast(1).Doc("Connections kept open at most, in all.")
	PoolMaxPerRoute         = plugin.Int("pool_max_per_route").Default(25).AtLeast(1).Doc("Connections open at most to one host.")
	Keepalive               = plugin.Bool("keepalive").Default(true).Doc("Reuse connections between requests.")
	AutomaticRetries        = plugin.Int("automatic_retries").Default(1).AtLeast(0).Doc("How many times a request that failed on the connection (reset, closed without a response) is sent again at once; refused connections, unknown hosts, TLS failures and timeouts are not. Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) unless retry_non_idempotent.")
	RetryNonIdempotent      = plugin.Bool("retry_non_idempotent").Default(false).Doc("Let automatic_retries resend POST and PATCH requests too.")
	ValidateAfterInactivity = plugin.Int("validate_after_inactivity").Default(200).Doc("Kept for compatibility: Go checks idle connections itself and resends an idempotent request that met a stale one.")
	Cookies                 = plugin.Bool("cookies").Default(true).Doc("Keep cookies between requests, as a browser does.")
	Proxy                   = plugin.Any("proxy").Validate(checkProxy).Doc(`An HTTP proxy: a URL ("http://proxy:3128"), or a hash with host, port, scheme, user and password, or with url, user and password.`)
	User                    = plugin.String("user").Doc("The user for HTTP basic authentication, sent with every request.")
	Password                = plugin.Password("password").Doc("The password of user.")

	SSLEnabled                = plugin.Bool("ssl_enabled").Default(true).Doc("Allow https URLs with the ssl_ options below; when false those options are ignored.")
	SSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Validate(oneExistingFile).Doc("A PEM file of the CAs to trust instead of the system's (one file, which may hold several certificates).")
	SSLCertificate            = plugin.Path("ssl_certificate").Doc("A PEM client certificate to present; needs ssl_key.")
	SSLKey                    = plugin.Path("ssl_key").Doc("The PEM private key of ssl_certificate.")
	SSLKeystorePath           = plugin.Path("ssl_keystore_path").Doc("A PKCS12 (.p12) or JKS (.jks) keystore holding the client certificate and key.")
	SSLKeystorePassword       = plugin.Password("ssl_keystore_password").Doc("The keystore's password.")
	SSLKeystoreType           = plugin.Enum("ssl_keystore_type", "pkcs12", "jks").Doc("The keystore's format; without it, read from the file.")
	SSLTruststorePath         = plugin.Path("ssl_truststore_path").Doc("A PKCS12 or JKS truststore of the CAs to trust.")
	SSLTruststorePassword     = plugin.Password("ssl_truststore_password").Doc("The truststore's password.")
	SSLTruststoreType         = plugin.Enum("ssl_truststore_type", "pkcs12", "jks").Doc("The truststore's format; without it, read from the file.")
	SSLVerificationMode       = plugin.Enum("ssl_verification_mode", "full", "none").Default("full").Doc("full checks the server's certificate and that it names the host; none checks nothing.")
	SSLCipherSuites           = plugin.Strings("ssl_cipher_suites").Validate(cipherSuites).Doc("Cipher suites allowed, by their IANA names.")
	SSLSupportedProtocols     = plugin.Strings("ssl_supported_protocols").Default([]string{}).Validate(protocols).Doc("TLS versions allowed, of TLSv1.1, TLSv1.2, TLSv1.3; empty leaves Go's defaults (1.2 and 1.3).")

	obsoleteCACert             = plugin.Any("cacert").Obsolete("Use `ssl_certificate_authorities` instead")
	obsoleteClientCert         = plugin.Any("client_cert").Obsolete("Use `ssl_certificate` instead")
	obsoleteClientKey          = plugin.Any("client_key").Obsolete("Use `ssl_key` instead")
	obsoleteKeystore           = plugin.Any("keystore").Obsolete("Use `ssl_keystore_path` instead")
	obsoleteKeystoreType       = plugin.Any("keystore_type").Obsolete("Use `ssl_keystore_type` instead")
	obsoleteTruststore         = plugin.Any("truststore").Obsolete("Use `ssl_truststore_path` instead")
	obsoleteTruststoreType     = plugin.Any("truststore_type").Obsolete("Use `ssl_truststore_type` instead")
	obsoleteKeystorePassword   = plugin.Password("keystore_password").Obsolete("Use `ssl_keystore_password` instead")
	obsoleteTruststorePassword = plugin.Password("truststore_password").Obsolete("Use `ssl_truststore_password` instead")
)

// Options are the mixin's options, with the obsolete SSL ones, for a
// plugin's Spec.
func Options() []plugin.Declared { return options }

var options = []plugin.Declared{
	RequestTimeout, SocketTimeout, ConnectTimeout, FollowRedirects, PoolMax, PoolMaxPerRoute, Keepalive,
	AutomaticRetries, RetryNonIdempotent, ValidateAfterInactivity, Cookies, Proxy, User, Password,
	SSLEnabled, SSLCertificateAuthorities, SSLCertificate, SSLKey, SSLKeystorePath, SSLKeystorePassword,
	SSLKeystoreType, SSLTruststorePath, SSLTruststorePassword, SSLTruststoreType, SSLVerificationMode,
	SSLCipherSuites, SSLSupportedProtocols,
	obsoleteCACert, obsoleteClientCert, obsoleteClientKey, obsoleteKeystore, obsoleteKeystoreType,
	obsoleteTruststore, obsoleteTruststoreType, obsoleteKeystorePassword, obsoleteTruststorePassword,
}

// sslOptions are the ssl_ options other than ssl_enabled.
var sslOptions = []plugin.Handle{SSLCertificateAuthorities, SSLCertificate, SSLKey, SSLKeystorePath, SSLKeystorePassword,
	SSLKeystoreType, SSLTruststorePath, SSLTruststorePassword, SSLTruststoreType, SSLVerificationMode,
	SSLCipherSuites, SSLSupportedProtocols}

func oneExistingFile(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("File does not exist or cannot be opened %s", p)
		}
	}
	if len(paths) > 1 {
		return fmt.Errorf("Multiple values on `ssl_certificate_authorities` are not supported by this plugin")
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

func protocols(names []string) error {
	for _, n := range names {
		if !slices.Contains(tlsopts.ProtocolNames, n) {
			return fmt.Errorf(`Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got %q`, n)
		}
	}
	return nil
}
