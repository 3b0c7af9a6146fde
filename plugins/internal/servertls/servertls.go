// Package servertls builds the server side of TLS for the network inputs
// (beats, tcp, http) from their ssl_* options, as Logstash's Netty
// SslContextBuilders do: a PEM certificate chain and key (PKCS#1, PKCS#8 or
// SEC 1, encrypted or not) or a PKCS12/JKS keystore, trusted client CAs,
// client authentication none/optional/required, protocol versions and
// cipher suites by their Java (IANA) names.
package servertls

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/gostash/gostash/runtime/plugin"
)

// Config is what the ssl_* options say. Empty fields take Go's defaults.
type Config struct {
	Certificate     string // PEM certificate chain file
	Key             string // PEM private key file
	KeyPassphrase   string
	ExtraChainCerts []string // PEM files appended to the served chain

	KeyStore         string // PKCS12 or JKS file holding the key and chain (instead of Certificate/Key)
	KeyStoreType     string // pkcs12 or jks; guessed from the file when empty
	KeyStorePassword string

	CertificateAuthorities []string // PEM files of the CAs client certificates must chain to
	TrustStore             string   // PKCS12 or JKS file of trusted CAs (instead of CertificateAuthorities)
	TrustStoreType         string
	TrustStorePassword     string

	// ClientAuthentication is none, optional or required. Without CAs or a
	// truststore, client certificates are checked against the system's CAs,
	// as the tcp input's Netty context falls back to the JVM's trust store.
	ClientAuthentication string

	SupportedProtocols []string // TLSv1.1, TLSv1.2, TLSv1.3
	CipherSuites       []string // IANA names, as Java spells them
}

