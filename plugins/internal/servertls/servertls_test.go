package servertls

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/tlstest"
)

// openssl runs the openssl command line tool, which writes the key formats
// people actually have (an independent encoder, not this package's).
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestLoadsEveryKeyFormatOpenSSLWrites(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genrsa", "-traditional", "-out", "pkcs1.key", "2048")
	openssl(t, dir, "req", "-x509", "-new", "-key", "pkcs1.key", "-subj", "/CN=localhost", "-days", "1", "-out", "server.crt")
	openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-in", "pkcs1.key", "-out", "pkcs8.key")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "aes256", "-in", "pkcs1.key", "-passout", "pass:s3cret", "-out", "pkcs8-enc.key")
	openssl(t, dir, "rsa", "-aes256", "-traditional", "-in", "pkcs1.key", "-passout", "pass:s3cret", "-out", "pkcs1-enc.key")
	openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key")
	openssl(t, dir, "req", "-x509", "-new", "-key", "ec.key", "-subj", "/CN=localhost", "-days", "1", "-out", "ec.crt")
	cases := []struct{ cert, key, pass string }{
		{"server.crt", "pkcs1.key", ""},
		{"server.crt", "pkcs8.key", ""},
		{"server.crt", "pkcs8-enc.key", "s3cret"},
		{"server.crt", "pkcs1-enc.key", "s3cret"},
		{"ec.crt", "ec.key", ""},
	}
	for _, c := range cases {
		if _, err := LoadKeyPair(filepath.Join(dir, c.cert), filepath.Join(dir, c.key), c.pass, nil); err != nil {
			t.Errorf("%s: %v", c.key, err)
		}
	}
	_, err := LoadKeyPair(filepath.Join(dir, "server.crt"), filepath.Join(dir, "pkcs8-enc.key"), "wrong", nil)
	var oe *Error
	if !errors.As(err, &oe) || oe.Option != "ssl_key" {
		t.Errorf("wrong passphrase: %v, want an ssl_key error", err)
	}
	_, err = LoadKeyPair(filepath.Join(dir, "server.crt"), filepath.Join(dir, "ec.key"), "", nil)
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched key: %v", err)
	}
}

// serve accepts one connection, handshakes and reports the result.
func serve(t *testing.T, cfg *tls.Config) (addr string, result chan error, peer chan Peer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	result, peer = make(chan error, 1), make(chan Peer, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			result <- err
			return
		}
		defer c.Close()
		tc, err := Handshake(context.Background(), c, cfg, 5*time.Second)
		result <- err
		if err == nil {
			peer <- PeerOf(tc.ConnectionState())
		}
	}()
	return ln.Addr().String(), result, peer
}

func TestClientAuthentication(t *testing.T) {
	pki := tlstest.New(t)
	base := Config{Certificate: pki.ServerCert, Key: pki.ServerKey, CertificateAuthorities: []string{pki.CA}}
	cases := []struct {
		mode       string
		cert, key  string
		wantOK     bool
		wantVerify bool
	}{
		{"required", pki.ClientCert, pki.ClientKey, true, true},
		{"required", "", "", false, false},
		{"required", pki.OtherClientCert, pki.OtherClientKey, false, false},
		{"optional", "", "", true, false},
		{"optional", pki.ClientCert, pki.ClientKey, true, true},
		// Go's client offers only a certificate from a CA the server asks
		// for, so the stranger connects unverified.
		{"optional", pki.OtherClientCert, pki.OtherClientKey, true, false},
		{"none", pki.OtherClientCert, pki.OtherClientKey, true, false},
	}
	for _, c := range cases {
		cfg := base
		cfg.ClientAuthentication = c.mode
		server, err := cfg.Build()
		if err != nil {
			t.Fatal(err)
		}
		addr, result, peer := serve(t, server)
		conn, err := tls.Dial("tcp", addr, pki.ClientConfig(t, c.cert, c.key))
		if err == nil {
			// TLS 1.3 reports a refused client certificate on the first read.
			conn.Read(make([]byte, 1))
			conn.Close()
		}
		got := <-result
		if (got == nil) != c.wantOK {
			t.Errorf("%s with %q: handshake error %v, want ok=%v", c.mode, filepath.Base(c.cert), got, c.wantOK)
			continue
		}
		if got == nil {
			p := <-peer
			if p.Verified != c.wantVerify {
				t.Errorf("%s with %q: verified=%v", c.mode, filepath.Base(c.cert), p.Verified)
			}
			if p.Verified && p.Subject != "CN=client,O=gostash tests" {
				t.Errorf("subject %q", p.Subject)
			}
			if p.Protocol != "TLSv1.3" || p.Cipher == "" {
				t.Errorf("peer %+v", p)
			}
		}
	}
}

func TestProtocolsAndCiphers(t *testing.T) {
	pki := tlstest.New(t)
	cfg := Config{Certificate: pki.ServerCert, Key: pki.ServerKey, SupportedProtocols: []string{"TLSv1.2"},
		CipherSuites: []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}}
	server, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	addr, result, peer := serve(t, server)
	conn, err := tls.Dial("tcp", addr, pki.ClientConfig(t, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	if p := <-peer; p.Protocol != "TLSv1.2" || p.Cipher != "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" {
		t.Errorf("negotiated %+v", p)
	}

	cfg.CipherSuites = []string{"TLS_DHE_RSA_WITH_AES_128_CBC_SHA"}
	var oe *Error
	if _, err := cfg.Build(); !errors.As(err, &oe) || oe.Option != "ssl_cipher_suites" || err.Error() != "Cipher `TLS_DHE_RSA_WITH_AES_128_CBC_SHA` is not available" {
		t.Errorf("unknown cipher: %v", err)
	}
}

// A client that connects and says nothing is dropped at the handshake
// timeout.
func TestHandshakeTimeout(t *testing.T) {
	pki := tlstest.New(t)
	server, err := Config{Certificate: pki.ServerCert, Key: pki.ServerKey}.Build()
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	defer b.Close()
	_, err = Handshake(context.Background(), a, server, 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("silent client: %v", err)
	}
}
