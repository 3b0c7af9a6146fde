package kafka_test

import (
	"bytes"
	"context"
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
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/twmb/franz-go/pkg/kfake"
	"software.sslmate.com/src/go-pkcs12"
)

// pki is a throw-away CA with a broker and a client certificate.
type pki struct {
	caCert     *x509.Certificate
	caKey      *ecdsa.PrivateKey
	dir        string
	clientCert *x509.Certificate
	clientKey  *ecdsa.PrivateKey
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	p.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.caCert, _ = x509.ParseCertificate(der)
	p.clientCert, p.clientKey = p.issue(t, "client", nil)
	return p
}

func (p *pki) issue(t *testing.T, name string, ips []net.IP) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name}, IPAddresses: ips,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func (p *pki) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func pemKey(t *testing.T, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// stores writes the CA as PEM, PKCS12 and JKS truststores and the client
// certificate as PEM, PKCS12 and JKS keystores (password "changeit").
func (p *pki) stores(t *testing.T) (trust, keys map[string]string) {
	t.Helper()
	trust, keys = map[string]string{}, map[string]string{}
	trust["PEM"] = p.write(t, "ca.pem", pemCert(p.caCert))
	keys["PEM"] = p.write(t, "client.pem", append(pemCert(p.clientCert), pemKey(t, p.clientKey)...))

	p12trust, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{p.caCert}, "changeit")
	if err != nil {
		t.Fatal(err)
	}
	trust["PKCS12"] = p.write(t, "ca.p12", p12trust)
	p12keys, err := pkcs12.Modern.Encode(p.clientKey, p.clientCert, []*x509.Certificate{p.caCert}, "changeit")
	if err != nil {
		t.Fatal(err)
	}
	keys["PKCS12"] = p.write(t, "client.p12", p12keys)

	jksTrust := keystore.New()
	if err := jksTrust.SetTrustedCertificateEntry("ca", keystore.TrustedCertificateEntry{CreationTime: time.Now(),
		Certificate: keystore.Certificate{Type: "X509", Content: p.caCert.Raw}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jksTrust.Store(&buf, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	trust["JKS"] = p.write(t, "ca.jks", buf.Bytes())
	der, _ := x509.MarshalPKCS8PrivateKey(p.clientKey)
	jksKeys := keystore.New()
	if err := jksKeys.SetPrivateKeyEntry("client", keystore.PrivateKeyEntry{CreationTime: time.Now(), PrivateKey: der,
		CertificateChain: []keystore.Certificate{{Type: "X509", Content: p.clientCert.Raw}}}, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := jksKeys.Store(&buf, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	keys["JKS"] = p.write(t, "client.jks", buf.Bytes())
	return trust, keys
}

// tlsCluster starts an in-process cluster serving TLS with serverCert and
// requiring a client certificate from the CA.
func tlsCluster(t *testing.T, p *pki, serverIPs []net.IP) string {
	t.Helper()
	cert, key := p.issue(t, "broker", serverIPs)
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.TLS(&tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}},
		ClientCAs:    pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12,
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

// send builds an output to the topic "secure" with options and sends one
// event through it within timeout.
func send(t *testing.T, options string, timeout time.Duration) error {
	t.Helper()
	out := build(t, `topic_id => "secure" `+options)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	e := event.NewEvent()
	e.Data().Set("message", "over TLS")
	return out.Plugin.Output(ctx, []*event.Event{e})
}

// tlsOptions are the SSL options of a client of brokers trusting trust and
// presenting keys.
func tlsOptions(brokers, trust, keys string) string {
	return "bootstrap_servers => " + plugintest.Quote(brokers) + ` security_protocol => "SSL"` +
		" ssl_truststore_location => " + plugintest.Quote(trust) + " ssl_keystore_location => " + plugintest.Quote(keys)
}

func TestSSLStoresOfEveryType(t *testing.T) {
	p := newPKI(t)
	brokers := tlsCluster(t, p, []net.IP{net.ParseIP("127.0.0.1")})
	trust, keys := p.stores(t)
	for _, kind := range []string{"PEM", "PKCS12", "JKS"} {
		for _, typed := range []bool{true, false} {
			name := kind
			if !typed {
				name += " guessed"
			}
			t.Run(name, func(t *testing.T) {
				options := tlsOptions(brokers, trust[kind], keys[kind]) + ` ssl_truststore_password => "changeit" ssl_keystore_password => "changeit"`
				if typed {
					options += ` ssl_truststore_type => "` + kind + `" ssl_keystore_type => "` + kind + `"`
				}
				if err := send(t, options, 20*time.Second); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestSSLEndpointIdentification(t *testing.T) {
	p := newPKI(t)
	// The broker's certificate does not name 127.0.0.1.
	brokers := tlsCluster(t, p, nil)
	trust, keys := p.stores(t)
	if err := send(t, tlsOptions(brokers, trust["PEM"], keys["PEM"])+` retry_backoff_ms => 10 ssl_endpoint_identification_algorithm => ""`, 20*time.Second); err != nil {
		t.Fatalf("without endpoint identification: %v", err)
	}
	// With host name checks every handshake fails, and Output keeps
	// retrying until its context ends.
	out := build(t, tlsOptions(brokers, trust["PEM"], keys["PEM"])+` topic_id => "secure"`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	e := event.NewEvent()
	if err := out.Plugin.Output(ctx, []*event.Event{e}); err == nil {
		t.Fatal("a certificate not naming the broker host was accepted")
	}
}

func TestSASLMechanisms(t *testing.T) {
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.EnableSASL(),
				kfake.Superuser(mech, "alice", "s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			module := "org.apache.kafka.common.security.plain.PlainLoginModule"
			if strings.HasPrefix(mech, "SCRAM") {
				module = "org.apache.kafka.common.security.scram.ScramLoginModule"
			}
			options := func(password string) string {
				return "bootstrap_servers => " + plugintest.Quote(strings.Join(c.ListenAddrs(), ",")) + ` security_protocol => "SASL_PLAINTEXT"` +
					` sasl_mechanism => "` + mech + `" sasl_jaas_config => ` + plugintest.Quote(module+` required username="alice" password="`+password+`";`)
			}
			if err := send(t, options("s3cret"), 20*time.Second); err != nil {
				t.Fatal(err)
			}
			out := build(t, `topic_id => "secure" `+options("wrong"))
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if err := out.Plugin.Output(ctx, []*event.Event{event.NewEvent()}); err == nil {
				t.Fatal("a wrong password was accepted")
			}
		})
	}
}

func TestJAASFile(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "bob", `pa"ss`))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	path := filepath.Join(t.TempDir(), "kafka_client_jaas.conf")
	os.WriteFile(path, []byte(`Other { x.Y required; };
KafkaClient {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="bob"
  password="pa\"ss";
};
`), 0o600)
	if err := send(t, "bootstrap_servers => "+plugintest.Quote(strings.Join(c.ListenAddrs(), ","))+
		` security_protocol => "SASL_PLAINTEXT" sasl_mechanism => "PLAIN" jaas_path => `+plugintest.Quote(path), 20*time.Second); err != nil {
		t.Fatal(err)
	}
}
