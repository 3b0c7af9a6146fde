package esclient

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// TLSSettings are the TLS options of the Elasticsearch-family plugins, by
// meaning (the plugins name them differently: ssl_certificate_authorities
// or cacert, ssl_keystore_path or keystore).
type TLSSettings struct {
	// CAFiles are PEM files of certificates to trust instead of the
	// system's.
	CAFiles []string
	// CATrustedFingerprint is the hex SHA-256 of a CA certificate trusted
	// whenever the server's chain holds it.
	CATrustedFingerprint string
	// Truststore is a JKS or PKCS12 file of trusted certificates.
	TruststorePath, TruststoreType, TruststorePassword string
	// Keystore is a JKS or PKCS12 file holding the client certificate.
	KeystorePath, KeystoreType, KeystorePassword string
	// Certificate and Key are PEM files of the client certificate chain
	// and its unencrypted PKCS#8 (or PKCS#1/EC) key.
	Certificate, Key string
	// VerifyNone turns off certificate and host name verification.
	VerifyNone bool
	// Protocols are TLS versions by Java name (TLSv1.1, TLSv1.2, TLSv1.3).
	Protocols []string
	// Ciphers are cipher suites by IANA name.
	Ciphers []string
}

// Config builds the tls.Config the settings describe.
func (t TLSSettings) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	var roots *x509.CertPool
	for _, f := range t.CAFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if roots == nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("no PEM certificate in %s", f)
		}
	}
	if t.TruststorePath != "" {
		pool, err := loadTruststore(t.TruststorePath, t.TruststoreType, t.TruststorePassword)
		if err != nil {
			return nil, err
		}
		roots = pool
	}
	cfg.RootCAs = roots
	switch {
	case t.Certificate != "":
		cert, err := tls.LoadX509KeyPair(t.Certificate, t.Key)
		if err != nil {
			return nil, fmt.Errorf("reading ssl_certificate and ssl_key: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.KeystorePath != "":
		cert, err := loadKeystore(t.KeystorePath, t.KeystoreType, t.KeystorePassword)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if err := t.versions(cfg); err != nil {
		return nil, err
	}
	if err := t.cipherSuites(cfg); err != nil {
		return nil, err
	}
	switch {
	case t.VerifyNone:
		cfg.InsecureSkipVerify = true
	case t.CATrustedFingerprint != "":
		fp, err := hex.DecodeString(strings.ReplaceAll(strings.ToLower(t.CATrustedFingerprint), ":", ""))
		if err != nil || len(fp) != sha256.Size {
			return nil, fmt.Errorf("ca_trusted_fingerprint %q is not a hex SHA-256 fingerprint", t.CATrustedFingerprint)
		}
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = fingerprintVerifier(roots, fp)
	}
	return cfg, nil
}

// fingerprintVerifier accepts a chain the roots verify, or one that
// verifies up to a CA certificate of the chain with the trusted
// fingerprint; the host name is checked either way. The client's dialer
// fills in ServerName for IP hosts, to which no SNI is sent.
func fingerprintVerifier(roots *x509.CertPool, fingerprint []byte) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the server sent no certificate")
		}
		leaf := cs.PeerCertificates[0]
		opts := x509.VerifyOptions{Roots: roots, DNSName: cs.ServerName, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := leaf.Verify(opts); err == nil {
			return nil
		}
		for _, c := range cs.PeerCertificates {
			sum := sha256.Sum256(c.Raw)
			if c.IsCA && bytes.Equal(sum[:], fingerprint) {
				opts.Roots = x509.NewCertPool()
				opts.Roots.AddCert(c)
				_, err := leaf.Verify(opts)
				return err
			}
		}
		return errors.New("the server's certificate chain is not trusted and holds no CA certificate matching ca_trusted_fingerprint")
	}
}

var tlsVersions = map[string]uint16{"TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

func (t TLSSettings) versions(cfg *tls.Config) error {
	if len(t.Protocols) == 0 {
		return nil
	}
	var lo, hi uint16
	for _, p := range t.Protocols {
		v, ok := tlsVersions[p]
		if !ok {
			return fmt.Errorf("unsupported TLS protocol %q: use TLSv1.1, TLSv1.2 or TLSv1.3", p)
		}
		if lo == 0 || v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	cfg.MinVersion, cfg.MaxVersion = lo, hi
	return nil
}

func (t TLSSettings) cipherSuites(cfg *tls.Config) error {
	if len(t.Ciphers) == 0 {
		return nil
	}
	byName := map[string]*tls.CipherSuite{}
	for _, c := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[c.Name] = c
	}
	for _, name := range t.Ciphers {
		c, ok := byName[name]
		if !ok {
			return fmt.Errorf("unsupported cipher suite %q", name)
		}
		// TLS 1.3 suites are not configurable in Go: they are always on.
		if len(c.SupportedVersions) == 1 && c.SupportedVersions[0] == tls.VersionTLS13 {
			continue
		}
		cfg.CipherSuites = append(cfg.CipherSuites, c.ID)
	}
	return nil
}

// jksMagic starts every Java KeyStore file.
var jksMagic = []byte{0xFE, 0xED, 0xFE, 0xED}

// storeKind is the store's type as configured, or guessed from its first
// bytes as Java's keystore loader does.
func storeKind(configured string, data []byte) string {
	if configured != "" {
		return strings.ToLower(configured)
	}
	if bytes.HasPrefix(data, jksMagic) {
		return "jks"
	}
	return "pkcs12"
}

func loadTruststore(path, kind, password string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	switch storeKind(kind, data) {
	case "jks":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return nil, fmt.Errorf("reading JKS truststore %s: %v", path, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsTrustedCertificateEntry(alias) {
				continue
			}
			entry, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return nil, fmt.Errorf("reading JKS truststore entry %q: %v", alias, err)
			}
			cert, err := x509.ParseCertificate(entry.Certificate.Content)
			if err != nil {
				return nil, fmt.Errorf("JKS truststore entry %q: %v", alias, err)
			}
			pool.AddCert(cert)
		}
	default:
		certs, err := pkcs12.DecodeTrustStore(data, password)
		if err != nil {
			return nil, fmt.Errorf("reading PKCS12 truststore %s: %v", path, err)
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

func loadKeystore(path, kind, password string) (tls.Certificate, error) {
	var none tls.Certificate
	data, err := os.ReadFile(path)
	if err != nil {
		return none, err
	}
	switch storeKind(kind, data) {
	case "jks":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return none, fmt.Errorf("reading JKS keystore %s: %v", path, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsPrivateKeyEntry(alias) {
				continue
			}
			entry, err := ks.GetPrivateKeyEntry(alias, []byte(password))
			if err != nil {
				return none, fmt.Errorf("reading JKS key %q: %v", alias, err)
			}
			key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
			if err != nil {
				return none, fmt.Errorf("JKS key %q: %v", alias, err)
			}
			cert := tls.Certificate{PrivateKey: key}
			for _, c := range entry.CertificateChain {
				cert.Certificate = append(cert.Certificate, c.Content)
			}
			return cert, nil
		}
		return none, fmt.Errorf("JKS keystore %s holds no private key entry", path)
	default:
		key, leaf, chain, err := pkcs12.DecodeChain(data, password)
		if err != nil {
			return none, fmt.Errorf("reading PKCS12 keystore %s: %v", path, err)
		}
		cert := tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}, Leaf: leaf}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		return cert, nil
	}
}
