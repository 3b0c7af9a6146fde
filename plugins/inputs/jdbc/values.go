package jdbc

import (
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// zone is jdbc_default_timezone: a zone name, optionally followed by
// [dst_enabled_on_overlap:true|false] saying which offset an ambiguous
// local time (when the clocks go back) takes.
type zone struct {
	name string
	loc  *time.Location
	// onOverlap is "" (an ambiguous time is an error), "true" (the
	// daylight-saving offset) or "false" (the standard one).
	onOverlap string
}

var zoneSpec = regexp.MustCompile(`^([^\[]+)(?:\[([^\]]*)\])?$`)

func parseZone(spec string) (*zone, error) {
	m := zoneSpec.FindStringSubmatch(spec)
	if m == nil {
		return nil, fmt.Errorf("invalid timezone %q", spec)
	}
	loc, err := time.LoadLocation(m[1])
	if err != nil || m[1] == "Local" {
		return nil, fmt.Errorf("Invalid identifier: %s", m[1])
	}
	z := &zone{name: m[1], loc: loc}
	if m[2] != "" {
		for ext := range strings.SplitSeq(m[2], ";") {
			switch ext {
			case "dst_enabled_on_overlap:true":
				z.onOverlap = "true"
			case "dst_enabled_on_overlap:false":
				z.onOverlap = "false"
			default:
				return nil, fmt.Errorf("Invalid timezone extension `%s`", ext)
			}
		}
	}
	return z, nil
}

// local is the wall clock w as an instant in the zone. A time the clocks
// skip is moved forward past the gap; a time they pass twice is chosen
// by onOverlap, or refused.
func (z *zone) local(w time.Time) (time.Time, error) {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), z.loc)
	_, offBefore := t.Add(-12 * time.Hour).Zone()
	_, offAfter := t.Add(12 * time.Hour).Zone()
	if offBefore == offAfter {
		return t, nil
	}
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	var fits []time.Time
	for _, off := range []int{offBefore, offAfter} {
		c := wall.Add(-time.Duration(off) * time.Second).In(z.loc)
		if _, o := c.Zone(); o == off {
			fits = append(fits, c)
		}
	}
	if len(fits) < 2 || fits[0].Equal(fits[1]) {
		return t, nil
	}
	switch z.onOverlap {
	case "true":
		if fits[0].IsDST() {
			return fits[0], nil
		}
		return fits[1], nil
	case "false":
		if fits[0].IsDST() {
			return fits[1], nil
		}
		return fits[0], nil
	}
	return time.Time{}, fmt.Errorf("%s is an ambiguous local time in %s (add [dst_enabled_on_overlap:true] or [dst_enabled_on_overlap:false] to jdbc_default_timezone)", w.Format("2006-01-02 15:04:05"), z.name)
}

// converter turns column values into event values as the plugin does
// through Sequel: numbers, decimals (BigDecimal), booleans, text and
// bytes, and dates and times as Timestamps.
type converter struct {
	src *source
	// dbZone is jdbc_default_timezone; without it wall-clock timestamps are
	// read in the local time zone.
	dbZone *zone
	// utc is plugin_timezone utc: TIME columns are today's date at that
	// time in UTC, else in the local zone.
	utc bool
}

// column is how one result column is read.
type column struct {
	name     string
	typeName string
	// flag is true for a MySQL TINYINT(1) or BIT(1): a boolean.
	flag bool
}

func columnsOf(rows *sql.Rows, src *source, lowercase bool) ([]column, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]column, len(types))
	for i, ct := range types {
		name := ct.Name()
		if lowercase {
			name = strings.ToLower(name)
		}
		cols[i] = column{name: name, typeName: strings.ToUpper(ct.DatabaseTypeName())}
	}
	return cols, nil
}

// markMySQLFlags finds the TINYINT(1) and BIT(1) columns, which Connector/J
// reads as booleans. database/sql does not pass on an integer's display
// width, so it is read (never written) from go-sql-driver's result set
// description; TestMySQLTypes proves the path still holds.
func markMySQLFlags(rows *sql.Rows, cols []column, tinyIntIsBit bool) {
	defer func() { _ = recover() }() // a changed driver layout leaves the columns as numbers
	rs := reflect.ValueOf(rows).Elem().FieldByName("rowsi").Elem().Elem().FieldByName("mysqlRows").FieldByName("rs").FieldByName("columns")
	for i := range cols {
		if i >= rs.Len() {
			return
		}
		length := rs.Index(i).FieldByName("length").Uint()
		cols[i].flag = length == 1 && (cols[i].typeName == "BIT" || cols[i].typeName == "TINYINT" && tinyIntIsBit)
	}
}

// value converts one column value.
func (c *converter) value(col *column, v any) (any, error) {
	if c.src.engine == mysqlEngine {
		return c.mysqlValue(col, v)
	}
	switch t := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return t, nil
	case int64:
		switch {
		case col.typeName == "BOOLEAN" || col.typeName == "BOOL":
			return t != 0, nil
		case isDecimalType(col.typeName):
			d, _ := event.DecimalFromInt(t)
			return d, nil
		}
		return t, nil
	case float64:
		if isDecimalType(col.typeName) {
			d, _ := event.ParseDecimal(strconv.FormatFloat(t, 'g', -1, 64))
			return d, nil
		}
		return t, nil
	case float32:
		return float64(t), nil
	case time.Time:
		return c.timeValue(col, t)
	case []byte:
		if col.typeName == "NUMERIC" || col.typeName == "DECIMAL" {
			return parseDecimal(string(t))
		}
		return string(t), nil
	case string:
		if isDecimalType(col.typeName) {
			return parseDecimal(t)
		}
		return t, nil
	}
	return event.ValueString(v), nil
}

