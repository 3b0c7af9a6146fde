package beats_test

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"
	"github.com/klauspost/compress/zlib"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/beats"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// filebeatDoc is what Filebeat 8 sends for one log line.
func filebeatDoc(msg string) map[string]any {
	return map[string]any{
		"@timestamp": "2026-01-02T03:04:05.678Z",
		"@metadata":  map[string]any{"beat": "filebeat", "type": "_doc", "version": "8.15.0"},
		"message":    msg,
		"log":        map[string]any{"offset": 42, "file": map[string]any{"path": "/var/log/app.log"}},
		"input":      map[string]any{"type": "filestream"},
		"host":       map[string]any{"name": "web-1"},
		"agent":      map[string]any{"type": "filebeat", "version": "8.15.0", "name": "web-1"},
		"ecs":        map[string]any{"version": "8.0.0"},
	}
}

// start runs a beats input with the given extra options, its events tagged
// "decorated" by the input's own decoration, and returns its address, the
// running input and its log.
func start(t *testing.T, options, ecs string) (string, *plugintest.Running, *plugintest.Logs) {
	t.Helper()
	port := inputtest.FreePort(t)
	in := plugintest.Input(t, fmt.Sprintf(`beats { host => "127.0.0.1" port => %d tags => ["decorated"] %s }`, port, options), plugintest.ECS(ecs))
	logs := in.Logs
	em := in.Start()
	return fmt.Sprintf("127.0.0.1:%d", port), em, logs
}

