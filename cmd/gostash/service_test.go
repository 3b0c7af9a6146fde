package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
)

// lineWaiter collects a stream's lines and waits for one.
type lineWaiter struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func watchLines(r io.Reader) *lineWaiter {
	w := &lineWaiter{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
			select {
			case w.added <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

// waitFor waits until a line containing want has arrived, and returns the
// index after it.
func (w *lineWaiter) waitFor(t *testing.T, want string, from int, what func() string) int {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		w.mu.Lock()
		for i := from; i < len(w.lines); i++ {
			if strings.Contains(w.lines[i], want) {
				w.mu.Unlock()
				return i + 1
			}
		}
		w.mu.Unlock()
		select {
		case <-w.added:
		case <-deadline:
			t.Fatalf("no line with %q\n%s", want, what())
		}
	}
}

func (w *lineWaiter) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// TestReloadOfOnePipelineLeavesTheOthersRunning runs two pipelines from
// pipelines.yml without -r: "steady" reads stdin (it cannot be reloaded,
// so a reload that touched it would fail) and "changing" prints a
// generator's message. SIGHUP after editing changing's config replaces
// only changing; after a second edit adds a third pipeline and removes
// changing, SIGHUP creates the one and stops the other. steady echoes
// stdin all along.
func TestReloadOfOnePipelineLeavesTheOthersRunning(t *testing.T) {
	dir := t.TempDir()
	writeConf := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gen := func(msg string) string {
		return `input { generator { count => 1 message => "` + msg + `" } } output { stdout { codec => line { format => "%{message}" } } }`
	}
	writeConf("steady.conf", `input { stdin { } } output { stdout { codec => line { format => "steady %{message}" } } }`)
	writeConf("changing.conf", gen("changing v1"))
	writeConf("pipelines.yml", "- pipeline.id: steady\n  path.config: steady.conf\n- pipeline.id: changing\n  path.config: changing.conf\n")
	cmd := exec.Command(goldencase.Binary(t), "--path.settings", dir, "--api.enabled", "false", "-w", "1")
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out, logs := watchLines(stdout), watchLines(stderr)
	what := func() string { return "stdout:\n" + out.text() + "\nstderr:\n" + logs.text() }

	o := out.waitFor(t, "changing v1", 0, what)
	io.WriteString(stdin, "one\n")
	o = out.waitFor(t, "steady one", 0, what)

	writeConf("changing.conf", gen("changing v2"))
	cmd.Process.Signal(syscall.SIGHUP)
	o = out.waitFor(t, "changing v2", o, what)
	io.WriteString(stdin, "two\n")
	o = out.waitFor(t, "steady two", o, what)

	writeConf("added.conf", gen("added v1"))
	writeConf("pipelines.yml", "- pipeline.id: steady\n  path.config: steady.conf\n- pipeline.id: added\n  path.config: added.conf\n")
	cmd.Process.Signal(syscall.SIGHUP)
	o = out.waitFor(t, "added v1", o, what)
	logs.waitFor(t, `Pipelines running {"count"=>2, "running_pipelines"=>"[:added, :steady]"`, 0, what)
	io.WriteString(stdin, "three\n")
	out.waitFor(t, "steady three", o, what)

	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, what())
	}
	if n := strings.Count(logs.text(), "[steady] Pipeline terminated"); n != 1 {
		t.Errorf("steady terminated %d times, want once, at the end\n%s", n, what())
	}
	if strings.Contains(logs.text(), "Failed to execute action") {
		t.Errorf("a reload failed\n%s", what())
	}
}

