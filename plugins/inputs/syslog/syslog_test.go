package syslog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/filters/date"
	_ "github.com/gostash/gostash/plugins/filters/grok"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// ciscoLine is the line of logstash-input-syslog's own spec.
const ciscoLine = `<164>Oct 26 15:19:25 1.2.3.4 %ASA-4-106023: Deny udp src DRAC:10.1.2.3/43434 dst outside:192.168.0.1/53 by access-group "acl_drac" [0x0, 0x0]`

// relayOf builds the input and returns its relay.
func relayOf(t testing.TB, options, ecs string) *relay {
	t.Helper()
	in := plugintest.Input(t, "syslog { "+options+" }", plugintest.ECS(ecs)).Plugin
	return in.(*input).relay
}

func relayed(t testing.TB, r *relay, message string) *event.Event {
	e := event.NewEvent()
	e.Data().Set("message", message)
	r.apply(e)
	return e
}

func check(t *testing.T, e *event.Event, want map[string]any) {
	t.Helper()
	for ref, v := range want {
		got, ok := e.Get(ref)
		if v == nil {
			if ok {
				t.Errorf("%s = %v, want it absent in %s", ref, got, inputtest.JSON(e))
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(v) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", v) {
			t.Errorf("%s = %T %v, want %T %v in %s", ref, got, got, v, v, inputtest.JSON(e))
		}
	}
}

func TestRFC3164Legacy(t *testing.T) {
	e := relayed(t, relayOf(t, `timezone => "UTC"`, "disabled"), ciscoLine)
	check(t, e, map[string]any{
		"priority":       int64(164),
		"severity":       int64(4),
		"facility":       int64(20),
		"severity_label": "Warning",
		"facility_label": "local4",
		"logsource":      "1.2.3.4",
		"program":        "%ASA-4-106023",
		"timestamp":      "Oct 26 15:19:25",
		"message":        `Deny udp src DRAC:10.1.2.3/43434 dst outside:192.168.0.1/53 by access-group "acl_drac" [0x0, 0x0]`,
		"tags":           nil,
	})
	if ts := inputtest.Field(e, "@timestamp"); !strings.HasSuffix(ts, "-10-26T15:19:25.000Z") {
		t.Errorf("@timestamp %s", ts)
	}
}

// The ECS cases of logstash-input-syslog's spec (ECS :v1 behavior).
func TestRFC3164ECS(t *testing.T) {
	e := relayed(t, relayOf(t, "", "v8"), "<164>Oct 26 15:19:25 1.2.3.4 a sample message")
	check(t, e, map[string]any{
		"message":                       "a sample message",
		"[event][original]":             "<164>Oct 26 15:19:25 1.2.3.4 a sample message",
		"[log][syslog][priority]":       int64(164),
		"[log][syslog][severity][code]": int64(4),
		"[log][syslog][severity][name]": "Warning",
		"[log][syslog][facility][code]": int64(20),
		"[log][syslog][facility][name]": "local4",
		"[host][hostname]":              "1.2.3.4",
		"[service][type]":               "system",
		"timestamp":                     nil,
		"priority":                      nil,
	})
}

// The spec's "should support non UTC timezone".
func TestTimezone(t *testing.T) {
	e := relayed(t, relayOf(t, `timezone => "-05:00"`, ""), ciscoLine)
	if ts := inputtest.Field(e, "@timestamp"); !strings.HasSuffix(ts, "-10-26T20:19:25.000Z") {
		t.Errorf("@timestamp %s", ts)
	}
}

// A line that is not RFC 3164 is tagged; Logstash's failure check never
// fires (see relay.apply), so the priority is 0: kernel, Emergency.
func TestNotRFC3164(t *testing.T) {
	for _, ecs := range []string{"disabled", "v8"} {
		e := relayed(t, relayOf(t, "", ecs), "hello world, this is not syslog RFC3164")
		want := map[string]any{"tags": []any{"_grokparsefailure_sysloginput"}, "message": "hello world, this is not syslog RFC3164",
			"priority": int64(0), "severity": int64(0), "facility": int64(0), "facility_label": "kernel", "severity_label": "Emergency"}
		if ecs == "v8" {
			want = map[string]any{"tags": []any{"_grokparsefailure_sysloginput"}, "[log][syslog][priority]": int64(0),
				"[log][syslog][facility][name]": "kernel", "[log][syslog][severity][name]": "Emergency",
				"[event][original]": "hello world, this is not syslog RFC3164"}
		}
		check(t, e, want)
	}
}

// The spec's custom grok_pattern case: the TCP line keeps its newline in
// the message, and timestamp stays only without ECS.
func TestCustomGrokPattern(t *testing.T) {
	for _, ecs := range []string{"disabled", "v8"} {
		key := map[string]string{"disabled": "priority", "v8": "[log][syslog][priority]"}[ecs]
		r := relayOf(t, fmt.Sprintf(`grok_pattern => "<%%{POSINT:%s}>%%{SYSLOGTIMESTAMP:timestamp} atypical %%{GREEDYDATA:message}"`, key), ecs)
		e := relayed(t, r, "<164>Oct 26 15:19:25 atypical This part constitutes the message field\n")
		want := map[string]any{"message": "This part constitutes the message field\n", key: int64(164)}
		if ecs == "disabled" {
			want["timestamp"] = "Oct 26 15:19:25"
		} else {
			want["timestamp"] = nil
		}
		check(t, e, want)
	}
}

func TestLabelsOff(t *testing.T) {
	e := relayed(t, relayOf(t, "use_labels => false", "disabled"), ciscoLine)
	check(t, e, map[string]any{"facility_label": nil, "severity_label": nil, "priority": int64(164)})
}

func start(t *testing.T, options, ecs string) (int, *plugintest.Running, *plugintest.Logs) {
	t.Helper()
	port := inputtest.FreePort(t)
	in := plugintest.Input(t, fmt.Sprintf(`syslog { host => "127.0.0.1" port => %d tags => ["decorated"] %s }`, port, options), plugintest.ECS(ecs))
	logs := in.Logs
	em := in.Start()
	logs.WaitFor(t, "Starting syslog tcp listener")
	logs.WaitFor(t, "Starting syslog udp listener")
	return port, em, logs
}

// TCP and UDP on one port; the sender's IP overwrites the host; a TCP
// line keeps its newline, and bytes after the last newline are dropped.
func TestTCPAndUDPOnOnePort(t *testing.T) {
	port, em, _ := start(t, "", "disabled")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := inputtest.Dial(t, "tcp", addr)
	fmt.Fprint(c, "<13>Feb  5 17:32:18 box prog[9]: over tcp\nunterminated")
	c.Close()
	e := em.Next()
	check(t, e, map[string]any{"message": "over tcp\n", "host": "127.0.0.1", "logsource": "box", "program": "prog", "pid": "9",
		"priority": int64(13), "facility_label": "user-level", "severity_label": "Notice", "tags": []any{"decorated"}})
	u, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Write([]byte("<14>Feb  5 17:32:18 box prog: over udp"))
	e = em.Next()
	check(t, e, map[string]any{"message": "over udp", "host": "127.0.0.1", "priority": int64(14)})
	if em.Pending() != 0 {
		t.Errorf("the unterminated TCP bytes became an event")
	}
}

// A line is read whole across the reader's buffer up to the limit; a
// longer one is a plugin.ErrFrameTooLarge.
func TestLineReaderLimit(t *testing.T) {
	long := strings.Repeat("a", 100<<10)
	lines := newLineReader(strings.NewReader("short\n" + long + "\n" + long + "b\n"))
	lines.limit = len(long) + 1
	for _, want := range []string{"short\n", long + "\n"} {
		if line, err := lines.Next(); err != nil || string(line) != want {
			t.Fatalf("got %d bytes (%v), want %d", len(line), err, len(want))
		}
	}
	if _, err := lines.Next(); !errors.Is(err, plugin.ErrFrameTooLarge) {
		t.Fatalf("a line over the limit: %v", err)
	}
}

// A tcp peer that sends no newline is cut off past maxLine with a log line
// naming it; another connection keeps working.
func TestTCPConnectionWithAnOversizedLineIsClosed(t *testing.T) {
	port, em, logs := start(t, "", "disabled")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	other := inputtest.Dial(t, "tcp", addr)
	defer other.Close()
	flood := inputtest.Dial(t, "tcp", addr)
	defer flood.Close()
	inputtest.FloodUntilClosed(t, flood, bytes.Repeat([]byte("x"), 1<<20), 8*maxLine)
	fmt.Fprint(other, "<13>Feb  5 17:32:18 box prog[9]: still here\n")
	check(t, em.Next(), map[string]any{"message": "still here\n"})
	logs.WaitFor(t, fmt.Sprintf("closing the connection: frame too large: a line is longer than %d bytes", maxLine))
	if !strings.Contains(logs.String(), flood.LocalAddr().String()) {
		t.Errorf("the log does not name the peer %s:\n%s", flood.LocalAddr(), logs)
	}
}

// The spec's PROXY protocol case.
func TestProxyProtocol(t *testing.T) {
	port, em, logs := start(t, "proxy_protocol => true", "v8")
	c := inputtest.Dial(t, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	fmt.Fprint(c, "PROXY TCP4 1.2.3.4 5.6.7.8 1234 5678\r\n"+ciscoLine+"\n")
	c.Close()
	check(t, em.Next(), map[string]any{"[host][ip]": "1.2.3.4", "[log][syslog][priority]": int64(164)})

	bad := inputtest.Dial(t, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	fmt.Fprint(bad, ciscoLine+"\n"+ciscoLine+"\n")
	io.ReadAll(bad)
	bad.Close()
	logs.WaitFor(t, "invalid proxy protocol header label")
	if em.Pending() != 0 {
		t.Error("lines of a connection without the PROXY header became events")
	}
}

// A listener that cannot bind is logged and retried; the other protocol
// serves meanwhile.
func TestListenerDiesAndRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	in := plugintest.Input(t, fmt.Sprintf(`syslog { host => "127.0.0.1" port => %d }`, port), plugintest.ECS("disabled"))
	logs := in.Logs
	em := in.Start()
	logs.WaitFor(t, `syslog listener died {"protocol"=>"tcp"`)
	u := inputtest.Dial(t, "udp", fmt.Sprintf("127.0.0.1:%d", port))
	defer u.Close()
	// Datagrams sent before the UDP listener is bound are lost, as UDP's
	// are: send until one arrives.
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			u.Write([]byte("<14>Feb  5 17:32:18 box prog: udp still works"))
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	check(t, em.Next(), map[string]any{"message": "udp still works"})
}

func TestProxyHeader(t *testing.T) {
	cases := map[string]struct {
		ip string
		ok bool
	}{
		"PROXY TCP4 1.2.3.4 5.6.7.8 1234 5678\r\n": {"1.2.3.4", true},
		"PROXY TCP6 ::1 ::1 1 2\n":                 {"::1", true},
		"PROXY UNKNOWN\r\n":                        {"", true},
		" PROXY TCP4 1.2.3.4\n":                    {"", false},
		"<13>hello\n":                              {"", false},
	}
	for line, want := range cases {
		ip, ok := proxyHeader([]byte(line))
		if ip != want.ip || ok != want.ok {
			t.Errorf("%q: %q %v, want %q %v", line, ip, ok, want.ip, want.ok)
		}
	}
}

// FuzzSyslogStream feeds arbitrary bytes through the TCP line reader, the
// PROXY header parser and the relay (grok, priority, date, labels): no
// input may panic, and every line ends with a priority, severity 0-7 and
// the facility they come from.
func FuzzSyslogStream(f *testing.F) {
	f.Add([]byte(ciscoLine + "\n<13>Feb  5 17:32:18 box prog[9]: x\n"))
	f.Add([]byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n<0>Jan  1 00:00:00 h p: m\n"))
	f.Add([]byte("<999999999999999999999>Oct 26 15:19:25 h p: overflow\n"))
	f.Add([]byte("<13>2026-01-02T03:04:05.678Z host prog: iso\n"))
	f.Add([]byte("not syslog at all\n\x00\xff\n"))
	r := relayOf(f, "", "disabled")
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := newLineReader(bytes.NewReader(data))
		for {
			line, err := lines.Next()
			if err != nil {
				return
			}
			proxyHeader(line)
			e := relayed(t, r, string(line))
			p, _ := e.Get("priority")
			sev, _ := e.Get("severity")
			fac, _ := e.Get("facility")
			pi, ok1 := p.(int64)
			si, ok2 := sev.(int64)
			fi, ok3 := fac.(int64)
			if !ok1 || !ok2 || !ok3 || si != pi&7 || fi != pi>>3 {
				t.Fatalf("line %q: priority %v severity %v facility %v", line, p, sev, fac)
			}
		}
	})
}
