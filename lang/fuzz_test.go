package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any input gives a tree or diagnostics, never a panic; the
// recognizer's fast and exact (memoized, failure-tracking) modes agree;
// whatever the recognizer accepts comes with a well-formed tape; every
// node's range is sound (checkSpans); and a
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
			_ = d.Format(map[string][]byte{"fuzz.conf": src})
		}
		fast := &pegParser{src: src}
		exact := &pegParser{src: src, exact: true, memo: map[int]int{}}
		fastOK := fast.config() && fast.pos == len(src)
		if exactOK := exact.config() && exact.pos == len(src); fastOK != exactOK {
			t.Fatalf("fast mode accepts: %t, exact mode accepts: %t", fastOK, exactOK)
		}
		if failure, tape := recognize(src); failure == nil {
			checkTape(t, src, tape)
		}
		if cfg != nil {
			checkSpans(t, src, cfg)
			checkRoundTrip(t, src, opts)
			checkFormatSource(t, src, opts)
		}
	})
}

// checkTape checks that a tape is a tree in preorder: every entry's text
// lies within its parent's and after its earlier siblings', and next
// skips exactly its subtree.
func checkTape(t *testing.T, src []byte, tape []cstNode) {
	t.Helper()
	var walk func(from, to, start, end int)
	walk = func(from, to, start, end int) {
		for n := from; n < to; n = tape[n].next {
			e := tape[n]
			if e.next <= n || e.next > to || e.start < start || e.end < e.start || e.end > end {
				t.Fatalf("tape entry %d %+v does not nest in [%d,%d) within entries [%d,%d)", n, e, start, end, from, to)
			}
			walk(n+1, e.next, e.start, e.end)
			start = e.end
		}
	}
	walk(0, len(tape), 0, len(src))
}