// TestSeparateLogs: with path.logs, logstash-plain.log gets the log; with
// pipeline.separate_logs each pipeline's lines go to pipeline_<id>.log
// instead, without the ids in brackets, and stderr still gets everything.
func TestSeparateLogs(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	yml := "- pipeline.id: alpha\n  config.string: 'input { generator { count => 1 } } output { stdout { codec => dots } }'\n" +
		"- pipeline.id: beta\n  config.string: 'input { generator { count => 1 } } output { stdout { codec => dots } }'\n"
	if err := os.WriteFile(filepath.Join(dir, "pipelines.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logstash.yml"), []byte("path.logs: "+logs+"\npipeline.separate_logs: true\napi.enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goldencase.Binary(t), "--path.settings", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(logs, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	plain, alpha, beta := read("logstash-plain.log"), read("pipeline_alpha.log"), read("pipeline_beta.log")
	if !strings.Contains(plain, "][logstash.runner          ] Starting Logstash") || strings.Contains(plain, "[alpha]") || strings.Contains(plain, "[beta]") {
		t.Errorf("logstash-plain.log:\n%s", plain)
	}
	if !strings.Contains(alpha, `][logstash.javapipeline    ] Pipeline started {"pipeline.id"=>"alpha"}`) || strings.Contains(alpha, "beta") {
		t.Errorf("pipeline_alpha.log:\n%s", alpha)
	}
	if !strings.Contains(beta, `Pipeline terminated {"pipeline.id"=>"beta"`) {
		t.Errorf("pipeline_beta.log:\n%s", beta)
	}
	if !strings.Contains(stderr.String(), `[alpha] Pipeline started`) || !strings.Contains(stderr.String(), `[beta] Pipeline started`) {
		t.Errorf("stderr lacks the pipelines' lines:\n%s", stderr.String())
	}
}

// TestDataPathIsLocked: a second instance on the same path.data is refused
// with Logstash's message while the first runs.
func TestDataPathIsLocked(t *testing.T) {
	data := t.TempDir()
	first := exec.Command(goldencase.Binary(t), "--path.data", data, "--api.enabled", "false", "-e", `input { stdin { } } output { stdout { } }`)
	stdin, _ := first.StdinPipe()
	stderr, _ := first.StderrPipe()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	logs := watchLines(stderr)
	logs.waitFor(t, "Pipeline started", 0, logs.text)

	second := exec.Command(goldencase.Binary(t), "--path.data", data, "--api.enabled", "false", "-e", `input { generator { count => 1 } } output { stdout { } }`)
	out, err := second.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("second instance: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `Logstash could not be started because there is already another instance using the configured data directory.  If you wish to run multiple instances, you must change the "path.data" setting.`) {
		t.Errorf("second instance:\n%s", out)
	}
	stdin.Close()
	if err := first.Wait(); err != nil {
		t.Fatalf("first instance: %v", err)
	}
}

// TestSettingsDirFromEnvironment: without -f, -e or --path.settings,
// LS_SETTINGS_DIR names the directory holding pipelines.yml; a missing
// pipelines.yml is Logstash's error.
func TestSettingsDirFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	run := func() (string, int) {
		cmd := exec.Command(goldencase.Binary(t))
		cmd.Env = append(os.Environ(), "LS_SETTINGS_DIR="+dir)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := run()
	want := "Failed to read pipelines yaml file. Location: " + filepath.Join(dir, "pipelines.yml") +
		", Exception: #<Errno::ENOENT: No such file or directory @ rb_sysopen - " + filepath.Join(dir, "pipelines.yml") + ">"
	if code != 1 || !strings.Contains(out, want) {
		t.Errorf("exit %d, want 1 and %q:\n%s", code, want, out)
	}
	yml := "- pipeline.id: env\n  config.string: 'input { generator { count => 1 message => \"via env\" } } output { stdout { codec => line { format => \"%{message}\" } } }'\n"
	if err := os.WriteFile(filepath.Join(dir, "pipelines.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logstash.yml"), []byte("api.enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = run()
	if code != 0 || !strings.HasPrefix(out, "via env\n") && !strings.Contains(out, "\nvia env\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// startService starts the binary in dir with the given stdin, watching its
// output.
func startService(t *testing.T, dir string, stdin io.Reader, args ...string) (*exec.Cmd, *lineWaiter, *lineWaiter) {
	t.Helper()
	cmd := exec.Command(goldencase.Binary(t), args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, watchLines(stdout), watchLines(stderr)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// waitExit waits for the process and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, logs *lineWaiter) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		t.Fatalf("gostash did not exit\n%s", logs.text())
	}
	return -1
}

// TestSystemPipelinesDoNotKeepTheProcessRunning: once the only user
// pipeline has finished, gostash stops a system pipeline that would run
// for ever (stdin held open) and exits.
func TestSystemPipelinesDoNotKeepTheProcessRunning(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"pipelines.yml": `
- pipeline.id: housekeeping
  pipeline.system: true
  config.string: 'input { stdin { } } output { stdout { codec => line { format => "system %{message}" } } }'
- pipeline.id: work
  config.string: 'input { generator { count => 1 message => "done" } } output { stdout { codec => line { format => "%{message}" } } }'
`})
	// An *os.File, so that exec hands it to the process and Wait does not
	// wait for it to be closed.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	cmd, out, logs := startService(t, dir, pr, "--path.settings", dir, "--api.enabled", "false")
	pr.Close()
	out.waitFor(t, "done", 0, logs.text)
	if code := waitExit(t, cmd, logs); code != 0 {
		t.Fatalf("exit %d\n%s", code, logs.text())
	}
}

// TestPipelineReloadableFalse: a pipeline with pipeline.reloadable: false
// keeps running its old config, and the reload is reported as failed.
func TestPipelineReloadableFalse(t *testing.T) {
	dir := t.TempDir()
	entry := func(msg string) string {
		return "- pipeline.id: fixed\n  pipeline.reloadable: false\n  config.string: 'input { pipeline { address => \"x\" } } filter { mutate { add_field => { \"v\" => \"" + msg + "\" } } } output { stdout { } }'\n"
	}
	writeFiles(t, dir, map[string]string{"pipelines.yml": entry("v1")})
	cmd, _, logs := startService(t, dir, nil, "--path.settings", dir, "--api.enabled", "false", "-r", "--config.reload.interval", "100ms")
	logs.waitFor(t, "[fixed] Pipeline started", 0, logs.text)
	writeFiles(t, dir, map[string]string{"pipelines.yml": entry("v2")})
	logs.waitFor(t, `Failed to execute action {"action"=>"LogStash::PipelineAction::Reload/pipeline_id:fixed", "exception"=>"LogStash::ConfigurationError", "message"=>"Cannot reload pipeline, because the existing pipeline is not reloadable"}`, 0, logs.text)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, logs); code != 0 {
		t.Fatalf("exit %d\n%s", code, logs.text())
	}
	if n := strings.Count(logs.text(), "[fixed] Pipeline started"); n != 1 {
		t.Errorf("fixed started %d times\n%s", n, logs.text())
	}
}

// TestRecoverablePipelineIsStartedAgain: "late" cannot start while "early"
// holds its address (pipelines fed only by other pipelines start first, and
// late also has a generator); with pipeline.recoverable it is started
// again on a later reload, once a config change freed the address.
func TestRecoverablePipelineIsStartedAgain(t *testing.T) {
	dir := t.TempDir()
	yml := func(earlyAddress string) string {
		return "- pipeline.id: early\n  config.string: 'input { pipeline { address => \"" + earlyAddress + "\" } } output { stdout { } }'\n" +
			"- pipeline.id: late\n  pipeline.recoverable: true\n  config.string: 'input { generator { count => 1 } pipeline { address => \"x\" } } output { stdout { } }'\n"
	}
	writeFiles(t, dir, map[string]string{"pipelines.yml": yml("x")})
	cmd, _, logs := startService(t, dir, nil, "--path.settings", dir, "--api.enabled", "false", "-r", "--config.reload.interval", "100ms")
	logs.waitFor(t, "Internal input at 'x' already bound!", 0, logs.text)
	writeFiles(t, dir, map[string]string{"pipelines.yml": yml("elsewhere")})
	logs.waitFor(t, `Recovering pipeline {"pipeline.id"=>"late"}`, 0, logs.text)
	logs.waitFor(t, "[late] Pipeline started", 0, logs.text)
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, logs)
}

// TestUnsafeShutdownForcesAStalledShutdown: an output that can never
// deliver (a FIFO no one reads) stalls the shutdown; Logstash's watcher
// reports it after five seconds, and with pipeline.unsafe_shutdown quits
// after three stalled reports.
func TestUnsafeShutdownForcesAStalledShutdown(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, _, logs := startService(t, dir, nil, "--api.enabled", "false", "--pipeline.unsafe_shutdown", "-e",
		`input { generator { } } output { file { path => "`+fifo+`" } }`)
	logs.waitFor(t, "Pipeline started", 0, logs.text)
	cmd.Process.Signal(syscall.SIGTERM)
	logs.waitFor(t, "The shutdown process appears to be stalled due to busy or blocked plugins. Check the logs for more information.", 0, logs.text)
	if code := waitExit(t, cmd, logs); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, logs.text())
	}
	logs.waitFor(t, "[FATAL][logstash.shutdownwatcher ] Forcefully quitting Logstash ...", 0, logs.text)
}

