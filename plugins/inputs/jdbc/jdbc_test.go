package jdbc_test

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/sqltest"
	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

var update = flag.Bool("update", false, "rewrite the testdata/*.rubydebug files (check them by hand against the type mapping)")

const deadline = 2 * time.Minute

// engine is a database under test, as the tests set it up and as a jdbc
// input config reaches it.
type engine struct {
	name   string
	exec   func(t *testing.T, statements ...string)
	table  func(t *testing.T, prefix string) string
	config string // the driver class, URL and credentials
}

func postgres(t *testing.T) engine {
	s := sqltest.Require(t, "postgres")
	return fromServer(t, s)
}

func mariadb(t *testing.T) engine {
	s := sqltest.Require(t, "mariadb")
	return fromServer(t, s)
}

func fromServer(t *testing.T, s *sqltest.Server) engine {
	return engine{name: s.Engine, exec: func(t *testing.T, q ...string) { s.Exec(t, q...) },
		table: func(t *testing.T, p string) string { return s.Table(t, p) },
		config: fmt.Sprintf(`jdbc_driver_class => %q jdbc_connection_string => %q jdbc_user => %q jdbc_password => %q`,
			s.DriverClass, s.URL, s.User, s.Password)}
}

// sqliteEngine is a database file of the test's own: no server needed.
func sqliteEngine(t *testing.T) engine {
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := 0
	return engine{name: "sqlite",
		exec: func(t *testing.T, q ...string) {
			for _, s := range q {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
		},
		table:  func(t *testing.T, p string) string { n++; return fmt.Sprintf("%s_%d", p, n) },
		config: fmt.Sprintf(`jdbc_driver_class => "org.sqlite.JDBC" jdbc_connection_string => "jdbc:sqlite:%s" jdbc_user => ""`, path)}
}

var engines = map[string]func(t *testing.T) engine{"postgres": postgres, "mariadb": mariadb, "sqlite": sqliteEngine}

func forEachEngine(t *testing.T, test func(t *testing.T, e engine)) {
	for _, name := range []string{"sqlite", "postgres", "mariadb"} {
		t.Run(name, func(t *testing.T) { test(t, engines[name](t)) })
	}
}

// typedTables are a table of each engine's common column types and a
// row of values (and one of NULLs), for the rubydebug goldens.
var typedTables = map[string][]string{
	"postgres": {
		`CREATE TABLE %[1]s (id integer PRIMARY KEY, small smallint, big bigint, price numeric(10,2), ratio real, score double precision,
			ok boolean, name varchar(20), code char(4), body text, born date, seen timestamp(3), seen_tz timestamptz, at_time time,
			data bytea, doc jsonb, uid uuid, "MixedCase" integer)`,
		`INSERT INTO %[1]s VALUES (1, 7, 9007199254740993, 12.50, 1.1, 2.5, true, 'O''Brien', 'ab', 'two
lines', '2026-01-02', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678+01', '12:34:56', 'hi'::bytea, '{"a": 1}',
			'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 5)`,
		`INSERT INTO %[1]s (id) VALUES (2)`,
	},
	"mariadb": {
		"CREATE TABLE %[1]s (id INT PRIMARY KEY, tiny TINYINT, flag BOOLEAN, small SMALLINT, big BIGINT, ubig BIGINT UNSIGNED, " +
			"price DECIMAL(10,2), ratio FLOAT, score DOUBLE, name VARCHAR(20), body TEXT, born DATE, seen DATETIME(3), " +
			"stamp TIMESTAMP(3) NULL, at_time TIME, yr YEAR, data VARBINARY(10), bit1 BIT(1), `MixedCase` INT)",
		"INSERT INTO %[1]s VALUES (1, 7, true, -3, 9007199254740993, 18446744073709551615, 12.50, 1.1, 2.5, 'O''Brien', 'two\nlines', " +
			"'2026-01-02', '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', '12:34:56', 2026, 'hi', b'1', 5)",
		"INSERT INTO %[1]s (id) VALUES (2)",
	},
	"sqlite": {
		`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, big INTEGER, price DECIMAL(10,2), score REAL, ok BOOLEAN, name VARCHAR(20),
			body TEXT, born DATE, seen DATETIME, data BLOB, "MixedCase" INTEGER)`,
		`INSERT INTO %[1]s VALUES (1, 9007199254740993, '12.50', 2.5, 1, 'O''Brien', 'two
lines', '2026-01-02', '2026-01-02 03:04:05.678', X'6869', 5)`,
		`INSERT INTO %[1]s (id) VALUES (2)`,
	},
}

// TestColumnTypes: a row of each engine's common column types prints as
// Logstash's jdbc input prints it (testdata/<engine>-types.rubydebug,
// hand-derived from the plugin's type mapping: see testdata/PROVENANCE).
func TestColumnTypes(t *testing.T) {
	t.Setenv("TZ", "UTC")
	forEachEngine(t, func(t *testing.T, e engine) {
		table := e.table(t, "types")
		for _, q := range typedTables[e.name] {
			e.exec(t, fmt.Sprintf(q, table))
		}
		config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT * FROM %s ORDER BY id" record_last_run => false } }
output { stdout { codec => rubydebug } }`, e.config, table)
		p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		if err := p.Wait(t, deadline); err != nil {
			t.Fatalf("%v\n%s", err, p.Stderr)
		}
		got := p.Stdout.String() + "\n"
		golden := filepath.Join("testdata", e.name+"-types.rubydebug")
		if *update {
			os.WriteFile(golden, []byte(got), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("rubydebug output differs from %s:\n%s", golden, got)
		}
		if !strings.Contains(p.Stderr.String(), "SELECT * FROM "+table+" ORDER BY id") {
			t.Errorf("the query is not logged at info:\n%s", p.Stderr)
		}
	})
}

// rows reads the json_lines events printed so far.
func rows(t *testing.T, lines []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func ids(events []map[string]any) string {
	var s []string
	for _, e := range events {
		s = append(s, fmt.Sprint(e["id"]))
	}
	return strings.Join(s, ",")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestTrackingAcrossRunsAndRestart: with use_column_value, each scheduled
// run reads only the rows past sql_last_value, the last run file holds the
// value in Logstash's YAML form, and a restart goes on from it.
func TestTrackingAcrossRunsAndRestart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		table := e.table(t, "tracked")
		e.exec(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, msg VARCHAR(10))", table),
			fmt.Sprintf("INSERT INTO %s VALUES (1, 'a'), (2, 'b')", table))
		lastRun := filepath.Join(t.TempDir(), "last_run")
		config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT id, msg FROM %s WHERE id > :sql_last_value ORDER BY id"
  use_column_value => true tracking_column => "id" schedule => "* * * * * *" last_run_metadata_path => %q } }
output { stdout { codec => json_lines } }`, e.config, table, lastRun)
		p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		p.Stdout.WaitN(t, 2, deadline)
		e.exec(t, fmt.Sprintf("INSERT INTO %s VALUES (3, 'c')", table))
		got := rows(t, p.Stdout.WaitN(t, 3, deadline))
		p.Stderr.WaitFor(t, "WHERE id > 3 ORDER BY id", deadline) // a later run starts past row 3
		if err := p.Stop(t); err != nil {
			t.Fatal(err)
		}
		if ids(got) != "1,2,3" || len(p.Stdout.All()) != 3 {
			t.Fatalf("events %s, want rows 1,2,3 once each:\n%s", ids(rows(t, p.Stdout.All())), p.Stdout)
		}
		if s := readFile(t, lastRun); s != "--- 3\n" {
			t.Fatalf("last run file %q, want %q", s, "--- 3\n")
		}

		e.exec(t, fmt.Sprintf("INSERT INTO %s VALUES (4, 'd')", table))
		p = inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		got = rows(t, p.Stdout.WaitN(t, 1, deadline))
		p.Stderr.WaitFor(t, "WHERE id > 4 ORDER BY id", deadline)
		if err := p.Stop(t); err != nil {
			t.Fatal(err)
		}
		if ids(rows(t, p.Stdout.All())) != "4" || got[0]["msg"] != "d" {
			t.Fatalf("after the restart: events %v, want row 4 alone", p.Stdout)
		}
		if s := readFile(t, lastRun); s != "--- 4\n" {
			t.Fatalf("last run file %q, want %q", s, "--- 4\n")
		}
	})
}

