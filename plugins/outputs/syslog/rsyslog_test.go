package syslog

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/iotest"
)

// rsyslog runs Debian's rsyslogd on 127.0.0.1, receiving on a UDP and a
// TCP port and writing the fields it parsed from each message to a file.
// Without rsyslogd the test is skipped, except in CI (CI=true), which
// installs it.
func rsyslog(t *testing.T) (udpPort, tcpPort int, parsed func() string) {
	t.Helper()
	if _, err := exec.LookPath("rsyslogd"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("rsyslogd is not installed (apt-get install rsyslog)")
		}
		t.Skip("rsyslogd is not installed (apt-get install rsyslog)")
	}
	dir := t.TempDir()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpPort = pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	tcpPort = iotest.FreePort(t)
	out := filepath.Join(dir, "parsed.log")
	conf := fmt.Sprintf(`global(workDirectory="%s")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="%d" ruleset="r")
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r")
template(name="fields" type="string" string="pri=%%pri%% host=%%hostname%% app=%%app-name%% procid=%%procid%% msgid=%%msgid%% sd=%%structured-data%% ts=%%timereported:::date-rfc3339%% msg=%%msg%%\n")
ruleset(name="r") { action(type="omfile" file="%s" template="fields") }
`, dir, udpPort, tcpPort, out)
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	iotest.Start(t, "rsyslogd", "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslogd.pid"))
	iotest.WaitListening(t, fmt.Sprintf("127.0.0.1:%d", tcpPort))
	return udpPort, tcpPort, func() string {
		b, _ := os.ReadFile(out)
		return string(b)
	}
}

// TestRsyslogParsesWhatWeSend has a real syslog server parse the messages
// of both RFCs, over UDP and TCP.
func TestRsyslogParsesWhatWeSend(t *testing.T) {
	udpPort, tcpPort, parsed := rsyslog(t)
	over3164 := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d appname => "shop" procid => "%%{pid}" severity => "warning"`, udpPort), nil)
	over5424 := build(t, fmt.Sprintf(`host => "127.0.0.1" port => %d protocol => tcp rfc => rfc5424 facility => "mail" severity => "error" appname => "shop" procid => "%%{pid}" msgid => "ORDER" structured_data => '[order@32473 id="%%{id}"]'`, tcpPort), nil)
	e := iotest.Event("message", "two\nlines", "host", "web1", "pid", "4242", "id", "77")
	want3164 := `pri=12 host=web1 app=shop procid=4242 msgid=- sd=- ts=2026-01-02T03:04:05+00:00 msg= two\nlines`
	want5424 := `pri=19 host=web1 app=shop procid=4242 msgid=ORDER sd=[order@32473 id="77"] ts=2026-01-02T03:04:05.678+00:00 msg=two\nlines`
	send(t, over5424, e)
	// The UDP port may not be bound quite yet: send until one arrives.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(parsed(), want3164) || !strings.Contains(parsed(), want5424) {
		if time.Now().After(deadline) {
			t.Fatalf("rsyslog parsed:\n%s\nwant lines\n%s\n%s", parsed(), want3164, want5424)
		}
		if !strings.Contains(parsed(), want3164) {
			send(t, over3164, e)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
