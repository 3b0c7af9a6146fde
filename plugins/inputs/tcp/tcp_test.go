package tcp_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/tcp"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// start runs a tcp input on a free port with options, its events tagged
// "decorated" by the input's own decoration, and returns its address, the
// running input and its log.
func start(t *testing.T, options, ecs string) (string, *plugintest.Running, *plugintest.Logs) {
	t.Helper()
	port := inputtest.FreePort(t)
	in := plugintest.Input(t, fmt.Sprintf(`tcp { host => "127.0.0.1" port => %d tags => ["decorated"] %s }`, port, options), plugintest.ECS(ecs))
	return fmt.Sprintf("127.0.0.1:%d", port), in.Start(), in.Logs
}

func TestLinesWithLegacyFields(t *testing.T) {
	addr, em, _ := start(t, "dns_reverse_lookup_enabled => false", "disabled")
	c := inputtest.Dial(t, "tcp", addr)
	localPort := c.LocalAddr().(*net.TCPAddr).Port
	fmt.Fprint(c, "first\nsecond\nno newline")
	c.Close()
	events := em.NextN(3)
	for i, want := range []string{"first", "second", "no newline"} {
		e := events[i]
		if got := inputtest.Field(e, "message"); got != want {
			t.Errorf("event %d: message %q, want %q", i, got, want)
		}
		if inputtest.Field(e, "host") != "127.0.0.1" || inputtest.Field(e, "[@metadata][ip_address]") != "127.0.0.1" || inputtest.Field(e, "tags") != "decorated" {
			t.Errorf("event %d: %s", i, inputtest.JSON(e))
		}
		if port, _ := e.Get("port"); port != int64(localPort) {
			t.Errorf("event %d: port %v, want %d", i, port, localPort)
		}
	}
}

