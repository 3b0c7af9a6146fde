package http

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/inputtest"
)

// curl posts JSON to the real binary with basic authentication; the event
// and the answer are Logstash's.
func TestBinaryTakesJSONFromCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is needed: apt-get install -y curl")
	}
	port := inputtest.FreePort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { http { host => "127.0.0.1" port => %d user => "ingest" password => "pa55" } }
filter { mutate { remove_field => ["headers"] } }
output { stdout { codec => json_lines } }`, port), "-w", "1", "--pipeline.ecs_compatibility", "disabled")
	p.Stderr.WaitFor(t, "Starting http input listener", 30*time.Second)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	var out []byte
	for range 200 {
		out, err = exec.Command(curl, "-sS", "-i", "-u", "ingest:pa55", "-H", "Content-Type: application/json",
			"--data-binary", `{"user":"ann","n":1}`, url).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Connection refused") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "HTTP/1.1 200 OK") || !strings.HasSuffix(string(out), "\r\n\r\nok") {
		t.Errorf("response:\n%s", out)
	}
	line := p.Stdout.WaitN(t, 1, 30*time.Second)[0]
	if want := `{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","user":"ann","n":1,"host":"127.0.0.1"}`; line != want {
		t.Errorf("\n got %s\nwant %s", line, want)
	}
	if out, _ := exec.Command(curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data", "x", url).CombinedOutput(); string(out) != "401" {
		t.Errorf("without credentials: %s", out)
	}
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Stderr)
	}
}
