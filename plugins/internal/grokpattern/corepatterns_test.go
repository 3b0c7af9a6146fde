package grokpattern

import (
	"sort"
	"testing"
)

// TestCorePatternsCompile expands and compiles every core pattern of both
// sets, as %{NAME:field} with named captures only, the way users call them.
func TestCorePatternsCompile(t *testing.T) {
	for _, ecs := range []string{"disabled", "v1"} {
		defs, err := Core(ecs)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) < 300 {
			t.Errorf("ecs=%s: only %d patterns loaded", ecs, len(names))
		}
		for _, n := range names {
			if _, err := Compile("%{"+n+":f}", defs, true, 0); err != nil {
				t.Errorf("ecs=%s %s: %v", ecs, n, err)
			}
		}
	}
}
