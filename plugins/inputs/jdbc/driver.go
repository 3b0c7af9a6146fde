package jdbc

import (
	"context"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// engine is a database family gostash has a Go driver for.
type engine int

const (
	postgres engine = iota
	mysqlEngine
	sqlite
)

func (e engine) String() string {
	return [...]string{"PostgreSQL", "MySQL/MariaDB", "SQLite"}[e]
}

// driverClasses maps the JDBC driver classes Logstash configs name to the
// engine whose Go driver stands in for them.
var driverClasses = map[string]engine{
	"org.postgresql.Driver":    postgres,
	"com.mysql.jdbc.Driver":    mysqlEngine,
	"com.mysql.cj.jdbc.Driver": mysqlEngine,
	"org.mariadb.jdbc.Driver":  mysqlEngine,
	"org.sqlite.JDBC":          sqlite,
}

// supportedClasses lists driverClasses for messages, in a fixed order.
var supportedClasses = []string{"org.postgresql.Driver", "com.mysql.jdbc.Driver", "com.mysql.cj.jdbc.Driver", "org.mariadb.jdbc.Driver", "org.sqlite.JDBC"}

// engineForClass reads jdbc_driver_class as the plugin loads it: a
// "Java::" prefix and "::" separators are allowed.
func engineForClass(class string) (engine, error) {
	name := strings.TrimPrefix(strings.ReplaceAll(class, "::", "."), "Java.")
	if e, ok := driverClasses[name]; ok {
		return e, nil
	}
	return 0, fmt.Errorf("the JDBC driver class %q is not supported: gostash has no JVM and connects with Go drivers, for %s only", class, strings.Join(supportedClasses, ", "))
}

// source is where and how to connect, read from jdbc_connection_string
// and the credentials.
type source struct {
	engine engine
	// connector opens connections; nil for SQLite, which opens dsn.
	connector driver.Connector
	dsn       string
	// ignored are the URL's driver properties gostash has no use for.
	ignored []string
	// zeroDates is MySQL's zeroDateTimeBehavior: exception, convertToNull or round.
	zeroDates string
	// tinyIntIsBit reads TINYINT(1) as a boolean, as Connector/J does by default.
	tinyIntIsBit bool
}

// open returns a database handle for one run.
func (s *source) open() *sql.DB {
	if s.connector != nil {
		return sql.OpenDB(s.connector)
	}
	db, _ := sql.Open("sqlite", s.dsn) // sql.Open only checks the driver name
	return db
}

// parseSource reads a JDBC URL for the engine the driver class chose.
func parseSource(e engine, rawURL, user, password string, connectTimeout time.Duration) (*source, error) {
	rest, ok := strings.CutPrefix(rawURL, "jdbc:")
	if !ok {
		return nil, fmt.Errorf("%q is not a JDBC URL: it must start with jdbc:", redactURL(rawURL))
	}
	sub, body, _ := strings.Cut(rest, ":")
	want := map[engine][]string{postgres: {"postgresql"}, mysqlEngine: {"mysql", "mariadb"}, sqlite: {"sqlite"}}[e]
	if !slices.Contains(want, sub) {
		return nil, fmt.Errorf("the URL %q is not for the %s driver: it must start with jdbc:%s:", redactURL(rawURL), e, strings.Join(want, ": or jdbc:"))
	}
	switch e {
	case postgres:
		return postgresSource(body, user, password, connectTimeout)
	case mysqlEngine:
		return mysqlSource(sub, body, user, password, connectTimeout)
	}
	return &source{engine: sqlite, dsn: body}, nil
}

// redactURL hides a password given in a JDBC URL's properties.
func redactURL(raw string) string {
	head, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw
	}
	parts := strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' })
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "password") {
			parts[i] = k + "=<password>"
		}
	}
	return head + "?" + strings.Join(parts, "&")
}

// hostPort is one host of a URL, with its port or the default.
type hostPort struct{ host, port string }

