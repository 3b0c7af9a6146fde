package lang

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Severity tells an error from a warning.
type Severity int

const (
	Error Severity = iota
	Warning
)

// Diagnostic is one located problem: Pos is where it starts and End, when
// it has a line, just after its last character, as in a tree node. Summary
// is one line; Detail may add more (for example Logstash's "Expected one of
// ..." text).
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	End      Pos
	Summary  string
	Detail   string
}

// Span is the stretch of source the diagnostic is about.
func (d *Diagnostic) Span() Range { return Range{d.Pos, d.End} }

func (d *Diagnostic) Error() string {
	return d.Pos.String() + ": " + d.Summary
}

// Format renders the diagnostic for a terminal, showing the offending line
// from files (file name to text) with the range underlined:
//
//	file.conf:3:17: error: unknown option "foo" for filter plugin "mutate"
//	    mutate { foo => 1 }
//	             ^~~
//	detail...
//
// A range that runs on past its first line is underlined to the end of that
// line. Without the file's text, only the first line and the detail show.
func (d *Diagnostic) Format(files map[string][]byte) string {
	var b strings.Builder
	kind := "error"
	if d.Severity == Warning {
		kind = "warning"
	}
	fmt.Fprintf(&b, "%s: %s: %s\n", d.Pos, kind, d.Summary)
	if line, ok := sourceLine(files[d.Pos.File], d.Pos.Line); ok {
		b.WriteString("    ")
		b.WriteString(strings.ReplaceAll(line, "\t", " "))
		b.WriteString("\n    ")
		n := utf8.RuneCountInString(line)
		col := min(d.Pos.Column, n+1)
		width := 1
		switch {
		case d.End.Line == d.Pos.Line:
			width = d.End.Column - col
		case d.End.Line > d.Pos.Line:
			width = n + 1 - col
		}
		b.WriteString(strings.Repeat(" ", max(col-1, 0)))
		b.WriteByte('^')
		b.WriteString(strings.Repeat("~", max(width-1, 0)))
		b.WriteByte('\n')
	}
	if d.Detail != "" {
		b.WriteString(d.Detail)
		if !strings.HasSuffix(d.Detail, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func sourceLine(src []byte, line int) (string, bool) {
	if src == nil || line < 1 {
		return "", false
	}
	for ; line > 1; line-- {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return "", false
		}
		src = src[i+1:]
	}
	if i := bytes.IndexByte(src, '\n'); i >= 0 {
		src = src[:i]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// Diagnostics is a list of problems; it is an error when it holds at least
// one diagnostic of Error severity.
type Diagnostics []*Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns ds as an error when it has errors, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

func (ds Diagnostics) Error() string {
	var parts []string
	for _, d := range ds {
		if d.Severity == Error {
			parts = append(parts, d.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// Format renders every diagnostic with Diagnostic.Format.
func (ds Diagnostics) Format(files map[string][]byte) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Format(files))
	}
	return b.String()
}

// Errorf builds an error diagnostic about at: a Pos, a Range or a node.
func Errorf(at Located, format string, args ...any) *Diagnostic {
	r := at.Span()
	return &Diagnostic{Severity: Error, Pos: r.Start, End: r.End, Summary: fmt.Sprintf(format, args...)}
}

// Warnf builds a warning diagnostic about at: a Pos, a Range or a node.
func Warnf(at Located, format string, args ...any) *Diagnostic {
	r := at.Span()
	return &Diagnostic{Severity: Warning, Pos: r.Start, End: r.End, Summary: fmt.Sprintf(format, args...)}
}
