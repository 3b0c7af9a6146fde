package textcodec

import (
	"bytes"
	"errors"
	"log/slog"
	"math/rand"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func TestIsJavaBlank(t *testing.T) {
	for in, want := range map[string]bool{
		"": true, " \t\n\v\f\r": true, "\x1c\x1d\x1e\x1f": true, "\u2003\u2028\u3000": true,
		"\u00a0": false, "\u2007": false, "\u202f": false, "\u0085": false, "\x00": false, " x ": false, "\xff": false,
	} {
		if got := IsJavaBlank([]byte(in)); got != want {
			t.Errorf("IsJavaBlank(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTokenizerLimitResumesAfterTheOversizedLine(t *testing.T) {
	var logs bytes.Buffer
	tok := NewTokenizer("\r\n", 4, "decode_size_limit_bytes", slog.New(slog.NewTextHandler(&logs, nil)))
	var got []string
	for _, chunk := range []string{"ok\r\nway too", " long\r", "\nfine\r\nabcdefgh\r\n", "x"} {
		tok.Extract([]byte(chunk), func(p []byte) { got = append(got, string(p)) })
	}
	dropped := strings.Count(logs.String(), "input buffer full: a line is longer than decode_size_limit_bytes (4 bytes); it is discarded")
	if strings.Join(got, ",") != "ok,fine" || dropped != 2 {
		t.Errorf("got %q with %d dropped, want [ok fine] with 2; logs:\n%s", got, dropped, logs.String())
	}
	if rest := string(tok.Flush()); rest != "x" {
		t.Errorf("flushed %q, want \"x\"", rest)
	}
}

// TestTokenizerStreamStopsAtTheOversizedLine: the lines before the long
// one are handed over, then the error, whether the long line is complete
// in the chunk or still unterminated; a line of exactly the limit passes.
func TestTokenizerStreamStopsAtTheOversizedLine(t *testing.T) {
	for _, chunks := range [][]string{{"ok\nabcd\ntoo long\nafter\n"}, {"ok\nabcd\ntoo", " long without end"}} {
		tok := NewTokenizer("\n", 4, "decode_size_limit_bytes", slog.New(slog.DiscardHandler))
		var got []string
		var err error
		for _, ch := range chunks {
			if err = tok.ExtractStream([]byte(ch), func(p []byte) { got = append(got, string(p)) }); err != nil {
				break
			}
		}
		var tooLong *TooLongError
		if !errors.As(err, &tooLong) || !errors.Is(err, plugin.ErrFrameTooLarge) || tooLong.Limit != 4 {
			t.Errorf("%q: error %v, want a TooLongError of 4 bytes", chunks, err)
		}
		if strings.Join(got, ",") != "ok,abcd" {
			t.Errorf("%q: got %q, want [ok abcd]", chunks, got)
		}
	}
}

// TestCharsetNames checks that every charset Logstash accepts is either
// decoded or refused with a clear error at config time.
func TestCharsetNames(t *testing.T) {
	supported := 0
	for _, name := range CharsetNames {
		c, err := NewConverter(name)
		switch {
		case err == nil && c != nil:
			supported++
		case err != nil && strings.Contains(err.Error(), "not supported by gostash"):
		default:
			t.Errorf("%s: converter %v, error %v", name, c, err)
		}
	}
	if supported < 130 {
		t.Errorf("only %d of %d charsets are supported", supported, len(CharsetNames))
	}
}

func TestConvert(t *testing.T) {
	for _, c := range []struct {
		charset, in, want string
		escaped           bool
	}{
		{"UTF-8", "héllo", "héllo", false},
		{"UTF-8", "foo \xED\xB9\x81\xC3", `foo \xED\xB9\x81\xC3`, true},
		{"UTF-8", "bar \xAD\t\"#{", `bar \xAD\t\"\#{`, true},
		{"Shift_JIS", "\x93\xfa\x96\x7b", "日本", false},
		{"UTF-16", "\xfe\xff\x00h", "h", false},
		{"macRoman", "caf\x8e", "café", false},
	} {
		conv, err := NewConverter(c.charset)
		if err != nil {
			t.Fatal(err)
		}
		got, escaped := conv.Convert([]byte(c.in))
		if got != c.want || escaped != c.escaped {
			t.Errorf("%s %q: got %q (escaped %v), want %q (%v)", c.charset, c.in, got, escaped, c.want, c.escaped)
		}
	}
}

// TestTokenizerChunkingDoesNotMatter feeds random texts in random chunks
// and checks the pieces are those of splitting the whole text at once.
func TestTokenizerChunkingDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	alphabet := "ab|\n\r"
	for _, delim := range []string{"\n", "||", "|\n|", "\r\n"} {
		for i := 0; i < 500; i++ {
			text := make([]byte, rng.Intn(40))
			for j := range text {
				text[j] = alphabet[rng.Intn(len(alphabet))]
			}
			parts := strings.Split(string(text), delim)
			want, wantRest := parts[:len(parts)-1], parts[len(parts)-1]
			tok := NewTokenizer(delim, len(text)+1, "limit", slog.New(slog.DiscardHandler))
			var got []string
			for rest := text; len(rest) > 0; {
				n := 1 + rng.Intn(len(rest))
				tok.Extract(rest[:n], func(p []byte) { got = append(got, string(p)) })
				rest = rest[n:]
			}
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
				t.Fatalf("delimiter %q, text %q: pieces %q, want %q", delim, text, got, want)
			}
			if rest := string(tok.Flush()); rest != wantRest {
				t.Fatalf("delimiter %q, text %q: flushed %q, want %q", delim, text, rest, wantRest)
			}
		}
	}
}

// TestEventStringDecimal: Event#to_s hands Java the BigDecimal itself, so
// a decimal host or message prints with BigDecimal.toString.
func TestEventStringDecimal(t *testing.T) {
	e := event.NewEvent()
	for field, text := range map[string]string{"host": "1e10", "message": "96.0"} {
		d, err := event.ParseDecimal(text)
		if err != nil {
			t.Fatal(err)
		}
		e.Set(field, d)
	}
	ts, _ := e.Timestamp()
	want := ts.String() + " 1E+10 96.0"
	if got := string(AppendEventString(nil, e)); got != want {
		t.Errorf("AppendEventString = %q, want %q", got, want)
	}
}

// TestEventStringJavaValues: a hash or array host prints with Java's
// toString, null inside it as "null"; a null host is the literal %{host}.
func TestEventStringJavaValues(t *testing.T) {
	host := event.NewMap(3)
	host.Set("name", "h")
	host.Set("ip", []any{"10.0.0.1", nil, 1.5e7})
	host.Set("os", nil)
	e := event.NewEvent()
	e.Set("host", host)
	e.Set("message", []any{int64(1), nil, true})
	ts, _ := e.Timestamp()
	want := ts.String() + " {name=h, ip=[10.0.0.1, null, 1.5E7], os=null} [1, null, true]"
	if got := string(AppendEventString(nil, e)); got != want {
		t.Errorf("AppendEventString = %q, want %q", got, want)
	}
	e.Set("host", nil)
	e.Remove("message")
	want = ts.String() + " %{host} %{message}"
	if got := string(AppendEventString(nil, e)); got != want {
		t.Errorf("AppendEventString = %q, want %q", got, want)
	}
}

// FuzzTokenizer checks the tokenizer against splitting the whole text at
// once: Extract hands over the pieces within the limit, in order, however
// the text is chunked; ExtractStream hands over those before the first
// piece over the limit (an unterminated last piece counts once it is over
// the limit plus what could begin a delimiter) and then fails.
func FuzzTokenizer(f *testing.F) {
	f.Add("a\nbb\nccc\n", "\n", uint8(2), uint8(3))
	f.Add("x||yyyy||z", "||", uint8(3), uint8(1))
	f.Add("\r\n\r\nlong line\r\nok", "\r\n", uint8(4), uint8(5))
	f.Fuzz(func(t *testing.T, text, delim string, limit, chunk uint8) {
		if delim == "" || limit == 0 || chunk == 0 {
			return
		}
		parts := strings.Split(text, delim)
		done, rest := parts[:len(parts)-1], parts[len(parts)-1]
		var want []string
		firstLong := -1
		for i, p := range done {
			if len(p) <= int(limit) {
				want = append(want, p)
			} else if firstLong < 0 {
				firstLong = i
			}
		}
		feed := func(extract func([]byte, func([]byte)) error) ([]string, error) {
			var got []string
			for b := []byte(text); len(b) > 0; {
				n := min(len(b), int(chunk))
				if err := extract(b[:n], func(p []byte) { got = append(got, string(p)) }); err != nil {
					return got, err
				}
				b = b[n:]
			}
			return got, nil
		}
		tok := NewTokenizer(delim, int(limit), "limit", slog.New(slog.DiscardHandler))
		got, _ := feed(func(b []byte, fn func([]byte)) error { tok.Extract(b, fn); return nil })
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("Extract: %q, want %q", got, want)
		}
		if flushed := string(tok.Flush()); len(rest) <= int(limit) && flushed != rest {
			t.Fatalf("Flush: %q, want %q", flushed, rest)
		}
		stream := NewTokenizer(delim, int(limit), "limit", slog.New(slog.DiscardHandler))
		got, err := feed(stream.ExtractStream)
		wantErr := firstLong >= 0 || len(rest) > int(limit)+len(delim)-1
		if firstLong >= 0 {
			want = done[:firstLong]
		}
		if (err != nil) != wantErr {
			t.Fatalf("ExtractStream error %v, want one: %v", err, wantErr)
		}
		if wantErr && strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("ExtractStream: %q, want %q", got, want)
		}
	})
}
