package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFormatGolden formats every config under testdata/lang/format and
// compares the output with its hand-written .fmt file, which must itself
// be formatted already.
func TestFormatGolden(t *testing.T) {
	for _, path := range goldenInputs(t, "format") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(path, ".conf") + ".fmt")
			if err != nil {
				t.Fatal(err)
			}
			got, diags := FormatSource(name, src, goldenOptions(name))
			if got == nil {
				t.Fatalf("parse failed:\n%s", diags.Format(map[string][]byte{name: src}))
			}
			if !bytes.Equal(got, want) {
				t.Errorf("formatted output differs from %s.fmt\n--- got\n%s\n--- want\n%s", strings.TrimSuffix(name, ".conf"), got, want)
			}
			if again, _ := FormatSource(name, want, goldenOptions(name)); !bytes.Equal(again, want) {
				t.Errorf("the .fmt file is not in canonical form; formatting it gives\n%s", again)
			}
		})
	}
}

// formatRoots are where TestFormatSourceEveryConfig looks for configs: the
// repository's testdata and, on machines that have it, the project's seed
// material.
var formatRoots = []string{"../testdata", "/work/shared/seed"}

// TestFormatSourceEveryConfig formats every .conf that parses under
// formatRoots and checks checkFormatSource's promises for each.
func TestFormatSourceEveryConfig(t *testing.T) {
	n := 0
	for _, root := range formatRoots {
		if _, err := os.Stat(root); err != nil && root != formatRoots[0] {
			t.Logf("%s: %v; skipped", root, err)
			continue
		}
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".conf") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			opts := goldenOptions(filepath.Base(path))
			if cfg, _ := Parse(path, src, opts); cfg == nil {
				return nil // an invalid config: the golden and verdict tests cover it
			}
			n++
			t.Run(path, func(t *testing.T) { checkFormatSource(t, src, opts) })
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("only %d valid configs found under %v", n, formatRoots)
	}
}

// checkFormatSource checks FormatSource on a valid config: the output parses
// to the same tree, keeps every comment in order, and formats to itself.
func checkFormatSource(t *testing.T, src []byte, opts ParseOptions) {
	t.Helper()
	cfg, _ := Parse("in.conf", src, opts)
	out, diags := FormatSource("in.conf", src, opts)
	if out == nil {
		t.Fatalf("FormatSource failed on a valid config:\n%s", diags.Format(map[string][]byte{"in.conf": src}))
	}
	again, diags := Parse("out.conf", out, opts)
	if again == nil {
		t.Fatalf("formatted output does not parse:\n%s\n%s", out, diags.Format(map[string][]byte{"out.conf": out}))
	}
	if a, b := shape(cfg), shape(again); a != b {
		t.Fatalf("formatted output parses to a different tree\n--- formatted\n%s\n--- before\n%s\n--- after\n%s", out, a, b)
	}
	// Formatting drops no character of a comment, string, selector or
	// regexp, so every # is still there, whichever it belongs to.
	if a, b := bytes.Count(src, []byte("#")), bytes.Count(out, []byte("#")); a != b {
		t.Fatalf("%d # characters before formatting, %d after\n--- formatted\n%s", a, b, out)
	}
	if a, b := commentTexts(t, src), commentTexts(t, out); !slices.Equal(a, b) {
		t.Fatalf("comments differ\n--- formatted\n%s\n--- before\n%q\n--- after\n%q", out, a, b)
	}
	twice, _ := FormatSource("out.conf", out, opts)
	if !bytes.Equal(twice, out) {
		t.Fatalf("formatting the output changes it\n--- once\n%s\n--- twice\n%s", out, twice)
	}
}

// commentTexts lists a valid config's comments in order.
func commentTexts(t *testing.T, src []byte) []string {
	t.Helper()
	tr := &trivia{closes: map[int]int{}}
	if cfg, diags := parse("in.conf", src, ParseOptions{}, tr); cfg == nil {
		t.Fatalf("does not parse:\n%s", diags.Format(map[string][]byte{"in.conf": src}))
	}
	var texts []string
	for _, c := range tr.comments {
		texts = append(texts, c.text)
	}
	return texts
}