// splitURL reads //host[:port][,host[:port]...]/path?query.
func splitURL(body, defaultPort string) (hosts []hostPort, path string, props url.Values, err error) {
	authority, ok := strings.CutPrefix(body, "//")
	if !ok {
		return nil, "", nil, fmt.Errorf("expected //host:port/ after the driver name")
	}
	query := ""
	authority, query, _ = strings.Cut(authority, "?")
	authority, path, _ = strings.Cut(authority, "/")
	if props, err = url.ParseQuery(strings.ReplaceAll(query, ";", "&")); err != nil {
		return nil, "", nil, fmt.Errorf("cannot read the URL's properties: %v", err)
	}
	if path, err = url.PathUnescape(path); err != nil {
		return nil, "", nil, err
	}
	if authority == "" {
		authority = "localhost"
	}
	for h := range strings.SplitSeq(authority, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			host, port = strings.Trim(h, "[]"), defaultPort
		}
		if host == "" {
			host = "localhost"
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return nil, "", nil, fmt.Errorf("invalid port %q", port)
		}
		hosts = append(hosts, hostPort{host, port})
	}
	return hosts, path, props, nil
}

// postgresProps maps PgJDBC connection properties to libpq keywords, which
// pgx reads.
var postgresProps = map[string]string{
	"sslmode": "sslmode", "sslcert": "sslcert", "sslkey": "sslkey", "sslrootcert": "sslrootcert",
	"sslpassword": "sslpassword", "ApplicationName": "application_name", "currentSchema": "search_path",
	"connectTimeout": "connect_timeout", "options": "options",
}

