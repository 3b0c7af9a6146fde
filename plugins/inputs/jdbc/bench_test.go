package jdbc_test

import (
	"fmt"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/plain" // the input's default codec
	"github.com/gostash/gostash/plugins/internal/sqltest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkPostgresRows reads a table of four typed columns (bigint,
// timestamp, text, numeric) from the shared PostgreSQL server; b.N rows
// per run of the input.
func BenchmarkPostgresRows(b *testing.B) {
	s := sqltest.Require(b, "postgres")
	table := s.Table(b, "bench")
	s.Exec(b, fmt.Sprintf(`CREATE TABLE %s AS SELECT g::bigint AS id, timestamp '2026-01-01' + g * interval '1 second' AS created,
		'name-' || g AS name, (g %% 100000) / 100.0 :: numeric(10,2) AS amount FROM generate_series(1, %d) g`, table, b.N))
	in := plugintest.Input(b, fmt.Sprintf(`jdbc { jdbc_driver_class => %q jdbc_connection_string => %q jdbc_user => %q jdbc_password => %q
		statement => "SELECT * FROM %s" record_last_run => false }`, s.DriverClass, s.URL, s.User, s.Password, table))
	b.ResetTimer()
	b.ReportAllocs()
	if n := len(in.RunToEnd()); n != b.N {
		b.Fatalf("%d rows, want %d", n, b.N)
	}
}
