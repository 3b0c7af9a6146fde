package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func buildServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := filepath.Join(t.TempDir(), "twitter-stream-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The server prints its URL, streams the canned tweets to a v2 client with
// the default bearer token, and exits 0 on SIGTERM; it serves loopback only.
func TestServerBinary(t *testing.T) {
	bin := buildServer(t)
	if out, err := exec.Command(bin, "-addr", "0.0.0.0:0").CombinedOutput(); err == nil || !strings.Contains(string(out), "only loopback addresses are served") {
		t.Fatalf("non-loopback address: %v %s", err, out)
	}

	cmd := exec.Command(bin, "-tweets", "../../../../testdata/twitter/tweets.jsonl", "-rate", "1000", "-fault", "503")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q: %v", url, err)
	}
	url = strings.TrimSpace(url)

	get := func() *http.Response {
		req, _ := http.NewRequest("GET", url+"/2/tweets/sample/stream", nil)
		req.Header.Set("Authorization", "Bearer demo-bearer-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := get(); resp.StatusCode != 503 {
		t.Fatalf("first connection (-fault 503): %s", resp.Status)
	}
	resp := get()
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasSuffix(line, "\r\n") {
		t.Fatalf("first message %q: %v", line, err)
	}
	var msg struct {
		Data struct{ ID, Text string }
	}
	if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.Data.ID != "1514200610903494658" {
		t.Fatalf("first message %q: %v", line, err)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
}
