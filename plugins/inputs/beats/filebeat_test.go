package beats_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/iotest"
)

// filebeatBinary is Elastic's Filebeat as scripts/filebeat/filebeat.sh
// builds it from the Go module proxy; without it the test is skipped, or
// fails under CI, which builds it.
func filebeatBinary(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("../../../scripts/filebeat/filebeat.sh", "path").Output()
	if err != nil {
		msg := "no Filebeat built (run `scripts/filebeat/filebeat.sh build`)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return strings.TrimSpace(string(out))
}

// TestRealFilebeatShipsAFile runs Filebeat 7.17 on a log file with
// output.logstash pointed at the beats input of the real binary: every
// line arrives once with the fields Filebeat sets, and Filebeat's registry
// records the whole file as acknowledged, which it does only on the
// input's ACKs.
func TestRealFilebeatShipsAFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Filebeat and the gostash binary")
	}
	filebeat := filebeatBinary(t)
	dir := t.TempDir()
	const lines = 2000
	var content strings.Builder
	for i := range lines {
		fmt.Fprintf(&content, "line %d — ünïcode %s\n", i, strings.Repeat("x", i%50))
	}
	logFile := filepath.Join(dir, "app.log")
	if err := os.WriteFile(logFile, []byte(content.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	port := inputtest.FreePort(t)
	p := inputtest.StartGostash(t, fmt.Sprintf(`
input { beats { host => "127.0.0.1" port => %d } }
filter { mutate { add_field => { "index" => "%%{[@metadata][beat]}-%%{[@metadata][version]}" } } }
output { stdout { codec => json_lines } }`, port), "-w", "1")
	p.Stderr.WaitFor(t, "Starting input listener", 60*time.Second)

	config := filepath.Join(dir, "filebeat.yml")
	os.WriteFile(config, []byte(fmt.Sprintf(`filebeat.inputs:
- type: log
  paths: [%q]
output.logstash:
  hosts: ["127.0.0.1:%d"]
  bulk_max_size: 512
logging.level: warning
`, logFile, port)), 0o600)
	cmd := exec.Command(filebeat, "-e", "--strict.perms=false", "-c", config,
		"--path.home", dir, "--path.data", filepath.Join(dir, "data"), "--path.logs", filepath.Join(dir, "logs"))
	var fbLog iotest.Log
	cmd.Stdout, cmd.Stderr = &fbLog, &fbLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	got := p.Stdout.WaitN(t, lines, 3*time.Minute)
	seen := map[string]bool{}
	for i, line := range got {
		var e struct {
			Message string
			Index   string
			Tags    []string
			Agent   struct{ Type, Version string }
			Log     struct {
				File   struct{ Path string }
				Offset int64
			}
			Input struct{ Type string }
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, line)
		}
		if e.Index != "filebeat-7.17.24" || e.Agent.Type != "filebeat" || e.Log.File.Path != logFile || e.Input.Type != "log" ||
			strings.Join(e.Tags, ",") != "beats_input_codec_plain_applied" {
			t.Fatalf("event %d: %s", i, line)
		}
		seen[e.Message] = true
	}
	for i := range lines {
		if want := fmt.Sprintf("line %d — ünïcode %s", i, strings.Repeat("x", i%50)); !seen[want] {
			t.Fatalf("%q never arrived", want)
		}
	}

	// Filebeat writes a file's offset to its registry once the events up to
	// it are acknowledged.
	registry := filepath.Join(dir, "data", "registry", "filebeat", "log.json")
	want := fmt.Sprintf(`"offset":%d`, content.Len())
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(registry)
		if strings.Contains(string(b), want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the registry never recorded %s:\n%s\nfilebeat:\n%s", want, b, fbLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(p.Stdout.All()); n != lines {
		t.Errorf("%d events, want %d (nothing twice)", n, lines)
	}
}