func TestECSFieldsGoToMetadata(t *testing.T) {
	addr, em, _ := start(t, "dns_reverse_lookup_enabled => false", "v8")
	c := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(c, "hello\n")
	c.Close()
	e := em.Next()
	if inputtest.Field(e, "[@metadata][input][tcp][source][ip]") != "127.0.0.1" || inputtest.Field(e, "[@metadata][input][tcp][source][name]") != "127.0.0.1" ||
		!inputtest.Has(e, "[@metadata][input][tcp][source][port]") || inputtest.Has(e, "host") || inputtest.Field(e, "[event][original]") != "hello" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

// With reverse lookups (the default) host is the peer's name, as the
// system resolver (getent) gives it.
func TestReverseDNS(t *testing.T) {
	out, err := exec.Command("getent", "hosts", "127.0.0.1").Output()
	if err != nil {
		t.Fatalf("getent hosts 127.0.0.1: %v", err)
	}
	want := strings.Fields(string(out))[1]
	addr, em, _ := start(t, "", "disabled")
	c := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(c, "x\n")
	c.Close()
	if got := inputtest.Field(em.Next(), "host"); got != want {
		t.Errorf("host %q, want %q", got, want)
	}
}

// Each connection has its own codec: interleaved partial lines from two
// clients do not mix.
func TestCodecPerConnection(t *testing.T) {
	addr, em, _ := start(t, "dns_reverse_lookup_enabled => false", "")
	a, b := inputtest.Dial(t, "tcp", addr), inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(a, "hel")
	fmt.Fprint(b, "wor")
	fmt.Fprint(a, "lo\n")
	fmt.Fprint(b, "ld\n")
	a.Close()
	b.Close()
	got := map[string]bool{}
	for _, e := range em.NextN(2) {
		got[inputtest.Field(e, "message")] = true
	}
	if !got["hello"] || !got["world"] {
		t.Errorf("messages %v", got)
	}
}

// A json codec reads a stream as json_lines, as Logstash's
// fix_streaming_codecs makes it.
func TestJSONCodecReadsLines(t *testing.T) {
	addr, em, _ := start(t, "codec => json dns_reverse_lookup_enabled => false", "disabled")
	c := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(c, "{\"a\":1}\n{\"a\":2}\n")
	c.Close()
	events := em.NextN(2)
	if inputtest.Field(events[1], "a") != "2" {
		t.Errorf("event %s", inputtest.JSON(events[1]))
	}
}

func TestProxyProtocol(t *testing.T) {
	for _, ecs := range []string{"disabled", "v8"} {
		addr, em, _ := start(t, "proxy_protocol => true dns_reverse_lookup_enabled => false", ecs)
		c := inputtest.Dial(t, "tcp", addr)
		fmt.Fprint(c, "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nhello\n")
		c.Close()
		e := em.Next()
		want := map[string]string{"message": "hello", "host": "192.168.0.1", "[@metadata][ip_address]": "192.168.0.1",
			"port": "56324", "proxy_host": "192.168.0.11", "proxy_port": "443"}
		if ecs == "v8" {
			want = map[string]string{"message": "hello", "[@metadata][input][tcp][source][name]": "192.168.0.1",
				"[@metadata][input][tcp][source][ip]": "192.168.0.1", "[@metadata][input][tcp][source][port]": "56324",
				"[@metadata][input][tcp][proxy][ip]": "192.168.0.11", "[@metadata][input][tcp][proxy][port]": "443"}
		}
		for ref, v := range want {
			if got := inputtest.Field(e, ref); got != v {
				t.Errorf("%s: %s = %q, want %q in %s", ecs, ref, got, v, inputtest.JSON(e))
			}
		}
	}
}

// A connection without the PROXY header is closed and logged; others go on.
func TestBadProxyHeaderClosesThatConnection(t *testing.T) {
	addr, em, logs := start(t, "proxy_protocol => true dns_reverse_lookup_enabled => false", "disabled")
	bad := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(bad, "hello\r\nworld\n")
	io.ReadAll(bad)
	bad.Close()
	logs.WaitFor(t, `Invalid proxy protocol header label {"header"=>"hello"}`)
	good := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(good, "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\nok\n")
	good.Close()
	if e := em.Next(); inputtest.Field(e, "message") != "ok" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
	if em.Pending() != 0 {
		t.Errorf("the bad connection's lines became events")
	}
}

// Stopping the input decodes what a connection has sent, the unterminated
// last line included.
func TestShutdownFlushesTheCodec(t *testing.T) {
	addr, em, _ := start(t, "dns_reverse_lookup_enabled => false", "")
	c := inputtest.Dial(t, "tcp", addr)
	defer c.Close()
	fmt.Fprint(c, "complete\npartial")
	if e := em.Next(); inputtest.Field(e, "message") != "complete" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
	em.Stop()
	if e := em.Next(); inputtest.Field(e, "message") != "partial" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
}

func TestTLSServerWithClientCertificates(t *testing.T) {
	pki := tlstest.New(t)
	addr, em, logs := start(t, fmt.Sprintf(`ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_certificate_authorities => [%q] dns_reverse_lookup_enabled => false`,
		pki.ServerCert, pki.ServerKey, pki.CA), "disabled")
	// ssl_client_authentication defaults to required: no certificate, no entry.
	raw := inputtest.Dial(t, "tcp", addr)
	anon := tls.Client(raw, pki.ClientConfig(t, "", ""))
	anon.Handshake()
	anon.Read(make([]byte, 1))
	anon.Close()
	logs.WaitFor(t, "closing due:")

	raw = inputtest.Dial(t, "tcp", addr)
	c := tls.Client(raw, pki.ClientConfig(t, pki.ClientCert, pki.ClientKey))
	fmt.Fprint(c, "secret\n")
	c.Close()
	e := em.Next()
	if inputtest.Field(e, "message") != "secret" || inputtest.Field(e, "sslsubject") != "CN=client,O=gostash tests" {
		t.Errorf("event %s", inputtest.JSON(e))
	}
}

// Client mode connects out, reads, and connects again when the server
// closes the connection; with TLS it checks the server's chain and records
// its subject in OpenSSL's form.
func TestClientMode(t *testing.T) {
	pki := tlstest.New(t)
	cert, err := tls.LoadX509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "connection %d\n", i)
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	in := plugintest.Input(t, fmt.Sprintf(`tcp { mode => client host => "127.0.0.1" port => %d ssl_enabled => true ssl_certificate_authorities => [%q] }`, port, pki.CA), plugintest.ECS("disabled"))
	em := in.Start()
	events := em.NextN(2)
	if inputtest.Field(events[0], "message") != "connection 0" || inputtest.Field(events[1], "message") != "connection 1" {
		t.Errorf("events %s / %s", inputtest.JSON(events[0]), inputtest.JSON(events[1]))
	}
	if got := inputtest.Field(events[0], "sslsubject"); got != "/CN=localhost" {
		t.Errorf("sslsubject %q", got)
	}
	if inputtest.Field(events[0], "host") != "127.0.0.1" || inputtest.Field(events[0], "port") != fmt.Sprint(port) {
		t.Errorf("event %s", inputtest.JSON(events[0]))
	}
}

