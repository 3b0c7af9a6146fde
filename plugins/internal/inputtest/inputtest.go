// Package inputtest is what the network inputs' tests share besides
// plugintest: free ports on 127.0.0.1, dialing an input that is still
// starting, reading events' fields, and driving the gostash binary with a
// config while reading its output line by line.
package inputtest

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Dial connects to addr, retrying while the input is still starting.
func Dial(t testing.TB, network, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial(network, addr)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Field is a field's value as text ("" when missing).
func Field(e *event.Event, ref string) string {
	v, ok := e.Get(ref)
	if !ok {
		return ""
	}
	return event.ValueString(v)
}

// Has reports whether the event has the field.
func Has(e *event.Event, ref string) bool {
	_, ok := e.Get(ref)
	return ok
}

// JSON renders the event's data and metadata, for failure messages.
func JSON(e *event.Event) string {
	var b strings.Builder
	b.Write(event.AppendJSON(nil, e.Data()))
	if e.HasMetadata() {
		b.WriteString(" @metadata=")
		b.Write(event.AppendJSON(nil, e.Metadata()))
	}
	return b.String()
}
