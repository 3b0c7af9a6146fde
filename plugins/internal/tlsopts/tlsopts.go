// Package tlsopts turns the ssl_* options of the outputs and clients that
// speak TLS (tcp, syslog, http, http_poller) into Go TLS configurations:
// PEM certificates and keys (PKCS#1, PKCS#8 or SEC 1, encrypted or not),
// PKCS12 and JKS key and trust stores, CA files, verification modes,
// client authentication, protocol versions, cipher suites by their IANA
// (Java) names, and CRL checks.
package tlsopts

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/gostash/gostash/runtime/plugin"
)

// Error is a problem with one option's value; Option names it so that
// the plugin can locate it in the config.
type Error struct {
	Option string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func optionErr(option, format string, args ...any) error {
	return &Error{Option: option, Err: fmt.Errorf(format, args...)}
}

// Locate makes an error of this package a config error at the option it
// is about, among the plugin's handles, or at the plugin.
func Locate(s *plugin.Settings, err error, options ...plugin.Handle) error {
	var oe *Error
	if errors.As(err, &oe) {
		for _, o := range options {
			if o.Name() == oe.Option {
				return o.Errorf(s, "%v", oe.Err)
			}
		}
	}
	return s.Errorf("%v", err)
}

// ProtocolNames are the values ssl_supported_protocols takes.
var ProtocolNames = []string{"TLSv1.1", "TLSv1.2", "TLSv1.3"}

var protocols = map[string]uint16{"TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// cipherSuites holds every suite Go implements, by IANA name, which is
// also Java's name for it.
var cipherSuites = func() map[string]*tls.CipherSuite {
	m := map[string]*tls.CipherSuite{}
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		m[cs.Name] = cs
	}
	return m
}()

// CheckCipherSuite validates one ssl_cipher_suites entry.
func CheckCipherSuite(name string) error {
	if _, ok := cipherSuites[strings.ToUpper(name)]; !ok {
		return fmt.Errorf("Cipher `%s` is not available", name)
	}
	return nil
}

// Common are the options clients and servers share.
type Common struct {
	// SupportedProtocols is a subset of ProtocolNames; Go takes a range,
	// from the lowest listed to the highest. Empty keeps Go's default
	// (TLS 1.2 and 1.3, as current JDKs).
	SupportedProtocols []string
	// CipherSuites are IANA names. Go always offers its TLS 1.3 suites:
	// the list restricts TLS 1.2 and below, and a list of TLS 1.3 suites
	// only makes TLS 1.3 the minimum.
	CipherSuites []string
}

func (c Common) apply(cfg *tls.Config) error {
	if len(c.SupportedProtocols) > 0 {
		var lo, hi uint16
		for _, p := range c.SupportedProtocols {
			v, ok := protocols[p]
			if !ok {
				return optionErr("ssl_supported_protocols", "unsupported protocol %q: use %s", p, strings.Join(ProtocolNames, ", "))
			}
			if lo == 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
		}
		cfg.MinVersion, cfg.MaxVersion = lo, hi
	}
	only13 := len(c.CipherSuites) > 0
	for _, name := range c.CipherSuites {
		cs, ok := cipherSuites[strings.ToUpper(name)]
		if !ok {
			return optionErr("ssl_cipher_suites", "Cipher `%s` is not available", name)
		}
		if !slices.Equal(cs.SupportedVersions, []uint16{tls.VersionTLS13}) {
			only13 = false
			cfg.CipherSuites = append(cfg.CipherSuites, cs.ID)
		}
	}
	if only13 && cfg.MinVersion < tls.VersionTLS13 {
		cfg.MinVersion = tls.VersionTLS13
	}
	return nil
}

// Identity is the certificate a side presents: a PEM pair or a key store.
type Identity struct {
	Certificate   string // PEM chain file (ssl_certificate)
	Key           string // PEM private key file (ssl_key)
	KeyPassphrase string // ssl_key_passphrase

	Keystore         string // ssl_keystore_path, PKCS12 or JKS
	KeystoreType     string // pkcs12 or jks; from the file name when empty
	KeystorePassword string
}

func (id Identity) load() ([]tls.Certificate, error) {
	switch {
	case id.Keystore != "":
		c, err := loadKeystore(id.Keystore, id.KeystoreType, id.KeystorePassword)
		if err != nil {
			return nil, err
		}
		return []tls.Certificate{c}, nil
	case id.Certificate != "":
		c, err := LoadKeyPair(id.Certificate, id.Key, id.KeyPassphrase)
		if err != nil {
			return nil, err
		}
		return []tls.Certificate{c}, nil
	}
	return nil, nil
}

// Trust is what a side trusts.
type Trust struct {
	// CertificateAuthorities are PEM files, or directories of them.
	CertificateAuthorities []string
	// Truststore is a PKCS12 or JKS trust store (ssl_truststore_path).
	Truststore         string
	TruststoreType     string
	TruststorePassword string
	// WithSystemRoots adds the system's CAs to the ones above, as OpenSSL's
	// set_default_paths does for the plugins written with Ruby's OpenSSL.
	WithSystemRoots bool
}

func (t Trust) pool() (*x509.CertPool, error) {
	if len(t.CertificateAuthorities) == 0 && t.Truststore == "" {
		return nil, nil // the system's roots
	}
	pool := x509.NewCertPool()
	if t.WithSystemRoots {
		if sys, err := x509.SystemCertPool(); err == nil {
			pool = sys
		}
	}
	for _, f := range t.CertificateAuthorities {
		certs, err := readCertificatesAt(f)
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
	if t.Truststore != "" {
		if err := addTruststore(pool, t.Truststore, t.TruststoreType, t.TruststorePassword); err != nil {
			return nil, err
		}
	}
	return pool, nil
}

// Client describes the client side of a connection.
type Client struct {
	Common
	Identity
	Trust
	// VerifyServer checks the server's certificate chain.
	VerifyServer bool
	// VerifyHostname also checks that the certificate names ServerName
	// (ssl_verification_mode full); without it only the chain is checked.
	VerifyHostname bool
	// ServerName is the host the client connects to: sent as SNI, and
	// checked with VerifyHostname.
	ServerName string
	// CRLFile holds PEM CRLs: the server's certificate (and with CRLChain
	// its whole chain) must not be revoked, and a CRL from its issuer must
	// be there, as OpenSSL's CRL checks require.
	CRLFile  string
	CRLChain bool
}

// Config builds the client's TLS configuration.
func (c Client) Config() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: c.ServerName}
	if err := c.Common.apply(cfg); err != nil {
		return nil, err
	}
	certs, err := c.Identity.load()
	if err != nil {
		return nil, err
	}
	cfg.Certificates = certs
	roots, err := c.Trust.pool()
	if err != nil {
		return nil, err
	}
	var crls []*x509.RevocationList
	if c.CRLFile != "" {
		if crls, err = readCRLs(c.CRLFile); err != nil {
			return nil, err
		}
	}
	switch {
	case !c.VerifyServer:
		cfg.InsecureSkipVerify = true
	case c.VerifyHostname && crls == nil:
		cfg.RootCAs = roots
	default:
		// Go checks chain and name together: verify by hand to check the
		// chain alone, or to add the CRL checks.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			chains, err := verifyChain(cs.PeerCertificates, roots, x509.ExtKeyUsageServerAuth)
			if err != nil {
				return err
			}
			if c.VerifyHostname {
				if err := cs.PeerCertificates[0].VerifyHostname(c.ServerName); err != nil {
					return err
				}
			}
			if crls != nil {
				return checkRevocation(chains[0], crls, c.CRLChain)
			}
			return nil
		}
	}
	return cfg, nil
}