// TestTimestampTracking: without use_column_value sql_last_value is the
// time each run started (GOSTASH_NOW here), and with a timestamp tracking
// column the last row's time; both are kept as Ruby's YAML writes a Time.
func TestTimestampTracking(t *testing.T) {
	t.Setenv("TZ", "UTC")
	forEachEngine(t, func(t *testing.T, e engine) {
		table := e.table(t, "stamped")
		e.exec(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, changed TIMESTAMP NULL)", table),
			fmt.Sprintf("INSERT INTO %s VALUES (1, '2025-06-07 08:09:10'), (2, '2025-06-08 01:02:03')", table))
		dir := t.TempDir()
		byRun, byColumn := filepath.Join(dir, "by_run"), filepath.Join(dir, "by_column")
		config := fmt.Sprintf(`input {
  jdbc { %[1]s statement => "SELECT id FROM %[2]s WHERE changed > :sql_last_value ORDER BY id" last_run_metadata_path => %[3]q }
  jdbc { %[1]s statement => "SELECT id, changed FROM %[2]s WHERE changed > :sql_last_value ORDER BY changed"
    use_column_value => true tracking_column => "changed" tracking_column_type => "timestamp" last_run_metadata_path => %[4]q }
}
output { stdout { codec => json_lines } }`, e.config, table, byRun, byColumn)
		p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		if err := p.Wait(t, deadline); err != nil {
			t.Fatalf("%v\n%s", err, p.Stderr)
		}
		if n := len(p.Stdout.All()); n != 4 {
			t.Fatalf("%d events, want both rows from each input:\n%s", n, p.Stdout)
		}
		if s := readFile(t, byRun); s != "--- 2026-01-02 03:04:05.678000000 Z\n" {
			t.Errorf("last run file of the run time %q", s)
		}
		if s := readFile(t, byColumn); s != "--- 2025-06-08 01:02:03.000000000 Z\n" {
			t.Errorf("last run file of the tracking column %q", s)
		}
		wantLiteral := "changed > '1970-01-01 00:00:00.000000'"
		if e.name == "postgres" {
			wantLiteral = "changed > '1970-01-01 00:00:00.000000+0000'"
		}
		p.Stderr.WaitFor(t, wantLiteral, deadline)
	})
}

