// Package sqltest is what the jdbc input's tests share: the PostgreSQL and
// MariaDB servers scripts/postgres/postgres.sh and scripts/mariadb/mariadb.sh
// run on 127.0.0.1 (required under CI=true, skipped with a message
// otherwise), private servers a test may stop and start, and SQL helpers
// to set up tables.
package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Server is a database the tests talk to.
type Server struct {
	// Engine is "postgres" or "mariadb".
	Engine string
	Port   string
	// URL and DriverClass are what a jdbc input config gives.
	URL         string
	DriverClass string
	User        string
	Password    string
	db          *sql.DB
}

func (s *Server) goDSN() (driver, dsn string) {
	if s.Engine == "postgres" {
		return "pgx", fmt.Sprintf("host=127.0.0.1 port=%s user=gostash password=gostash dbname=gostash", s.Port)
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName, cfg.MultiStatements = "tcp", "127.0.0.1:"+s.Port, "gostash", "gostash", "gostash", true
	return "mysql", cfg.FormatDSN()
}

func newServer(engine, port string) *Server {
	s := &Server{Engine: engine, Port: port, User: "gostash", Password: "gostash"}
	if engine == "postgres" {
		s.URL, s.DriverClass = "jdbc:postgresql://127.0.0.1:"+port+"/gostash", "org.postgresql.Driver"
	} else {
		s.URL, s.DriverClass = "jdbc:mariadb://127.0.0.1:"+port+"/gostash", "org.mariadb.jdbc.Driver"
	}
	return s
}

// Port is a server's port: GOSTASH_POSTGRES_PORT or GOSTASH_MARIADB_PORT,
// as for the scripts, else their defaults.
func Port(engine string) string {
	if p := os.Getenv("GOSTASH_" + strings.ToUpper(engine) + "_PORT"); p != "" {
		return p
	}
	if engine == "postgres" {
		return "5433"
	}
	return "3307"
}

// Require returns the shared server of the engine ("postgres" or
// "mariadb"), failing the test under CI=true when it does not answer and
// skipping it otherwise.
func Require(t testing.TB, engine string) *Server {
	t.Helper()
	s := newServer(engine, Port(engine))
	if err := s.open(); err != nil {
		msg := fmt.Sprintf("no %s server on 127.0.0.1:%s (start one with `scripts/%s/%s.sh up`): %v", engine, s.Port, engine, engine, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { s.db.Close() })
	return s
}

func (s *Server) open() error {
	driver, dsn := s.goDSN()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return err
	}
	s.db = db
	return nil
}

// Exec runs statements, failing the test on an error.
func (s *Server) Exec(t testing.TB, statements ...string) {
	t.Helper()
	for _, q := range statements {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("%s: %s: %v", s.Engine, q, err)
		}
	}
}

// Table returns a fresh table name and drops the table when the test ends.
func (s *Server) Table(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e9)
	t.Cleanup(func() { s.db.Exec("DROP TABLE IF EXISTS " + name) })
	return name
}

// Private is a server of its own on a free port, for tests that stop and
// start it, which must not disturb the shared one. Its control is the
// engine's script; it is removed when the test ends.
type Private struct {
	*Server
	t    testing.TB
	env  []string
	root string
}

// StartPrivate runs `<engine>.sh up` on port with its own state dir.
func StartPrivate(t testing.TB, engine, port string) *Private {
	t.Helper()
	Require(t, engine) // the engine must be installed and work here
	root := repoRoot(t)
	upper := strings.ToUpper(engine)
	dir, err := os.MkdirTemp("", "gostash-"+engine+"-private-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777) // the server runs as its own user when we are root
	p := &Private{Server: newServer(engine, port), t: t, root: root,
		env: append(os.Environ(), "GOSTASH_"+upper+"_PORT="+port, "GOSTASH_"+upper+"_RUN="+filepath.Join(dir, "server"))}
	t.Cleanup(func() {
		if p.db != nil {
			p.db.Close()
		}
		p.control("down")
		os.RemoveAll(dir)
	})
	p.control("up")
	if err := p.open(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *Private) control(action string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(p.root, "scripts", p.Engine, p.Engine+".sh"), action)
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("%s.sh %s: %v\n%s", p.Engine, action, err, out)
	}
}

// Stop stops the server, keeping its data.
func (p *Private) Stop() { p.control("stop") }

// Start starts the stopped server again on its data.
func (p *Private) Start() { p.control("start") }

func repoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