// Error is a problem with one option's value; Option names it so the
// plugin can locate the error.
type Error struct {
	Option string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Locate makes a Build error a config error located at the option it is
// about, among the plugin's options, or at fallback.
func Locate(s *plugin.Settings, err error, fallback plugin.Handle, options ...plugin.Handle) error {
	var oe *Error
	if errors.As(err, &oe) {
		for _, o := range options {
			if o.Name() == oe.Option {
				return o.Errorf(s, "%v", oe.Err)
			}
		}
		return fallback.Errorf(s, "%v", oe.Err)
	}
	return fallback.Errorf(s, "%v", err)
}

func optionErr(option string, format string, args ...any) error {
	return &Error{Option: option, Err: fmt.Errorf(format, args...)}
}

// Protocols maps Logstash's protocol names to Go's versions.
var Protocols = map[string]uint16{
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// ProtocolNames are the values ssl_supported_protocols accepts.
var ProtocolNames = []string{"TLSv1.1", "TLSv1.2", "TLSv1.3"}

// ProtocolName is the Java name of a negotiated version ("TLSv1.3").
func ProtocolName(v uint16) string {
	for name, ver := range Protocols {
		if ver == v {
			return name
		}
	}
	if v == tls.VersionTLS10 {
		return "TLSv1"
	}
	return fmt.Sprintf("0x%04x", v)
}

// DefaultCipherSuites is the beats and http inputs' preferred list (Mozilla's
// modern and intermediate suites), kept to the suites Go implements, as the
// plugins keep it to the ones the JVM supports.
var DefaultCipherSuites = func() []string {
	var out []string
	for _, name := range []string{
		"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	} {
		if _, ok := cipherSuiteIDs[name]; ok {
			out = append(out, name)
		}
	}
	return out
}()

// cipherSuiteIDs holds every suite Go implements, secure or not, by name.
var cipherSuiteIDs = func() map[string]uint16 {
	m := map[string]uint16{}
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		m[cs.Name] = cs.ID
	}
	return m
}()

// CheckCipherSuite is the validation of one ssl_cipher_suites value.
func CheckCipherSuite(name string) error {
	if _, ok := cipherSuiteIDs[strings.ToUpper(name)]; !ok {
		return fmt.Errorf("Cipher `%s` is not available", name)
	}
	return nil
}

// CheckProtocol is the validation of one ssl_supported_protocols value.
func CheckProtocol(name string) error {
	if _, ok := Protocols[name]; !ok {
		return fmt.Errorf("Expected one of [\"TLSv1.1\", \"TLSv1.2\", \"TLSv1.3\"], got %q", name)
	}
	return nil
}

// Build returns the server TLS configuration.
func (c Config) Build() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	var cert tls.Certificate
	var err error
	if c.KeyStore != "" {
		cert, err = loadKeyStore(c.KeyStore, c.KeyStoreType, c.KeyStorePassword)
	} else {
		cert, err = LoadKeyPair(c.Certificate, c.Key, c.KeyPassphrase, c.ExtraChainCerts)
	}
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{cert}

	switch c.ClientAuthentication {
	case "", "none":
		cfg.ClientAuth = tls.NoClientCert
	case "optional":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case "required":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		return nil, optionErr("ssl_client_authentication", "Invalid `ssl_client_authentication` value %s", c.ClientAuthentication)
	}
	if cfg.ClientAuth != tls.NoClientCert {
		switch {
		case len(c.CertificateAuthorities) > 0:
			cfg.ClientCAs, err = LoadCertPool(c.CertificateAuthorities)
		case c.TrustStore != "":
			cfg.ClientCAs, err = loadTrustStore(c.TrustStore, c.TrustStoreType, c.TrustStorePassword)
		case c.KeyStore != "":
			// Java's trust manager falls back to the keystore's
			// certificates.
			cfg.ClientCAs = x509.NewCertPool()
			for _, der := range cert.Certificate {
				if c, err := x509.ParseCertificate(der); err == nil {
					cfg.ClientCAs.AddCert(c)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}

	if len(c.SupportedProtocols) > 0 {
		// Go takes a range of versions: the lowest and highest listed.
		var lo, hi uint16
		for _, p := range c.SupportedProtocols {
			v, ok := Protocols[p]
			if !ok {
				return nil, optionErr("ssl_supported_protocols", "unsupported protocol %q", p)
			}
			if lo == 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
		}
		cfg.MinVersion, cfg.MaxVersion = lo, hi
	}
	if len(c.CipherSuites) > 0 {
		// Go always offers its TLS 1.3 suites; the list restricts TLS 1.2
		// and below.
		var only13 = true
		for _, name := range c.CipherSuites {
			id, ok := cipherSuiteIDs[strings.ToUpper(name)]
			if !ok {
				return nil, optionErr("ssl_cipher_suites", "Cipher `%s` is not available", name)
			}
			if !isTLS13Suite(id) {
				only13 = false
				cfg.CipherSuites = append(cfg.CipherSuites, id)
			}
		}
		if only13 && cfg.MinVersion < tls.VersionTLS13 {
			cfg.MinVersion = tls.VersionTLS13
		}
	}
	return cfg, nil
}

func isTLS13Suite(id uint16) bool {
	for _, cs := range tls.CipherSuites() {
		if cs.ID == id {
			return slices.Equal(cs.SupportedVersions, []uint16{tls.VersionTLS13})
		}
	}
	return false
}

// LoadKeyPair reads a PEM certificate chain (plus extra chain files) and a
// PEM private key: PKCS#8, PKCS#1 or SEC 1, encrypted (PKCS#8 PBES2, or
// OpenSSL's legacy Proc-Type encryption) when passphrase is set.
func LoadKeyPair(certFile, keyFile, passphrase string, extra []string) (tls.Certificate, error) {
	var out tls.Certificate
	chain, err := ReadCertificates(certFile)
	if err != nil {
		return out, optionErr("ssl_certificate", "%v", err)
	}
	if len(chain) == 0 {
		return out, optionErr("ssl_certificate", "failed to read certificate from ssl_certificate path %s", certFile)
	}
	for _, f := range extra {
		more, err := ReadCertificates(f)
		if err != nil {
			return out, optionErr("ssl_extra_chain_certs", "%v", err)
		}
		chain = append(chain, more...)
	}
	key, err := readPrivateKey(keyFile, passphrase)
	if err != nil {
		return out, optionErr("ssl_key", "%v", err)
	}
	for _, c := range chain {
		out.Certificate = append(out.Certificate, c.Raw)
	}
	out.PrivateKey = key
	out.Leaf = chain[0]
	if !publicKeyMatches(chain[0], key) {
		return out, optionErr("ssl_key", "the private key in %s does not match the certificate in %s", keyFile, certFile)
	}
	return out, nil
}

func publicKeyMatches(cert *x509.Certificate, key crypto.PrivateKey) bool {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// ReadCertificates reads every certificate of a PEM file.
func ReadCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func readPrivateKey(file, passphrase string) (crypto.PrivateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("no private key in %s", file)
		}
		der := block.Bytes
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY":
			if passphrase == "" {
				return nil, fmt.Errorf("the key in %s is encrypted: set ssl_key_passphrase", file)
			}
			k, err := pkcs8.ParsePKCS8PrivateKey(der, []byte(passphrase))
			if err != nil {
				return nil, fmt.Errorf("decrypting the key in %s: %v", file, err)
			}
			return k, nil
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // OpenSSL's legacy key encryption is still in use
				der, err = x509.DecryptPEMBlock(block, []byte(passphrase)) //nolint:staticcheck
				if err != nil {
					return nil, fmt.Errorf("decrypting the key in %s: %v", file, err)
				}
			}
			if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
				return k, nil
			}
			if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
				return k, nil
			}
			if k, err := x509.ParseECPrivateKey(der); err == nil {
				return k, nil
			}
			return nil, fmt.Errorf("unreadable %s in %s", block.Type, file)
		}
	}
}

