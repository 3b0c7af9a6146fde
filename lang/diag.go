package lang

import (
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

// Diagnostic is one located problem. Summary is one line; Detail may add
// more (for example Logstash's "Expected one of ..." text). Source, when set,
// is the whole text of the file Pos points into, used to show the offending
// line with a caret.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	Summary  string
	Detail   string
	Source   []byte
}

func (d *Diagnostic) Error() string {
	return d.Pos.String() + ": " + d.Summary
}

// Format renders the diagnostic for a terminal:
//
//	file.conf:3:17: error: unknown option "foo" for filter plugin "mutate"
//	    mutate { foo => 1 }
//	             ^
//	detail...
func (d *Diagnostic) Format() string {
	var b strings.Builder
	kind := "error"
	if d.Severity == Warning {
		kind = "warning"
	}
	fmt.Fprintf(&b, "%s: %s: %s\n", d.Pos, kind, d.Summary)
	if line, ok := sourceLine(d.Source, d.Pos.Line); ok {
		b.WriteString("    ")
		b.WriteString(strings.ReplaceAll(line, "\t", " "))
		b.WriteString("\n    ")
		col := d.Pos.Column
		if n := utf8.RuneCountInString(line); col > n+1 {
			col = n + 1
		}
		b.WriteString(strings.Repeat(" ", max(col-1, 0)))
		b.WriteString("^\n")
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
	lines := strings.Split(string(src), "\n")
	if line > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[line-1], "\r"), true
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
func (ds Diagnostics) Format() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Format())
	}
	return b.String()
}

// Errorf builds an error diagnostic at pos.
func Errorf(pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Error, Pos: pos, Summary: fmt.Sprintf(format, args...)}
}

// Warnf builds a warning diagnostic at pos.
func Warnf(pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Warning, Pos: pos, Summary: fmt.Sprintf(format, args...)}
}
