// Package tlstest makes certificates for the network inputs' tests: a CA,
// a server certificate for 127.0.0.1 and localhost, and a client
// certificate, written as PEM files.
package tlstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Files are the PEM files of one test PKI.
type Files struct {
	Dir        string
	CA         string // CA certificate
	ServerCert string
	ServerKey  string // PKCS#8, unencrypted
	ClientCert string // signed by CA, subject CN=client,O=gostash tests
	ClientKey  string
	// OtherCA signed OtherClientCert, which the server must refuse.
	OtherClientCert string
	OtherClientKey  string

	caPool *x509.CertPool
}

type issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// New writes a fresh PKI into a temporary directory of t.
func New(t testing.TB) *Files {
	t.Helper()
	dir := t.TempDir()
	f := &Files{Dir: dir}
	ca := issue(t, nil, pkix.Name{CommonName: "gostash test CA"}, true)
	other := issue(t, nil, pkix.Name{CommonName: "other CA"}, true)
	server := issue(t, ca, pkix.Name{CommonName: "localhost"}, false)
	client := issue(t, ca, pkix.Name{CommonName: "client", Organization: []string{"gostash tests"}}, false)
	stranger := issue(t, other, pkix.Name{CommonName: "stranger"}, false)
	f.CA = writeCert(t, dir, "ca.crt", ca)
	f.ServerCert = writeCert(t, dir, "server.crt", server)
	f.ServerKey = writeKey(t, dir, "server.key", server)
	f.ClientCert = writeCert(t, dir, "client.crt", client)
	f.ClientKey = writeKey(t, dir, "client.key", client)
	f.OtherClientCert = writeCert(t, dir, "stranger.crt", stranger)
	f.OtherClientKey = writeKey(t, dir, "stranger.key", stranger)
	f.caPool = x509.NewCertPool()
	f.caPool.AddCert(ca.cert)
	return f
}

func issue(t testing.TB, parent *issued, name pkix.Name, isCA bool) *issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{cert: cert, key: key}
}

func writeCert(t testing.TB, dir, name string, c *issued) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeKey(t testing.TB, dir, name string, c *issued) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ClientConfig is a client TLS configuration trusting the test CA,
// presenting the given certificate and key files when they are set.
func (f *Files) ClientConfig(t testing.TB, certFile, keyFile string) *tls.Config {
	t.Helper()
	cfg := &tls.Config{RootCAs: f.caPool, ServerName: "localhost"}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg
}
