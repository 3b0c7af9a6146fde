package jdbc

import (
	"strings"
	"testing"
	"time"
)

// TestNamedParameters: parameters are replaced where the statement names
// them (a colon, the name, a word boundary), even inside quotes, as
// Sequel's placeholder strings are, with each engine's literals.
func TestNamedParameters(t *testing.T) {
	params := map[string]any{"artist": "O'Brien \\ Co", "id": int64(7), "ids": []any{int64(1), int64(2)}, "ok": true, "ratio": 0.5, "none": nil}
	sqlText := "SELECT * FROM t WHERE artist = :artist AND id > :sql_last_value AND id IN :ids AND x = ':id' AND ok = :ok " +
		"AND r < :ratio AND n IS :none AND y = :idx AND z::text = 'a' AND t > :sql_last_value"
	last := time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC)
	for _, c := range []struct {
		engine engine
		want   string
	}{
		{postgres, `SELECT * FROM t WHERE artist = 'O''Brien \ Co' AND id > '2026-01-02 03:04:05.678000+0000' AND id IN (1, 2) AND x = '7' AND ok = true ` +
			`AND r < 0.5 AND n IS NULL AND y = :idx AND z::text = 'a' AND t > '2026-01-02 03:04:05.678000+0000'`},
		{mysqlEngine, `SELECT * FROM t WHERE artist = 'O''Brien \\ Co' AND id > '2026-01-02 03:04:05.678000' AND id IN (1, 2) AND x = '7' AND ok = 1 ` +
			`AND r < 0.5 AND n IS NULL AND y = :idx AND z::text = 'a' AND t > '2026-01-02 03:04:05.678000'`},
		{sqlite, `SELECT * FROM t WHERE artist = 'O''Brien \ Co' AND id > '2026-01-02 03:04:05.678000' AND id IN (1, 2) AND x = '7' AND ok = 1 ` +
			`AND r < 0.5 AND n IS NULL AND y = :idx AND z::text = 'a' AND t > '2026-01-02 03:04:05.678000'`},
	} {
		s := newStatement(sqlText, dialect{engine: c.engine}, params, "sql_last_value")
		got, err := s.bind(map[string]any{"sql_last_value": last})
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.engine, got, c.want)
		}
	}
}

