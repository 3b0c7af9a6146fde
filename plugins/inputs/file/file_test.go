package file

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

func TestTailFollowsGrowthAndHoldsThePartialLine(t *testing.T) {
	dir := t.TempDir()
	first, a, last := filepath.Join(dir, "0.log"), filepath.Join(dir, "a.log"), filepath.Join(dir, "z.log")
	db := filepath.Join(dir, "sincedb")
	write(t, first, "")
	write(t, a, "one\ntwo\n")
	write(t, last, "")
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s/*.log" start_position => beginning file_sort_by => path sincedb_path => "%s"`, dir, db))
	out.waitMessage(t, "two")
	appendTo(t, a, "three\npar")
	out.waitMessage(t, "three")
	barrier(t, out, first, last, 1)
	if slices.Contains(out.messages(), "par") {
		t.Fatal("the unterminated line was emitted")
	}
	waitPosition(t, db, a, int64(len("one\ntwo\nthree\n")))
	appendTo(t, a, "tial\n")
	out.waitMessage(t, "partial")
	waitPosition(t, db, a, int64(len("one\ntwo\nthree\npartial\n")))
	r.stop(t)
}

func TestStartPositionEndSkipsOnlyFilesFoundAtStartUp(t *testing.T) {
	dir := t.TempDir()
	old, later := filepath.Join(dir, "old.log"), filepath.Join(dir, "later.log")
	write(t, old, "before start\n")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s/*.log" sincedb_path => "%s/db"`, dir, dir))
	// Once the sincedb knows the file, start-up discovery is over.
	waitPosition(t, filepath.Join(dir, "db"), old, int64(len("before start\n")))
	write(t, later, "later one\n")
	out.waitMessage(t, "later one")
	appendTo(t, old, "after start\n")
	got := out.waitMessage(t, "after start")
	if slices.Contains(got, "before start") {
		t.Fatalf("start_position => end read old content: %q", got)
	}
}

func TestEventFieldsPerECSMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.log")
	write(t, path, "hello\n")
	host, _ := os.Hostname()
	for _, c := range []struct {
		ecs  string
		want string
	}{
		{"disabled", `{"@version":"1","message":"hello","host":"` + host + `","path":"` + path + `"}`},
		{"v1", `{"@version":"1","message":"hello","event":{"original":"hello"},"host":{"name":"` + host + `"},"log":{"file":{"path":"` + path + `"}}}`},
		{"v8", `{"@version":"1","message":"hello","event":{"original":"hello"},"host":{"name":"` + host + `"},"log":{"file":{"path":"` + path + `"}}}`},
	} {
		t.Run(c.ecs, func(t *testing.T) {
			out := newCollector(false)
			r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "/dev/null" ecs_compatibility => %s codec => plain { ecs_compatibility => %s } add_field => { "[x]" => "y" }`, path, c.ecs, c.ecs))
			out.waitCount(t, 1)
			r.stop(t)
			e := out.events[0]
			data := e.Data().Clone()
			data.Delete(event.TimestampField)
			data.Delete("x")
			if got := string(event.AppendJSON(nil, data)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			meta := string(event.AppendJSON(nil, e.Metadata()))
			if want := `{"path":"` + path + `","host":"` + host + `"}`; meta != want {
				t.Errorf("@metadata %s, want %s", meta, want)
			}
		})
	}
}

func TestPathAndHostAreKeptWhenTheCodecSetsThem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	write(t, path, `{"host":"h1","path":"p1"}`+"\n")
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "/dev/null" codec => json ecs_compatibility => disabled`, path))
	out.waitCount(t, 1)
	r.stop(t)
	if h, _ := out.events[0].Get("host"); h != "h1" {
		t.Errorf("host = %v", h)
	}
	if p, _ := out.events[0].Get("path"); p != "p1" {
		t.Errorf("path = %v", p)
	}
	if p, _ := out.events[0].Get("[@metadata][path]"); p != path {
		t.Errorf("[@metadata][path] = %v", p)
	}
}

// TestPositionMovesOnlyForReleasedEvents checks at-least-once: the sincedb
// records a line as handled only when its event, and every event before
// it, has been released by the pipeline.
func TestPositionMovesOnlyForReleasedEvents(t *testing.T) {
	dir := t.TempDir()
	path, db := filepath.Join(dir, "f.log"), filepath.Join(dir, "db")
	write(t, path, "a\nb\nc\nd\n")
	out := newCollector(true)
	r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s"`, path, db))
	out.waitCount(t, 4)
	waitPosition(t, db, path, 0)
	out.release(1, 2) // b and c: a is still in flight
	waitPosition(t, db, path, 0)
	out.release(0) // a: a, b and c are done
	waitPosition(t, db, path, 6)
	// Stopped with d in flight: the final write still says 6.
	r.cancel()
	<-r.done
	r.cancel = nil
	r.in.Close()
	if got := positionOf(t, db, path); got != 6 {
		t.Errorf("after shutdown with d in flight: position %d, want 6", got)
	}
	// A restart resumes at d.
	out2 := newCollector(false)
	start(t, out2, fmt.Sprintf(`path => "%s" sincedb_path => "%s"`, path, db))
	if got := out2.waitCount(t, 1); got[0] != "d" {
		t.Errorf("restart read %q first, want d", got[0])
	}
}

// TestExistingLogstashSincedb starts from a sincedb in Logstash's format:
// a current record with a path, for this file, and an old four-field one.
func TestExistingLogstashSincedb(t *testing.T) {
	dir := t.TempDir()
	path, db := filepath.Join(dir, "f.log"), filepath.Join(dir, "db")
	write(t, path, "seen 1\nseen 2\nnew 3\n")
	fi, _ := os.Stat(path)
	key := keyOf(fi)
	now := float64(time.Now().Unix())
	write(t, db, fmt.Sprintf("%s %d %.6f %s\n12345 0 51 99\n", key, len("seen 1\nseen 2\n"), now, path))
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s"`, path, db))
	got := out.waitCount(t, 1)
	if got[0] != "new 3" {
		t.Fatalf("read %q first, want the line after the recorded position", got[0])
	}
	waitPosition(t, db, path, int64(fi.Size()))
	r.stop(t)
	lines := sincedbLines(t, db)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "12345 0 51 99 ") {
		t.Errorf("the other record is not kept in place: %q", lines)
	}
}

func TestSincedbLineFormat(t *testing.T) {
	dir := t.TempDir()
	path, db := filepath.Join(dir, "with space.log"), filepath.Join(dir, "db")
	write(t, path, "x\n")
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s"`, path, db))
	out.waitCount(t, 1)
	waitPosition(t, db, path, 2)
	r.stop(t)
	line := sincedbLines(t, db)[0]
	if !regexp.MustCompile(`^\d+ \d+ \d+ 2 \d{10}\.\d{1,6} ` + regexp.QuoteMeta(path) + `$`).MatchString(line) {
		t.Errorf("sincedb line %q is not <inode> <major> <minor> <position> <last_changed_at> <path>", line)
	}
}

func TestSincedbRecordsExpire(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	old := float64(time.Now().Add(-48 * time.Hour).Unix())
	write(t, db, fmt.Sprintf("1 0 1 5 %.1f /gone\n2 0 1 7 %.1f /recent\n", old, float64(time.Now().Unix())))
	path := filepath.Join(dir, "f.log")
	write(t, path, "")
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s" sincedb_clean_after => "1 day"`, path, db))
	appendTo(t, path, "x\n")
	out.waitCount(t, 1)
	r.stop(t)
	text := strings.Join(sincedbLines(t, db), "\n")
	if strings.Contains(text, "/gone") || !strings.Contains(text, "2 0 1 7 ") {
		t.Errorf("sincedb after clean-up:\n%s", text)
	}
}

func TestRotationByRename(t *testing.T) {
	dir := t.TempDir()
	first, path, last := filepath.Join(dir, "0.log"), filepath.Join(dir, "app.log"), filepath.Join(dir, "z.log")
	db := filepath.Join(dir, "db")
	write(t, first, "")
	write(t, last, "")
	write(t, path, "old 1\n")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => ["%s", "%s", "%s"] start_position => beginning file_sort_by => path sincedb_path => "%s"`, first, path, last, db))
	out.waitMessage(t, "old 1")
	// Rotate: what was written just before the rename is read from the
	// old file's open handle, whenever the watcher notices the rename.
	appendTo(t, path, "old 2\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, path, "new 1\n")
	out.waitMessage(t, "new 1")
	out.waitMessage(t, "old 2")
	barrier(t, out, first, last, 1)
	appendTo(t, path, "new 2\n")
	got := out.waitMessage(t, "new 2")
	var file []string
	for _, m := range got {
		if !strings.HasPrefix(m, "barrier") {
			file = append(file, m)
		}
	}
	slices.Sort(file)
	if want := []string{"new 1", "new 2", "old 1", "old 2"}; !slices.Equal(file, want) {
		t.Errorf("read %q, want each line once: %q", file, want)
	}
}

// TestRenamedIntoWatchedPathContinues renames a file to another watched
// name: it is read on from where it was, not again.
func TestRenamedIntoWatchedPathContinues(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	write(t, path, "1\n2\n")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s*" start_position => beginning file_sort_by => path sincedb_path => "%s/db"`, path, dir))
	out.waitCount(t, 2)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path+".1", "3\n")
	write(t, path, "4\n")
	out.waitMessage(t, "3")
	got := out.waitMessage(t, "4")
	if len(got) != 4 {
		t.Errorf("read %q, want 1 to 4 once each", got)
	}
}

func TestCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	first, path, last := filepath.Join(dir, "0.log"), filepath.Join(dir, "app.log"), filepath.Join(dir, "z.log")
	db := filepath.Join(dir, "db")
	write(t, first, "")
	write(t, last, "")
	write(t, path, "before 1\nbefore 2\n")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => ["%s", "%s", "%s"] start_position => beginning file_sort_by => path sincedb_path => "%s"`, first, path, last, db))
	out.waitMessage(t, "before 2")
	// copytruncate, and the writer goes on at once: the file is longer
	// than what was read by the time it is looked at again.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, "after the truncation, a longer line\n")
	out.waitMessage(t, "after the truncation, a longer line")
	// A plain shrink.
	barrier(t, out, first, last, 1)
	write(t, path, "x\n")
	got := out.waitMessage(t, "x")
	waitPosition(t, db, path, 2)
	for _, m := range got {
		if strings.Contains(m, "line") && m != "after the truncation, a longer line" {
			t.Errorf("a line was read from the middle: %q", m)
		}
	}
}

func TestFilesAppearAndVanish(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.log")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s/*.log" start_position => beginning sincedb_path => "%s/db"`, dir, dir))
	write(t, path, "first file\n")
	out.waitMessage(t, "first file")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "other.log"), "other\n")
	out.waitMessage(t, "other")
	write(t, path, "second file\n")
	got := out.waitMessage(t, "second file")
	if len(got) != 3 {
		t.Errorf("read %q", got)
	}
}

func TestMultilinePerFile(t *testing.T) {
	dir := t.TempDir()
	a, b, db := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log"), filepath.Join(dir, "db")
	write(t, a, "A1\n  a-cont\n")
	write(t, b, "B1\n  b-cont\n")
	out := newCollector(true)
	r := start(t, out, fmt.Sprintf(`path => "%s/*.log" start_position => beginning sincedb_path => "%s" codec => multiline { pattern => "^\s" what => "previous" }`, dir, db))
	appendTo(t, a, "A2\n")
	appendTo(t, b, "B2\n")
	out.waitMessage(t, "A1\n  a-cont")
	out.waitMessage(t, "B1\n  b-cont")
	out.release()
	// A2 and B2 are held by their files' codecs: the position stops before them.
	waitPosition(t, db, a, int64(len("A1\n  a-cont\n")))
	waitPosition(t, db, b, int64(len("B1\n  b-cont\n")))
	r.stop(t)
	// Shutdown flushed the held lines as events; handled, they count.
	got := out.messages()
	if !slices.Contains(got, "A2") || !slices.Contains(got, "B2") {
		t.Fatalf("shutdown did not flush the held lines: %q", got)
	}
	if p := positionOf(t, db, a); p != int64(len("A1\n  a-cont\n")) {
		t.Errorf("position %d recorded for lines still in flight", p)
	}
	out.release()
	r.in.Close()
	if p := positionOf(t, db, a); p != int64(len("A1\n  a-cont\nA2\n")) {
		t.Errorf("position %d after the flushed event was handled", p)
	}
}

func TestMultilineAutoFlushAndCloseOlder(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	write(t, a, "")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s/db" codec => multiline { pattern => "^\s" what => "previous" auto_flush_interval => 0.25 }`, a, dir))
	appendTo(t, a, "head\n  cont\n")
	out.waitMessage(t, "head\n  cont")

	b := filepath.Join(dir, "b.log")
	write(t, b, "")
	out2 := newCollector(false)
	start(t, out2, fmt.Sprintf(`path => "%s" start_position => beginning sincedb_path => "%s/db2" close_older => "50 ms" codec => multiline { pattern => "^\s" what => "previous" }`, b, dir))
	appendTo(t, b, "closing\n")
	// Closing the idle file evicts its codec stream, which flushes it.
	out2.waitMessage(t, "closing")
	appendTo(t, b, "reopened\n")
	out2.waitMessage(t, "reopened")
}

func TestReadModeCompletesOnlyHandledFiles(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	a, b := filepath.Join(logs, "a.log"), filepath.Join(logs, "b.log")
	write(t, a, "a1\na2\nlast line without newline")
	write(t, b, "b1\n")
	done := filepath.Join(dir, "done.txt")
	out := newCollector(true)
	r := start(t, out, fmt.Sprintf(`path => "%s/*.log" mode => read exit_after_read => true file_sort_by => path file_completed_action => log_and_delete file_completed_log_path => "%s" sincedb_path => "%s/db"`, logs, done, dir))
	r.wait(t)
	if got, want := out.messages(), []string{"a1", "a2", "last line without newline", "b1"}; !slices.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatal("a file was completed before its events were handled")
	}
	out.release(0, 1, 2)
	waitGone(t, a)
	if _, err := os.Stat(b); err != nil {
		t.Fatal("b was completed before its event was handled")
	}
	out.release(3)
	waitGone(t, b)
	r.in.Close()
	if got, _ := os.ReadFile(done); string(got) != a+"\n"+b+"\n" {
		t.Errorf("completed log %q", got)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func waitGone(t *testing.T, path string) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return
		}
		select {
		case <-timeout:
			t.Fatalf("%s was not deleted", path)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestReadModeOrderMaxOpenFilesAndGzip(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	for _, n := range []string{"1", "2", "3"} {
		write(t, filepath.Join(logs, n+".log"), "line "+n+"\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("zipped 1\r\nzipped 2\rzipped 3"))
	zw.Close()
	write(t, filepath.Join(logs, "4.log.gz"), gz.String())
	write(t, filepath.Join(logs, "5.log.gz"), "not gzip at all")
	write(t, filepath.Join(logs, "notes.txt"), "excluded\n")
	out := newCollector(false)
	r := start(t, out, fmt.Sprintf(`path => "%s/*" exclude => "*.txt" mode => read exit_after_read => true file_sort_by => path file_sort_direction => desc max_open_files => 1 file_completed_action => log file_completed_log_path => "%s/done.txt" sincedb_path => "%s/db" check_archive_validity => true`, logs, dir, dir))
	r.wait(t)
	r.in.Close()
	if got, want := out.messages(), []string{"zipped 1", "zipped 2", "zipped 3", "line 3", "line 2", "line 1"}; !slices.Equal(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
	done, _ := os.ReadFile(filepath.Join(dir, "done.txt"))
	if strings.Contains(string(done), "5.log.gz") || !strings.Contains(string(done), "4.log.gz") {
		t.Errorf("completed log:\n%s", done)
	}
	gzStat, _ := os.Stat(filepath.Join(logs, "4.log.gz"))
	if p := positionOf(t, filepath.Join(dir, "db"), filepath.Join(logs, "4.log.gz")); p != gzStat.Size() {
		t.Errorf("gzip position %d, want the archive's size %d", p, gzStat.Size())
	}
}

func TestReadModeRestartSkipsCompletedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.log")
	write(t, path, "once\n")
	options := fmt.Sprintf(`path => "%s" mode => read exit_after_read => true file_completed_action => log file_completed_log_path => "%s/done" sincedb_path => "%s/db"`, path, dir, dir)
	out := newCollector(false)
	r := start(t, out, options)
	r.wait(t)
	r.in.Close()
	out2 := newCollector(false)
	r2 := start(t, out2, options)
	r2.wait(t)
	r2.in.Close()
	if len(out.messages()) != 1 || len(out2.messages()) != 0 {
		t.Errorf("first run %q, second run %q", out.messages(), out2.messages())
	}
	if done, _ := os.ReadFile(filepath.Join(dir, "done")); string(done) != path+"\n" {
		t.Errorf("completed log %q: a completed file was completed again", done)
	}
}

func TestDelimiterAcrossChunks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.log")
	write(t, path, "alpha||beta||gamma|")
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s" start_position => beginning delimiter => "||" file_chunk_size => 3 sincedb_path => "%s/db"`, path, dir))
	out.waitMessage(t, "beta")
	appendTo(t, path, "|delta||")
	got := out.waitMessage(t, "delta")
	if want := []string{"alpha", "beta", "gamma", "delta"}; !slices.Equal(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
}

func TestIgnoreOlder(t *testing.T) {
	dir := t.TempDir()
	path, recent := filepath.Join(dir, "old.log"), filepath.Join(dir, "recent.log")
	write(t, path, "ancient\n")
	write(t, recent, "recent\n")
	past := time.Now().Add(-time.Hour)
	os.Chtimes(path, past, past)
	out := newCollector(false)
	start(t, out, fmt.Sprintf(`path => "%s/*.log" start_position => beginning ignore_older => "1 min" sincedb_path => "%s/db"`, dir, dir))
	// Both files were found by the time the recent one is read.
	out.waitMessage(t, "recent")
	appendTo(t, path, "fresh\n")
	got := out.waitMessage(t, "fresh")
	if slices.Contains(got, "ancient") {
		t.Errorf("content older than ignore_older was read: %q", got)
	}
}

func TestGlob(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a.log", "b.txt", ".hidden.log", "sub/c.log", "sub/deeper/d.log", ".dot/e.log", "x{y}.log"} {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		write(t, full, "")
	}
	rel := func(paths []string) []string {
		for i, p := range paths {
			paths[i], _ = filepath.Rel(dir, p)
		}
		return paths
	}
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{"*.log", []string{"a.log", "x{y}.log"}},
		{"**/*.log", []string{"a.log", "sub/c.log", "sub/deeper/d.log", "x{y}.log"}},
		{"{a,b}.*", []string{"a.log", "b.txt"}},
		{"sub/**/*.log", []string{"sub/c.log", "sub/deeper/d.log"}},
		{".*.log", []string{".hidden.log"}},
		{"**.log", []string{"a.log", "x{y}.log"}},
		{"x\\{y}.log", []string{"x{y}.log"}},
		{"[!a]*", []string{"b.txt", "sub", "x{y}.log"}},
	} {
		if got := rel(glob(filepath.Join(dir, c.pattern))); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.pattern, got, c.want)
		}
	}
	if !nameMatches("*.gz", "a.gz") || nameMatches("*", ".profile") {
		t.Error("exclude matching")
	}
}

