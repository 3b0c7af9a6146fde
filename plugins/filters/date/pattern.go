package date

import (
	"fmt"
	"strings"
)

// patternToken is one token of a Joda pattern: a run of one letter, or
// literal text (quoted or not).
type patternToken struct {
	letter  byte
	count   int
	literal string
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func tokenize(p string) []patternToken {
	var toks []patternToken
	for i := 0; i < len(p); {
		c := p[i]
		if isLetter(c) {
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			toks = append(toks, patternToken{letter: c, count: j - i})
			i = j
			continue
		}
		var b strings.Builder
		inQuote := false
		for ; i < len(p); i++ {
			c = p[i]
			if c == '\'' {
				if i+1 < len(p) && p[i+1] == '\'' {
					i++
					b.WriteByte('\'')
				} else {
					inQuote = !inQuote
				}
			} else if !inQuote && isLetter(c) {
				break
			} else {
				b.WriteByte(c)
			}
		}
		toks = append(toks, patternToken{literal: b.String()})
	}
	return toks
}

// isNumeric reports whether a token parses digits, which limits the digits
// the year before it may take.
func (t patternToken) isNumeric() bool {
	switch t.letter {
	case 'c', 'C', 'x', 'y', 'Y', 'D', 'F', 'H', 'K', 'S', 'W', 'd', 'e', 'h', 'k', 'm', 's', 'w':
		return true
	case 'M':
		return t.count <= 2
	}
	return false
}

// compilePattern builds a parser from a Joda DateTimeFormat pattern. A
// number reads at most max(usual width, letter count) digits, as Joda's
// appendDecimal widens its maximum to the minimum.
func compilePattern(p string) (*formatter, error) {
	toks := tokenize(p)
	f := &formatter{}
	for i, t := range toks {
		nextNumeric := i+1 < len(toks) && toks[i+1].isNumeric()
		n := t.count
		var e element
		switch t.letter {
		case 0:
			if t.literal == "" {
				continue
			}
			e = literal(t.literal)
		case 'G':
			e = text{fEra}
		case 'C':
			e = number{fCenturyOfEra, n, false}
		case 'x', 'y', 'Y':
			field := map[byte]fieldType{'x': fWeekyear, 'y': fYear, 'Y': fYearOfEra}[t.letter]
			if n == 2 {
				e = twoDigitYear{field, !nextNumeric}
				break
			}
			maxDigits := 9
			if nextNumeric {
				maxDigits = n
			}
			e = number{field, maxDigits, t.letter != 'Y'}
		case 'M':
			if n >= 3 {
				e = text{fMonthOfYear}
			} else {
				e = number{fMonthOfYear, 2, false}
			}
		case 'd':
			e = number{fDayOfMonth, max(2, n), false}
		case 'a':
			e = text{fHalfdayOfDay}
		case 'h':
			e = number{fClockhourOfHalfday, max(2, n), false}
		case 'H':
			e = number{fHourOfDay, max(2, n), false}
		case 'k':
			e = number{fClockhourOfDay, max(2, n), false}
		case 'K':
			e = number{fHourOfHalfday, max(2, n), false}
		case 'm':
			e = number{fMinuteOfHour, max(2, n), false}
		case 's':
			e = number{fSecondOfMinute, max(2, n), false}
		case 'S':
			e = fraction{fMillisOfSecond, 1000, n}
		case 'e':
			e = number{fDayOfWeek, n, false}
		case 'E':
			e = text{fDayOfWeek}
		case 'D':
			e = number{fDayOfYear, max(3, n), false}
		case 'w':
			e = number{fWeekOfWeekyear, max(2, n), false}
		case 'z':
			if n >= 4 {
				// Joda's long zone names print but do not parse; Logstash fails
				// on the first event, gostash at startup.
				return nil, fmt.Errorf("Parsing not supported: the pattern %q uses %s (long time zone names)", p, strings.Repeat("z", n))
			}
			e = zoneName{}
		case 'Z':
			if n >= 3 {
				e = zoneID{}
			} else {
				e = offset{zeroText: "Z"}
			}
		default:
			return nil, fmt.Errorf("Illegal pattern component: %s", strings.Repeat(string(t.letter), n))
		}
		f.elems = append(f.elems, e)
	}
	return f, nil
}

// isoParser is Joda's ISODateTimeFormat.dateTimeParser(): a time, or a
// date optionally followed by T, a time and an offset.
var isoParser = func() *formatter {
	decimalPoint := longest{literal("."), literal(",")}
	timeElement := sequence{
		number{fHourOfDay, 2, false},
		longest{
			sequence{
				literal(":"), number{fMinuteOfHour, 2, false},
				longest{
					sequence{
						literal(":"), number{fSecondOfMinute, 2, false},
						optional{decimalPoint, fraction{fMillisOfSecond, 1000, 9}},
					},
					sequence{decimalPoint, fraction{fMillisOfMinute, 60000, 9}},
					nil,
				},
			},
			sequence{decimalPoint, fraction{fMillisOfHour, 3600000, 9}},
			nil,
		},
	}
	offsetElement := offset{zeroText: "Z"}
	year := number{fYear, 9, true}
	dateElement := longest{
		sequence{year, optional{literal("-"), number{fMonthOfYear, 2, false}, optional{literal("-"), number{fDayOfMonth, 2, false}}}},
		sequence{number{fWeekyear, 9, true}, literal("-W"), number{fWeekOfWeekyear, 2, false}, optional{literal("-"), number{fDayOfWeek, 1, false}}},
		sequence{year, literal("-"), number{fDayOfYear, 3, false}},
	}
	timeOnly := sequence{literal("T"), timeElement, optional{offsetElement}}
	dateOptTime := sequence{dateElement, optional{literal("T"), optional{timeElement}, optional{offsetElement}}}
	return &formatter{elems: []element{longest{timeOnly, dateOptTime}}}
}()