// TestPaging: automatic paging counts the rows and reads them in LIMIT
// pages; explicit paging runs the statement with :offset and :size until
// a page comes back short. Every row arrives once.
func TestPaging(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		table := e.table(t, "paged")
		e.exec(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY)", table))
		var values []string
		for i := 1; i <= 25; i++ {
			values = append(values, fmt.Sprintf("(%d)", i))
		}
		e.exec(t, fmt.Sprintf("INSERT INTO %s VALUES %s", table, strings.Join(values, ", ")))
		for _, mode := range []struct{ name, statement, logged string }{
			{"auto", "SELECT id FROM " + table + " ORDER BY id", "LIMIT 10 OFFSET 20"},
			{"explicit", "SELECT id FROM " + table + " ORDER BY id LIMIT :size OFFSET :offset", "ORDER BY id LIMIT 10 OFFSET 20"},
		} {
			config := fmt.Sprintf(`input { jdbc { %s statement => %q jdbc_paging_enabled => true jdbc_paging_mode => %q
  jdbc_page_size => 10 record_last_run => false } }
output { stdout { codec => json_lines } }`, e.config, mode.statement, mode.name)
			p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
			if err := p.Wait(t, deadline); err != nil {
				t.Fatalf("%s: %v\n%s", mode.name, err, p.Stderr)
			}
			var want []string
			for i := 1; i <= 25; i++ {
				want = append(want, fmt.Sprint(i))
			}
			if got := ids(rows(t, p.Stdout.All())); got != strings.Join(want, ",") {
				t.Errorf("%s paging: events %s", mode.name, got)
			}
			if !strings.Contains(p.Stderr.String(), mode.logged) {
				t.Errorf("%s paging: no %q query in the log:\n%s", mode.name, mode.logged, p.Stderr)
			}
		}
	})
}

