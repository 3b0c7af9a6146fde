package lang

import (
	"errors"
	"testing"
)

// TestExpandVars follows Logstash's placeholder regex,
// /\${(?<name>[a-zA-Z_.][a-zA-Z0-9_.]*)(:(?<default>[^}]*))?}/, applied with gsub.
func TestExpandVars(t *testing.T) {
	env := map[string]string{"A": "alpha", "B.c": "bc", "_x": "under", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	cases := []struct {
		in, want string
		replaced bool
	}{
		{"plain", "plain", false},
		{"${A}", "alpha", true},
		{"pre-${A}-post", "pre-alpha-post", true},
		{"${A}${B.c}${_x}", "alphabcunder", true},
		{"${EMPTY}", "", true},
		{"${MISSING:dflt}", "dflt", true},
		{"${MISSING:}", "", true},
		{"${MISSING:a:b}", "a:b", true},
		{"${MISSING:{x}", "{x", true},
		{"${A:unused}", "alpha", true},
		{"${a-b}", "${a-b}", false},
		{"${1A}", "${1A}", false},
		{"${A B}", "${A B}", false},
		{"${}", "${}", false},
		{"${A", "${A", false},
		{"${${A}}", "${alpha}", true},
		{"$A {A}", "$A {A}", false},
	}
	for _, c := range cases {
		got, replaced, err := ExpandVars(c.in, lookup)
		if err != nil || got != c.want || replaced != c.replaced {
			t.Errorf("ExpandVars(%q) = %q, %t, %v; want %q, %t", c.in, got, replaced, err, c.want, c.replaced)
		}
	}
	_, _, err := ExpandVars("x ${NOPE} y", lookup)
	var undefined *UndefinedVarError
	if !errors.As(err, &undefined) || undefined.Name != "NOPE" {
		t.Fatalf("want UndefinedVarError for NOPE, got %v", err)
	}
	want := "Cannot evaluate `${NOPE}`. Replacement variable `NOPE` is not defined in a Logstash secret store or an environment entry and there is no default value given."
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
}

func TestIsSinglePlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"${X}": true, "${X:d}": true, "${X:}": true, "${a.b_c1}": true,
		"pre-${X}": false, "${X}-post": false, "${X}${Y}": false, "${a-b}": false, "X": false, "${X": false,
	} {
		if got := IsSinglePlaceholder(s); got != want {
			t.Errorf("IsSinglePlaceholder(%q) = %t", s, got)
		}
	}
}