func isDecimalType(name string) bool {
	return name == "NUMERIC" || name == "DECIMAL" || strings.HasPrefix(name, "DECIMAL(") || strings.HasPrefix(name, "NUMERIC(")
}

func parseDecimal(s string) (any, error) {
	d, err := event.ParseDecimal(s)
	if err != nil {
		// NaN and the infinities have no BigDecimal form.
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			return f, nil
		}
		return nil, fmt.Errorf("cannot read %q as a decimal", s)
	}
	return d, nil
}

// timeValue reads a time.Time the driver made: a DATE is local midnight
// (Ruby's Date#to_time), a TIME is today at that time, and a timestamp is
// its wall clock read in jdbc_default_timezone or the local zone.
func (c *converter) timeValue(col *column, t time.Time) (any, error) {
	switch {
	case col.typeName == "DATE":
		return event.Timestamp{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local)}, nil
	case col.typeName == "TIMESTAMPTZ":
		// An instant: its wall clock where gostash runs, as the JDBC driver
		// hands it over.
		t = t.In(time.Local)
	}
	return c.wallClock(t)
}

func (c *converter) wallClock(w time.Time) (any, error) {
	if c.dbZone != nil {
		t, err := c.dbZone.local(w)
		if err != nil {
			return nil, err
		}
		return event.Timestamp{Time: t}, nil
	}
	return event.Timestamp{Time: time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.Local)}, nil
}

// timeOfDay is a TIME column: today's date (where gostash runs) at that
// time, in UTC or local time per plugin_timezone (Sequel's SQLTime).
func (c *converter) timeOfDay(h, m, s, ns int) any {
	today := event.Now().Time.In(time.Local)
	loc := time.Local
	if c.utc {
		loc = time.UTC
	}
	return event.Timestamp{Time: time.Date(today.Year(), today.Month(), today.Day(), h, m, s, ns, loc)}
}

var errZeroDate = fmt.Errorf("Zero date value prohibited (set zeroDateTimeBehavior=convertToNull in the URL to read it as nil)")

// mysqlValue converts a value of MySQL's text protocol, which
// go-sql-driver hands over as a number for numeric columns and as text for
// the others, by its column type as Connector/J types it.
func (c *converter) mysqlValue(col *column, v any) (any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case int64:
		switch {
		case col.flag:
			return t != 0, nil
		case col.typeName == "YEAR":
			return c.mysqlText(col, []byte(strconv.FormatInt(t, 10)))
		}
		return t, nil
	case uint64:
		if col.flag {
			return t != 0, nil
		}
		if t <= math.MaxInt64 {
			return int64(t), nil
		}
		return new(big.Int).SetUint64(t), nil
	case float32:
		return float64(t), nil // a java.lang.Float widened to a double, as JRuby does
	case float64:
		return t, nil
	case []byte:
		return c.mysqlText(col, t)
	case string:
		return c.mysqlText(col, []byte(t))
	case time.Time:
		return c.wallClock(t)
	}
	return event.ValueString(v), nil
}

// mysqlText converts a value MySQL sent as text by its column type, as
// Connector/J types it.
func (c *converter) mysqlText(col *column, b []byte) (any, error) {
	s := string(b)
	switch col.typeName {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT",
		"UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT", "YEAR":
		if col.flag {
			return s != "0", nil
		}
		if col.typeName == "YEAR" {
			y, err := strconv.Atoi(s)
			if err != nil {
				return nil, err
			}
			if y == 0 {
				return c.zeroDate()
			}
			return event.Timestamp{Time: time.Date(y, 1, 1, 0, 0, 0, 0, time.Local)}, nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("cannot read %q as an integer", s)
		}
		return n, nil
	case "DECIMAL":
		return parseDecimal(s)
	case "FLOAT":
		f, err := strconv.ParseFloat(s, 32)
		// A java.lang.Float widened to a double, as JRuby does.
		return float64(float32(f)), err
	case "DOUBLE":
		return strconv.ParseFloat(s, 64)
	case "BIT":
		if col.flag {
			return len(b) > 0 && b[0] != 0, nil
		}
		return s, nil
	case "DATE":
		if strings.HasPrefix(s, "0000-00-00") {
			return c.zeroDate()
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, err
		}
		return event.Timestamp{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local)}, nil
	case "DATETIME", "TIMESTAMP":
		if strings.HasPrefix(s, "0000-00-00") {
			return c.zeroDate()
		}
		t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
		if err != nil {
			return nil, err
		}
		return c.wallClock(t)
	case "TIME":
		return c.parseTimeOfDay(s)
	}
	return s, nil
}

func (c *converter) zeroDate() (any, error) {
	switch c.src.zeroDates {
	case "convertToNull":
		return nil, nil
	case "round":
		return c.wallClock(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	return nil, errZeroDate
}

func (c *converter) parseTimeOfDay(s string) (any, error) {
	main, frac, _ := strings.Cut(s, ".")
	parts := strings.Split(main, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("cannot read %q as a time of day", s)
	}
	var hms [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %q as a time of day", s)
		}
		hms[i] = n
	}
	ns := 0
	if frac != "" {
		f, _ := strconv.ParseFloat("0."+frac, 64)
		ns = int(math.Round(f * 1e9))
	}
	return c.timeOfDay(hms[0], hms[1], hms[2], ns), nil
}

// postgresValue reads a PostgreSQL value: TIME comes from pgx as text.
func (c *converter) postgresValue(col *column, v any) (any, error) {
	if s, ok := v.(string); ok && (col.typeName == "TIME" || col.typeName == "TIMETZ") {
		if i := strings.IndexAny(s, "+-"); i > 0 {
			s = s[:i]
		}
		return c.parseTimeOfDay(s)
	}
	return c.value(col, v)
}