// postgresSource reads jdbc:postgresql:database, jdbc:postgresql:/ and
// jdbc:postgresql://host[:port][,host[:port]]/database?properties.
func postgresSource(body, user, password string, connectTimeout time.Duration) (*source, error) {
	var hosts []hostPort
	var database string
	props := url.Values{}
	if strings.HasPrefix(body, "//") {
		var err error
		if hosts, database, props, err = splitURL(body, "5432"); err != nil {
			return nil, err
		}
	} else {
		db, query, _ := strings.Cut(body, "?")
		database = strings.TrimPrefix(db, "/")
		var err error
		if props, err = url.ParseQuery(query); err != nil {
			return nil, fmt.Errorf("cannot read the URL's properties: %v", err)
		}
		hosts = []hostPort{{"localhost", "5432"}}
	}
	kv := map[string]string{"user": user, "dbname": database}
	if password != "" {
		kv["password"] = password
	}
	if connectTimeout > 0 {
		kv["connect_timeout"] = strconv.Itoa(max(1, int(connectTimeout.Seconds())))
	}
	var hs, ps []string
	for _, h := range hosts {
		hs, ps = append(hs, h.host), append(ps, h.port)
	}
	kv["host"], kv["port"] = strings.Join(hs, ","), strings.Join(ps, ",")
	src := &source{engine: postgres}
	for k, vs := range props {
		v := vs[len(vs)-1]
		switch {
		case k == "user" || k == "password":
			kv[k] = v // the URL's credentials win, as in PgJDBC
		case k == "ssl":
			if v == "true" {
				kv["sslmode"] = "verify-full" // PgJDBC's meaning of ssl=true
			}
		case postgresProps[k] != "":
			kv[postgresProps[k]] = v
		default:
			src.ignored = append(src.ignored, k)
		}
	}
	var dsn strings.Builder
	for _, k := range slices.Sorted(mapKeys(kv)) {
		if kv[k] == "" && k != "user" {
			continue
		}
		fmt.Fprintf(&dsn, "%s='%s' ", k, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(kv[k]))
	}
	cfg, err := pgx.ParseConfig(dsn.String())
	if err != nil {
		// pgx's message may quote the connection string, password included.
		return nil, fmt.Errorf("cannot read the connection settings: %s", strings.ReplaceAll(err.Error(), kv["password"], "<password>"))
	}
	src.connector = stdlib.GetConnector(*cfg)
	slices.Sort(src.ignored)
	return src, nil
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// mysqlSource reads jdbc:mysql://host[:port]/database?properties (and
// jdbc:mariadb://...).
func mysqlSource(sub, body, user, password string, connectTimeout time.Duration) (*source, error) {
	if mode, _, ok := strings.Cut(body, "//"); ok && mode != "" {
		return nil, fmt.Errorf("the %q connection mode is not supported: give one host as jdbc:%s://host:port/database", strings.TrimSuffix(mode, ":"), sub)
	}
	hosts, database, props, err := splitURL(body, "3306")
	if err != nil {
		return nil, err
	}
	if len(hosts) > 1 {
		return nil, fmt.Errorf("several hosts (failover) are not supported: give one host")
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", net.JoinHostPort(hosts[0].host, hosts[0].port), database
	cfg.User, cfg.Passwd = user, password
	cfg.Timeout = connectTimeout
	cfg.Loc = time.UTC
	src := &source{engine: mysqlEngine, zeroDates: "exception", tinyIntIsBit: true}
	if sub == "mysql" {
		// Connector/J uses TLS when the server offers it.
		cfg.TLSConfig = "preferred"
	}
	for k, vs := range props {
		v := vs[len(vs)-1]
		switch strings.ToLower(k) {
		case "user":
			cfg.User = v
		case "password":
			cfg.Passwd = v
		case "usessl", "requiressl":
			if v == "true" {
				cfg.TLSConfig = "preferred"
				if strings.EqualFold(k, "requireSSL") {
					cfg.TLSConfig = "skip-verify"
				}
			} else if strings.EqualFold(k, "useSSL") {
				cfg.TLSConfig = "false"
			}
		case "sslmode":
			switch strings.ToLower(v) {
			case "disabled", "disable":
				cfg.TLSConfig = "false"
			case "preferred":
				cfg.TLSConfig = "preferred"
			case "required", "trust":
				cfg.TLSConfig = "skip-verify"
			case "verify_ca", "verify_identity", "verify-ca", "verify-full":
				cfg.TLSConfig = "true"
			default:
				return nil, fmt.Errorf("unknown sslMode %q", v)
			}
		case "connecttimeout":
			ms, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("connectTimeout %q is not a number of milliseconds", v)
			}
			cfg.Timeout = time.Duration(ms) * time.Millisecond
		case "sockettimeout":
			ms, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("socketTimeout %q is not a number of milliseconds", v)
			}
			cfg.ReadTimeout = time.Duration(ms) * time.Millisecond
		case "zerodatetimebehavior":
			switch strings.ToLower(v) {
			case "exception":
				src.zeroDates = "exception"
			case "converttonull":
				src.zeroDates = "convertToNull"
			case "round":
				src.zeroDates = "round"
			default:
				return nil, fmt.Errorf("unknown zeroDateTimeBehavior %q: use exception, convertToNull or round", v)
			}
		case "tinyint1isbit":
			src.tinyIntIsBit = v != "false"
		case "useunicode", "characterencoding":
			// Text is always exchanged as utf8mb4.
		default:
			src.ignored = append(src.ignored, k)
		}
	}
	if cfg.TLSConfig == "true" {
		// Registered by name, one per host, as go-sql-driver keeps them.
		name := "jdbc-verify-" + hosts[0].host
		if err := mysql.RegisterTLSConfig(name, &tls.Config{ServerName: hosts[0].host}); err != nil {
			return nil, err
		}
		cfg.TLSConfig = name
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	src.connector = connector
	slices.Sort(src.ignored)
	return src, nil
}

// connect opens the database for a run and checks that it answers, as
// Sequel's test_connection does.
func connect(ctx context.Context, src *source, timeout time.Duration) (*sql.DB, error) {
	db := src.open()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
