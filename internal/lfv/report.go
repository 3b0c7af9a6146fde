package lfv

import (
	"fmt"
	"io"
)

// WriteFailure prints a failed testcase: where it is (file:line, number,
// description), then one line per difference.
//
//	FAIL syslog.yaml:12: testcase 2 (message without pid)
//	    event 1 [pid]: expected 31993, got "31993"
//	    event 2: expected none, got {"message":"x"}
func WriteFailure(w io.Writer, r *CaseResult) {
	fmt.Fprintf(w, "FAIL %s:%d: %s\n", r.Case.Pos.File, r.Case.Pos.Line, r.Case.Name())
	for _, d := range r.Differences {
		fmt.Fprintf(w, "    event %d%s: expected %s, got %s\n", d.Event, spaced(d.Path), d.Expected, d.Got)
	}
}

// WritePass prints a passed testcase (for --verbose).
func WritePass(w io.Writer, r *CaseResult) {
	fmt.Fprintf(w, "ok   %s:%d: %s\n", r.Case.Pos.File, r.Case.Pos.Line, r.Case.Name())
}

func spaced(path string) string {
	if path == "" {
		return ""
	}
	return " " + path
}
