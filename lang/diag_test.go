package lang

import "testing"

func TestDiagnosticsErr(t *testing.T) {
	warn := Warnf(Pos{File: "a.conf", Line: 2, Column: 3}, "careful")
	if (Diagnostics{warn}).Err() != nil {
		t.Error("warnings alone are not an error")
	}
	bad := Errorf(Pos{File: "a.conf", Line: 4, Column: 1}, "broken")
	err := Diagnostics{warn, bad}.Err()
	if err == nil || err.Error() != "a.conf:4:1: broken" {
		t.Errorf("Err() = %v", err)
	}
	if got := (Pos{File: "whole.conf"}).String(); got != "whole.conf" {
		t.Errorf("file-level position prints as %q", got)
	}
	if got := (Pos{Line: 1, Column: 5}).String(); got != "1:5" {
		t.Errorf("position without a file prints as %q", got)
	}
}

func TestDiagnosticFormat(t *testing.T) {
	files := map[string][]byte{"a.conf": []byte("filter {\n\tmutate { add_feld => { \"a\" => \"b\" } }\n}\n")}
	at := func(line, col int) Pos { return Pos{File: "a.conf", Line: line, Column: col} }
	for _, c := range []struct {
		d    *Diagnostic
		want string
	}{
		{Errorf(Range{at(2, 11), at(2, 19)}, "unknown"),
			"a.conf:2:11: error: unknown\n     mutate { add_feld => { \"a\" => \"b\" } }\n              ^~~~~~~~\n"},
		// A range past its first line is underlined to the end of that line.
		{Warnf(Range{at(1, 1), at(3, 2)}, "whole section"),
			"a.conf:1:1: warning: whole section\n    filter {\n    ^~~~~~~~\n"},
		{Errorf(at(2, 2), "a point"),
			"a.conf:2:2: error: a point\n     mutate { add_feld => { \"a\" => \"b\" } }\n     ^\n"},
		{Errorf(Pos{File: "other.conf", Line: 1, Column: 1}, "no text for this file"),
			"other.conf:1:1: error: no text for this file\n"},
		{&Diagnostic{Pos: at(4, 1), End: at(4, 1), Summary: "at the end", Detail: "more"},
			"a.conf:4:1: error: at the end\n    \n    ^\nmore\n"},
	} {
		if got := c.d.Format(files); got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	}
}