// TestMonitoringAPIReportsEachPipeline: with two pipelines from
// pipelines.yml, /_node/stats/pipelines/<id> and /_node/pipelines/<id>
// answer for each, with its own counters and flow metrics, and the node's
// events add them up.
func TestMonitoringAPIReportsEachPipeline(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	writeFiles(t, dir, map[string]string{
		"logstash.yml": fmt.Sprintf("api.http.port: %d\n", port),
		"pipelines.yml": `
- pipeline.id: one
  pipeline.workers: 1
  config.string: 'input { generator { count => 100 } } output { null { } }'
- pipeline.id: two
  pipeline.batch.size: 5
  config.string: 'input { generator { count => 50 } } output { null { } }'
`})
	cmd, _, logs := startService(t, dir, nil, "--path.settings", dir, "-r")
	logs.waitFor(t, "Successfully started Logstash API endpoint", 0, logs.text)
	logs.waitFor(t, "[one] Pipeline terminated", 0, logs.text)
	logs.waitFor(t, "[two] Pipeline terminated", 0, logs.text)
	get := func(path string) (int, map[string]any) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp.StatusCode, body
	}
	field := func(v any, path ...string) any {
		for _, k := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: no %q", path, k)
			}
			v = m[k]
		}
		return v
	}
	for id, n := range map[string]float64{"one": 100, "two": 50} {
		code, body := get("/_node/stats/pipelines/" + id)
		if code != 200 || field(body, "pipelines", id, "events", "out") != n || field(body, "pipelines", id, "flow", "output_throughput", "lifetime") == nil {
			t.Errorf("%s: %d %v", id, code, body)
		}
		if len(field(body, "pipelines").(map[string]any)) != 1 {
			t.Errorf("%s: other pipelines reported: %v", id, field(body, "pipelines"))
		}
	}
	_, body := get("/_node/pipelines")
	if field(body, "pipelines", "one", "workers") != 1.0 || field(body, "pipelines", "two", "batch_size") != 5.0 {
		t.Errorf("/_node/pipelines: %v", body)
	}
	_, body = get("/_node/stats")
	if field(body, "events", "out") != 150.0 || len(field(body, "pipelines").(map[string]any)) != 2 {
		t.Errorf("/_node/stats: %v %v", field(body, "events"), field(body, "pipelines"))
	}
	if code, _ := get("/_node/stats/pipelines/three"); code != 404 {
		t.Errorf("an unknown pipeline: %d", code)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, logs)
}

