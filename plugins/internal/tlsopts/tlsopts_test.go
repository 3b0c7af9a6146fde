package tlsopts

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/iotest"
)

// openSSLServer runs OpenSSL's test server with a certificate and key.
func openSSLServer(t *testing.T, cert, key string, extra ...string) string {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", iotest.FreePort(t))
	iotest.Start(t, "openssl", append([]string{"s_server", "-accept", addr, "-cert", cert, "-key", key, "-quiet"}, extra...)...)
	iotest.WaitListening(t, addr)
	return addr
}

func dial(addr string, c Client) error {
	cfg, err := c.Config()
	if err != nil {
		return err
	}
	conn, err := tls.DialWithDialer(dialer(), "tcp", addr, cfg)
	if err != nil {
		return err
	}
	return conn.Close()
}

func TestClientVerificationAgainstOpenSSL(t *testing.T) {
	certs := iotest.MakeCerts(t)
	good := openSSLServer(t, certs.ServerCert, certs.ServerKey)
	stranger := openSSLServer(t, certs.OtherCert, certs.OtherKey)
	revoked := openSSLServer(t, certs.RevokedCert, certs.RevokedKey)
	trustCA := Trust{CertificateAuthorities: []string{certs.CA}}
	for _, c := range []struct {
		name   string
		addr   string
		client Client
		want   string // "" for success, else part of the error
	}{
		{"full", good, Client{Trust: trustCA, VerifyServer: true, VerifyHostname: true, ServerName: "127.0.0.1"}, ""},
		{"full, wrong name", good, Client{Trust: trustCA, VerifyServer: true, VerifyHostname: true, ServerName: "elsewhere.example"}, "elsewhere.example"},
		{"chain only ignores the name", good, Client{Trust: trustCA, VerifyServer: true, ServerName: "elsewhere.example"}, ""},
		{"unknown CA", stranger, Client{Trust: trustCA, VerifyServer: true, VerifyHostname: true, ServerName: "127.0.0.1"}, "unknown authority"},
		{"no verification", stranger, Client{Trust: trustCA, ServerName: "127.0.0.1"}, ""},
		{"CRL passes a good certificate", good, Client{Trust: trustCA, VerifyServer: true, ServerName: "127.0.0.1", CRLFile: certs.CRL}, ""},
		{"CRL refuses a revoked one", revoked, Client{Trust: trustCA, VerifyServer: true, ServerName: "127.0.0.1", CRLFile: certs.CRL}, "certificate revoked"},
		{"revoked is fine without CRL", revoked, Client{Trust: trustCA, VerifyServer: true, ServerName: "127.0.0.1"}, ""},
	} {
		err := dial(c.addr, c.client)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func TestServerClientAuthenticationAgainstOpenSSL(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for _, c := range []struct {
		auth     string
		withCert bool
		wantOK   bool
	}{
		{"required", true, true},
		{"required", false, false},
		{"optional", false, true},
		{"none", false, true},
	} {
		cfg, err := Server{Identity: Identity{Certificate: certs.ServerCert, Key: certs.ServerKey}, Trust: Trust{CertificateAuthorities: []string{certs.CA}}, ClientAuthentication: c.auth}.Config()
		if err != nil {
			t.Fatal(err)
		}
		l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
		if err != nil {
			t.Fatal(err)
		}
		handshake := make(chan error, 1)
		go func() {
			conn, err := l.Accept()
			if err == nil {
				err = conn.(*tls.Conn).Handshake()
				conn.Close()
			}
			handshake <- err
		}()
		args := []string{"s_client", "-connect", l.Addr().String(), "-CAfile", certs.CA, "-verify_return_error"}
		if c.withCert {
			args = append(args, "-cert", certs.ClientCert, "-key", certs.ClientKey)
		}
		iotest.Start(t, "openssl", args...)
		var got error
		select {
		case got = <-handshake:
		case <-time.After(30 * time.Second):
			t.Fatal("no handshake")
		}
		l.Close()
		if (got == nil) != c.wantOK {
			t.Errorf("client auth %s, client certificate %v: handshake error %v", c.auth, c.withCert, got)
		}
	}
}

func TestKeyErrorsNameTheirOption(t *testing.T) {
	certs := iotest.MakeCerts(t)
	_, err := Client{Identity: Identity{Certificate: certs.ServerCert, Key: certs.ClientKey}}.Config()
	var oe *Error
	if err == nil || !strings.Contains(err.Error(), "does not match") || !asError(err, &oe) || oe.Option != "ssl_key" {
		t.Fatalf("mismatched key: %v", err)
	}
	_, err = Client{Common: Common{CipherSuites: []string{"TLS_NOPE"}}}.Config()
	if err == nil || !asError(err, &oe) || oe.Option != "ssl_cipher_suites" {
		t.Fatalf("unknown cipher: %v", err)
	}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }

func dialer() *net.Dialer { return &net.Dialer{Timeout: 30 * time.Second} }
