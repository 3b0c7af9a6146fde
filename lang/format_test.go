package lang

import (
	"math/rand/v2"
	"testing"
)

// TestQuoteStringRoundTrip: with escapes on or off, a written literal is one
// whole string token and reads back as the value it was written from.
func TestQuoteStringRoundTrip(t *testing.T) {
	const alphabet = "\\\"'nrt0ab \n\r\t\x00/é"
	rng := rand.New(rand.NewPCG(1, 2))
	runes := []rune(alphabet)
	for range 20000 {
		n := rng.IntN(8)
		s := make([]rune, n)
		for i := range s {
			s[i] = runes[rng.IntN(len(runes))]
		}
		value := string(s)
		for _, q := range []byte{'"', '\''} {
			lit := quoteString(value, q, true)
			if quotedLen(lit) != len(lit) {
				t.Fatalf("quoteString(%q, %c) = %q is not one token", value, q, lit)
			}
			if got := unquote(lit, true); got != value {
				t.Fatalf("quoteString(%q, %c) = %q reads back as %q", value, q, lit, got)
			}
		}
	}
}

// TestSlashEscapesRoundTrip: escapeSlashes and unescapeSlashes are inverse
// on every pattern a regexp literal can hold.
func TestSlashEscapesRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, rng.IntN(8))
		for i := range b {
			b[i] = "\\/a"[rng.IntN(3)]
		}
		lit := "/" + string(b) + "/"
		if quotedLen(lit) != len(lit) {
			continue // not a complete regexp literal
		}
		pattern := unescapeSlashes(string(b))
		again := "/" + escapeSlashes(pattern) + "/"
		if quotedLen(again) != len(again) || unescapeSlashes(again[1:len(again)-1]) != pattern {
			t.Fatalf("%s: pattern %q written back as %s", lit, pattern, again)
		}
	}
}
