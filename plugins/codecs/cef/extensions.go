package cef

import (
	"fmt"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// extensions reads the key=value pairs after the header. A key is a word
// (letters, digits, underscore), optionally followed by dotted subkeys and
// one [n] index, right before an "="; a value runs to the whitespace
// before the next key, and may itself hold spaces. Keys are expanded
// through the decode mapping, `name[n]` becomes the field reference
// `[name][n]`, and the value's escapes (\\ \= \n \r) are undone. A later
// repeat of a key replaces the earlier value.
func (c *Codec) extensions(msg string) (*event.Map, error) {
	out := event.NewMap(8)
	for {
		keyEnd := extensionKey(msg, 0)
		if keyEnd < 0 {
			break
		}
		key := msg[:keyEnd]
		valueStart := keyEnd + 1
		valueEnd := extensionValue(msg, valueStart)
		value := msg[valueStart:valueEnd]
		rest := valueEnd
		for rest < len(msg) && isSpace(msg[rest]) {
			rest++
		}
		msg = msg[rest:]
		if mapped, ok := c.maps.decode[key]; ok {
			key = mapped
		}
		if strings.HasSuffix(key, "]") {
			key = arrayKey(key)
		}
		out.Set(key, unescapeValue(value))
	}
	if msg != "" {
		return nil, fmt.Errorf("invalid extensions; keyless value present `%s`", msg)
	}
	return out, nil
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isSpace is Ruby's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// isSubkeyChar is what a dotted subkey may hold.
func isSubkeyChar(c byte) bool {
	return !isSpace(c) && c != '.' && c != '=' && c != '|' && c != '\\' && c != '[' && c != ']'
}

// extensionKey returns where the key starting at i ends (the index of its
// "="), or -1 when no key starts there.
func extensionKey(s string, i int) int {
	start := i
	for i < len(s) && isWord(s[i]) {
		i++
	}
	if i == start {
		return -1
	}
	for i+1 < len(s) && s[i] == '.' && isSubkeyChar(s[i+1]) {
		i++
		for i < len(s) && isSubkeyChar(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i] == '[' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == ']' {
			i = j + 1
		}
	}
	if i < len(s) && s[i] == '=' {
		return i
	}
	return -1
}

// extensionValue returns where the value starting at i ends: at the end,
// or before the run of whitespace that precedes the next key.
func extensionValue(s string, i int) int {
	for i < len(s) {
		if !isSpace(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if extensionKey(s, j) >= 0 {
			return i
		}
		i = j
	}
	return i
}

// arrayKey turns `name[0]` into the field reference `[name][0]`.
func arrayKey(key string) string {
	i := strings.IndexByte(key, '[')
	if i <= 0 || strings.ContainsAny(key[:i], "]") {
		return key
	}
	idx := key[i:]
	for len(idx) > 0 {
		j := strings.IndexByte(idx, ']')
		if idx[0] != '[' || j < 2 || strings.Trim(idx[1:j], "0123456789") != "" {
			return key
		}
		idx = idx[j+1:]
	}
	return "[" + key[:i] + "]" + key[i:]
}

// unescapeValue undoes the extension value escapes, left to right.
func unescapeValue(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '\\', '=':
				b.WriteByte(v[i+1])
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
