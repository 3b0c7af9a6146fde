package event

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFieldRefLegal(t *testing.T) {
	cases := []struct {
		in       string
		path     []string
		metadata bool
	}{
		{"", []string{""}, false},
		{"foo", []string{"foo"}, false},
		{"a.b", []string{"a.b"}, false},
		{"a b", []string{"a b"}, false},
		{"@timestamp", []string{"@timestamp"}, false},
		{"[foo]", []string{"foo"}, false},
		{"[a][b][c]", []string{"a", "b", "c"}, false},
		{"[a b][c.d]", []string{"a b", "c.d"}, false},
		{"[arr][-1]", []string{"arr", "-1"}, false},
		{"[arr][0]", []string{"arr", "0"}, false},
		// Embedded references flatten.
		{"[[a][b]][c]", []string{"a", "b", "c"}, false},
		{"[[ok]]", []string{"ok"}, false},
		{"[[[ok]]]", []string{"ok"}, false},
		{"[foo][[bar]][bingo]", []string{"foo", "bar", "bingo"}, false},
		{"[[foo]][[bar]]", []string{"foo", "bar"}, false},
		{"[a][[b][c]]", []string{"a", "b", "c"}, false},
		// @metadata is special only as the first element.
		{"@metadata", nil, true},
		{"[@metadata]", nil, true},
		{"[@metadata][x]", []string{"x"}, true},
		{"[@metadata][x][y]", []string{"x", "y"}, true},
		{"[[@metadata][x]]", []string{"x"}, true},
		{"[a][@metadata]", []string{"a", "@metadata"}, false},
		{"@metadata.x", []string{"@metadata.x"}, false},
		// Percent-like and ampersand-like text is literal under the default style.
		{"[a%5Bb%5D]", []string{"a%5Bb%5D"}, false},
		{"[a&#91;b&#93;]", []string{"a&#91;b&#93;"}, false},
		{"[ünï😀]", []string{"ünï😀"}, false},
	}
	for _, c := range cases {
		r, err := ParseFieldRef(c.in)
		if err != nil {
			t.Errorf("ParseFieldRef(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(r.Path, c.path) && !(len(r.Path) == 0 && len(c.path) == 0) || r.Metadata != c.metadata {
			t.Errorf("ParseFieldRef(%q) = %q metadata=%v; want %q metadata=%v", c.in, r.Path, r.Metadata, c.path, c.metadata)
		}
		if r.String() != c.in {
			t.Errorf("ParseFieldRef(%q).String() = %q", c.in, r.String())
		}
	}
}

func TestParseFieldRefIllegal(t *testing.T) {
	for _, in := range []string{
		"foo[bar]", "this[index]", "a[b][c]",
		"[foo]bar[baz]", "[a]b", "[a] [b]", "[a]b[c]",
		"[]", "[[[[]", "[[]]", "[a][]", "[][a]",
		"[foo][bar", "]", "[", "[foo]][bar]", "[a]]", "[[a]", "a]", "]a[", "][",
		"[this[is]terrible]", "[[foo][bar]nope][baz]", "[a[b]]", "[[a]b]",
	} {
		_, err := ParseFieldRef(in)
		var ie *InvalidFieldRefError
		if !errors.As(err, &ie) {
			t.Errorf("ParseFieldRef(%q) = %v; want InvalidFieldRefError", in, err)
			continue
		}
		if want := "Invalid FieldReference: `" + in + "`"; err.Error() != want {
			t.Errorf("ParseFieldRef(%q) error %q, want %q", in, err, want)
		}
	}
}

// withEscapeStyle runs fn with style selected, restoring the default after.
func withEscapeStyle(t *testing.T, style string, fn func()) {
	t.Helper()
	if err := SetFieldRefEscapeStyle(style); err != nil {
		t.Fatal(err)
	}
	defer SetFieldRefEscapeStyle(FieldRefEscapeNone)
	fn()
}

func TestFieldRefEscapeStyles(t *testing.T) {
	cases := []struct {
		style, in string
		path      []string
		err       string
	}{
		{"percent", "[a%5Bb%5D]", []string{"a[b]"}, ""},
		{"percent", "a%5Bb%5D", []string{"a[b]"}, ""},
		{"percent", "[x][%5Bfoo%5D]", []string{"x", "[foo]"}, ""},
		{"percent", "[95%]", []string{"95%"}, ""},
		{"percent", "[a%5bb]", []string{"a%5bb"}, ""}, // lowercase alone is not an escape
		{"percent", "[a+b]", []string{"a+b"}, ""},
		{"percent", "[a+b%5D]", []string{"a b]"}, ""}, // URLDecoder turns + into a space
		{"percent", "[%5b%5D]", []string{"[]"}, ""},   // once decoding, either case
		{"percent", "[%C3%A9]", []string{"é"}, ""},
		{"percent", "[%FF%5D]", []string{"\uFFFD]"}, ""},
		{"percent", "[%+5%5D]", []string{"\x05]"}, ""},
		{"percent", "[95%%5D]", nil, "URLDecoder: Illegal hex characters in escape (%) pattern"},
		{"percent", "[%5D%]", nil, "URLDecoder: Incomplete trailing escape (%) pattern"},
		{"percent", "[%5D%-1]", nil, "negative value"},
		{"percent", "[%40metadata][x]", []string{"x"}, ""},
		{"percent", "[a&#91;]", []string{"a&#91;"}, ""},
		{"ampersand", "[a&#91;b&#93;]", []string{"a[b]"}, ""},
		{"ampersand", "a&#91;b&#93;", []string{"a[b]"}, ""},
		{"ampersand", "[&#233;&#128512;]", []string{"é😀"}, ""},
		{"ampersand", "[&#9;]", []string{"&#9;"}, ""}, // one digit is not enough
		{"ampersand", "[&#0091;]", []string{"["}, ""},
		{"ampersand", "[&#91]", []string{"&#91"}, ""},
		{"ampersand", "[&#x5B;]", []string{"&#x5B;"}, ""},
		{"ampersand", "[&#1114112;]", nil, "Not a valid Unicode code point: 0x110000"},
		{"ampersand", "[a%5B]", []string{"a%5B"}, ""},
		{"ampersand", "[a[b]", nil, "Invalid FieldReference: `[a[b]`"},
		{"percent", "[a]b", nil, "Invalid FieldReference: `[a]b`"},
	}
	for _, c := range cases {
		withEscapeStyle(t, c.style, func() {
			r, err := ParseFieldRef(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s: ParseFieldRef(%q) = %q, %v; want error %q", c.style, c.in, r.Path, err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(r.Path, c.path) {
				t.Errorf("%s: ParseFieldRef(%q) = %q, %v; want %q", c.style, c.in, r.Path, err, c.path)
			}
		})
	}
	if err := SetFieldRefEscapeStyle("html"); err == nil {
		t.Error("SetFieldRefEscapeStyle(html) accepted an unknown style")
	}
	if FieldRefEscapeStyle() != FieldRefEscapeNone {
		t.Errorf("style after restore = %q", FieldRefEscapeStyle())
	}
	// The cache must not leak a decoded reference into the default style.
	if r := MustFieldRef("[a%5Bb%5D]"); r.Path[0] != "a%5Bb%5D" {
		t.Errorf("cached escape leaked: %q", r.Path)
	}
}

func BenchmarkParseFieldRefCached(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFieldRef("[host][name]"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventGetNested(b *testing.B) {
	e := NewEvent()
	if err := e.Set("[host][name]", "web-01"); err != nil {
		b.Fatal(err)
	}
	r := MustFieldRef("[host][name]")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := e.GetRef(r); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkEventGetString(b *testing.B) {
	e := NewEvent()
	if err := e.Set("[host][name]", "web-01"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := e.Get("[host][name]"); !ok {
			b.Fatal("missing")
		}
	}
}

func TestEscapeStyleAppliesToSprintf(t *testing.T) {
	e := NewEvent()
	if err := e.Set("[a[b]]", "x"); err == nil {
		t.Fatal("a bracket in a name was accepted without an escape style")
	}
	e.Data().Set("a[b]", "bracketed")
	if got := e.Sprintf("%{[a%5Bb%5D]}"); got != "%{[a%5Bb%5D]}" {
		t.Errorf("default style: %q", got)
	}
	withEscapeStyle(t, FieldRefEscapePercent, func() {
		if got := e.Sprintf("%{[a%5Bb%5D]}"); got != "bracketed" {
			t.Errorf("percent style: %q", got)
		}
	})
	withEscapeStyle(t, FieldRefEscapeAmpersand, func() {
		if got := e.Sprintf("%{[a&#91;b&#93;]}"); got != "bracketed" {
			t.Errorf("ampersand style: %q", got)
		}
	})
}
