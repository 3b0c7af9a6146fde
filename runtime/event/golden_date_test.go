package event

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone tests never depend on the host's zone files
)

// readGoldenTSV reads a file written by scripts/golden (fields separated by
// tabs, with \t, \n and \\ escaped).
func readGoldenTSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("../../testdata/event/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		for i, s := range fields {
			fields[i] = unescapeGolden(s)
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return rows
}

func unescapeGolden(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkFormatGolden runs one golden row: compile pattern, format ts, and
// compare with want ("!ERR message" for an expected error).
func checkFormatGolden(t *testing.T, compile func(string) (timeFormatter, error), pattern string, ts Timestamp, want string, failures *int) {
	t.Helper()
	f, err := compile(pattern)
	var got string
	if err != nil {
		got = "!ERR " + err.Error()
	} else {
		got = string(f.AppendFormat(nil, ts))
	}
	if got != want {
		*failures++
		if *failures <= 30 {
			t.Errorf("pattern %q at %s: got %q, want %q", pattern, ts.Time.UTC().Format(time.RFC3339Nano), got, want)
		}
	}
}

func TestJodaFormatGolden(t *testing.T) {
	failures := 0
	rows := readGoldenTSV(t, "joda_format.tsv")
	for _, r := range rows {
		ms, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatalf("bad row %q", r)
		}
		ts := Timestamp{time.UnixMilli(ms)}
		checkFormatGolden(t, compileJodaPattern, r[1], ts, r[2], &failures)
	}
	if failures > 0 {
		t.Errorf("%d of %d Joda rows differ", failures, len(rows))
	}
}

func TestJavaTimeFormatGolden(t *testing.T) {
	failures := 0
	rows := readGoldenTSV(t, "javatime_format.tsv")
	for _, r := range rows {
		sec, err1 := strconv.ParseInt(r[0], 10, 64)
		nsec, err2 := strconv.ParseInt(r[1], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %q", r)
		}
		ts := Timestamp{time.Unix(sec, nsec)}
		checkFormatGolden(t, compileJavaTimePattern, r[2], ts, r[3], &failures)
	}
	if failures > 0 {
		t.Errorf("%d of %d java.time rows differ", failures, len(rows))
	}
}

func TestParseTimestampGolden(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = ny // the generator pinned the JVM zone to the same
	defer func() { time.Local = saved }()
	failures := 0
	rows := readGoldenTSV(t, "timestamp_parse.tsv")
	for _, r := range rows {
		in := r[0]
		ts, ok := ParseTimestamp(in)
		var got string
		if ok {
			got = strconv.FormatInt(ts.Time.Unix(), 10) + "\t" + strconv.Itoa(ts.Time.Nanosecond())
		} else {
			got = "!ERR"
		}
		want := strings.Join(r[1:], "\t")
		if got != want {
			failures++
			if failures <= 30 {
				t.Errorf("ParseTimestamp(%q) = %q, want %q", in, got, want)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d rows differ", failures, len(rows))
	}
}

func TestTimestampStringGolden(t *testing.T) {
	failures := 0
	rows := readGoldenTSV(t, "timestamp_string.tsv")
	for _, r := range rows {
		sec, err1 := strconv.ParseInt(r[0], 10, 64)
		nsec, err2 := strconv.ParseInt(r[1], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %q", r)
		}
		if got := (Timestamp{time.Unix(sec, nsec)}).String(); got != r[2] {
			failures++
			if failures <= 20 {
				t.Errorf("Timestamp(%d, %d).String() = %s, want %s", sec, nsec, got, r[2])
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d rows differ", failures, len(rows))
	}
}
