package tcp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, block string, log *iotest.Log) plugin.Output {
	t.Helper()
	o := iotest.Build(t, plugin.KindOutput, "tcp { "+block+" }", log).(plugin.Output)
	t.Cleanup(func() { o.(plugin.Closer).Close() })
	if s, ok := o.(plugin.Starter); ok {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func send(t *testing.T, o plugin.Output, messages ...string) {
	t.Helper()
	var events []*event.Event
	for _, m := range messages {
		events = append(events, iotest.Event("message", m))
	}
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

// waitOutput waits until the program printed want.
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

// ncServer runs netcat listening on a fresh port, kept listening after
// each client (the readiness probe is one).
func ncServer(t *testing.T, port int) *iotest.Process {
	p := iotest.Start(t, "nc", "-lk", "127.0.0.1", strconv.Itoa(port))
	iotest.WaitListening(t, fmt.Sprintf("127.0.0.1:%d", port))
	return p
}

func TestClientWritesCodecBytesToAServer(t *testing.T) {
	port := iotest.FreePort(t)
	nc := ncServer(t, port)
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d`, port), nil)
	send(t, o, "one", "two")
	// The json codec puts nothing between events, as in Logstash.
	waitOutput(t, nc, `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"one"}{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"two"}`)
}

// TestClientWaitsForTheServer checks the outage behaviour: with no server
// the output logs, retries and holds the pipeline back, and delivers once
// a server is there.
func TestClientWaitsForTheServer(t *testing.T) {
	port := iotest.FreePort(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d reconnect_interval => 0.05 codec => json_lines`, port), &log)
	done := make(chan error, 1)
	go func() { done <- o.Output(context.Background(), []*event.Event{iotest.Event("message", "patient")}) }()
	log.WaitFor(t, "failed to connect:")
	select {
	case err := <-done:
		t.Fatalf("Output returned (%v) with no server", err)
	default:
	}
	nc := ncServer(t, port)
	waitOutput(t, nc, `"message":"patient"`)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestClientReconnectsAfterTheServerRestarts checks that writes go on to
// a new server after the first one went away.
func TestClientReconnectsAfterTheServerRestarts(t *testing.T) {
	port := iotest.FreePort(t)
	first := ncServer(t, port)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d reconnect_interval => 0.05 codec => line { format => "%%{message}" }`, port), &log)
	send(t, o, "before")
	waitOutput(t, first, "before\n")
	first.Cmd.Process.Kill()
	first.Cmd.Wait()
	second := ncServer(t, port)
	// Writes into a connection whose peer just died can still succeed
	// locally; the output notices at a later write and reconnects.
	for i := 0; !strings.Contains(second.Stdout.String(), "after"); i++ {
		send(t, o, fmt.Sprintf("after %d", i))
		if i > 1000 {
			t.Fatalf("never reconnected; log:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.WaitFor(t, "client socket failed:")
}

func TestClientTLSAgainstOpenSSL(t *testing.T) {
	certs := iotest.MakeCerts(t)
	port := iotest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	server := iotest.Start(t, "openssl", "s_server", "-accept", addr, "-cert", certs.ServerCert, "-key", certs.ServerKey, "-quiet")
	iotest.WaitListening(t, addr)
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d ssl_enabled => true ssl_certificate_authorities => ["%s"] codec => line { format => "%%{message}" }`, port, certs.CA), nil)
	send(t, o, "secret stuff")
	waitOutput(t, server, "secret stuff\n")
}

