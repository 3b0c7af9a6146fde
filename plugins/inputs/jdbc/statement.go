package jdbc

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// dialect writes SQL for one engine as Sequel writes it for that database:
// the literals named parameters become, and quoted identifiers.
type dialect struct {
	engine engine
	// dbZone is jdbc_default_timezone: times are written in it.
	dbZone *zone
}

func (d dialect) quoteIdent(s string) string {
	if d.engine == mysqlEngine {
		return "`" + strings.ReplaceAll(s, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// literal is v as an SQL literal. Values come from the parameters option
// (strings, numbers, booleans, arrays) and from sql_last_value.
func (d dialect) literal(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "NULL", nil
	case bool:
		if d.engine == postgres {
			return strconv.FormatBool(t), nil
		}
		if t {
			return "1", nil
		}
		return "0", nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case *big.Int:
		return t.String(), nil
	case float64:
		return string(ruby.AppendFloat(nil, t)), nil
	case event.Decimal:
		return string(t.AppendRubyPlain(nil)), nil
	case string:
		return d.quoteString(t), nil
	case time.Time:
		return d.timeLiteral(t), nil
	case event.Timestamp:
		return d.timeLiteral(t.Time), nil
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			s, err := d.literal(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", fmt.Errorf("cannot use %s as an SQL value", event.ValueString(v))
}

func (d dialect) quoteString(s string) string {
	if d.engine == mysqlEngine {
		// MySQL reads backslashes as escapes inside strings.
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// timeLiteral is Sequel's timestamp literal: microseconds, and for
// PostgreSQL the offset. With jdbc_default_timezone the time is first
// moved into that zone.
func (d dialect) timeLiteral(t time.Time) string {
	if d.dbZone != nil {
		t = t.In(d.dbZone.loc)
	}
	s := t.Format("2006-01-02 15:04:05") + fmt.Sprintf(".%06d", t.Nanosecond()/1000)
	if d.engine == postgres {
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		s += fmt.Sprintf("%c%02d%02d", sign, off/3600, off%3600/60)
	}
	return "'" + s + "'"
}

// statement is the configured SQL with its named parameters.
type statement struct {
	sql     string
	dialect dialect
	params  map[string]any
	// names matches a parameter where the statement names it: a colon,
	// one of the names, then a word boundary (Sequel's placeholder rule).
	names *regexp.Regexp
}

// newStatement prepares sql for parameters, which sql_last_value (and
// offset and size in explicit paging) join at each run.
func newStatement(sql string, d dialect, params map[string]any, extra ...string) *statement {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range params {
			if !yield(k) {
				return
			}
		}
	})
	keys = append(keys, extra...)
	// Longer names first, so that of :a and :ab the longer one matches.
	slices.SortStableFunc(keys, func(a, b string) int { return len(b) - len(a) })
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = regexp.QuoteMeta(k)
	}
	return &statement{sql: sql, dialect: d, params: params, names: regexp.MustCompile(`:(` + strings.Join(quoted, "|") + `)\b`)}
}

// bind writes the statement with every parameter replaced by its literal.
func (s *statement) bind(run map[string]any) (string, error) {
	var failed error
	out := s.names.ReplaceAllStringFunc(s.sql, func(m string) string {
		name := m[1:]
		v, ok := run[name]
		if !ok {
			v = s.params[name]
		}
		lit, err := s.dialect.literal(v)
		if err != nil && failed == nil {
			failed = fmt.Errorf("parameter %s: %w", name, err)
		}
		return lit
	})
	return out, failed
}

// countSQL and pageSQL are the queries automatic paging runs around the
// statement, as Sequel's pagination builds them.
func (d dialect) countSQL(sql string) string {
	return "SELECT count(*) AS " + d.quoteIdent("count") + " FROM (" + sql + ") AS " + d.quoteIdent("t1") + " LIMIT 1"
}

func (d dialect) pageSQL(sql string, size, offset int64) string {
	return "SELECT * FROM (" + sql + ") AS " + d.quoteIdent("t1") + " LIMIT " + strconv.FormatInt(size, 10) + " OFFSET " + strconv.FormatInt(offset, 10)
}

// placeholders rewrites a prepared statement's ? markers (outside quotes)
// as PostgreSQL's $1, $2...; other engines take ? as it is.
func (d dialect) placeholders(sql string) string {
	if d.engine != postgres {
		return sql
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
