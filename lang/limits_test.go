package lang

import (
	"strings"
	"testing"
)

// TestDeepNesting: absurd nesting is a located error, not a stack overflow.
func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		"filter { x { a => " + strings.Repeat("[", 100000) + " } }",
		"filter { if " + strings.Repeat("(", 100000) + "[a] {} }",
		"filter { " + strings.Repeat("if [a] { ", 100000) + " }",
	} {
		cfg, diags := Parse("deep.conf", []byte(src), ParseOptions{})
		if cfg != nil || len(diags) != 1 || !strings.Contains(diags[0].Summary, "nests too deeply") {
			t.Errorf("want a nesting error, got %v\n%s", cfg, diags.Format(nil))
		}
	}
	// Deep but reasonable nesting still parses.
	src := "filter { x { a => " + strings.Repeat("[", 500) + strings.Repeat("]", 500) + " } }"
	if cfg, diags := Parse("ok.conf", []byte(src), ParseOptions{}); cfg == nil {
		t.Fatalf("500 nested arrays: %s", diags.Format(nil))
	}
}
