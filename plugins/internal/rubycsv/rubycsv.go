// Package rubycsv reads and writes one CSV record the way Ruby's standard
// CSV library (3.2, which Logstash's csv filter and codec call) does with
// CSV.parse_line and CSV.generate_line, and applies the plugins' column
// conversions.
package rubycsv

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gostash/gostash/internal/ruby"
)

// Dialect is a separator and a quote character.
type Dialect struct {
	Separator string
	Quote     string
}

// MalformedError is Ruby's CSV::MalformedCSVError.
type MalformedError struct{ msg string }

func (e *MalformedError) Error() string { return e.msg }

func malformed(format string, args ...any) error {
	return &MalformedError{msg: fmt.Sprintf(format, args...) + " in line 1."}
}

// check refuses what Ruby's CSV refuses when it is built (an ArgumentError,
// raised for every record).
func (d Dialect) check() error {
	if d.Separator == "" {
		return errors.New(":col_sep must be 1 or more characters: \"\"")
	}
	if utf8.RuneCountInString(d.Quote) != 1 {
		return fmt.Errorf(":quote_char has to be nil or a single character String")
	}
	return nil
}

// rowSeparator is what Ruby's :auto row separator finds in the data: the
// first line break, whether or not it is inside quotes.
func rowSeparator(s string) string {
	lf := strings.IndexByte(s, '\n')
	var cr int
	if lf >= 0 {
		cr = strings.IndexByte(s[:lf], '\r')
	} else {
		cr = strings.IndexByte(s, '\r')
	}
	switch {
	case cr >= 0 && lf >= 0:
		if cr+1 == lf {
			return "\r\n"
		}
		return "\r"
	case cr >= 0:
		return "\r"
	}
	return "\n"
}

// ParseLine reads the first record of s: each field a string, or nil for
// an unquoted empty field. It returns nil (no record) for empty input.
func (d Dialect) ParseLine(s string) ([]any, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if s == "" {
		return nil, nil
	}
	fields, _, err := d.record(s, 0, rowSeparator(s))
	return fields, err
}

// ParseAll reads every record of s, as CSV.open(...).each does: the row
// separator is the first line break of s; a blank line is an empty record.
func (d Dialect) ParseAll(s string) ([][]any, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	rs := rowSeparator(s)
	var records [][]any
	for pos := 0; pos < len(s); {
		fields, next, err := d.record(s, pos, rs)
		if err != nil {
			return nil, err
		}
		records = append(records, fields)
		pos = next
	}
	return records, nil
}

// record reads the record starting at pos and returns where the next one
// starts (after its row separator).
func (d Dialect) record(s string, pos int, rs string) ([]any, int, error) {
	sep, q := d.Separator, d.Quote
	fields := make([]any, 0, strings.Count(s[pos:min(len(s), pos+4096)], sep)+1)
	// ended finishes the record at pos, which is the end of s or a row
	// separator.
	ended := func(pos int) int {
		if pos < len(s) {
			return pos + len(rs)
		}
		return pos
	}
	if strings.HasPrefix(s[pos:], rs) {
		return fields, pos + len(rs), nil
	}
	for {
		if strings.HasPrefix(s[pos:], q) {
			pos += len(q)
			var value string
			var b strings.Builder // only for a value with doubled quotes
			for {
				i := strings.Index(s[pos:], q)
				if i < 0 {
					return nil, 0, malformed("Unclosed quoted field")
				}
				if strings.HasPrefix(s[pos+i+len(q):], q) {
					b.WriteString(s[pos : pos+i+len(q)])
					pos += i + 2*len(q)
					continue
				}
				if b.Len() > 0 {
					b.WriteString(s[pos : pos+i])
					value = b.String()
				} else {
					value = s[pos : pos+i]
				}
				pos += i + len(q)
				break
			}
			fields = append(fields, value)
			switch {
			case pos == len(s), strings.HasPrefix(s[pos:], rs):
				return fields, ended(pos), nil
			case strings.HasPrefix(s[pos:], sep):
				pos += len(sep)
				if pos == len(s) || strings.HasPrefix(s[pos:], rs) {
					return append(fields, nil), ended(pos), nil
				}
				continue
			}
			return nil, 0, malformed("Any value after quoted field isn't allowed")
		}
		end := len(s)
		next := -1
		if i := strings.Index(s[pos:], sep); i >= 0 {
			end, next = pos+i, pos+i+len(sep)
		}
		last := false
		if i := strings.Index(s[pos:end], rs); i >= 0 {
			end, last = pos+i, true
		} else if next < 0 {
			last = true
		}
		v := s[pos:end]
		if strings.Contains(v, q) {
			return nil, 0, malformed("Illegal quoting")
		}
		if i := strings.IndexAny(v, "\r\n"); i >= 0 {
			return nil, 0, malformed("Unquoted fields do not allow new line <%s>", ruby.Inspect(v[i:i+1]))
		}
		if v == "" {
			fields = append(fields, nil)
		} else {
			fields = append(fields, v)
		}
		if last {
			return fields, ended(end), nil
		}
		pos = next
		if pos == len(s) || strings.HasPrefix(s[pos:], rs) {
			return append(fields, nil), ended(pos), nil
		}
	}
}

// GenerateLine writes one record terminated by "\n": nil is an empty
// field, an empty string is quoted, and a field holding a line break, the
// quote or any character of the separator is quoted with quotes doubled.
func (d Dialect) GenerateLine(b []byte, fields []*string) ([]byte, error) {
	if err := d.check(); err != nil {
		return b, err
	}
	for i, f := range fields {
		if i > 0 {
			b = append(b, d.Separator...)
		}
		if f == nil {
			continue
		}
		v := *f
		if v == "" || utf8.ValidString(v) && strings.ContainsAny(v, "\r\n"+d.Separator+d.Quote) {
			b = append(b, d.Quote...)
			b = append(b, strings.ReplaceAll(v, d.Quote, d.Quote+d.Quote)...)
			b = append(b, d.Quote...)
			continue
		}
		b = append(b, v...)
	}
	return append(b, '\n'), nil
}