// TestServerOutage: a server that is down fails a scheduled run after
// connection_retry_attempts, which is logged and is not fatal; the next
// run after the server is back reads the rows.
func TestServerOutage(t *testing.T) {
	for _, name := range []string{"postgres", "mariadb"} {
		t.Run(name, func(t *testing.T) {
			port := fmt.Sprint(inputtest.FreePort(t))
			srv := sqltest.StartPrivate(t, name, port)
			srv.Exec(t, "CREATE TABLE outage (id INTEGER PRIMARY KEY)", "INSERT INTO outage VALUES (1)")
			srv.Stop()
			e := fromServer(t, srv.Server)
			config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT id FROM outage" schedule => "* * * * * *"
  connection_retry_attempts => 2 connection_retry_attempts_wait_time => 0.1 record_last_run => false } }
output { stdout { codec => json_lines } }`, e.config)
			p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
			p.Stderr.WaitFor(t, "Unable to connect to database. Trying again", deadline)
			p.Stderr.WaitFor(t, "Unable to connect to database. Tried 2 times", deadline)
			p.Stderr.WaitFor(t, "Unable to execute statement. Tried 1 times.", deadline)
			srv.Start()
			got := rows(t, p.Stdout.WaitN(t, 1, deadline))
			if err := p.Stop(t); err != nil {
				t.Fatalf("gostash did not end cleanly after the outage: %v", err)
			}
			if got[0]["id"] != float64(1) {
				t.Fatalf("after the outage: %v", got)
			}
			if strings.Contains(p.Stderr.String(), "gostash") && strings.Contains(p.Stderr.String(), "password=gostash") {
				t.Fatalf("the password is logged:\n%s", p.Stderr)
			}
		})
	}
}

// TestPreparedStatements: the statement's ? placeholders are bound to
// prepared_statement_bind_values, ":sql_last_value" standing for the
// tracked value.
func TestPreparedStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		table := e.table(t, "prepared")
		e.exec(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, msg VARCHAR(10))", table),
			fmt.Sprintf("INSERT INTO %s VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')", table))
		lastRun := filepath.Join(t.TempDir(), "last_run")
		config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT id, msg FROM %s WHERE id > ? AND msg <> ? ORDER BY id LIMIT 2"
  use_prepared_statements => true prepared_statement_name => "two_more" prepared_statement_bind_values => [":sql_last_value", "b"]
  use_column_value => true tracking_column => "id" last_run_metadata_path => %q } }
output { stdout { codec => json_lines } }`, e.config, table, lastRun)
		p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		if err := p.Wait(t, deadline); err != nil {
			t.Fatalf("%v\n%s", err, p.Stderr)
		}
		if got := ids(rows(t, p.Stdout.All())); got != "1,3" {
			t.Errorf("first run: events %s, want 1,3", got)
		}
		p = inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
		if err := p.Wait(t, deadline); err != nil {
			t.Fatalf("%v\n%s", err, p.Stderr)
		}
		if got := ids(rows(t, p.Stdout.All())); got != "4" {
			t.Errorf("second run: events %s, want 4", got)
		}
		if s := readFile(t, lastRun); s != "--- 4\n" {
			t.Errorf("last run file %q", s)
		}
	})
}

// TestPeriodAndCharsets: period runs the statement again and again; text
// columns named in columns_charset are read in that charset, the others
// in charset.
func TestPeriodAndCharsets(t *testing.T) {
	e := sqliteEngine(t)
	e.exec(t, "CREATE TABLE latin (id INTEGER, name TEXT, city TEXT)", "INSERT INTO latin VALUES (1, X'436166E9', X'4DFC6E6368656E')")
	config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT * FROM latin" period => "1s" record_last_run => false
  columns_charset => { "name" => "ISO-8859-1" } charset => "windows-1252" } }
