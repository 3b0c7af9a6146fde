package lfv

import (
	"fmt"
	"io"
)

// Reporter prints test results and counts them.
//
//	=== tests/syslog.yaml: BSD syslog lines
//	FAIL tests/syslog.yaml:12: testcase 2 (message without pid)
//	    event 1 [pid]: expected 31993, got "31993"
//	    event 2: expected none, got {"message":"x"}
//	1 passed, 1 failed
//
// A file's header line comes before its first failure (or, when Verbose,
// before its results); passed testcases are listed only when Verbose.
type Reporter struct {
	W       io.Writer
	Verbose bool
	Passed  int
	Failed  int
}

// Suite reports the results of one file.
func (r *Reporter) Suite(s *Suite, results []*CaseResult) {
	header := r.Verbose
	if header {
		r.header(s)
	}
	for _, res := range results {
		if res.Passed() {
			r.Passed++
			if r.Verbose {
				fmt.Fprintf(r.W, "ok   %s:%d: %s\n", res.Case.Pos.File, res.Case.Pos.Line, res.Case.Name())
			}
			continue
		}
		r.Failed++
		if !header {
			r.header(s)
			header = true
		}
		fmt.Fprintf(r.W, "FAIL %s:%d: %s\n", res.Case.Pos.File, res.Case.Pos.Line, res.Case.Name())
		for _, d := range res.Differences {
			path := ""
			if d.Path != "" {
				path = " " + d.Path
			}
			fmt.Fprintf(r.W, "    event %d%s: expected %s, got %s\n", d.Event, path, d.Expected, d.Got)
		}
	}
}

func (r *Reporter) header(s *Suite) {
	if s.Description == "" {
		fmt.Fprintf(r.W, "=== %s\n", s.File)
	} else {
		fmt.Fprintf(r.W, "=== %s: %s\n", s.File, s.Description)
	}
}

// Summary prints the counts line, "N passed, M failed".
func (r *Reporter) Summary() {
	fmt.Fprintf(r.W, "%d passed, %d failed\n", r.Passed, r.Failed)
}