// Client mode with ssl_verification_mode full refuses a server its CAs do
// not vouch for, logs it and keeps trying.
func TestClientModeRefusesUntrustedServer(t *testing.T) {
	pki := tlstest.New(t)
	cert, err := tls.LoadX509KeyPair(pki.OtherClientCert, pki.OtherClientKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprint(c, "should not be read\n")
			c.Close()
		}
	}()
	in := plugintest.Input(t, fmt.Sprintf(`tcp { mode => client host => "127.0.0.1" port => %d ssl_enabled => true ssl_certificate_authorities => [%q] }`,
		ln.Addr().(*net.TCPAddr).Port, pki.CA), plugintest.ECS("disabled"))
	logs := in.Logs
	em := in.Start()
	logs.WaitFor(t, "SSL Error")
	if em.Pending() != 0 {
		t.Error("read from an untrusted server")
	}
}

func TestConfigErrors(t *testing.T) {
	pki := tlstest.New(t)
	cases := map[string]string{
		`tcp { port => 1 ssl_enabled => true }`:                                                                                                                       "An `ssl_certificate` is required when `ssl_enabled` => true",
		fmt.Sprintf(`tcp { port => 1 ssl_enabled => true ssl_certificate => %q }`, pki.ServerCert):                                                                    "Using an `ssl_certificate` requires an `ssl_key`",
		fmt.Sprintf(`tcp { port => 1 ssl_enabled => true ssl_key => %q }`, pki.ServerKey):                                                                             "An `ssl_certificate` is required when using an `ssl_key`",
		fmt.Sprintf(`tcp { port => 1 ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_client_authentication => optional }`, pki.ServerCert, pki.ServerKey): "An `ssl_certificate_authorities` is required when `ssl_client_authentication` => `optional`",
		`tcp { port => 1 ssl_enabled => true ssl_verification_mode => none }`:                                                                                         "`ssl_verification_mode` must not be configured when mode is `server`, use `ssl_client_authentication` instead.",
		`tcp { port => 1 mode => client ssl_enabled => true ssl_client_authentication => none }`:                                                                      "`ssl_client_authentication` must not be configured when mode is `client`, use `ssl_verification_mode` instead.",
		`tcp { port => 1 mode => listener }`:                                                                                                                          `Expected one of ["server", "client"], got ["listener"]`,
		`tcp { port => 1 ssl_enable => true }`:                                                                                                                        "The setting `ssl_enable` in plugin `tcp` is obsolete and is no longer available. Use 'ssl_enabled' instead.",
		`tcp { port => 1 ssl_verify => true }`:                                                                                                                        "Use 'ssl_client_authentication' when mode is 'server' or 'ssl_verification_mode' when mode is 'client'",
	}
	for config, want := range cases {
		_, err := plugintest.TryInput(t, config)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n%v\nwant %q", config, err, want)
		}
	}
}
