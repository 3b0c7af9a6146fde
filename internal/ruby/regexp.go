package ruby

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// posixClasses maps Onigmo POSIX bracket names to .NET class contents.
// Onigmo applies them to Unicode strings, so letters and digits are Unicode.
var posixClasses = map[string]string{
	"alnum":  `\p{L}\p{M}\p{Nd}`,
	"alpha":  `\p{L}\p{M}`,
	"ascii":  `\x00-\x7F`,
	"blank":  `\p{Zs}\t`,
	"cntrl":  `\p{Cc}`,
	"digit":  `\p{Nd}`,
	"graph":  `^\s\p{Cc}\p{Cn}\p{Cs}`,
	"lower":  `\p{Ll}`,
	"print":  `^\p{Cc}\p{Cn}\p{Cs}`,
	"punct":  `\p{P}$+<=>^` + "`" + `|~`,
	"space":  `\p{Z}\t\n\v\f\r\x85`, // Unicode White_Space
	"upper":  `\p{Lu}`,
	"xdigit": `0-9a-fA-F`,
	"word":   `\w`,
}

// Translate rewrites an Onigmo (Ruby) regular expression into the .NET
// syntax regexp2 runs: \h and \H become hex classes, \w \d \s (ASCII-only in
// Ruby) become explicit ASCII classes, POSIX brackets inside classes are
// expanded, Ruby's (?m) (dot matches newline) becomes (?s), the nested
// repetitions x?*, x+* and x** become x*, and \z/\Z/\A stay. rename, when not nil, is called for every named group and returns
// the name to use in the translation (grok renames field paths to ids).
func Translate(src string, rename func(name string) string) (string, error) {
	var b strings.Builder
	inClass := 0
	var flattened []bool // per open class: whether its brackets were dropped
	renamed := map[string]string{}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			n := src[i+1]
			i++
			switch n {
			case 'h':
				if inClass > 0 {
					b.WriteString(`0-9a-fA-F`)
				} else {
					b.WriteString(`[0-9a-fA-F]`)
				}
			case 'H':
				b.WriteString(`[^0-9a-fA-F]`)
			case 'd':
				b.WriteString(classOrBare(inClass, `0-9`))
			case 'D':
				if inClass > 0 {
					b.WriteString(`\D`)
				} else {
					b.WriteString(`[^0-9]`)
				}
			case 'w':
				b.WriteString(classOrBare(inClass, `a-zA-Z0-9_`))
			case 'W':
				if inClass > 0 {
					b.WriteString(`\W`)
				} else {
					b.WriteString(`[^a-zA-Z0-9_]`)
				}
			case 's':
				b.WriteString(classOrBare(inClass, `\t\n\v\f\r `))
			case 'S':
				if inClass > 0 {
					b.WriteString(`\S`)
				} else {
					b.WriteString(`[^\t\n\v\f\r ]`)
				}
			case 'k':
				// A back-reference follows the group's renaming.
				if end := strings.IndexByte(src[i+1:], '>'); rename != nil && i+1 < len(src) && src[i+1] == '<' && end > 0 {
					name := src[i+2 : i+1+end]
					if mapped, ok := renamed[name]; ok {
						name = mapped
					}
					b.WriteString(`\k<` + name + ">")
					i += 1 + end
					continue
				}
				b.WriteString(`\k`)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case c == '[':
			if inClass > 0 && strings.HasPrefix(src[i:], "[:") {
				end := strings.Index(src[i:], ":]")
				if end > 0 {
					name := src[i+2 : i+end]
					neg := strings.HasPrefix(name, "^")
					if exp, ok := posixClasses[strings.TrimPrefix(name, "^")]; ok && !neg {
						b.WriteString(exp)
						i += end + 1
						continue
					}
					return "", fmt.Errorf("unsupported POSIX bracket [:%s:]", name)
				}
			}
			if inClass > 0 {
				// Onigmo's nested class [a[bc]] is the union [abc]: flatten it.
				if i+1 < len(src) && src[i+1] == '^' {
					return "", fmt.Errorf("unsupported negated class nested in a class in %q", src)
				}
				inClass++
				flattened = append(flattened, true)
				continue
			}
			inClass++
			flattened = append(flattened, false)
			b.WriteByte(c)
			if i+1 < len(src) && src[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				// A ] right after [ or [^ is a literal.
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass > 0:
			inClass--
			if !flattened[len(flattened)-1] {
				b.WriteByte(c)
			}
			flattened = flattened[:len(flattened)-1]
		case c == '(' && inClass == 0 && strings.HasPrefix(src[i:], "(?"):
			j := i + 2
			if j < len(src) && (src[j] == '<' || src[j] == '\'') && j+1 < len(src) && src[j+1] != '=' && src[j+1] != '!' {
				close := byte('>')
				if src[j] == '\'' {
					close = '\''
				}
				end := strings.IndexByte(src[j+1:], close)
				if end < 0 {
					return "", fmt.Errorf("unterminated group name in %q", src)
				}
				name := src[j+1 : j+1+end]
				if rename != nil {
					mapped := rename(name)
					if _, seen := renamed[name]; !seen {
						renamed[name] = mapped
					}
					name = mapped
				}
				b.WriteString("(?<" + name + ">")
				i = j + 1 + end
				continue
			}
			// Inline options: Ruby's m is .NET's s.
			k := j
			for k < len(src) && strings.IndexByte("imx-", src[k]) >= 0 {
				k++
			}
			if k > j && k < len(src) && (src[k] == ')' || src[k] == ':') {
				b.WriteString("(?" + strings.ReplaceAll(src[j:k], "m", "s") + string(src[k]))
				i = k
				continue
			}
			b.WriteByte(c)
		case c == '^' && inClass == 0:
			// Ruby's ^ is a line start but not the end of a text ending in
			// a newline, where .NET's multiline ^ would match.
			b.WriteString(`^(?!(?<=\n)\z)`)
		case c == '&' && inClass > 0 && i+1 < len(src) && src[i+1] == '&':
			return "", fmt.Errorf("character class intersection (&&) is not supported in %q", src)
		case (c == '?' || c == '+' || c == '*') && inClass == 0 && i > 0 && src[i-1] != '(' && i+1 < len(src) && src[i+1] == '*':
			// Onigmo reduces the nested repetitions "x?*", "x+*" and "x**"
			// to "x*" (Ruby warns and matches); .NET rejects them.
			b.WriteByte('*')
			for i+1 < len(src) && src[i+1] == '*' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return possessiveToAtomic(b.String()), nil
}

// possessiveToAtomic rewrites Onigmo's possessive quantifiers (x*+, x++,
// x?+, x{n,m}+), which .NET lacks, as atomic groups: (?>x*).
func possessiveToAtomic(re string) string {
	if !strings.Contains(re, "+") {
		return re
	}
	out := make([]byte, 0, len(re)+8)
	var groups []int // output offsets of open groups
	atom := -1       // output offset where the last complete atom starts
	for i := 0; i < len(re); {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re):
			start := len(out)
			j := i + 2
			if n := re[i+1]; (n == 'p' || n == 'P') && j < len(re) && re[j] == '{' {
				if k := strings.IndexByte(re[j:], '}'); k >= 0 {
					j += k + 1
				}
			} else if n == 'k' && j < len(re) && re[j] == '<' {
				if k := strings.IndexByte(re[j:], '>'); k >= 0 {
					j += k + 1
				}
			}
			out = append(out, re[i:j]...)
			atom, i = start, j
		case c == '[':
			start := len(out)
			j := classEnd(re, i)
			out = append(out, re[i:j]...)
			atom, i = start, j
		case c == '(':
			groups = append(groups, len(out))
			out = append(out, c)
			atom = -1
			i++
		case c == ')':
			out = append(out, c)
			if len(groups) > 0 {
				atom = groups[len(groups)-1]
				groups = groups[:len(groups)-1]
			}
			i++
		case c == '|':
			out = append(out, c)
			atom = -1
			i++
		case c == '*' || c == '+' || c == '?' || c == '{' && quantifierEnd(re, i) > i:
			j := i + 1
			if c == '{' {
				j = quantifierEnd(re, i)
			}
			if atom >= 0 && j < len(re) && re[j] == '+' {
				body := append([]byte(nil), out[atom:]...)
				out = append(append(append(out[:atom], "(?>"...), body...), re[i:j]...)
				out = append(out, ')')
				i = j + 1
			} else {
				if j < len(re) && re[j] == '?' {
					j++
				}
				out = append(out, re[i:j]...)
				i = j
			}
			atom = -1
		default:
			// One character, which may take several bytes.
			_, size := utf8.DecodeRuneInString(re[i:])
			atom = len(out)
			out = append(out, re[i:i+size]...)
			i += size
		}
	}
	return string(out)
}

