package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any input gives a tree or diagnostics, never a panic; the
// recognizer's fast and exact (memoized, failure-tracking) modes agree;
// whatever the recognizer accepts, the participle grammar can build; and a
// parsed config formats to text that parses back to the same tree, with
// and without its comments (checkFormatSource).
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"valid", "invalid", "verdicts"} {
		files, _ := filepath.Glob(filepath.Join(goldenDir, dir, "*.conf"))
		for _, path := range files {
			if src, err := os.ReadFile(path); err == nil {
				f.Add(src, strings.Contains(path, "escapes"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, escapes bool) {
		opts := ParseOptions{SupportEscapes: escapes}
		cfg, diags := Parse("fuzz.conf", src, opts)
		for _, d := range diags {
			if d.Summary == "" || d.Pos.Line < 1 {
				t.Fatalf("diagnostic without summary or position: %#v", d)
			}
			_ = d.Format()
		}
		fast := &pegParser{src: src}
		exact := &pegParser{src: src, exact: true, memo: map[int]int{}}
		fastOK := fast.config() && fast.pos == len(src)
		if exactOK := exact.config() && exact.pos == len(src); fastOK != exactOK {
			t.Fatalf("fast mode accepts: %t, exact mode accepts: %t", fastOK, exactOK)
		}
		if failure, keywords := recognize(src); failure == nil {
			if _, err := buildTree("fuzz.conf", src, keywords, nil); err != nil {
				t.Fatalf("treetop grammar accepts, participle grammar fails: %v", err)
			}
		}
		if cfg != nil {
			checkRoundTrip(t, src, opts)
			checkFormatSource(t, src, opts)
		}
	})
}
