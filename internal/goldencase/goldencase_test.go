package goldencase

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeCase(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExpectedExitThatIsNoNumberIsAnError(t *testing.T) {
	for _, bad := range []string{"", "one", "1\n2", "0x1"} {
		dir := writeCase(t, map[string]string{"config.conf": "", "expected_exit": bad})
		if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "expected_exit") {
			t.Errorf("expected_exit %q: error %v, want one naming expected_exit", bad, err)
		}
	}
}

func TestReadCase(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeCase(t, map[string]string{
		"config.conf":     "",
		"args":            "-t\n--log.level\ndebug\n",
		"env":             "A=1\n\n  B=two words \n",
		"stdin":           "",
		"expected_stdout": "on @@HOSTNAME@@\n",
		"expected_stderr": "  first\n\nsecond\n",
		"expected_exit":   " 1\n",
		"requires":        "ruby\njava\n",
	})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-f", "config.conf", "-t", "--log.level", "debug", "-w", "1"}; !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}
	if want := []string{"ruby", "java"}; !slices.Equal(c.Requires, want) {
		t.Errorf("requires %q, want %q", c.Requires, want)
	}
	if want := []string{"A=1", "B=two words"}; !slices.Equal(c.Env, want) {
		t.Errorf("env %q, want %q", c.Env, want)
	}
	if c.Stdin == nil || len(c.Stdin) != 0 {
		t.Errorf("an empty stdin file must give empty, not absent, stdin: %q", c.Stdin)
	}
	exp := c.Expected
	if string(exp.Stdout) != "on "+host+"\n" || !slices.Equal(exp.StderrLines, []string{"first", "second"}) || exp.Exit != 1 {
		t.Errorf("expected %+v", exp)
	}
}

func TestReadCaseDefaults(t *testing.T) {
	c, err := Read(writeCase(t, map[string]string{"config.conf": "", "args": "-w\n4\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-f", "config.conf", "-w", "4"}; !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q: a case choosing its workers keeps them", c.Args, want)
	}
	empty, err := ReadExpected(writeCase(t, map[string]string{"expected_stdout": ""}))
	if err != nil || empty.Stdout == nil {
		t.Errorf("an empty expected_stdout must be checked as empty output: %+v, %v", empty, err)
	}
	if c.Stdin != nil || c.Expected.Stdout != nil || c.Expected.Exit != 0 || c.Expected.StderrLines != nil {
		t.Errorf("a case without stdin or expected files: %+v", c)
	}
	e, err := Read(writeCase(t, map[string]string{"args": "-e\ninput { generator { count => 1 } }\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-e", "input { generator { count => 1 } }", "-w", "1"}; !slices.Equal(e.Args, want) {
		t.Errorf("args %q, want %q: -e replaces config.conf", e.Args, want)
	}
}
