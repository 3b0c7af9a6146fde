package event

import (
	"testing"
	"unicode/utf8"
)

// The fuzz targets check that hostile input (event data, config strings)
// never panics and that what is produced stays well-formed.

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9\ud83d\ude00",null,true]}`, `[`, `"\ud800"`, "\"\xed\xa0\x80\"", `{"a":1}x`, `-Infinity`, "\xef\xbb\xbf{}", "[\xc3\xa9]", `1e999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data)
		if err != nil {
			if _, ok := err.(*JSONSyntaxError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		out := AppendJSON(nil, v)
		if !utf8.Valid(out) {
			t.Fatalf("AppendJSON wrote invalid UTF-8: %q", out)
		}
		again, err := DecodeJSON(out)
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if string(AppendJSON(nil, again)) != string(out) {
			t.Fatalf("round trip changed %s", out)
		}
	})
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"%{a}", "%{+YYYY.MM.dd'T'HH}", "%{{yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS xxx}}", "%{[a][0]}", "%{", "%{{x}", "%{+%s}"} {
		f.Add(s)
	}
	e := NewEvent()
	e.Set("a", []any{"x", int64(1), 2.5, nil})
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := CompileTemplate(s)
		if err != nil {
			return
		}
		_ = tmpl.Render(e)
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2022-04-13T11:15:32.123Z", "2022-02-30", "+10000-01-01T24:00Z", "2022-04-13T11:15:32Europe/Paris", "2022-04-13T11:15:32+01:00:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ts, ok := ParseTimestamp(s); ok {
			if _, ok := ParseTimestamp(ts.String()); !ok {
				t.Fatalf("%q parsed to %s, which does not parse back", s, ts)
			}
		}
	})
}

func FuzzParseFieldRef(f *testing.F) {
	for _, s := range []string{"[a][b]", "[[a][b]][c]", "a[b]", "[%5B]", "[&#91;]", "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, style := range []string{FieldRefEscapeNone, FieldRefEscapePercent, FieldRefEscapeAmpersand} {
			if r, err := parseFieldRef(s, style); err == nil && !r.Metadata && len(r.Path) == 0 {
				t.Fatalf("%q (%s) parsed to an empty path", s, style)
			}
		}
	})
}
