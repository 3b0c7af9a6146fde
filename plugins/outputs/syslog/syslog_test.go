package syslog

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, block string, log *iotest.Log) *Output {
	t.Helper()
	o := iotest.Build(t, plugin.KindOutput, "syslog { "+block+" }", log).(*Output)
	t.Cleanup(func() { o.Close() })
	return o
}

func udpReceiver(t *testing.T) (*net.UDPConn, int) {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, conn.LocalAddr().(*net.UDPAddr).Port
}

func datagram(t *testing.T, conn *net.UDPConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func send(t *testing.T, o *Output, events ...*event.Event) {
	t.Helper()
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

// TestMessageFormats checks the bytes of each datagram: the header per
// RFC, the priority from labels or the priority option, the message kept
// on one line.
func TestMessageFormats(t *testing.T) {
	conn, port := udpReceiver(t)
	base := fmt.Sprintf(`host => "127.0.0.1" port => %d `, port)
	ev := func() *event.Event {
		e := iotest.Event("message", "hello\r\nworld \n", "host", "web1", "app", "shop", "pri", "165")
		return e
	}
	for _, c := range []struct{ block, want string }{
		{``, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: hello\\nworld\n"},
		{`facility => "local0" severity => "error" appname => "%{app}" procid => "42"`, "<115>Jan 02 03:04:05 web1 shop[42]: hello\\nworld\n"},
		{`facility => "cron" severity => "loud"`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: hello\\nworld\n"},
		{`use_labels => false priority => "%{pri}"`, "<165>Jan 02 03:04:05 web1 LOGSTASH[-]: hello\\nworld\n"},
		{`use_labels => false`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: hello\\nworld\n"},
		{`use_labels => false priority => "192"`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: hello\\nworld\n"},
		{`rfc => rfc5424 sourcehost => "%{app}.example" msgid => "ID47"`, "<13>1 2026-01-02T03:04:05.678+00:00 shop.example LOGSTASH - ID47 - hello\\nworld\n"},
		{`rfc => rfc5424 structured_data => '[exampleSDID@32473 app="%{app}"]'`, "<13>1 2026-01-02T03:04:05.678+00:00 web1 LOGSTASH - - [exampleSDID@32473 app=\"shop\"] hello\\nworld\n"},
		{`message => "%{app}: %{message}"`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: shop: hello\\nworld\n"},
		{`codec => plain { format => "plain says %{app}" } message => "ignored"`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: plain says shop\n"},
		{`codec => json`, "<13>Jan 02 03:04:05 web1 LOGSTASH[-]: {\"@timestamp\":\"2026-01-02T03:04:05.678Z\",\"@version\":\"1\",\"message\":\"hello\\r\\nworld \\n\",\"host\":\"web1\",\"app\":\"shop\",\"pri\":\"165\"}\n"},
	} {
		o := build(t, base+c.block, nil)
		send(t, o, ev())
		if got := datagram(t, conn); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.block, got, c.want)
		}
	}
}

// tcpServer is netcat listening on a fresh port.
func tcpServer(t *testing.T, port int) *iotest.Process {
	t.Helper()
	p := iotest.Start(t, "nc", "-lk", "127.0.0.1", strconv.Itoa(port))
	iotest.WaitListening(t, fmt.Sprintf("127.0.0.1:%d", port))
	return p
}

func waitOutput(t *testing.T, p *iotest.Process, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.Stdout.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never received %q; got %q (stderr %q)", want, p.Stdout.String(), p.Stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTCPWaitsForTheServer checks the outage behaviour over TCP: logged,
// retried every reconnect_interval, delivered once the server is back.
func TestTCPWaitsForTheServer(t *testing.T) {
	port := iotest.FreePort(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d protocol => tcp reconnect_interval => 0.05`, port), &log)
	done := make(chan error, 1)
	go func() {
		done <- o.Output(context.Background(), []*event.Event{iotest.Event("message", "eventually", "host", "h")})
	}()
	log.WaitFor(t, "syslog tcp output exception: closing, reconnecting and resending event")
	nc := tcpServer(t, port)
	waitOutput(t, nc, "<13>Jan 02 03:04:05 h LOGSTASH[-]: eventually\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	send(t, o, iotest.Event("message", "next", "host", "h"))
	waitOutput(t, nc, "eventually\n<13>Jan 02 03:04:05 h LOGSTASH[-]: next\n")
}

// TestUDPFailuresAreDropped checks that a send that fails over UDP does
// not hold the pipeline.
func TestUDPFailuresAreDropped(t *testing.T) {
	port := iotest.FreePort(t)
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d`, port), nil)
	for range 3 {
		send(t, o, iotest.Event("message", "into the void"))
	}
}

func TestTLSAgainstOpenSSL(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for _, c := range []struct {
		name, cert, key, options string
		delivered                bool
	}{
		{"verified", certs.ServerCert, certs.ServerKey, `ssl_verify => true ssl_certificate_authorities => ["` + certs.CA + `"]`, true},
		{"verified, deprecated CA option", certs.ServerCert, certs.ServerKey, `ssl_verify => true ssl_cacert => "` + certs.CA + `"`, true},
		{"CRL allows", certs.ServerCert, certs.ServerKey, `ssl_verify => true ssl_certificate_authorities => ["` + certs.CA + `"] ssl_crl_path => "` + certs.CRL + `"`, true},
		{"CRL refuses", certs.RevokedCert, certs.RevokedKey, `ssl_verify => true ssl_certificate_authorities => ["` + certs.CA + `"] ssl_crl_path => "` + certs.CRL + `"`, false},
		{"unknown CA", certs.OtherCert, certs.OtherKey, `ssl_verify => true ssl_certificate_authorities => ["` + certs.CA + `"]`, false},
		{"no verification", certs.OtherCert, certs.OtherKey, ``, true},
		{"client certificate", certs.ServerCert, certs.ServerKey, `ssl_verify => true ssl_certificate_authorities => ["` + certs.CA + `"] ssl_certificate => "` + certs.ClientCert + `" ssl_key => "` + certs.ClientKey + `"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := iotest.FreePort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			server := iotest.Start(t, "openssl", "s_server", "-accept", addr, "-cert", c.cert, "-key", c.key, "-quiet")
			iotest.WaitListening(t, addr)
			var log iotest.Log
			o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d protocol => "ssl-tcp" reconnect_interval => 0.05 %s`, port, c.options), &log)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- o.Output(ctx, []*event.Event{iotest.Event("message", "over tls", "host", "h")}) }()
			if c.delivered {
				waitOutput(t, server, "<13>Jan 02 03:04:05 h LOGSTASH[-]: over tls\n")
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				return
			}
			log.WaitFor(t, "SSL Error")
			cancel()
			<-done
			if strings.Contains(server.Stdout.String(), "over tls") {
				t.Fatal("delivered to a server that fails verification")
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for block, want := range map[string]string{
		`structured_data => "[a@1 b=\"c\"]"`:                                                                         "Structured data is not supported for RFC3164",
		`protocol => "ssl-tcp" ssl_crl_check => ["chain"]`:                                                           "ssl_crl_check is set but ssl_crl_path is not set",
		`protocol => "ssl-tcp" ssl_crl_path => "` + certs.CRL + `" ssl_crl_check => ["leaf", "chain"]`:               "ssl_crl_check can only contain one of 'leaf' or 'chain'",
		`protocol => "ssl-tcp" ssl_crl_check => ["root"]`:                                                            `Expected one of ["leaf", "chain"], got "root"`,
		`protocol => "ssl-tcp" ssl_cacert => "` + certs.CA + `" ssl_certificate_authorities => ["` + certs.CA + `"]`: "Both `ssl_certificate_authorities` and (deprecated) `ssl_cacert` were set. Use only `ssl_certificate_authorities`.",
		`protocol => "ssl-tcp" ssl_certificate => "` + certs.ClientCert + `"`:                                        "ssl_certificate and ssl_key go together",
		`protocol => "ssl-tcp" ssl_certificate_authorities => ["/nonexistent"]`:                                      "File does not exist or cannot be opened /nonexistent",
		`protocol => "tls"`: `Expected one of ["tcp", "udp", "ssl-tcp"], got ["tls"]`,
	} {
		_, diags := iotest.TryBuild(plugin.KindOutput, `syslog { host => "127.0.0.1" port => 514 `+block+` }`, nil)
		if !strings.Contains(diags, want) {
			t.Errorf("%s:\n%s\nwant %q", block, diags, want)
		}
	}
}

func TestIgnoredSSLSettingsAreWarned(t *testing.T) {
	var log iotest.Log
	build(t, `host => "127.0.0.1" port => 514 protocol => tcp ssl_verify => true`, &log)
	log.WaitFor(t, "Configured SSL settings are not used when `protocol` is set to 'tcp': [\"ssl_verify\"]")
}