// Server describes the server side of a connection.
type Server struct {
	Common
	Identity
	Trust
	// ClientAuthentication is none, optional or required.
	ClientAuthentication string
}

// Config builds the server's TLS configuration.
func (s Server) Config() (*tls.Config, error) {
	cfg := &tls.Config{}
	if err := s.Common.apply(cfg); err != nil {
		return nil, err
	}
	certs, err := s.Identity.load()
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, optionErr("ssl_certificate", "a server needs a certificate")
	}
	cfg.Certificates = certs
	switch s.ClientAuthentication {
	case "", "none":
		cfg.ClientAuth = tls.NoClientCert
	case "optional":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case "required":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		return nil, optionErr("ssl_client_authentication", "unknown client authentication %q", s.ClientAuthentication)
	}
	if cfg.ClientAuth != tls.NoClientCert {
		if cfg.ClientCAs, err = s.Trust.pool(); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, usage x509.ExtKeyUsage) ([][]*x509.Certificate, error) {
	if len(certs) == 0 {
		return nil, errors.New("the peer sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(), KeyUsages: []x509.ExtKeyUsage{usage}}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	return certs[0].Verify(opts)
}

// checkRevocation checks the leaf (or every certificate but the root of
// the chain) against the CRLs of their issuers.
func checkRevocation(chain []*x509.Certificate, crls []*x509.RevocationList, wholeChain bool) error {
	n := 1
	if wholeChain {
		n = len(chain) - 1
	}
	for i := 0; i < n && i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		var crl *x509.RevocationList
		for _, l := range crls {
			if bytes.Equal(l.RawIssuer, cert.RawIssuer) && l.CheckSignatureFrom(issuer) == nil {
				crl = l
				break
			}
		}
		if crl == nil {
			return fmt.Errorf("unable to get certificate CRL for %s", cert.Subject)
		}
		if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(time.Now()) {
			return fmt.Errorf("CRL has expired (issuer %s)", cert.Issuer)
		}
		for _, r := range crl.RevokedCertificateEntries {
			if r.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return fmt.Errorf("certificate revoked: %s", cert.Subject)
			}
		}
	}
	return nil
}