func dialLumber(t *testing.T, addr string, opts ...lumber.Option) *lumber.Client {
	t.Helper()
	conn := inputtest.Dial(t, "tcp", addr)
	c, err := lumber.NewWithConn(conn, append([]lumber.Option{lumber.Timeout(30 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c *lumber.Client, docs ...any) {
	t.Helper()
	if err := c.Send(docs); err != nil {
		t.Fatal(err)
	}
	if seq, err := c.AwaitACK(uint32(len(docs))); err != nil || seq != uint32(len(docs)) {
		t.Fatalf("ACK %d, %v; want %d", seq, err, len(docs))
	}
}

func TestFilebeatEventInECSMode(t *testing.T) {
	addr, em, _ := start(t, "", "")
	c := dialLumber(t, addr, lumber.CompressionLevel(3))
	send(t, c, filebeatDoc("GET /index.html 200"))
	e := em.Next()
	want := map[string]string{
		"message":                             "GET /index.html 200",
		"[event][original]":                   "GET /index.html 200",
		"@timestamp":                          "2026-01-02T03:04:05.678Z",
		"[@metadata][beat]":                   "filebeat",
		"[@metadata][type]":                   "_doc",
		"[@metadata][version]":                "8.15.0",
		"[@metadata][input][beats][host][ip]": "127.0.0.1",
		"[host][name]":                        "web-1",
		"[log][offset]":                       "42",
		"[agent][type]":                       "filebeat",
		"tags":                                "decorated,beats_input_codec_plain_applied",
	}
	for ref, v := range want {
		if got := inputtest.Field(e, ref); got != v {
			t.Errorf("%s = %q, want %q in %s", ref, got, v, inputtest.JSON(e))
		}
	}
	if off, _ := e.Get("[log][offset]"); off != int64(42) {
		t.Errorf("[log][offset] is %T %v; JSON integers stay integers", off, off)
	}
}

func TestLegacyFieldsWhenECSDisabled(t *testing.T) {
	addr, em, _ := start(t, "add_hostname => true", "disabled")
	c := dialLumber(t, addr)
	send(t, c, map[string]any{"message": "hello", "beat": map[string]any{"hostname": "old-beat"}})
	e := em.Next()
	if got := inputtest.Field(e, "[@metadata][ip_address]"); got != "127.0.0.1" {
		t.Errorf("[@metadata][ip_address] = %q", got)
	}
	if got := inputtest.Field(e, "host"); got != "old-beat" {
		t.Errorf("add_hostname: host = %q in %s", got, inputtest.JSON(e))
	}
	if inputtest.Has(e, "[event][original]") {
		t.Errorf("no [event][original] with ECS disabled: %s", inputtest.JSON(e))
	}
}

// A payload without message or line is the event as it is.
func TestRawEvent(t *testing.T) {
	addr, em, _ := start(t, "", "")
	c := dialLumber(t, addr)
	send(t, c, map[string]any{"metricset": map[string]any{"name": "cpu"}, "@timestamp": "2026-03-04T05:06:07.000Z"})
	e := em.Next()
	if inputtest.Field(e, "[metricset][name]") != "cpu" || inputtest.Field(e, "@timestamp") != "2026-03-04T05:06:07.000Z" ||
		inputtest.Field(e, "tags") != "decorated,beats_input_raw_event" || inputtest.Has(e, "message") {
		t.Errorf("raw event: %s", inputtest.JSON(e))
	}
}

func TestEnrichNoneAddsNothing(t *testing.T) {
	addr, em, _ := start(t, `enrich => none`, "")
	c := dialLumber(t, addr)
	send(t, c, map[string]any{"message": "x"})
	e := em.Next()
	if inputtest.Has(e, "[@metadata][input]") || inputtest.Has(e, "[event][original]") || inputtest.Field(e, "tags") != "decorated" {
		t.Errorf("enrich => none: %s", inputtest.JSON(e))
	}
}

// A codec splitting the text in several events gives each the payload's
// fields, but only the first its @timestamp, as Logstash does.
func TestLineCodecSplitsMessage(t *testing.T) {
	addr, em, _ := start(t, `codec => line`, "")
	c := dialLumber(t, addr)
	send(t, c, map[string]any{"message": "a\nb\n", "@timestamp": "2020-01-01T00:00:00.000Z", "f": map[string]any{"k": "v"}})
	events := em.NextN(2)
	if inputtest.Field(events[0], "message") != "a" || inputtest.Field(events[1], "message") != "b" {
		t.Fatalf("events %s / %s", inputtest.JSON(events[0]), inputtest.JSON(events[1]))
	}
	if inputtest.Field(events[0], "@timestamp") != "2020-01-01T00:00:00.000Z" || inputtest.Field(events[1], "@timestamp") == "2020-01-01T00:00:00.000Z" {
		t.Errorf("timestamps %s / %s", inputtest.Field(events[0], "@timestamp"), inputtest.Field(events[1], "@timestamp"))
	}
	events[0].Set("[f][k]", "changed")
	if inputtest.Field(events[1], "[f][k]") != "v" || inputtest.Field(events[1], "tags") != "decorated,beats_input_codec_line_applied" {
		t.Errorf("second event shares the first's fields: %s", inputtest.JSON(events[1]))
	}
}

// The ACK goes back only once the pipeline has taken the window: while the
// pipeline is full the Beat hears only keep-alives (ACK 0), and the ACK of
// the window follows the events into the pipeline.
func TestAckWaitsForThePipeline(t *testing.T) {
	t.Parallel()
	addr, em, _ := start(t, "", "")
	em.Block()
	c := dialLumber(t, addr)
	docs := []any{filebeatDoc("1"), filebeatDoc("2"), filebeatDoc("3")}
	if err := c.Send(docs); err != nil {
		t.Fatal(err)
	}
	seq, err := c.ReceiveACK()
	if err != nil || seq != 0 {
		t.Fatalf("while the pipeline is full: ACK %d, %v; want a keep-alive (0)", seq, err)
	}
	em.Unblock()
	if seq, err := c.AwaitACK(3); err != nil || seq != 3 {
		t.Fatalf("after the pipeline took the window: ACK %d, %v", seq, err)
	}
	if n := len(em.NextN(3)); n != 3 {
		t.Fatalf("%d events", n)
	}
}

// Shutting down while a window waits for the pipeline still delivers and
// acknowledges it.
func TestShutdownDrainsTheWindowInFlight(t *testing.T) {
	t.Parallel()
	addr, em, _ := start(t, "", "")
	em.Block()
	c := dialLumber(t, addr)
	if err := c.Send([]any{filebeatDoc("1"), filebeatDoc("2")}); err != nil {
		t.Fatal(err)
	}
	// The precondition: the window is read and waits for the pipeline;
	// stopping before that would only test an idle connection's close.
	em.WaitBlocked()
	stopped := make(chan struct{})
	go func() {
		em.Stop()
		close(stopped)
	}()
	// The input cannot stop before the pipeline takes the window.
	if seq, err := c.ReceiveACK(); err != nil || seq != 0 {
		t.Fatalf("while stopping with a full pipeline: ACK %d, %v", seq, err)
	}
	em.Unblock()
	if seq, err := c.AwaitACK(2); err != nil || seq != 2 {
		t.Fatalf("ACK %d, %v", seq, err)
	}
	<-stopped
	if n := len(em.NextN(2)); n != 2 {
		t.Fatalf("%d events", n)
	}
}

// A malformed frame closes that connection, logged; the next Beat is served.
func TestMalformedFrameClosesOnlyThatConnection(t *testing.T) {
	addr, em, logs := start(t, "", "")
	bad := inputtest.Dial(t, "tcp", addr)
	defer bad.Close()
	fmt.Fprint(bad, "GET / HTTP/1.1\r\n\r\n")
	if _, err := io.ReadAll(bad); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("bad connection: %v", err)
	}
	logs.WaitFor(t, "Handling exception: Invalid version of beats protocol: 71")
	c := dialLumber(t, addr)
	send(t, c, filebeatDoc("after"))
	if e := em.Next(); inputtest.Field(e, "message") != "after" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
}

// A window past the reader's limit closes that connection, logged, whether
// a frame announces it (2 GiB, refused before its bytes arrive) or a
// compressed frame inflates to it (256 MiB of zeros in 256 KiB); the next
// Beat is served.
func TestOversizedWindowClosesOnlyThatConnection(t *testing.T) {
	addr, em, logs := start(t, "", "")
	var bomb bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&bomb, zlib.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	zw.Close()
	window := binary.BigEndian.AppendUint32([]byte("2W"), 1)
	for _, c := range []struct {
		wire []byte
		want string
	}{
		{binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(append(window, "2J"...), 1), 0x7FFFFFFF), "Handling exception: JSON frame over the window limit"},
		{append(binary.BigEndian.AppendUint32(append(window, "2C"...), uint32(bomb.Len())), bomb.Bytes()...), "Handling exception: compressed frame inflates past the window limit of 134217728 bytes"},
	} {
		bad := inputtest.Dial(t, "tcp", addr)
		bad.Write(c.wire)
		if _, err := io.ReadAll(bad); err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("bad connection: %v", err)
		}
		bad.Close()
		logs.WaitFor(t, c.want)
		if !strings.Contains(logs.String(), "remote: "+bad.LocalAddr().String()) {
			t.Errorf("the log does not name the peer %s:\n%s", bad.LocalAddr(), logs)
		}
	}
	c := dialLumber(t, addr)
	send(t, c, filebeatDoc("after"))
	if e := em.Next(); inputtest.Field(e, "message") != "after" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
}

// A payload that is not a JSON object ends the connection without an ACK.
func TestBadJSONPayload(t *testing.T) {
	addr, _, logs := start(t, "", "")
	conn := inputtest.Dial(t, "tcp", addr)
	defer conn.Close()
	frame := binary.BigEndian.AppendUint32([]byte("2W"), 1)
	frame = append(frame, '2', 'J', 0, 0, 0, 1, 0, 0, 0, 5)
	frame = append(frame, "[1,2]"...)
	conn.Write(frame)
	io.ReadAll(conn)
	logs.WaitFor(t, "Unable to parse beats payload")
}

// A version 1 (logstash-forwarder) window: key/value frames with a line.
func TestVersion1Frames(t *testing.T) {
	addr, em, _ := start(t, "", "disabled")
	conn := inputtest.Dial(t, "tcp", addr)
	defer conn.Close()
	frame := binary.BigEndian.AppendUint32([]byte("1W"), 1)
	frame = append(frame, '1', 'D', 0, 0, 0, 1, 0, 0, 0, 2)
	for _, s := range []string{"line", "old school", "file", "/var/log/x"} {
		frame = binary.BigEndian.AppendUint32(frame, uint32(len(s)))
		frame = append(frame, s...)
	}
	conn.Write(frame)
	ack := make([]byte, 6)
	if _, err := io.ReadFull(conn, ack); err != nil || string(ack) != "1A\x00\x00\x00\x01" {
		t.Fatalf("ACK %q, %v", ack, err)
	}
	e := em.Next()
	if inputtest.Field(e, "message") != "old school" || inputtest.Field(e, "file") != "/var/log/x" {
		t.Fatalf("event %s", inputtest.JSON(e))
	}
}

// A connection that goes quiet is closed after client_inactivity_timeout.
func TestInactiveConnectionIsClosed(t *testing.T) {
	addr, _, logs := start(t, "client_inactivity_timeout => 1", "")
	conn := inputtest.Dial(t, "tcp", addr)
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	// Half a frame, then nothing: a client that went away without closing.
	conn.Write([]byte("2W\x00"))
	_, err := conn.Read(make([]byte, 1))
	if err == nil || isTimeout(err) {
		t.Fatalf("read on an idle connection: %v, want it closed by the server", err)
	}
	logs.WaitFor(t, "reader and writer are idle, closing remote connection")
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestTLSWithClientCertificateMetadata(t *testing.T) {
	pki := tlstest.New(t)
	opts := fmt.Sprintf(`ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_certificate_authorities => [%q]
		ssl_client_authentication => required enrich => all`, pki.ServerCert, pki.ServerKey, pki.CA)
	for _, ecs := range []string{"disabled", "v8"} {
		addr, em, logs := start(t, opts, ecs)
		// A client without a certificate is refused; the input carries on.
		noCert := tlsDial(t, addr, pki.ClientConfig(t, "", ""))
		noCert.Read(make([]byte, 1))
		noCert.Close()
		logs.WaitFor(t, "Handling exception")

		conn := tlsDial(t, addr, pki.ClientConfig(t, pki.ClientCert, pki.ClientKey))
		c, err := lumber.NewWithConn(conn, lumber.Timeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		send(t, c, map[string]any{"message": "secure"})
		c.Close()
		e := em.Next()
		want := map[string]string{"[@metadata][tls_peer][status]": "verified"}
		if ecs == "disabled" {
			want["[@metadata][tls_peer][subject]"] = "CN=client,O=gostash tests"
			want["[@metadata][tls_peer][protocol]"] = "TLSv1.3"
		} else {
			want["[@metadata][input][beats][tls][client][subject]"] = "CN=client,O=gostash tests"
			want["[@metadata][input][beats][tls][version_protocol]"] = "TLSv1.3"
			want["[@metadata][input][beats][tls][cipher]"] = "TLS_AES_128_GCM_SHA256"
		}
		for ref, v := range want {
			if got := inputtest.Field(e, ref); got != v {
				t.Errorf("%s: %s = %q, want %q in %s", ecs, ref, got, v, inputtest.JSON(e))
			}
		}
	}
}

func tlsDial(t *testing.T, addr string, cfg *tls.Config) *tls.Conn {
	t.Helper()
	raw := inputtest.Dial(t, "tcp", addr)
	conn := tls.Client(raw, cfg)
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	conn.Handshake()
	conn.SetDeadline(time.Time{})
	return conn
}

// A client that never starts the TLS handshake is dropped at
// ssl_handshake_timeout, logged.
func TestSilentTLSClientTimesOut(t *testing.T) {
	pki := tlstest.New(t)
	addr, _, logs := start(t, fmt.Sprintf(`ssl_enabled => true ssl_certificate => %q ssl_key => %q ssl_handshake_timeout => 100`, pki.ServerCert, pki.ServerKey), "")
	conn := inputtest.Dial(t, "tcp", addr)
	defer conn.Close()
	logs.WaitFor(t, "TLS handshake timed out")
}

func TestConfigErrors(t *testing.T) {
	pki := tlstest.New(t)
	cases := map[string]string{
		`beats { port => 5044 enrich => [all, source_metadata] }`:                              `when an alias is provided to ` + "`enrich`" + `, it must be the only value given (got: ["all", "source_metadata"], including alias all)`,
		`beats { port => 5044 enrich => none include_codec_tag => false }`:                     "both `enrich` and (deprecated) `include_codec_tag` were provided; use only `enrich`",
		`beats { port => 5044 enrich => [bogus] }`:                                             `Expected one of ["source_metadata", "codec_metadata", "ssl_peer_metadata", "all", "none"], got "bogus"`,
		`beats { port => 5044 ssl_enabled => true }`:                                           "ssl_key => is a required setting when ssl_enabled => true is configured",
		fmt.Sprintf(`beats { port => 5044 ssl_enabled => true ssl_key => %q }`, pki.ServerKey): "ssl_certificate => is a required setting when ssl_enabled => true is configured",
		fmt.Sprintf(`beats { port => 5044 ssl_enabled => true ssl_key => %q ssl_certificate => %q ssl_client_authentication => required }`, pki.ServerKey, pki.ServerCert):                                         "ssl_certificate_authorities => is a required setting when `ssl_client_authentication => 'required'` is configured",
		fmt.Sprintf(`beats { port => 5044 ssl_enabled => true ssl_key => %q ssl_certificate => %q ssl_client_authentication => none ssl_certificate_authorities => [%q] }`, pki.ServerKey, pki.ServerCert, pki.CA): "Configuring ssl_certificate_authorities requires ssl_client_authentication => to be configured with 'optional' or 'required'",
		`beats { port => 5044 ssl_cipher_suites => ["TLS_NOPE"] }`: "Cipher `TLS_NOPE` is not available",
		`beats { port => 5044 ssl => true }`:                       "The setting `ssl` in plugin `beats` is obsolete and is no longer available. Use 'ssl_enabled' instead.",
		`beats { }`:                                                "Missing a required setting for the beats input plugin: port",
	}
	for config, want := range cases {
		_, err := plugintest.TryInput(t, config)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n%v\nwant %q", config, err, want)
		}
	}
}

func TestUnusedSSLSettingsWarn(t *testing.T) {
	pki := tlstest.New(t)
	logs := plugintest.Input(t, fmt.Sprintf(`beats { port => 5044 ssl_certificate => %q }`, pki.ServerCert)).Logs
	if !strings.Contains(logs.Logstash(), "Configured SSL settings are not used when `ssl_enabled` is set to `false`: [\"ssl_certificate\"]") {
		t.Errorf("log:\n%s", logs)
	}
}
