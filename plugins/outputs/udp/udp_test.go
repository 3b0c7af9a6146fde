package udp

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, block string, log *iotest.Log) *Output {
	t.Helper()
	o := iotest.Build(t, plugin.KindOutput, "udp { "+block+" }", log).(*Output)
	t.Cleanup(func() { o.Close() })
	return o
}

// receiver listens for datagrams on 127.0.0.1, as any UDP server would.
func receiver(t *testing.T) (*net.UDPConn, int) {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, conn.LocalAddr().(*net.UDPAddr).Port
}

func read(t *testing.T, conn *net.UDPConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestOneDatagramPerEvent(t *testing.T) {
	conn, port := receiver(t)
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => "%d"`, port), nil)
	if err := o.Output(context.Background(), []*event.Event{iotest.Event("message", "one"), iotest.Event("message", "two")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"one", "two"} {
		if got := read(t, conn); got != `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"`+want+`"}` {
			t.Fatalf("datagram %q", got)
		}
	}
}

// TestNetcatReceives checks the datagrams with an independent receiver.
func TestNetcatReceives(t *testing.T) {
	port := iotest.FreePort(t)
	nc := iotest.Start(t, "nc", "-u", "-l", "127.0.0.1", fmt.Sprint(port))
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => "%d" codec => json_lines`, port), nil)
	// nc may not be bound yet when the first datagram leaves: send until
	// it shows one.
	for i := 0; !strings.Contains(nc.Stdout.String(), `"message":"ping`); i++ {
		if i > 3000 {
			t.Fatalf("nc received nothing: %q", nc.Stderr.String())
		}
		o.Output(context.Background(), []*event.Event{iotest.Event("message", fmt.Sprint("ping ", i))})
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPortPerEvent(t *testing.T) {
	conn, port := receiver(t)
	var log iotest.Log
	o := build(t, `host => "127.0.0.1" port => "%{[@metadata][port]}"`, &log)
	good := iotest.Event("message", "routed")
	good.Metadata().Set("port", fmt.Sprint(port))
	bad := iotest.Event("message", "lost")
	bad.Metadata().Set("port", "http")
	if err := o.Output(context.Background(), []*event.Event{bad, good}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, conn); !strings.Contains(got, "routed") {
		t.Fatalf("datagram %q", got)
	}
	log.WaitFor(t, `Failed to resolve port, dropping event {"port"=>"%{[@metadata][port]}", "message"=>"invalid value for Integer(): \"http\""}`)
}

// TestFailuresAreRetriedThenDropped checks retry_count: a send that keeps
// failing is retried, then the event is dropped with an error, and the
// output goes on.
func TestFailuresAreRetriedThenDropped(t *testing.T) {
	var log iotest.Log
	o := build(t, `host => "no-such-host.invalid" port => "9" retry_count => 2 retry_backoff_ms => 1`, &log)
	if err := o.Output(context.Background(), []*event.Event{iotest.Event("message", "x")}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "Failed to send event, retrying:"); n != 2 {
		t.Errorf("%d retries logged, want 2", n)
	}
	log.WaitFor(t, "[ERROR][logstash.outputs.udp ")
}

func TestOversizedDatagramIsDropped(t *testing.T) {
	_, port := receiver(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`host => "127.0.0.1" port => "%d" retry_count => 5`, port), &log)
	if err := o.Output(context.Background(), []*event.Event{iotest.Event("message", strings.Repeat("x", 70000))}); err != nil {
		t.Fatal(err)
	}
	log.WaitFor(t, "Failed to send event, message size of 70069 too long")
	if strings.Contains(log.String(), "retrying") {
		t.Fatal("an oversized datagram was retried")
	}
}
