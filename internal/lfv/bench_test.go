package lfv

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRunSuite measures one test case file of 20 testcases (line
// codec, fields, conditionals, mutate, comparison): the work `gostash
// test` does per file once the config is compiled.
func BenchmarkRunSuite(b *testing.B) {
	var src strings.Builder
	src.WriteString("fields: {type: app}\ntestcases:\n")
	for i := range 20 {
		fmt.Fprintf(&src, "  - input: [\"line %d\"]\n    expected:\n      - {type: app, message: \"line %d\", seen: \"line %d\"}\n", i, i, i)
	}
	s := mustParse(b, "bench.yaml", src.String())
	r := newRunner(b)
	b.ReportAllocs()
	for b.Loop() {
		results, diags := r.Run(s)
		if diags.HasErrors() || len(results) != 20 || !results[19].Passed() {
			b.Fatalf("run failed: %s", diags.Format(nil))
		}
	}
}