// classEnd returns the offset just after the character class opening at
// re[i] (nested classes and escapes included).
func classEnd(re string, i int) int {
	depth := 0
	for j := i; j < len(re); j++ {
		switch re[j] {
		case '\\':
			j++
		case '[':
			depth++
			if j+1 < len(re) && re[j+1] == '^' {
				j++
			}
			if j+1 < len(re) && re[j+1] == ']' {
				j++
			}
		case ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(re)
}

// quantifierEnd returns the offset after a {n}, {n,} or {n,m} quantifier
// at re[i], or i when the brace is a literal.
func quantifierEnd(re string, i int) int {
	j := i + 1
	digits := func() int {
		k := j
		for j < len(re) && re[j] >= '0' && re[j] <= '9' {
			j++
		}
		return j - k
	}
	if digits() == 0 {
		return i
	}
	if j < len(re) && re[j] == ',' {
		j++
		digits()
	}
	if j < len(re) && re[j] == '}' {
		return j + 1
	}
	return i
}

func classOrBare(inClass int, body string) string {
	if inClass > 0 {
		return body
	}
	return "[" + body + "]"
}

// Compile translates and compiles a Ruby regular expression. Ruby's ^ and $
// are always line anchors, so Multiline is set; extra adds options (grok
// uses Singleline, Ruby's MULTILINE). A pattern with named groups numbers
// only those, as Ruby does.
func Compile(src string, extra regexp2.RegexOptions) (*regexp2.Regexp, error) {
	t, err := Translate(src, nil)
	if err != nil {
		return nil, err
	}
	opts := regexp2.Multiline | extra
	if hasNamedGroup(t) {
		opts |= regexp2.ExplicitCapture
	}
	return regexp2.Compile(t, opts)
}

// hasNamedGroup reports whether a translated regex has a (?<name>...)
// group (look-behinds (?<= and (?<! are not names).
func hasNamedGroup(re string) bool {
	for i := 0; i+3 < len(re); i++ {
		if re[i] == '\\' {
			i++
			continue
		}
		if re[i] == '(' && re[i+1] == '?' && (re[i+2] == '<' && re[i+3] != '=' && re[i+3] != '!' || re[i+2] == '\'') {
			return true
		}
	}
	return false
}

// Gsub is String#gsub(re, replacement) with Ruby's replacement escapes:
// \0 \& (whole match), \1-\9, \k<name>, \` (pre-match), \' (post-match)
// and \\ (a backslash).
func Gsub(re *regexp2.Regexp, s, repl string) (string, error) {
	runes := []rune(s)
	m, err := re.FindRunesMatch(runes)
	if err != nil {
		return "", err
	}
	if m == nil {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for m != nil {
		b.WriteString(string(runes[last:m.Index]))
		if err := expandReplacement(&b, repl, m, runes); err != nil {
			return "", err
		}
		last = m.Index + m.Length
		m, err = re.FindNextMatch(m)
		if err != nil {
			return "", err
		}
	}
	b.WriteString(string(runes[last:]))
	return b.String(), nil
}

func expandReplacement(b *strings.Builder, repl string, m *regexp2.Match, runes []rune) error {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' || i+1 == len(repl) {
			b.WriteByte(c)
			continue
		}
		n := repl[i+1]
		i++
		switch {
		case n >= '0' && n <= '9':
			if g := m.GroupByNumber(int(n - '0')); g != nil && len(g.Captures) > 0 {
				b.WriteString(g.String())
			}
		case n == '&':
			b.WriteString(m.String())
		case n == '`':
			b.WriteString(string(runes[:m.Index]))
		case n == '\'':
			b.WriteString(string(runes[m.Index+m.Length:]))
		case n == '\\':
			b.WriteByte('\\')
		case n == 'k' && i+1 < len(repl) && repl[i+1] == '<':
			end := strings.IndexByte(repl[i+2:], '>')
			if end < 0 {
				b.WriteString(`\k`)
				continue
			}
			name := repl[i+2 : i+2+end]
			g := m.GroupByName(name)
			if g == nil {
				return fmt.Errorf("undefined group name reference: %s", name)
			}
			if len(g.Captures) > 0 {
				b.WriteString(g.String())
			}
			i += 2 + end
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
	}
	return nil
}