// TestDeadLetterQueueRoundTrip: a pipeline with dead_letter_queue.enable
// sets aside the events whose condition cannot be evaluated; another
// pipeline reads them back with the dead_letter_queue input, with the
// plugin and reason in [@metadata][dead_letter_queue]. Run again, the
// reader goes on from its sincedb: it prints only the new entries.
func TestDeadLetterQueueRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// The input's path must exist when its config is checked, as in Logstash.
	if err := os.MkdirAll(filepath.Join(data, "dead_letter_queue"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"logstash.yml": "path.data: " + data + "\napi.enabled: false\n",
		"pipelines.yml": `
- pipeline.id: writer
  dead_letter_queue.enable: true
  config.string: 'input { generator { count => 2 message => "${RUN}" } } filter { if [message] > 5 { } } output { null { } }'
- pipeline.id: reader
  config.string: 'input { dead_letter_queue { path => "` + filepath.Join(data, "dead_letter_queue") + `" pipeline_id => "writer" } }
    output { stdout { codec => line { format => "%{message} %{[event][sequence]} %{[@metadata][dead_letter_queue][plugin_type]} %{[@metadata][dead_letter_queue][reason]}" } } }'
`})
	reason := "condition evaluation error, Unexpected conditional input combination of 'class org.jruby.RubyString:%s' (left) and 'class org.jruby.RubyFixnum:5' (right)"
	for _, run := range []string{"first", "second"} {
		cmd := exec.Command(goldencase.Binary(t), "--path.settings", dir)
		cmd.Env = append(os.Environ(), "RUN="+run)
		stdout, _ := cmd.StdoutPipe()
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		out, logs := watchLines(stdout), watchLines(stderr)
		what := func() string { return "stdout:\n" + out.text() + "\nstderr:\n" + logs.text() }
		logs.waitFor(t, "Failing event was sent to dead letter queue", 0, what)
		for seq := 0; seq < 2; seq++ {
			out.waitFor(t, fmt.Sprintf("%s %d if-statement "+reason, run, seq, run), 0, what)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		if code := waitExit(t, cmd, logs); code != 0 {
			t.Fatalf("%s run: exit %d\n%s", run, code, what())
		}
		if n := len(strings.Split(strings.TrimSpace(out.text()), "\n")); n != 2 {
			t.Errorf("%s run printed %d lines, want the 2 new entries:\n%s", run, n, out.text())
		}
	}
	segments, _ := filepath.Glob(filepath.Join(data, "dead_letter_queue", "writer", "*.log"))
	if len(segments) != 2 {
		t.Errorf("segments %v, want one per run", segments)
	}
}

// TestAllowSuperuser: allow_superuser: false refuses to run as root, as
// Logstash does; true runs as root with Logstash's notice. Either way a
// non-root user runs.
func TestAllowSuperuser(t *testing.T) {
	for _, allow := range []bool{false, true} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"logstash.yml": fmt.Sprintf("allow_superuser: %v\napi.enabled: false\n", allow)})
		out, err := exec.Command(goldencase.Binary(t), "--path.settings", dir, "-e", `input { generator { count => 1 } } output { null { } }`).CombinedOutput()
		refused := strings.Contains(string(out), "[FATAL][logstash.runner          ] Logstash cannot be run as superuser.")
		noticed := strings.Contains(string(out), "NOTICE: Allowing Logstash to run as superuser is heavily discouraged")
		root := os.Geteuid() == 0
		switch {
		case root && !allow && (err == nil || !refused):
			t.Errorf("root with allow_superuser false: %v\n%s", err, out)
		case root && allow && (err != nil || !noticed):
			t.Errorf("root with allow_superuser true: %v\n%s", err, out)
		case !root && (err != nil || refused || noticed):
			t.Errorf("not root, allow_superuser %v: %v\n%s", allow, err, out)
		}
	}
}
