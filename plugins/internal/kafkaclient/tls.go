package kafkaclient

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"

	"github.com/gostash/gostash/runtime/plugin"
	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// jksMagic starts every Java KeyStore file.
var jksMagic = []byte{0xFE, 0xED, 0xFE, 0xED}

// storeType returns the type named by the option, or guesses it from the
// file's first bytes as Java's keystore loader does for JKS and PKCS12.
func storeType(s *plugin.Settings, option plugin.Opt[string], data []byte) (string, error) {
	if t := strings.ToUpper(option.Get(s)); t != "" {
		switch t {
		case "PEM", "JKS", "PKCS12":
			return t, nil
		}
		return "", option.Errorf(s, "unsupported store type %q: gostash reads PEM, JKS and PKCS12", option.Get(s))
	}
	switch {
	case bytes.HasPrefix(data, jksMagic):
		return "JKS", nil
	case bytes.Contains(data[:min(len(data), 4096)], []byte("-----BEGIN")):
		return "PEM", nil
	}
	return "PKCS12", nil
}

func tlsConfig(s *plugin.Settings) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if SSLTruststoreLocation.IsSet(s) {
		roots, err := loadTrustStore(s)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = roots
	}
	if SSLKeystoreLocation.IsSet(s) {
		cert, err := loadKeyStore(s)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	switch alg := SSLEndpointIdentificationAlgorithm.Get(s); strings.ToLower(alg) {
	case "https":
	case "":
		// Check the chain but not the host name, as Kafka's clients do when
		// endpoint identification is switched off.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("broker sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	default:
		return nil, SSLEndpointIdentificationAlgorithm.Errorf(s, "unsupported endpoint identification algorithm %q: use \"https\" or \"\"", alg)
	}
	return cfg, nil
}

func loadTrustStore(s *plugin.Settings) (*x509.CertPool, error) {
	option := SSLTruststoreLocation
	data, err := os.ReadFile(option.Get(s))
	if err != nil {
		return nil, option.Errorf(s, "%v", err)
	}
	kind, err := storeType(s, SSLTruststoreType, data)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	password := SSLTruststorePassword.Get(s).Reveal()
	switch kind {
	case "PEM":
		if !pool.AppendCertsFromPEM(data) {
			return nil, option.Errorf(s, "no PEM certificate in %s", option.Get(s))
		}
	case "JKS":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return nil, option.Errorf(s, "reading JKS truststore: %v", err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsTrustedCertificateEntry(alias) {
				continue
			}
			entry, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return nil, option.Errorf(s, "reading JKS truststore entry %q: %v", alias, err)
			}
			cert, err := x509.ParseCertificate(entry.Certificate.Content)
			if err != nil {
				return nil, option.Errorf(s, "JKS truststore entry %q: %v", alias, err)
			}
			pool.AddCert(cert)
		}
	case "PKCS12":
		certs, err := pkcs12.DecodeTrustStore(data, password)
		if err != nil {
			return nil, option.Errorf(s, "reading PKCS12 truststore: %v", err)
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

func loadKeyStore(s *plugin.Settings) (tls.Certificate, error) {
	option := SSLKeystoreLocation
	var none tls.Certificate
	data, err := os.ReadFile(option.Get(s))
	if err != nil {
		return none, option.Errorf(s, "%v", err)
	}
	kind, err := storeType(s, SSLKeystoreType, data)
	if err != nil {
		return none, err
	}
	storePassword := SSLKeystorePassword.Get(s).Reveal()
	keyPassword := SSLKeyPassword.Get(s).Reveal()
	if keyPassword == "" {
		keyPassword = storePassword
	}
	switch kind {
	case "PEM":
		return pemKeyPair(s, data)
	case "JKS":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(storePassword)); err != nil {
			return none, option.Errorf(s, "reading JKS keystore: %v", err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsPrivateKeyEntry(alias) {
				continue
			}
			entry, err := ks.GetPrivateKeyEntry(alias, []byte(keyPassword))
			if err != nil {
				return none, option.Errorf(s, "reading JKS key %q: %v", alias, err)
			}
			key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
			if err != nil {
				return none, option.Errorf(s, "JKS key %q: %v", alias, err)
			}
			cert := tls.Certificate{PrivateKey: key}
			for _, c := range entry.CertificateChain {
				cert.Certificate = append(cert.Certificate, c.Content)
			}
			return cert, nil
		}
		return none, option.Errorf(s, "JKS keystore %s holds no private key entry", option.Get(s))
	default:
		key, leaf, chain, err := pkcs12.DecodeChain(data, storePassword)
		if err != nil {
			return none, option.Errorf(s, "reading PKCS12 keystore: %v", err)
		}
		cert := tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}, Leaf: leaf}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		return cert, nil
	}
}

// pemKeyPair reads a certificate chain and a private key from one PEM file,
// as Kafka's PEM keystore type does.
func pemKeyPair(s *plugin.Settings, data []byte) (tls.Certificate, error) {
	option := SSLKeystoreLocation
	var certs, keys []byte
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE":
			certs = append(certs, pem.EncodeToMemory(block)...)
		case block.Type == "ENCRYPTED PRIVATE KEY":
			return tls.Certificate{}, option.Errorf(s, "encrypted PKCS#8 keys are not supported; store the key unencrypted (file permissions protect it) or use a PKCS12 keystore")
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // legacy OpenSSL encryption is still what some keystores hold
				der, err := x509.DecryptPEMBlock(block, []byte(SSLKeyPassword.Get(s).Reveal())) //nolint:staticcheck
				if err != nil {
					return tls.Certificate{}, SSLKeyPassword.Errorf(s, "decrypting the PEM key: %v", err)
				}
				block = &pem.Block{Type: block.Type, Bytes: der}
			}
			keys = append(keys, pem.EncodeToMemory(block)...)
		}
	}
	cert, err := tls.X509KeyPair(certs, keys)
	if err != nil {
		return tls.Certificate{}, option.Errorf(s, "reading PEM keystore: %v", err)
	}
	return cert, nil
}
