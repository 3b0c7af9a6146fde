package monitor

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

// gostashBinary is the real binary, for the tests that run it.
func gostashBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the gostash binary")
	}
	return goldencase.Binary(t)
}

// TestAPIOfRunningBinary runs the real gostash with a generator of n
// events beside a stdin input that keeps the pipeline alive, takes the
// first port of the API range so gostash must move to the next, and polls
// the API until every event is out: the counters must match what went
// through.
func TestAPIOfRunningBinary(t *testing.T) {
	bin := gostashBinary(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	first := taken.Addr().(*net.TCPAddr).Port

	const n = 20000
	cmd := exec.Command(bin, "-w", "1", "--api.http.port", fmt.Sprintf("%d-%d", first, first+30), "-e",
		fmt.Sprintf(`input { generator { id => "gen" count => %d } stdin { id => "in" } } output { stdout { id => "dots" codec => dots } }`, n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The endpoint line names the port.
	portLine := regexp.MustCompile(`\[logstash\.agent\s*\] Successfully started Logstash API endpoint \{"port"=>(\d+), "ssl_enabled"=>false\}`)
	lines := bufio.NewScanner(stderr)
	port := 0
	for port == 0 && lines.Scan() {
		if m := portLine.FindStringSubmatch(lines.Text()); m != nil {
			port, _ = strconv.Atoi(m[1])
		}
	}
	go io.Copy(io.Discard, stderr)
	if port == 0 {
		t.Fatal("no API endpoint line on stderr")
	}
	if port <= first || port > first+30 {
		t.Errorf("API on port %d; the range started at %d, which was taken", port, first)
	}

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var stats map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for {
		stats = getJSON(t, base+"/_node/stats/pipelines/main")
		if out := dig(t, stats, "pipelines", "main", "events", "out").(float64); out == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events.out never reached %d: %v", n, dig(t, stats, "pipelines", "main", "events"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	main := dig(t, stats, "pipelines", "main")
	for _, k := range []string{"in", "filtered", "out"} {
		if got := dig(t, main, "events", k).(float64); got != n {
			t.Errorf("events.%s = %v, want %d", k, got, n)
		}
	}
	outputs := map[string]float64{}
	for _, in := range dig(t, main, "plugins", "inputs").([]any) {
		outputs[dig(t, in, "id").(string)+"/"+dig(t, in, "name").(string)] = dig(t, in, "events", "out").(float64)
	}
	if outputs["gen/generator"] != n || outputs["in/stdin"] != 0 || len(outputs) != 2 {
		t.Errorf("inputs' events.out: %v", outputs)
	}
	dots := dig(t, main, "plugins", "outputs").([]any)[0]
	if dig(t, dots, "id") != "dots" || dig(t, dots, "name") != "stdout" || dig(t, dots, "events", "in").(float64) != n ||
		dig(t, dots, "events", "out").(float64) != n {
		t.Errorf("output stats %v", dots)
	}
	if dig(t, main, "pipeline", "workers").(float64) != 1 {
		t.Errorf("pipeline settings %v", dig(t, main, "pipeline"))
	}
	node := getJSON(t, base+"/_node/stats")
	if dig(t, node, "events", "out").(float64) != n || dig(t, node, "http_address") != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("node stats %v %v", dig(t, node, "events"), dig(t, node, "http_address"))
	}
	resp, err := http.Get(base + "/_node/stats/pipelines/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown pipeline: %d", resp.StatusCode)
	}

	// Closing stdin ends the last input; gostash drains and exits 0.
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("gostash exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("gostash did not exit after stdin closed")
	}
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return body
}

// TestInvalidAPISettingStopsGostash: a bad api.http.port is a setting
// error (exit 1) like any other, not an API that silently stays off.
func TestInvalidAPISettingStopsGostash(t *testing.T) {
	bin := gostashBinary(t)
	cmd := exec.Command(bin, "--api.http.port", "96OO", "-e", `input { generator { count => 1 } } output { stdout { codec => dots } }`)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	if want := `ERROR: option '--api.http.port': Could not coerce [96OO](type: class java.lang.String) into a port range`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}