func TestDurations(t *testing.T) {
	for text, want := range map[string]time.Duration{
		"1": time.Second, "1.5": 1500 * time.Millisecond, "250ms": 250 * time.Millisecond, "250 msec": 250 * time.Millisecond,
		"2 min": 2 * time.Minute, "1 hour": time.Hour, "3d": 72 * time.Hour, "1 week": 7 * 24 * time.Hour, "5 usec": 5 * time.Microsecond,
		"10 sec": 10 * time.Second, " 7s ": 7 * time.Second,
	} {
		if got, err := parseDuration(text, time.Second); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", text, got, err, want)
		}
	}
	if got, _ := parseDuration("14", 24*time.Hour); got != 14*24*time.Hour {
		t.Errorf("a bare number of days: %v", got)
	}
	if _, err := parseDuration("soon", time.Second); err == nil || !strings.HasPrefix(err.Error(), "Value 'soon' is not a valid duration string") {
		t.Errorf("bad duration: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for options, want := range map[string]string{
		`path => "relative/*.log"`:                               "File paths must be absolute, relative path specified: relative/*.log",
		`path => "/x" exit_after_read => true`:                   `The "exit_after_read" setting only works when the "mode" is set to "read"`,
		`path => "/x" mode => read file_completed_action => log`: `The "file_completed_log_path" setting must be provided`,
		`path => "/x" sincedb_path => "` + dir + `"`:             `The "sincedb_path" argument must point to a file, received a directory`,
		`path => "/x" stat_interval => "fast"`:                   "Value 'fast' is not a valid duration string",
		`path => "/x" mode => read file_completed_action => log file_completed_log_path => "/no/such/dir/done"`: `The "file_completed_log_path" file can't be created: /no/such/dir/done`,
		`path => "/x" mode => sideways`: "mode",
		`path => "/x" delimiter => ""`:  "the delimiter must not be empty",
	} {
		if _, err := build(t, options); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", options, err, want)
		}
	}
}

func TestDefaultSincedbPath(t *testing.T) {
	in, err := build(t, `path => ["/var/log/a.log", "/var/log/b/*.log"]`)
	if err != nil {
		t.Fatal(err)
	}
	// md5("/var/log/a.log,/var/log/b/*.log")
	if want := "plugins/inputs/file/.sincedb_"; !strings.Contains(in.cfg.sincedbPath, want) || !strings.HasSuffix(in.cfg.sincedbPath, md5hex("/var/log/a.log,/var/log/b/*.log")) {
		t.Errorf("sincedb path %s", in.cfg.sincedbPath)
	}
}