func readCRLs(file string) ([]*x509.RevocationList, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, optionErr("ssl_crl_path", "%v", err)
	}
	var out []*x509.RevocationList
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "X509 CRL" {
			continue
		}
		l, err := x509.ParseRevocationList(block.Bytes)
		if err != nil {
			return nil, optionErr("ssl_crl_path", "%s: %v", file, err)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, optionErr("ssl_crl_path", "no CRL in %s", file)
	}
	return out, nil
}

// LoadKeyPair reads a PEM certificate chain and its PEM private key.
func LoadKeyPair(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	var out tls.Certificate
	chain, err := ReadCertificates(certFile)
	if err != nil {
		return out, optionErr("ssl_certificate", "%v", err)
	}
	if len(chain) == 0 {
		return out, optionErr("ssl_certificate", "no certificate in %s", certFile)
	}
	key, err := readPrivateKey(keyFile, passphrase)
	if err != nil {
		return out, optionErr("ssl_key", "%v", err)
	}
	mismatch := true
	if signer, ok := key.(crypto.Signer); ok {
		pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
		mismatch = !ok || !pub.Equal(chain[0].PublicKey)
	}
	if mismatch {
		return out, optionErr("ssl_key", "the private key in %s does not match the certificate in %s", keyFile, certFile)
	}
	for _, c := range chain {
		out.Certificate = append(out.Certificate, c.Raw)
	}
	out.PrivateKey, out.Leaf = key, chain[0]
	return out, nil
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
			return certs, nil
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
}

// readCertificatesAt reads a PEM file, or every PEM file of a directory
// (a CA path, as OpenSSL takes one).
func readCertificatesAt(path string) ([]*x509.Certificate, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return ReadCertificates(path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var all []*x509.Certificate
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		certs, err := ReadCertificates(filepath.Join(path, e.Name()))
		if err == nil {
			all = append(all, certs...)
		}
	}
	return all, nil
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
				if der, err = x509.DecryptPEMBlock(block, []byte(passphrase)); err != nil { //nolint:staticcheck
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
			return nil, fmt.Errorf("cannot read the %s in %s", block.Type, file)
		}
	}
}

var jksMagic = []byte{0xFE, 0xED, 0xFE, 0xED}

// storeKind is a store's type: the one given, else JKS when the file
// starts as one does, else PKCS12.
func storeKind(data []byte, declared string) string {
	if declared != "" {
		return strings.ToLower(declared)
	}
	if bytes.HasPrefix(data, jksMagic) {
		return "jks"
	}
	return "pkcs12"
}

func loadKeystore(file, kind, password string) (tls.Certificate, error) {
	var none tls.Certificate
	data, err := os.ReadFile(file)
	if err != nil {
		return none, optionErr("ssl_keystore_path", "%v", err)
	}
	if storeKind(data, kind) == "jks" {
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return none, optionErr("ssl_keystore_path", "reading the JKS keystore %s: %v", file, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsPrivateKeyEntry(alias) {
				continue
			}
			entry, err := ks.GetPrivateKeyEntry(alias, []byte(password))
			if err != nil {
				return none, optionErr("ssl_keystore_path", "reading the JKS key %q: %v", alias, err)
			}
			key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
			if err != nil {
				return none, optionErr("ssl_keystore_path", "the JKS key %q: %v", alias, err)
			}
			cert := tls.Certificate{PrivateKey: key}
			for _, c := range entry.CertificateChain {
				cert.Certificate = append(cert.Certificate, c.Content)
			}
			return cert, nil
		}
		return none, optionErr("ssl_keystore_path", "the JKS keystore %s holds no private key", file)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return none, optionErr("ssl_keystore_path", "reading the PKCS12 keystore %s: %v", file, err)
	}
	cert := tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}, Leaf: leaf}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

func addTruststore(pool *x509.CertPool, file, kind, password string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return optionErr("ssl_truststore_path", "%v", err)
	}
	if storeKind(data, kind) == "jks" {
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return optionErr("ssl_truststore_path", "reading the JKS truststore %s: %v", file, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsTrustedCertificateEntry(alias) {
				continue
			}
			entry, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return optionErr("ssl_truststore_path", "reading the JKS entry %q: %v", alias, err)
			}
			cert, err := x509.ParseCertificate(entry.Certificate.Content)
			if err != nil {
				return optionErr("ssl_truststore_path", "the JKS entry %q: %v", alias, err)
			}
			pool.AddCert(cert)
		}
		return nil
	}
	certs, err := pkcs12.DecodeTrustStore(data, password)
	if err != nil {
		return optionErr("ssl_truststore_path", "reading the PKCS12 truststore %s: %v", file, err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return nil
}
