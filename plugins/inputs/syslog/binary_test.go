package syslog

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/inputtest"
)

// util-linux's logger (Debian's bsdutils) sends RFC 3164 messages to the
// real binary, over TCP and over UDP.
func TestBinaryTakesLoggerMessages(t *testing.T) {
	logger, err := exec.LookPath("logger")
	if err != nil {
		t.Fatal("logger is needed: apt-get install -y bsdutils")
	}
	port := inputtest.FreePort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { syslog { host => "127.0.0.1" port => %d } }
output { stdout { codec => json_lines } }`, port), "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	p.Stderr.WaitFor(t, "Starting syslog tcp listener", 30*time.Second)
	p.Stderr.WaitFor(t, "Starting syslog udp listener", 30*time.Second)
	host, _ := os.Hostname()
	for i, proto := range []string{"--tcp", "--udp"} {
		// The listener logs its start just before it binds: retry a
		// refused TCP connection for a while.
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := exec.Command(logger, "--server", "127.0.0.1", "--port", fmt.Sprint(port), proto, "--rfc3164",
				"--priority", "local3.warning", "--tag", "myapp", "--id=4242", "hello over "+proto[2:]).CombinedOutput()
			if err == nil {
				break
			}
			if proto == "--udp" || time.Now().After(deadline) {
				t.Fatalf("logger %s: %v %s", proto, err, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
		line := p.Stdout.WaitN(t, i+1, 30*time.Second)[i]
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		want := map[string]any{"priority": 156.0, "facility": 19.0, "severity": 4.0, "facility_label": "local3", "severity_label": "Warning",
			"program": "myapp", "pid": "4242", "logsource": host, "host": "127.0.0.1"}
		message := "hello over " + proto[2:]
		if proto == "--tcp" {
			message += "\n"
		}
		want["message"] = message
		for k, v := range want {
			if e[k] != v {
				t.Errorf("%s: %s = %#v, want %#v in %s", proto, k, e[k], v, line)
			}
		}
		if _, ok := e["tags"]; ok {
			t.Errorf("%s: %s", proto, line)
		}
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}