// TestClientRefusesAnUntrustedServer checks that a certificate the output
// cannot verify is a logged, retried failure, never a delivery.
func TestClientRefusesAnUntrustedServer(t *testing.T) {
	certs := iotest.MakeCerts(t)
	port := iotest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	server := iotest.Start(t, "openssl", "s_server", "-accept", addr, "-cert", certs.OtherCert, "-key", certs.OtherKey, "-quiet")
	iotest.WaitListening(t, addr)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d ssl_enabled => true ssl_certificate_authorities => ["%s"] reconnect_interval => 0.05`, port, certs.CA), &log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Output(ctx, []*event.Event{iotest.Event("message", "x")}) }()
	log.WaitFor(t, "connect ssl failure:")
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Output reported success")
	}
	if strings.Contains(server.Stdout.String(), "message") {
		t.Fatal("the untrusted server got the event")
	}
}

// connected waits until the server output has n clients.
func connected(t *testing.T, s *server, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		got := len(s.clients)
		s.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients connected, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServerWritesToEveryClient(t *testing.T) {
	port := iotest.FreePort(t)
	o := build(t, fmt.Sprintf(`mode => server host => "127.0.0.1" port => %d codec => line { format => "%%{message}" }`, port), nil)
	s := o.(*server)
	send(t, o, "nobody hears this")
	a := iotest.Start(t, "nc", "127.0.0.1", strconv.Itoa(port))
	b := iotest.Start(t, "nc", "127.0.0.1", strconv.Itoa(port))
	connected(t, s, 2)
	send(t, o, "hello all")
	waitOutput(t, a, "hello all\n")
	waitOutput(t, b, "hello all\n")
	if strings.Contains(a.Stdout.String(), "nobody") {
		t.Fatal("an event sent before the client connected reached it")
	}
	a.Cmd.Process.Kill()
	a.Cmd.Wait()
	for i := 0; ; i++ {
		send(t, o, "still there")
		s.mu.Lock()
		n := len(s.clients)
		s.mu.Unlock()
		if n == 1 {
			break
		}
		if i > 1000 {
			t.Fatal("the dead client was never dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitOutput(t, b, "still there\n")
}

func TestServerTLSWithClientCertificates(t *testing.T) {
	certs := iotest.MakeCerts(t)
	port := iotest.FreePort(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`mode => server host => "127.0.0.1" port => %d ssl_enabled => true ssl_certificate => "%s" ssl_key => "%s" ssl_client_authentication => required ssl_certificate_authorities => ["%s"] codec => line { format => "%%{message}" }`,
		port, certs.ServerCert, certs.ServerKey, certs.CA), &log)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	stranger := iotest.Start(t, "openssl", "s_client", "-connect", addr, "-CAfile", certs.CA, "-quiet")
	log.WaitFor(t, "SSL Error")
	trusted := iotest.Start(t, "openssl", "s_client", "-connect", addr, "-CAfile", certs.CA, "-verify_return_error", "-quiet", "-cert", certs.ClientCert, "-key", certs.ClientKey)
	connected(t, o.(*server), 1)
	send(t, o, "for certified eyes")
	waitOutput(t, trusted, "for certified eyes\n")
	if strings.Contains(stranger.Stdout.String(), "certified") {
		t.Fatal("a client without a certificate got the event")
	}
}

// TestServerListensOnlyWhenStarted checks that building the output (as
// -t and a reload do) leaves the port alone, and that starting it on a
// port in use fails.
func TestServerListensOnlyWhenStarted(t *testing.T) {
	port := iotest.FreePort(t)
	build(t, fmt.Sprintf(`mode => server host => "127.0.0.1" port => %d`, port), nil)
	second, diags := iotest.TryBuild(plugin.KindOutput, fmt.Sprintf(`tcp { mode => server host => "127.0.0.1" port => %d }`, port), nil)
	if second == nil {
		t.Fatalf("building a second server on the port failed: %s", diags)
	}
	err := second.(plugin.Starter).Start()
	if err == nil || !strings.Contains(err.Error(), "Could not start tcp server") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("starting on a port in use: %v", err)
	}
	second.(plugin.Closer).Close()
}

func TestSSLConfigErrors(t *testing.T) {
	certs := iotest.MakeCerts(t)
	for block, want := range map[string]string{
		`host => "h" port => 1 ssl_enabled => true ssl_certificate => "` + certs.ClientCert + `"`:                                                                                                   "Using an `ssl_certificate` requires an `ssl_key`",
		`host => "h" port => 1 ssl_enabled => true ssl_key => "` + certs.ClientKey + `"`:                                                                                                            "An `ssl_certificate` is required when using an `ssl_key`",
		`host => "h" port => 1 ssl_enabled => true ssl_client_authentication => required`:                                                                                                           "`ssl_client_authentication` must not be configured when mode is `client`",
		`mode => server host => "h" port => 1 ssl_enabled => true ssl_verification_mode => none`:                                                                                                    "`ssl_verification_mode` must not be configured when mode is `server`",
		`mode => server host => "h" port => 1 ssl_enabled => true`:                                                                                                                                  "An `ssl_certificate` is required when `ssl_enabled` => true",
		`mode => server host => "127.0.0.1" port => 1 ssl_enabled => true ssl_certificate => "` + certs.ServerCert + `" ssl_key => "` + certs.ServerKey + `" ssl_client_authentication => optional`: "An `ssl_certificate_authorities` is required when `ssl_client_authentication` => `optional`",
		`host => "h" port => 1 ssl_enabled => true ssl_certificate => "` + certs.ServerCert + `" ssl_key => "` + certs.ClientKey + `"`:                                                              "does not match",
		`host => "h" port => 1 ssl_cipher_suites => ["TLS_FAKE"]`:                                                                                                                                   "Cipher `TLS_FAKE` is not available",
		`host => "h" port => 1 ssl_supported_protocols => ["SSLv3"]`:                                                                                                                                `Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got "SSLv3"`,
		`host => "h" port => 1 ssl_cert => "x"`:                                                                                                                                                     "The setting `ssl_cert` in plugin `tcp` is obsolete and is no longer available. Use 'ssl_certificate' instead.",
	} {
		_, diags := iotest.TryBuild(plugin.KindOutput, "tcp { "+block+" }", nil)
		if !strings.Contains(diags, want) {
			t.Errorf("%s:\n%s\nwant %q", block, diags, want)
		}
	}
}

func TestIgnoredSSLSettingsAreWarned(t *testing.T) {
	var log iotest.Log
	build(t, `host => "127.0.0.1" port => 1 ssl_verification_mode => none`, &log)
	log.WaitFor(t, "Configured SSL settings are not used when `ssl_enabled` is set to `false`: [\"ssl_verification_mode\"]")
}
