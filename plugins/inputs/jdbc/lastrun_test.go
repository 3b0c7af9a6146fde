package jdbc

import (
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

func decimal(t *testing.T, s string) event.Decimal {
	t.Helper()
	d, err := event.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lastRunValues are sql_last_value's kinds with the file Logstash writes
// for each (Ruby's YAML.dump, checked against MRI's Psych in
// TestLastRunFileIsReadByRuby).
func lastRunValues(t *testing.T) []struct {
	kind trackerKind
	v    any
	yaml string
} {
	big70, _ := new(big.Int).SetString("1180591620717411303424", 10)
	paris := time.FixedZone("", 3600)
	return []struct {
		kind trackerKind
		v    any
		yaml string
	}{
		{numericTracker, int64(42), "--- 42\n"},
		{numericTracker, int64(-7), "--- -7\n"},
		{numericTracker, big70, "--- 1180591620717411303424\n"},
		{numericTracker, 1.5, "--- 1.5\n"},
		{numericTracker, 1e20, "--- 1.0e+20\n"},
		{numericTracker, decimal(t, "42"), "--- !ruby/object:BigDecimal 18:0.42e2\n"},
		{numericTracker, decimal(t, "-123.456"), "--- !ruby/object:BigDecimal 18:-0.123456e3\n"},
		{timeTracker, time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC), "--- 2026-01-02 03:04:05.678000000 Z\n"},
		{timeTracker, time.Date(2026, 1, 2, 4, 4, 5, 678000000, paris), "--- 2026-01-02 04:04:05.678000000 +01:00\n"},
		{dateTimeTracker, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "--- !ruby/object:DateTime 2026-01-02 03:04:05.000000000 Z\n"},
	}
}

// TestLastRunFileRoundTrip: each value is written in Logstash's form and
// read back as the same value.
func TestLastRunFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, c := range lastRunValues(t) {
		path := filepath.Join(dir, "last_run", string(rune('a'+i)))
		os.MkdirAll(filepath.Dir(path), 0o755)
		tr := &tracker{kind: c.kind, value: c.v, path: path}
		if err := tr.write(); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		if string(data) != c.yaml {
			t.Errorf("%v written as %q, want %q", c.v, data, c.yaml)
		}
		back, err := loadTracker(c.kind, path, false)
		if err != nil {
			t.Fatal(err)
		}
		if event.ValueString(back.value) != event.ValueString(c.v) {
			t.Errorf("%q read back as %v, want %v", c.yaml, back.value, c.v)
		}
		if tm, ok := c.v.(time.Time); ok && !back.value.(time.Time).Equal(tm) {
			t.Errorf("%q read back as %v, want %v", c.yaml, back.value, c.v)
		}
	}
}

// TestLastRunFileOfTheWrongKind: a time where a number is tracked (or the
// other way round) is dropped with its file, as the plugin does; clean_run
// removes the file.
func TestLastRunFileOfTheWrongKind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "last_run")
	os.WriteFile(path, []byte("--- 2026-01-02 03:04:05.678000000 Z\n"), 0o644)
	tr, err := loadTracker(numericTracker, path, false)
	if err != nil {
		t.Fatal(err)
	}
	if tr.value != int64(0) {
		t.Errorf("numeric tracker took %v", tr.value)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the file of the wrong kind is kept: %v", err)
	}
	os.WriteFile(path, []byte("--- 42\n"), 0o644)
	if tr, _ = loadTracker(timeTracker, path, false); !tr.value.(time.Time).Equal(epoch) {
		t.Errorf("time tracker took %v", tr.value)
	}
	os.WriteFile(path, []byte("--- 42\n"), 0o644)
	if tr, _ = loadTracker(numericTracker, path, true); tr.value != int64(0) {
		t.Errorf("clean_run kept %v", tr.value)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("clean_run kept the file: %v", err)
	}
}

// TestLastRunFileIsReadByRuby: MRI's Psych, loading as the plugin loads
// (safe_load permitting DateTime, Time and BigDecimal), reads every file
// gostash writes as the value written; and gostash reads what Ruby's
// YAML.dump writes. Needs ruby (CI installs it).
func TestLastRunFileIsReadByRuby(t *testing.T) {
	if _, err := exec.LookPath("ruby"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ruby is needed, and CI installs it")
		}
		t.Skip("needs ruby")
	}
	dir := t.TempDir()
	var files []string
	for i, c := range lastRunValues(t) {
		path := filepath.Join(dir, string(rune('a'+i)))
		tr := &tracker{kind: c.kind, value: c.v, path: path}
		if err := tr.write(); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	script := `require "yaml"; require "bigdecimal"; require "date"
ARGV.each do |f|
  v = Psych.safe_load(File.read(f), permitted_classes: [DateTime, Time, BigDecimal])
  s = case v
      when BigDecimal then "BigDecimal " + v.to_s("F")
      when DateTime then "DateTime " + v.strftime("%Y-%m-%dT%H:%M:%S.%N%:z")
      when Time then "Time " + v.strftime("%Y-%m-%dT%H:%M:%S.%N%:z")
      else v.class.name + " " + v.to_s
      end
  puts s
  File.write(f + ".rb", YAML.dump(v))
end`
	out, err := exec.Command("ruby", append([]string{"-e", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ruby: %v\n%s", err, out)
	}
	want := []string{"Integer 42", "Integer -7", "Integer 1180591620717411303424", "Float 1.5", "Float 1.0e+20",
		"BigDecimal 42.0", "BigDecimal -123.456", "Time 2026-01-02T03:04:05.678000000+00:00",
		"Time 2026-01-02T04:04:05.678000000+01:00", "DateTime 2026-01-02T03:04:05.000000000+00:00"}
	if got := strings.Split(strings.TrimSpace(string(out)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Ruby read:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, c := range lastRunValues(t) {
		data, err := os.ReadFile(files[i] + ".rb")
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != c.yaml {
			t.Errorf("Ruby writes %q, gostash %q", data, c.yaml)
		}
	}
}
