package lang

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/lang")

const goldenDir = "../testdata/lang"

// goldenOptions lets a golden config ask for config.support_escapes by
// having "escapes" in its file name.
func goldenOptions(name string) ParseOptions {
	return ParseOptions{SupportEscapes: strings.Contains(name, "escapes")}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lang -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func goldenInputs(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenDir, dir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden configs in %s: %v", dir, err)
	}
	return files
}

// TestValidGolden parses every config under testdata/lang/valid and compares
// the tree dump (and any warnings) with its .ast file.
func TestValidGolden(t *testing.T) {
	for _, path := range goldenInputs(t, "valid") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{name: src}
			cfg, diags := Parse(name, src, goldenOptions(name))
			if cfg == nil {
				t.Fatalf("parse failed:\n%s", diags.Format(files))
			}
			out := Dump(cfg)
			if len(diags) > 0 {
				out += "--- diagnostics\n" + diags.Format(files)
			}
			checkGolden(t, strings.TrimSuffix(path, ".conf")+".ast", []byte(out))
		})
	}
}

// TestInvalidGolden parses every config under testdata/lang/invalid and
// compares the formatted diagnostics with its .err file.
func TestInvalidGolden(t *testing.T) {
	for _, path := range goldenInputs(t, "invalid") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{name: src}
			cfg, diags := Parse(name, src, goldenOptions(name))
			if cfg != nil || !diags.HasErrors() {
				t.Fatalf("parse succeeded; want an error\n%s", diags.Format(files))
			}
			checkGolden(t, strings.TrimSuffix(path, ".conf")+".err", []byte(diags.Format(files)))
		})
	}
}

// TestFormatRoundTrip checks that Format's output parses back to the same
// tree, for every valid golden config.
func TestFormatRoundTrip(t *testing.T) {
	for _, path := range goldenInputs(t, "valid") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, src, goldenOptions(name))
		})
	}
}

func checkRoundTrip(t *testing.T, src []byte, opts ParseOptions) {
	t.Helper()
	cfg, diags := Parse("in.conf", src, opts)
	if cfg == nil {
		t.Fatalf("parse failed:\n%s", diags.Format(map[string][]byte{"in.conf": src}))
	}
	formatted := Format(cfg)
	again, diags := Parse("in.conf", formatted, opts)
	if again == nil {
		t.Fatalf("formatted output does not parse:\n%s\n%s", formatted, diags.Format(map[string][]byte{"in.conf": formatted}))
	}
	if a, b := shape(cfg), shape(again); a != b {
		t.Fatalf("formatted output parses to a different tree\n--- formatted\n%s\n--- before\n%s\n--- after\n%s", formatted, a, b)
	}
	if twice := Format(again); !bytes.Equal(twice, formatted) {
		t.Fatalf("Format is not stable:\n%s\n---\n%s", formatted, twice)
	}
}

// shape is Dump without positions.
func shape(c *Config) string {
	var b strings.Builder
	for _, line := range strings.Split(Dump(c), "\n") {
		if i := strings.LastIndex(line, " @"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
