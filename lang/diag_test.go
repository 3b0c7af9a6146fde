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