// LoadCertPool reads every certificate of the PEM files.
func LoadCertPool(files []string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, f := range files {
		certs, err := ReadCertificates(f)
		if err != nil {
			return nil, optionErr("ssl_certificate_authorities", "%v", err)
		}
		if len(certs) == 0 {
			return nil, optionErr("ssl_certificate_authorities", "no certificate in %s", f)
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

var jksMagic = []byte{0xFE, 0xED, 0xFE, 0xED}

func storeKind(data []byte, declared string) string {
	if declared != "" {
		return strings.ToLower(declared)
	}
	if bytes.HasPrefix(data, jksMagic) {
		return "jks"
	}
	return "pkcs12"
}

func loadKeyStore(file, kind, password string) (tls.Certificate, error) {
	var none tls.Certificate
	data, err := os.ReadFile(file)
	if err != nil {
		return none, optionErr("ssl_keystore_path", "%v", err)
	}
	if storeKind(data, kind) == "jks" {
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return none, optionErr("ssl_keystore_path", "reading JKS keystore %s: %v", file, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsPrivateKeyEntry(alias) {
				continue
			}
			entry, err := ks.GetPrivateKeyEntry(alias, []byte(password))
			if err != nil {
				return none, optionErr("ssl_keystore_path", "reading JKS key %q: %v", alias, err)
			}
			key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
			if err != nil {
				return none, optionErr("ssl_keystore_path", "JKS key %q: %v", alias, err)
			}
			cert := tls.Certificate{PrivateKey: key}
			for _, c := range entry.CertificateChain {
				cert.Certificate = append(cert.Certificate, c.Content)
			}
			return cert, nil
		}
		return none, optionErr("ssl_keystore_path", "JKS keystore %s holds no private key entry", file)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return none, optionErr("ssl_keystore_path", "reading PKCS12 keystore %s: %v", file, err)
	}
	cert := tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}, Leaf: leaf}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

func loadTrustStore(file, kind, password string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, optionErr("ssl_truststore_path", "%v", err)
	}
	pool := x509.NewCertPool()
	if storeKind(data, kind) == "jks" {
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return nil, optionErr("ssl_truststore_path", "reading JKS truststore %s: %v", file, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsTrustedCertificateEntry(alias) {
				continue
			}
			entry, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return nil, optionErr("ssl_truststore_path", "reading JKS truststore entry %q: %v", alias, err)
			}
			c, err := x509.ParseCertificate(entry.Certificate.Content)
			if err != nil {
				return nil, optionErr("ssl_truststore_path", "JKS truststore entry %q: %v", alias, err)
			}
			pool.AddCert(c)
		}
		return pool, nil
	}
	certs, err := pkcs12.DecodeTrustStore(data, password)
	if err != nil {
		return nil, optionErr("ssl_truststore_path", "reading PKCS12 truststore %s: %v", file, err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// Handshake runs the server handshake on conn within timeout (Logstash's
// ssl_handshake_timeout) or until ctx ends.
func Handshake(ctx context.Context, conn net.Conn, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	tc := tls.Server(conn, cfg)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("TLS handshake timed out after %v", timeout)
		}
		return nil, err
	}
	return tc, nil
}

// Peer is what a verified client certificate tells about the client.
type Peer struct {
	Verified bool
	Protocol string // "TLSv1.3"
	Subject  string // RFC 2253 distinguished name, as Java's X500Principal.getName gives it
	Cipher   string // IANA name
}

// PeerOf describes the client of an established TLS connection.
func PeerOf(cs tls.ConnectionState) Peer {
	p := Peer{Protocol: ProtocolName(cs.Version), Cipher: tls.CipherSuiteName(cs.CipherSuite)}
	if len(cs.VerifiedChains) > 0 && len(cs.PeerCertificates) > 0 {
		p.Verified = true
		p.Subject = cs.PeerCertificates[0].Subject.String()
	}
	return p
}
