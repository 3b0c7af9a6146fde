package esclient

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTLSSettings checks the trust choices against a TLS server: the
// system roots refuse its self-signed certificate; a CA file, the CA's
// fingerprint or turning verification off accept it.
func TestTLSSettings(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cert := srv.Certificate()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Raw)
	get := func(s TLSSettings) error {
		cfg, err := s.Config()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := ParseHost(srv.URL)
		c, err := New(Config{Hosts: []*url.URL{u}, TLS: cfg, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ep := c.hosts[0].ep
		resp, err := c.doTo(t.Context(), ep, http.MethodGet, "/", nil, nil)
		if err == nil && resp.Status != http.StatusOK {
			t.Fatalf("status %d", resp.Status)
		}
		return err
	}
	if err := get(TLSSettings{}); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
	if err := get(TLSSettings{CAFiles: []string{caFile}}); err != nil {
		t.Errorf("with the CA file: %v", err)
	}
	if err := get(TLSSettings{CATrustedFingerprint: hex.EncodeToString(sum[:])}); err != nil {
		t.Errorf("with the CA fingerprint: %v", err)
	}
	if err := get(TLSSettings{CATrustedFingerprint: hex.EncodeToString(make([]byte, 32))}); err == nil {
		t.Error("a wrong fingerprint was accepted")
	}
	if err := get(TLSSettings{VerifyNone: true}); err != nil {
		t.Errorf("with verification off: %v", err)
	}
	if _, err := (TLSSettings{Protocols: []string{"SSLv3"}}).Config(); err == nil {
		t.Error("SSLv3 accepted")
	}
	if _, err := (TLSSettings{Ciphers: []string{"TLS_NOPE"}}).Config(); err == nil {
		t.Error("an unknown cipher suite accepted")
	}
}