// TestTimesInTheDatabaseZone: with jdbc_default_timezone, sql_last_value
// is written in the database's zone (PostgreSQL with its offset).
func TestTimesInTheDatabaseZone(t *testing.T) {
	z, err := parseZone("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	last := time.Date(2026, 7, 2, 3, 4, 5, 0, time.UTC)
	if got := (dialect{engine: postgres, dbZone: z}).timeLiteral(last); got != "'2026-07-01 22:04:05.000000-0500'" {
		t.Errorf("postgres: %s", got)
	}
	if got := (dialect{engine: mysqlEngine, dbZone: z}).timeLiteral(last); got != "'2026-07-01 22:04:05.000000'" {
		t.Errorf("mysql: %s", got)
	}
}

// TestAmbiguousLocalTimes: the hour the clocks go back is refused unless
// jdbc_default_timezone says which offset it takes; the rest of the year
// reads as is.
func TestAmbiguousLocalTimes(t *testing.T) {
	wall := time.Date(2025, 11, 2, 1, 30, 0, 0, time.UTC) // America/Chicago passes 01:30 twice that night
	for spec, want := range map[string]string{
		"America/Chicago": "",
		"America/Chicago[dst_enabled_on_overlap:true]":  "2025-11-02T06:30:00Z",
		"America/Chicago[dst_enabled_on_overlap:false]": "2025-11-02T07:30:00Z",
	} {
		z, err := parseZone(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := z.local(wall)
		switch {
		case want == "" && (err == nil || !strings.Contains(err.Error(), "ambiguous")):
			t.Errorf("%s: %v, %v; want an ambiguous time error", spec, got, err)
		case want != "" && (err != nil || got.UTC().Format(time.RFC3339) != want):
			t.Errorf("%s: %v, %v; want %s", spec, got.UTC(), err, want)
		}
		plain, err := z.local(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
		if err != nil || plain.UTC().Format(time.RFC3339) != "2025-07-01T17:00:00Z" {
			t.Errorf("%s: a July noon is %v, %v", spec, plain, err)
		}
	}
}

// TestJDBCURLs: the URL forms of each driver, and what is refused.
func TestJDBCURLs(t *testing.T) {
	for _, c := range []struct {
		engine engine
		url    string
		bad    string // part of the error, "" when accepted
	}{
		{postgres, "jdbc:postgresql://db.example:6543/shop?sslmode=require&ApplicationName=ls&currentSchema=app", ""},
		{postgres, "jdbc:postgresql:shop", ""},
		{postgres, "jdbc:postgresql://h1:5432,h2:5433/shop", ""},
		{postgres, "jdbc:postgresql://[::1]:5432/shop", ""},
		{postgres, "jdbc:postgresql://host:99999/shop", "invalid port"},
		{postgres, "postgresql://host/shop", "is not a JDBC URL"},
		{mysqlEngine, "jdbc:mysql://127.0.0.1/shop?useSSL=false&serverTimezone=UTC", ""},
		{mysqlEngine, "jdbc:mariadb://127.0.0.1:3306/shop?sslMode=verify-full", ""},
		{mysqlEngine, "jdbc:mysql:replication://h1,h2/shop", `"replication" connection mode is not supported`},
		{mysqlEngine, "jdbc:mysql://h1,h2/shop", "several hosts"},
		{mysqlEngine, "jdbc:mysql://h/shop?zeroDateTimeBehavior=sometimes", "unknown zeroDateTimeBehavior"},
		{mysqlEngine, "jdbc:postgresql://h/shop", "is not for the MySQL/MariaDB driver"},
		{sqlite, "jdbc:sqlite:/var/lib/app.db", ""},
	} {
		src, err := parseSource(c.engine, c.url, "u", "p", time.Second)
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s: %v", c.url, err)
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s: error %v, want one saying %q", c.url, err, c.bad)
		case c.bad == "" && c.engine == mysqlEngine && strings.Contains(c.url, "serverTimezone") && strings.Join(src.ignored, ",") != "serverTimezone":
			t.Errorf("%s: ignored properties %v", c.url, src.ignored)
		}
	}
}

// TestDriverClasses: the classes Logstash configs name for the supported
// databases, with Logstash's Java:: spellings; others are refused.
func TestDriverClasses(t *testing.T) {
	for class, want := range map[string]engine{"org.postgresql.Driver": postgres, "Java::org.postgresql.Driver": postgres,
		"Java::com::mysql::cj::jdbc::Driver": mysqlEngine, "com.mysql.jdbc.Driver": mysqlEngine, "org.mariadb.jdbc.Driver": mysqlEngine,
		"org.sqlite.JDBC": sqlite} {
		if got, err := engineForClass(class); err != nil || got != want {
			t.Errorf("%s: %v, %v", class, got, err)
		}
	}
	for _, class := range []string{"com.microsoft.sqlserver.jdbc.SQLServerDriver", "oracle.jdbc.OracleDriver", "com.ibm.db2.jcc.DB2Driver", "org.h2.Driver"} {
		if _, err := engineForClass(class); err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: %v", class, err)
		}
	}
}

// TestPlaceholders: a prepared statement's ? marks become $n for
// PostgreSQL, outside quoted text.
func TestPlaceholders(t *testing.T) {
	got := dialect{engine: postgres}.placeholders(`SELECT * FROM t WHERE a > ? AND b = '?' AND "c?" < ? + ?`)
	if want := `SELECT * FROM t WHERE a > $1 AND b = '?' AND "c?" < $2 + $3`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