output { stdout { codec => json_lines } }`, e.config)
	p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
	got := rows(t, p.Stdout.WaitN(t, 2, deadline))
	if err := p.Stop(t); err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r["name"] != "Café" || r["city"] != "München" {
			t.Fatalf("events %v, want the columns read as Latin-1 and Windows-1252", got)
		}
	}
}

// TestTimeZones: timestamps without a zone are read in the local time
// zone (TZ) or in jdbc_default_timezone; a DATE is local midnight either
// way, as Ruby's Date#to_time makes it.
func TestTimeZones(t *testing.T) {
	t.Setenv("TZ", "Europe/Paris")
	e := sqliteEngine(t)
	e.exec(t, "CREATE TABLE zoned (id INTEGER, at DATETIME, day DATE)", "INSERT INTO zoned VALUES (1, '2026-07-01 12:00:00', '2026-07-01')")
	config := fmt.Sprintf(`input {
  jdbc { %[1]s statement => "SELECT 'local' AS zone, at, day FROM zoned" record_last_run => false }
  jdbc { %[1]s statement => "SELECT 'chicago' AS zone, at, day FROM zoned" record_last_run => false jdbc_default_timezone => "America/Chicago" }
}
output { stdout { codec => json_lines } }`, e.config)
	p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1")
	if err := p.Wait(t, deadline); err != nil {
		t.Fatalf("%v\n%s", err, p.Stderr)
	}
	want := map[string]string{"local": "2026-07-01T10:00:00.000Z", "chicago": "2026-07-01T17:00:00.000Z"}
	got := rows(t, p.Stdout.All())
	if len(got) != 2 {
		t.Fatalf("events %v", got)
	}
	for _, r := range got {
		zone := r["zone"].(string)
		if r["at"] != want[zone] || r["day"] != "2026-06-30T22:00:00.000Z" {
			t.Errorf("%s: at %v, day %v; want at %s, day 2026-06-30T22:00:00.000Z", zone, r["at"], r["day"], want[zone])
		}
	}
}

// TestDefaultLastRunPath: without last_run_metadata_path the value is kept
// in <path.data>/plugins/inputs/jdbc/logstash_jdbc_last_run, and a file
// of the plugin's old default place, $HOME/.logstash_jdbc_last_run, is
// moved there first.
func TestDefaultLastRunPath(t *testing.T) {
	goldencase.Binary(t) // built before HOME moves, with the real build cache
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.WriteFile(filepath.Join(home, ".logstash_jdbc_last_run"), []byte("--- 1\n"), 0o644)
	e := sqliteEngine(t)
	e.exec(t, "CREATE TABLE counted (id INTEGER)", "INSERT INTO counted VALUES (1), (2), (3)")
	data := t.TempDir()
	config := fmt.Sprintf(`input { jdbc { %s statement => "SELECT id FROM counted WHERE id > :sql_last_value ORDER BY id"
  use_column_value => true tracking_column => "id" } }
output { stdout { codec => json_lines } }`, e.config)
	p := inputtest.StartGostash(t, config, "--api.enabled", "false", "-w", "1", "--path.data", data)
	if err := p.Wait(t, deadline); err != nil {
		t.Fatalf("%v\n%s", err, p.Stderr)
	}
	if got := ids(rows(t, p.Stdout.All())); got != "2,3" {
		t.Errorf("events %s, want the rows past the moved file's 1", got)
	}
	if s := readFile(t, filepath.Join(data, "plugins", "inputs", "jdbc", "logstash_jdbc_last_run")); s != "--- 3\n" {
		t.Errorf("default last run file %q", s)
	}
	if _, err := os.Stat(filepath.Join(home, ".logstash_jdbc_last_run")); !os.IsNotExist(err) {
		t.Errorf("the old file is still there: %v", err)
	}
}
