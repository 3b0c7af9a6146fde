package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"software.sslmate.com/src/go-pkcs12"
)

// TestAPIBasicAuthAndTLS runs the binary with api.auth.type basic and
// api.ssl.enabled (a PKCS12 keystore), and asks it with curl, an
// independent client: no credentials and wrong ones get 401, the right
// ones get the node info over HTTPS; plain HTTP is refused.
func TestAPIBasicAuthAndTLS(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed (apt-get install -y curl)")
		}
		t.Skip("curl is not installed (apt-get install -y curl)")
	}
	dir := t.TempDir()
	caPEM := writeKeystore(t, filepath.Join(dir, "api.p12"), "keystore-pass")
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	writeFile(t, filepath.Join(dir, "logstash.yml"), fmt.Sprintf(`api.http.port: %d
api.auth.type: basic
api.auth.basic.username: admin
api.auth.basic.password: "${API_PASSWORD}"
api.ssl.enabled: true
api.ssl.keystore.path: %s
api.ssl.keystore.password: keystore-pass
`, port, filepath.Join(dir, "api.p12")))
	writeFile(t, filepath.Join(dir, "p.conf"), "input { generator { count => 1 } } output { null { } }\n")
	cmd := exec.Command(goldencase.Binary(t), "--path.settings", dir, "-f", filepath.Join(dir, "p.conf"), "-r")
	cmd.Env = append(os.Environ(), "API_PASSWORD=Str0ng-Passw0rd")
	var stderr lockedBuffer
	started := make(chan struct{})
	cmd.Stderr = &watchWriter{w: &stderr, want: []byte("Successfully started Logstash API endpoint"), seen: started}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatalf("the API did not start:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), `"ssl_enabled"=>true`) {
		t.Errorf("the start line does not report TLS:\n%s", stderr.String())
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/", port)
	status := func(args ...string) string {
		out, _ := exec.Command(curl, append([]string{"-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca}, args...)...).Output()
		return string(out)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no credentials", []string{url}, "401"},
		{"a wrong password", []string{"-u", "admin:nope", url}, "401"},
		{"a wrong user", []string{"-u", "root:Str0ng-Passw0rd", url}, "401"},
		{"the right credentials", []string{"-u", "admin:Str0ng-Passw0rd", url}, "200"},
		{"plain HTTP", []string{"-u", "admin:Str0ng-Passw0rd", strings.Replace(url, "https", "http", 1)}, "400"},
	} {
		if got := status(c.args...); got != c.want {
			t.Errorf("%s: HTTP %s, want %s", c.name, got, c.want)
		}
	}
	if strings.Contains(stderr.String(), "Str0ng-Passw0rd") || strings.Contains(stderr.String(), "keystore-pass") {
		t.Errorf("a password was logged:\n%s", stderr.String())
	}
}

// TestAPIPasswordPolicy: mode ERROR refuses a weak password and says what it
// lacks; the default mode WARN logs the same and starts.
func TestAPIPasswordPolicy(t *testing.T) {
	for _, mode := range []string{"ERROR", "WARN"} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "logstash.yml"), fmt.Sprintf(`api.http.port: %d
api.auth.type: basic
api.auth.basic.username: admin
api.auth.basic.password: short
api.auth.basic.password_policy.mode: %s
`, freePort(t), mode))
		cmd := exec.Command(goldencase.Binary(t), "--path.settings", dir, "-e", "input { generator { count => 1 } } output { null { } }")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		want := "api.auth.basic.password does not meet the password policy: it needs at least 8 characters, an upper-case letter, a digit"
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: stderr lacks %q:\n%s", mode, want, stderr.String())
		}
		if failed := err != nil; failed != (mode == "ERROR") {
			t.Errorf("%s: exit error %v", mode, err)
		}
		if strings.Contains(stderr.String(), "short") {
			t.Errorf("%s: the password was logged:\n%s", mode, stderr.String())
		}
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeKeystore writes a PKCS12 keystore holding a self-signed certificate
// for 127.0.0.1 and its key, and returns the certificate as PEM.
func writeKeystore(t *testing.T, path, password string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gostash api test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p12, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
