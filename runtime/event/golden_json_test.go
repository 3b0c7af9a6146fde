package event

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// typedValueReader rebuilds runtime values from the typed form
// scripts/golden/jackson/JacksonGolden.java writes.
type typedValueReader struct {
	s   string
	pos int
	err string
}

func (r *typedValueReader) until(c byte) string {
	end := strings.IndexByte(r.s[r.pos:], c)
	if end < 0 {
		r.err = "unterminated " + string(c)
		return ""
	}
	v := r.s[r.pos : r.pos+end]
	r.pos += end + 1
	return v
}

func (r *typedValueReader) value() any {
	if r.pos >= len(r.s) {
		r.err = "unexpected end"
		return nil
	}
	c := r.s[r.pos]
	r.pos++
	switch c {
	case 'n':
		return nil
	case 't':
		return true
	case 'f':
		return false
	case 'i':
		n, err := strconv.ParseInt(r.until(';'), 10, 64)
		if err != nil {
			r.err = err.Error()
		}
		return n
	case 'I':
		b, ok := new(big.Int).SetString(r.until(';'), 10)
		if !ok {
			r.err = "bad big integer"
		}
		return b
	case 'd':
		bits, err := strconv.ParseUint(r.s[r.pos:r.pos+16], 16, 64)
		if err != nil {
			r.err = err.Error()
		}
		r.pos += 16
		return math.Float64frombits(bits)
	case 's':
		b, err := hex.DecodeString(r.until(';'))
		if err != nil {
			r.err = err.Error()
		}
		return string(b)
	case '[':
		list := []any{}
		for r.err == "" && r.pos < len(r.s) && r.s[r.pos] != ']' {
			list = append(list, r.value())
		}
		r.pos++
		return list
	case '{':
		m := NewMap(4)
		for r.err == "" && r.pos < len(r.s) && r.s[r.pos] != '}' {
			k, _ := r.value().(string)
			m.Set(k, r.value())
		}
		r.pos++
		return m
	}
	r.err = "unknown type " + string(c)
	return nil
}

func TestAppendJSONGolden(t *testing.T) {
	f, err := os.Open("../../testdata/event/jackson/cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows, failures := 0, 0
	for sc.Scan() {
		typed, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("bad row %q", sc.Text())
		}
		r := typedValueReader{s: typed}
		v := r.value()
		if r.err != "" || r.pos != len(typed) {
			t.Fatalf("bad typed value %q: %s", typed, r.err)
		}
		rows++
		if got := string(AppendJSON(nil, v)); got != want {
			failures++
			if failures <= 30 {
				t.Errorf("AppendJSON(%s)\n got %s\nwant %s", typed, got, want)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no golden rows")
	}
	if failures > 0 {
		t.Errorf("%d of %d rows differ", failures, rows)
	}
}

var jacksonSourceRE = regexp.MustCompile(`\[Source: \(byte\[\]\)".*?"(\[truncated \d+ bytes\])?; line: `)

// TestDecodeJSONGolden checks DecodeJSON against Jackson's verdicts on
// valid and broken documents (scripts/golden/jackson-json.sh): the same
// value for the accepted ones, and for the rejected ones an error with
// Jackson's message and location.
func TestDecodeJSONGolden(t *testing.T) {
	rows := readGoldenTSV(t, "jackson/decode.tsv")
	failures := 0
	fail := func(format string, args ...any) {
		failures++
		if failures <= 40 {
			t.Errorf(format, args...)
		}
	}
	for _, r := range rows {
		in, err := hex.DecodeString(r[0])
		if err != nil {
			t.Fatalf("bad row %q", r)
		}
		v, err := DecodeJSON(in)
		switch r[1] {
		case "OK":
			if err != nil {
				fail("DecodeJSON(%q): %v; Jackson accepts it", in, err)
			} else if got := string(AppendJSON(nil, v)); got != r[2] {
				fail("DecodeJSON(%q) = %s, Jackson reads %s", in, got, r[2])
			}
		case "ERR":
			var se *JSONSyntaxError
			if !errors.As(err, &se) {
				fail("DecodeJSON(%q) = %v, %v; Jackson rejects it: %s", in, v, err, r[2])
				continue
			}
			// The generator's Jackson quotes the source in locations; the
			// Jackson Logstash 9 ships redacts it.
			want := jacksonSourceRE.ReplaceAllString(strings.Join(r[2:], "\t"), "[Source: "+redactedSource+"; line: ")
			if got := fmt.Sprintf("%s\t%d\t%d", se.Msg, se.Line, se.Column); got != want {
				fail("DecodeJSON(%q) error\n got %q\nwant %q", in, got, want)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d rows differ", failures, len(rows))
	}
}
