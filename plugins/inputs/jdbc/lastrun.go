package jdbc

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// The last run file holds sql_last_value as Ruby's YAML.dump writes it,
// so that Logstash and gostash can each take over the other's file:
//
//	--- 42
//	--- 2026-01-02 03:04:05.678000000 Z
//	--- !ruby/object:BigDecimal 18:0.42e2
//	--- !ruby/object:DateTime 2026-01-02 03:04:05.678000000 Z

// trackerKind is what sql_last_value holds: a number (use_column_value
// with a numeric tracking column), or a time (Ruby's Time, or DateTime
// when jdbc_default_timezone is set).
type trackerKind int

const (
	numericTracker trackerKind = iota
	timeTracker
	dateTimeTracker
)

// tracker is sql_last_value and the file it is kept in ("" when
// record_last_run is false).
type tracker struct {
	kind  trackerKind
	value any // int64, *big.Int, float64 or event.Decimal; time.Time
	path  string
}

var epoch = time.Unix(0, 0).UTC()

// loadTracker reads the last run file (removed first for clean_run). A
// value of the wrong kind is dropped with its file, and the tracker starts
// over at 0 or 1970-01-01, as the plugin does.
func loadTracker(kind trackerKind, path string, clean bool) (*tracker, error) {
	t := &tracker{kind: kind, path: path}
	t.value = t.initial()
	if path == "" {
		return t, nil
	}
	if clean {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return t, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := readYAMLValue(string(data))
	if err != nil {
		return nil, fmt.Errorf("cannot read the last run file %s: %w", path, err)
	}
	if t.accepts(v) {
		t.value = v
		return t, nil
	}
	if err := os.Remove(path); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *tracker) initial() any {
	if t.kind == numericTracker {
		return int64(0)
	}
	return epoch
}

// accepts says whether a persisted value suits the tracker: a number for
// a numeric one (Ruby's respond_to?(:abs)), a time for the others.
func (t *tracker) accepts(v any) bool {
	switch v.(type) {
	case int64, *big.Int, float64, event.Decimal:
		return t.kind == numericTracker
	case time.Time:
		return t.kind != numericTracker
	}
	return false
}

// set records the value a run reached: a numeric tracker keeps only
// numbers; a time tracker takes times (and text it can read as one).
func (t *tracker) set(v any) error {
	switch x := v.(type) {
	case event.Timestamp:
		v = x.Time
	case int:
		v = int64(x)
	}
	if t.kind == numericTracker {
		switch v.(type) {
		case int64, *big.Int, float64, event.Decimal:
			t.value = v
		}
		return nil
	}
	switch x := v.(type) {
	case time.Time:
		t.value = x
		return nil
	case string:
		if parsed, err := parseYAMLTime(x); err == nil {
			t.value = parsed
			return nil
		}
	}
	return fmt.Errorf("cannot use %s as a timestamp for sql_last_value", event.ValueString(v))
}

// write saves the value (replacing the file whole, so that a crash leaves
// the old or the new value).
func (t *tracker) write() error {
	if t.path == "" {
		return nil
	}
	tmp := t.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(t.yaml()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, t.path)
}

// yaml is the value as Ruby's YAML.dump writes it.
func (t *tracker) yaml() string {
	switch v := t.value.(type) {
	case int64:
		return "--- " + strconv.FormatInt(v, 10) + "\n"
	case *big.Int:
		return "--- " + v.String() + "\n"
	case float64:
		switch {
		case v != v:
			return "--- .nan\n"
		case v > 0 && v*0.5 == v:
			return "--- .inf\n"
		case v < 0 && v*0.5 == v:
			return "--- -.inf\n"
		}
		return "--- " + string(ruby.AppendFloat(nil, v)) + "\n"
	case event.Decimal:
		s := v.RubyToS()
		return fmt.Sprintf("--- !ruby/object:BigDecimal %d:%s\n", bigDecimalPrecision(s), s)
	case time.Time:
		tag := ""
		if t.kind == dateTimeTracker {
			tag = "!ruby/object:DateTime "
		}
		return "--- " + tag + yamlTime(v) + "\n"
	}
	return "--- \n"
}

// bigDecimalPrecision is the figure BigDecimal#_dump writes before the
// value: the digits its words can hold, 9 a word, one word spare.
func bigDecimalPrecision(s string) int {
	digits := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits++
		}
		if c == 'e' {
			break
		}
	}
	return ((digits+8)/9 + 1) * 9
}

