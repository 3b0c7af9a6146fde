package textcodec

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertMatchesRuby compares Convert with what Ruby's transcoding (as
// LogStash::Util::Charset uses it) made of the same bytes, per charset
// (scripts/golden/rubydebug.rb writes the tables).
func TestConvertMatchesRuby(t *testing.T) {
	tables, err := filepath.Glob("../../../../testdata/codecs/charset/*.txt")
	if err != nil || len(tables) < 20 {
		t.Fatalf("charset tables: %v (%d)", err, len(tables))
	}
	for _, table := range tables {
		charset := strings.TrimSuffix(filepath.Base(table), ".txt")
		t.Run(charset, func(t *testing.T) {
			conv, err := NewConverter(charset)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(table)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			mismatches := 0
			for sc.Scan() {
				inHex, outHex, _ := strings.Cut(sc.Text(), " ")
				in, err1 := hex.DecodeString(inHex)
				want, err2 := hex.DecodeString(outHex)
				if err1 != nil || err2 != nil {
					t.Fatalf("bad line %q", sc.Text())
				}
				if multiByte[charset] && (strings.ContainsRune(string(want), 0xFFFD) || hasPrivateUse(string(want))) {
					// Multi-byte decoders recover from invalid sequences
					// differently, and gostash has no user-defined areas.
					continue
				}
				if got, _ := conv.Convert(in); got != string(want) {
					if mismatches++; mismatches <= 5 {
						t.Errorf("% x: got %q, Ruby %q", in, got, want)
					}
				}
			}
			if mismatches > 5 {
				t.Errorf("%d mismatches in all", mismatches)
			}
		})
	}
}

// multiByte are the charsets compared only on input Ruby finds valid.
var multiByte = map[string]bool{"Big5": true, "EUC-JP": true, "EUC-KR": true, "GB18030": true, "GBK": true,
	"Shift_JIS": true, "Windows-31J": true, "UTF-16LE": true, "UTF-16BE": true, "UTF-32LE": true}

func hasPrivateUse(s string) bool {
	for _, r := range s {
		if r >= 0xE000 && r <= 0xF8FF {
			return true
		}
	}
	return false
}