func yamlTime(t time.Time) string {
	s := t.Format("2006-01-02 15:04:05.000000000")
	if _, off := t.Zone(); off == 0 {
		return s + " Z"
	}
	return s + " " + t.Format("-07:00")
}

var (
	yamlInt    = regexp.MustCompile(`^[-+]?(?:0|[1-9][0-9_]*)$`)
	yamlFloat  = regexp.MustCompile(`^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$`)
	yamlTimeRe = regexp.MustCompile(`^(\d{4})-(\d\d?)-(\d\d?)(?:[Tt]|\s+)(\d\d?):(\d\d):(\d\d)(?:\.(\d*))?\s*(Z|[-+]\d\d?(?::?\d\d)?)?$`)
)

// readYAMLValue reads the one-scalar documents the file holds.
func readYAMLValue(doc string) (any, error) {
	s := strings.TrimSpace(doc)
	s = strings.TrimSpace(strings.TrimSuffix(s, "..."))
	s = strings.TrimSpace(strings.TrimPrefix(s, "---"))
	switch {
	case strings.HasPrefix(s, "!ruby/object:BigDecimal "):
		_, value, ok := strings.Cut(strings.TrimPrefix(s, "!ruby/object:BigDecimal "), ":")
		if !ok {
			return nil, fmt.Errorf("cannot read %q as a BigDecimal", s)
		}
		return event.ParseDecimal(strings.TrimSpace(value))
	case strings.HasPrefix(s, "!ruby/object:DateTime "):
		return parseYAMLTime(strings.TrimPrefix(s, "!ruby/object:DateTime "))
	case yamlInt.MatchString(s):
		digits := strings.ReplaceAll(s, "_", "")
		if n, err := strconv.ParseInt(digits, 10, 64); err == nil {
			return n, nil
		}
		n, _ := new(big.Int).SetString(strings.TrimPrefix(digits, "+"), 10)
		return n, nil
	case yamlFloat.MatchString(s):
		return strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	case s == ".inf" || s == "+.inf":
		return posInf, nil
	case s == "-.inf":
		return -posInf, nil
	case s == ".nan":
		return posInf - posInf, nil
	}
	if t, err := parseYAMLTime(s); err == nil {
		return t, nil
	}
	// Anything else (text, a date alone...) suits no tracker.
	return s, nil
}

var posInf = func() float64 { f, _ := strconv.ParseFloat("+Inf", 64); return f }()

// parseYAMLTime reads YAML's timestamp form (Psych's), without a zone in UTC.
func parseYAMLTime(s string) (time.Time, error) {
	m := yamlTimeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, fmt.Errorf("cannot read %q as a time", s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	frac := m[7]
	ns := 0
	if frac != "" {
		frac = (frac + "000000000")[:9]
		ns, _ = strconv.Atoi(frac)
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(z[1:], ":", "")
		h, mi := 0, 0
		if len(digits) <= 2 {
			h, _ = strconv.Atoi(digits)
		} else {
			h, _ = strconv.Atoi(digits[:len(digits)-2])
			mi, _ = strconv.Atoi(digits[len(digits)-2:])
		}
		loc = time.FixedZone("", sign*(h*3600+mi*60))
	}
	return time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), n(6), ns, loc), nil
}

// defaultLastRunPath is <path.data>/plugins/inputs/jdbc/logstash_jdbc_last_run.
func defaultLastRunPath(dataPath string) string {
	if dataPath == "" {
		dataPath = "data"
	}
	return filepath.Join(dataPath, "plugins", "inputs", "jdbc", "logstash_jdbc_last_run")
}
