// Package jdbc is the jdbc input: it runs an SQL statement once or on a
// schedule and makes an event of each row, keeping sql_last_value between
// runs in Logstash's last run file. The JDBC driver classes of PostgreSQL,
// MySQL, MariaDB and SQLite are served by Go drivers (pgx,
// go-sql-driver/mysql, modernc.org/sqlite); other databases are refused.
package jdbc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/gostash/gostash/plugins/internal/schedule"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optDriverLibrary  = plugin.String("jdbc_driver_library").Doc("Paths of the JDBC driver jars, comma-separated. Accepted for compatibility and not loaded: gostash connects with built-in Go drivers.")
	optDriverClass    = plugin.String("jdbc_driver_class").Required().Doc("The JDBC driver class, which picks the Go driver: org.postgresql.Driver (pgx), com.mysql.jdbc.Driver, com.mysql.cj.jdbc.Driver or org.mariadb.jdbc.Driver (go-sql-driver/mysql), org.sqlite.JDBC (modernc.org/sqlite). A Java:: prefix is allowed. Other classes (Oracle, SQL Server, DB2...) are refused.")
	optConnection     = plugin.String("jdbc_connection_string").Required().CarriesPasswords().Doc("The JDBC URL: jdbc:postgresql://host:port/database?properties, jdbc:mysql://host:port/database?properties (or jdbc:mariadb://), jdbc:sqlite:path. Of the driver properties, user, password, the SSL settings, connect and socket timeouts, currentSchema, ApplicationName, zeroDateTimeBehavior and tinyInt1isBit are honoured; others are logged as ignored.")
	optUser           = plugin.String("jdbc_user").Required().Doc("The database user.")
	optPassword       = plugin.Password("jdbc_password").Doc("The database user's password.")
	optPasswordFile   = plugin.Path("jdbc_password_filepath").Doc("A file holding the password (surrounding blanks removed).")
	optPagingEnabled  = plugin.Bool("jdbc_paging_enabled").Default(false).Doc("Runs the statement in pages of jdbc_page_size rows. Rows may come out of order between pages unless the statement orders them.")
	optPagingMode     = plugin.Enum("jdbc_paging_mode", "auto", "explicit").Default("auto").Doc("auto: the statement is counted, then wrapped in LIMIT/OFFSET queries; explicit: the statement pages itself with the :offset and :size parameters, and runs until a page comes back short.")
	optPageSize       = plugin.Int("jdbc_page_size").Default(100000).AtLeast(1).Doc("The rows per page.")
	optFetchSize      = plugin.Int("jdbc_fetch_size").Doc("Accepted for compatibility: the Go drivers stream rows as they arrive, so there is no fetch size to set.")
	optValidate       = plugin.Bool("jdbc_validate_connection").Default(false).Doc("Accepted for compatibility: every run opens a fresh connection and checks it, so connections are always valid.")
	optValidation     = plugin.Int("jdbc_validation_timeout").Default(3600).Doc("Accepted for compatibility (see jdbc_validate_connection).")
	optPoolTimeout    = plugin.Int("jdbc_pool_timeout").Default(5).AtLeast(1).Doc("Seconds to wait for a connection before the attempt fails.")
	optDefaultTZ      = plugin.String("jdbc_default_timezone").Validate(checkZone).Doc("The time zone the database's timestamps without zone are in, such as Europe/Paris, optionally with [dst_enabled_on_overlap:true] or [dst_enabled_on_overlap:false] to settle the hour the clocks go back; times in sql_last_value are written in it too. Without it they are read in the local time zone.")
	optSequelOpts     = plugin.Hash("sequel_opts").Doc("Sequel's options. Accepted, with a warning: gostash does not use Sequel.")
	optSQLLogLevel    = plugin.Enum("sql_log_level", "fatal", "error", "warn", "info", "debug").Default("info").Doc("The level at which each query is logged, with its duration.")
	optConnRetries    = plugin.Int("connection_retry_attempts").Default(1).AtLeast(1).Doc("How many times to try connecting in a run.")
	optConnRetryWait  = plugin.Float("connection_retry_attempts_wait_time").Default(0.5).AtLeast(0).Doc("Seconds between connection attempts.")
	optStmtRetries    = plugin.Int("statement_retry_attempts").Default(1).AtLeast(1).Doc("How many times to try a run's statement (connecting included).")
	optStmtRetryWait  = plugin.Float("statement_retry_attempts_wait_time").Default(0.5).AtLeast(0).Doc("Seconds between statement attempts.")
	optPluginTZ       = plugin.Enum("plugin_timezone", "local", "utc").Default("utc").Doc("local: times of day (TIME columns) and tracked times are taken in the local time zone instead of UTC.")
	optStatement      = plugin.String("statement").Doc("The SQL to run. Named parameters (:name) take the values of parameters, and :sql_last_value the tracked value.")
	optStatementFile  = plugin.Path("statement_filepath").Doc("A file holding the statement; give it or statement, not both.")
	optParameters     = plugin.Hash("parameters").Doc(`Values of the statement's named parameters: { "target_id" => "321" } fills :target_id.`)
	optSchedule       = plugin.String("schedule").Doc(`When to run, as a cron line as rufus-scheduler reads it ("* * * * *" runs every minute; seconds, names, a time zone allowed). Without schedule, interval or period, the statement runs once.`)
	optInterval       = plugin.String("interval").Doc(`Runs the statement this long after each run ends, such as "1m" or "3h10m".`)
	optPeriod         = plugin.String("period").Doc(`Runs the statement this often, such as "1m" or "3h10m".`)
	optLastRunPath    = plugin.String("last_run_metadata_path").Doc("The file that keeps sql_last_value between runs, in Logstash's YAML form (Logstash and gostash read each other's). By default <path.data>/plugins/inputs/jdbc/logstash_jdbc_last_run.")
	optUseColumnValue = plugin.Bool("use_column_value").Default(false).Doc("Tracks the tracking_column of the last row instead of the time each run started.")
	optTrackingColumn = plugin.String("tracking_column").Doc("The column whose value is tracked when use_column_value is true.")
	optTrackingType   = plugin.Enum("tracking_column_type", "numeric", "timestamp").Default("numeric").Doc("What the tracking column holds.")
	optCleanRun       = plugin.Bool("clean_run").Default(false).Doc("Starts from 0 or 1970-01-01 instead of the last run file's value.")
	optRecordLastRun  = plugin.Bool("record_last_run").Default(true).Doc("Keeps sql_last_value in last_run_metadata_path.")
	optLowercase      = plugin.Bool("lowercase_column_names").Default(true).Doc("Lower-cases column names.")
	optCharset        = plugin.String("charset").Validate(checkCharset).Doc("The encoding of every text column, converted to UTF-8; leave it unset when columns are UTF-8.")
	optColumnsCharset = plugin.Hash("columns_charset").Doc(`Encodings of single columns, over charset: { "column0" => "ISO-8859-1" }.`)
	optPrepared       = plugin.Bool("use_prepared_statements").Default(false).Doc("Runs the statement as a prepared statement with ? placeholders bound to prepared_statement_bind_values (paging does not apply).")
	optPreparedName   = plugin.String("prepared_statement_name").Default("").Doc("The prepared statement's name; required with use_prepared_statements.")
	optPreparedBinds  = plugin.Array("prepared_statement_bind_values").Doc(`The values of the ? placeholders, in order; ":sql_last_value" stands for the tracked value.`)
	optTarget         = plugin.FieldRef("target").Doc("The field to put each row's columns under; without it they go to the top level of the event.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "jdbc",
			Summary: "Runs an SQL statement against PostgreSQL, MySQL, MariaDB or SQLite, once or on a schedule, and makes an event of each row.",
			Options: []plugin.Declared{optDriverLibrary, optDriverClass, optConnection, optUser, optPassword, optPasswordFile,
				optPagingEnabled, optPagingMode, optPageSize, optFetchSize, optValidate, optValidation, optPoolTimeout,
				optDefaultTZ, optSequelOpts, optSQLLogLevel, optConnRetries, optConnRetryWait, optStmtRetries, optStmtRetryWait,
				optPluginTZ, optStatement, optStatementFile, optParameters, optSchedule, optInterval, optPeriod, optLastRunPath,
				optUseColumnValue, optTrackingColumn, optTrackingType, optCleanRun, optRecordLastRun, optLowercase, optCharset,
				optColumnsCharset, optPrepared, optPreparedName, optPreparedBinds, optTarget, plugin.ECS},
			Examples: examples,
		},
		New: New,
	})
}

func checkZone(s string) error {
	_, err := parseZone(s)
	return err
}

func checkCharset(s string) error {
	_, err := charsetNamed(s)
	return err
}

// charsetNamed finds an encoding by its IANA or Ruby name.
func charsetNamed(name string) (encoding.Encoding, error) {
	e, err := ianaindex.IANA.Encoding(name)
	if err != nil || e == nil {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	return e, nil
}

// Input is the jdbc input.
type Input struct {
	src       *source
	dialect   dialect
	conv      converter
	stmt      *statement
	prepared  []any // bind values, ":sql_last_value" standing for the value
	schedule  *schedule.Schedule
	target    string
	lowercase bool
	charsets  map[string]encoding.Encoding // by column; "" for charset
	sqlLevel  slog.Level

	connRetries, stmtRetries     int
	connRetryWait, stmtRetryWait time.Duration
	connTimeout                  time.Duration
	pagingMode                   string // "", auto or explicit
	pageSize                     int64

	trackerKind    trackerKind
	trackingColumn string
	useColumnValue bool
	lastRunPath    string
	defaultPath    bool // lastRunPath is the default under path.data
	cleanRun       bool
	localTZ        bool

	log *slog.Logger
}

// New builds a jdbc input; every check Logstash makes at register is made
// here, so -t reports it at its option.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{log: s.Logger(), target: optTarget.Get(s), lowercase: optLowercase.Get(s),
		useColumnValue: optUseColumnValue.Get(s), trackingColumn: optTrackingColumn.Get(s), cleanRun: optCleanRun.Get(s),
		localTZ: optPluginTZ.Get(s) == "local"}

	var set []plugin.Handle
	for _, h := range []plugin.Handle{optInterval, optSchedule, optPeriod} {
		if h.IsSet(s) {
			set = append(set, h)
		}
	}
	if len(set) > 1 {
		return nil, set[1].Errorf(s, "Use only one of: interval, period, schedule.")
	}
	var err error
	var sched schedule.Schedule
	switch {
	case optSchedule.IsSet(s):
		if sched, err = schedule.OnCron(optSchedule.Get(s)); err != nil {
			return nil, optSchedule.Errorf(s, "%v", err)
		}
	case optInterval.IsSet(s), optPeriod.IsSet(s):
		opt := optInterval
		if optPeriod.IsSet(s) {
			opt = optPeriod
		}
		d, err := schedule.ParseDuration(opt.Get(s))
		if err != nil {
			return nil, opt.Errorf(s, "%v", err)
		}
		if opt.Name() == "interval" {
			sched, err = schedule.Interval(d)
		} else {
			sched, err = schedule.Every(d, d)
		}
		if err != nil {
			return nil, opt.Errorf(s, "%v", err)
		}
	}
	if len(set) == 1 {
		in.schedule = &sched
	}

	if optRecordLastRun.Get(s) {
		if optLastRunPath.IsSet(s) {
			in.lastRunPath = optLastRunPath.Get(s)
			if st, err := os.Stat(in.lastRunPath); err == nil && st.IsDir() {
				return nil, optLastRunPath.Errorf(s, `The "last_run_metadata_path" argument must point to a file, received a directory: "%s"`, in.lastRunPath)
			}
		} else {
			in.lastRunPath, in.defaultPath = defaultLastRunPath(s.Pipeline().DataPath), true
		}
	}

	if in.useColumnValue && !optTrackingColumn.IsSet(s) {
		return nil, optUseColumnValue.Errorf(s, "Must set :tracking_column if :use_column_value is true.")
	}
	if optStatement.IsSet(s) == optStatementFile.IsSet(s) {
		h := plugin.Handle(optStatementFile)
		if optStatement.IsSet(s) {
			h = optStatement
		}
		if !h.IsSet(s) {
			return nil, s.Errorf("Must set either :statement or :statement_filepath. Only one may be set at a time.")
		}
		return nil, h.Errorf(s, "Must set either :statement or :statement_filepath. Only one may be set at a time.")
	}
	sqlText := optStatement.Get(s)
	if optStatementFile.IsSet(s) {
		data, err := os.ReadFile(optStatementFile.Get(s))
		if err != nil {
			return nil, optStatementFile.Errorf(s, "cannot read the statement: %v", err)
		}
		sqlText = string(data)
	}

	e, err := engineForClass(optDriverClass.Get(s))
	if err != nil {
		return nil, optDriverClass.Errorf(s, "%v", err)
	}
	if optDriverLibrary.IsSet(s) {
		in.log.Warn("jdbc_driver_library is not loaded: gostash has no JVM and connects with its built-in Go driver", "jdbc_driver_library", optDriverLibrary.Get(s), "driver", e.String())
	}
	if optPassword.IsSet(s) && optPasswordFile.IsSet(s) {
		return nil, optPasswordFile.Errorf(s, "Only one of :jdbc_password, :jdbc_password_filepath may be set at a time.")
	}
	password := optPassword.Get(s).Reveal()
	if optPasswordFile.IsSet(s) {
		data, err := os.ReadFile(optPasswordFile.Get(s))
		if err != nil {
			return nil, optPasswordFile.Errorf(s, "cannot read the password: %v", err)
		}
		password = strings.TrimSpace(string(data))
	}
	in.connTimeout = time.Duration(optPoolTimeout.Get(s)) * time.Second
	if in.src, err = parseSource(e, optConnection.Get(s), optUser.Get(s), password, in.connTimeout); err != nil {
		return nil, optConnection.Errorf(s, "%v", err)
	}
	if len(in.src.ignored) > 0 {
		in.log.Warn("these driver properties of jdbc_connection_string are not used by gostash's Go driver and are ignored", "properties", strings.Join(in.src.ignored, ", "))
	}
	if optSequelOpts.IsSet(s) && optSequelOpts.Get(s).Len() > 0 {
		in.log.Warn("sequel_opts has no effect: gostash does not use Sequel", "options", strings.Join(optSequelOpts.Get(s).Keys(), ", "))
	}

	var dbZone *zone
	if optDefaultTZ.IsSet(s) {
		dbZone, _ = parseZone(optDefaultTZ.Get(s))
	}
	in.dialect = dialect{engine: e, dbZone: dbZone}
	in.conv = converter{src: in.src, dbZone: dbZone, utc: !in.localTZ}
	switch {
	case in.useColumnValue && optTrackingType.Get(s) == "numeric":
		in.trackerKind = numericTracker
	case dbZone != nil:
		in.trackerKind = dateTimeTracker
	default:
		in.trackerKind = timeTracker
	}

	params := map[string]any{}
	optParameters.Get(s).Range(func(k string, v any) bool {
		params[k] = v
		return true
	})
	if optPrepared.Get(s) {
		var problems []string
		if optPreparedName.Get(s) == "" {
			problems = append(problems, "must provide a name for the Prepared Statement, it must be unique for the db session")
		}
		in.prepared = optPreparedBinds.Get(s)
		if strings.Count(sqlText, "?") != len(in.prepared) {
			problems = append(problems, "there is a mismatch between the number of statement `?` placeholders and :prepared_statement_bind_values array setting elements")
		}
		if optPagingEnabled.Get(s) {
			problems = append(problems, "JDBC pagination cannot be used at this time")
		}
		if len(problems) > 0 {
			return nil, optPrepared.Errorf(s, "Prepared Statement Mode validation errors: %s", strings.Join(problems, ", "))
		}
		for _, v := range in.prepared {
			if _, err := in.dialect.literal(v); err != nil {
				return nil, optPreparedBinds.Errorf(s, "%v", err)
			}
		}
		in.stmt = &statement{sql: in.dialect.placeholders(sqlText), dialect: in.dialect}
	} else {
		for k, v := range params {
			if _, err := in.dialect.literal(v); err != nil {
				return nil, optParameters.Errorf(s, "parameter %s: %v", k, err)
			}
		}
		var extra []string
		if optPagingEnabled.Get(s) {
			in.pagingMode, in.pageSize = optPagingMode.Get(s), optPageSize.Get(s)
			if in.pagingMode == "explicit" {
				extra = []string{"offset", "size"}
			}
		}
		in.stmt = newStatement(sqlText, in.dialect, params, append(extra, "sql_last_value")...)
	}

	charsetName := optCharset.Get(s)
	cc := optColumnsCharset.Get(s)
	if charsetName != "" || (cc != nil && cc.Len() > 0) {
		in.charsets = map[string]encoding.Encoding{}
		if charsetName != "" {
			in.charsets[""], _ = charsetNamed(charsetName)
		}
		var bad error
		cc.Range(func(col string, v any) bool {
			enc, err := charsetNamed(event.ValueString(v))
			if err != nil {
				bad = optColumnsCharset.Errorf(s, "column %s: %v", col, err)
				return false
			}
			in.charsets[col] = enc
			return true
		})
		if bad != nil {
			return nil, bad
		}
	}

	in.sqlLevel = map[string]slog.Level{"fatal": logging.LevelFatal, "error": slog.LevelError, "warn": slog.LevelWarn,
		"info": slog.LevelInfo, "debug": slog.LevelDebug}[optSQLLogLevel.Get(s)]
	in.connRetries, in.stmtRetries = int(optConnRetries.Get(s)), int(optStmtRetries.Get(s))
	in.connRetryWait = time.Duration(optConnRetryWait.Get(s) * float64(time.Second))
	in.stmtRetryWait = time.Duration(optStmtRetryWait.Get(s) * float64(time.Second))
	if s.ECS() != "disabled" && !optTarget.IsSet(s) {
		in.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return in, nil
}

// Run loads sql_last_value, then runs the statement once or on the
// schedule until ctx ends.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	if in.defaultPath {
		if err := in.prepareDefaultPath(); err != nil {
			return err
		}
	}
	tr, err := loadTracker(in.trackerKind, in.lastRunPath, in.cleanRun)
	if err != nil {
		return err
	}
	job := func(ctx context.Context) {
		in.execute(ctx, tr, out)
		if err := tr.write(); err != nil {
			in.log.Error("cannot write the last run file", "path", tr.path, "exception", err.Error())
		}
	}
	if in.schedule == nil {
		job(ctx)
		return nil
	}
	in.schedule.Run(ctx, job)
	return nil
}

// prepareDefaultPath creates the default last run file's directory and
// moves a file of the plugin's versions before 5.2.6, which kept it in
// $HOME/.logstash_jdbc_last_run, there.
func (in *Input) prepareDefaultPath() error {
	if err := os.MkdirAll(filepath.Dir(in.lastRunPath), 0o755); err != nil {
		return fmt.Errorf("cannot create the directory of the last run file: %w", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	old := filepath.Join(home, ".logstash_jdbc_last_run")
	if _, err := os.Stat(old); err != nil {
		return nil
	}
	if _, err := os.Stat(in.lastRunPath); err == nil {
		return nil
	}
	data, err := os.ReadFile(old)
	if err != nil {
		return err
	}
	if err := os.WriteFile(in.lastRunPath, data, 0o644); err != nil {
		return err
	}
	if err := os.Remove(old); err != nil {
		in.log.Warn(fmt.Sprintf("Using new metadata file at %s but %s can't be removed.", in.lastRunPath, old))
		return nil
	}
	in.log.Info(fmt.Sprintf("Successfully moved the %s into %s", old, in.lastRunPath))
	return nil
}

// execute is one run: connect (with connection_retry_attempts), run the
// statement and emit its rows (the whole, with statement_retry_attempts),
// then move sql_last_value on if the run succeeded. A failure is logged
// and left to the next scheduled run, as in Logstash.
func (in *Input) execute(ctx context.Context, tr *tracker, out plugin.Emitter) bool {
	for attempt := 1; ; attempt++ {
		last, err := in.attempt(ctx, tr, out)
		if err == nil {
			if err := tr.set(last); err != nil {
				in.log.Warn("sql_last_value not updated", "exception", err.Error())
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		class := "Sequel::DatabaseError"
		if errors.As(err, new(*connectError)) {
			class = "Sequel::DatabaseConnectionError"
		}
		in.log.Warn("Exception when executing JDBC query", "exception", class, "message", err.Error())
		if attempt >= in.stmtRetries {
			in.log.Error(fmt.Sprintf("Unable to execute statement. Tried %d times.", in.stmtRetries))
			return false
		}
		in.log.Error("Unable to execute statement. Trying again.")
		if !sleep(ctx, in.stmtRetryWait) {
			return false
		}
	}
}

// attempt runs the statement once and returns the value sql_last_value
// is to take: the run's start time, or the tracking column of the last
// row.
func (in *Input) attempt(ctx context.Context, tr *tracker, out plugin.Emitter) (any, error) {
	db, err := in.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var last any = tr.value
	if !in.useColumnValue {
		last = event.Now().Time.UTC()
	}
	warned := false
	emit := func(row *event.Map) {
		if in.useColumnValue {
			if v, ok := row.Get(in.trackingColumn); ok {
				last = v
				// Sequel hands times over in plugin_timezone.
				if ts, ok := v.(event.Timestamp); ok {
					last = ts.Time.UTC()
					if in.localTZ {
						last = ts.Time.In(time.Local)
					}
				}
			} else if !warned {
				in.log.Warn("tracking_column not found in dataset.", "tracking_column", in.trackingColumn)
				warned = true
			}
		}
		in.emit(row, out)
	}
	run := map[string]any{"sql_last_value": tr.value}
	if in.prepared != nil {
		args := make([]any, len(in.prepared))
		for i, v := range in.prepared {
			if v == ":sql_last_value" {
				v = tr.value
			}
			args[i] = bindValue(v)
		}
		return last, in.query(ctx, db, in.stmt.sql, args, emit)
	}
	switch in.pagingMode {
	case "auto":
		sqlText, err := in.stmt.bind(run)
		if err != nil {
			return nil, err
		}
		var count int64
		countSQL := in.dialect.countSQL(sqlText)
		start := time.Now()
		err = db.QueryRowContext(ctx, countSQL).Scan(&count)
		in.logSQL(countSQL, start)
		if err != nil {
			return nil, err
		}
		for offset := int64(0); offset < count; offset += in.pageSize {
			in.log.Debug("fetching paged dataset", "current_page", offset/in.pageSize+1, "record_count", min(in.pageSize, count-offset), "total_record_count", count)
			if err := in.query(ctx, db, in.dialect.pageSQL(sqlText, in.pageSize, offset), nil, emit); err != nil {
				return nil, err
			}
		}
	case "explicit":
		for offset := int64(0); ; offset += in.pageSize {
			run["offset"], run["size"] = offset, in.pageSize
			sqlText, err := in.stmt.bind(run)
			if err != nil {
				return nil, err
			}
			rows := 0
			if err := in.query(ctx, db, sqlText, nil, func(row *event.Map) { rows++; emit(row) }); err != nil {
				return nil, err
			}
			if int64(rows) != in.pageSize {
				break
			}
		}
	default:
		sqlText, err := in.stmt.bind(run)
		if err != nil {
			return nil, err
		}
		if err := in.query(ctx, db, sqlText, nil, emit); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// bindValue is a prepared statement's argument as database/sql takes it.
func bindValue(v any) any {
	switch t := v.(type) {
	case event.Decimal:
		return t.String()
	case event.Timestamp:
		return t.Time
	}
	return v
}

// connect opens the database, trying connection_retry_attempts times.
func (in *Input) connect(ctx context.Context) (*sql.DB, error) {
	for attempt := 1; ; attempt++ {
		db, err := connect(ctx, in.src, in.connTimeout)
		if err == nil {
			return db, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= in.connRetries {
			in.log.Error(fmt.Sprintf("Unable to connect to database. Tried %d times", in.connRetries), "message", err.Error())
			return nil, &connectError{err}
		}
		in.log.Error("Unable to connect to database. Trying again", "message", err.Error())
		if !sleep(ctx, in.connRetryWait) {
			return nil, ctx.Err()
		}
	}
}

// connectError is a run that failed to connect (Sequel's
// DatabaseConnectionError), as opposed to a failed statement.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// logSQL logs a query with its duration at sql_log_level, as Sequel does.
func (in *Input) logSQL(sqlText string, start time.Time) {
	in.log.Log(context.Background(), in.sqlLevel, fmt.Sprintf("(%.6fs) %s", time.Since(start).Seconds(), sqlText))
}

// query runs one query and hands each row over as a map of its columns.
func (in *Input) query(ctx context.Context, db *sql.DB, sqlText string, args []any, each func(*event.Map)) error {
	start := time.Now()
	rows, err := db.QueryContext(ctx, sqlText, args...)
	in.logSQL(sqlText, start)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := columnsOf(rows, in.src, in.lowercase)
	if err != nil {
		return err
	}
	if in.src.engine == mysqlEngine {
		markMySQLFlags(rows, cols, in.src.tinyIntIsBit)
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := event.NewMap(len(cols))
		for i := range cols {
			var v any
			var err error
			if in.src.engine == postgres {
				v, err = in.conv.postgresValue(&cols[i], raw[i])
			} else {
				v, err = in.conv.value(&cols[i], raw[i])
			}
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i].name, err)
			}
			if in.charsets != nil {
				v = in.recode(cols[i].name, v)
			}
			row.Set(cols[i].name, v)
		}
		each(row)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return rows.Err()
}

// recode converts a text value from the column's charset to UTF-8.
func (in *Input) recode(column string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	enc := in.charsets[column]
	if enc == nil {
		enc = in.charsets[""]
	}
	if enc == nil {
		return v
	}
	out, err := enc.NewDecoder().String(s)
	if err != nil {
		in.log.Warn("Received an event that has a different character encoding than you configured.", "text", s, "expected_charset", column)
		return s
	}
	return out
}

// emit makes the row an event (under target when set).
func (in *Input) emit(row *event.Map, out plugin.Emitter) {
	e := event.NewEvent()
	if in.target != "" {
		if err := e.Set(in.target, row); err != nil {
			in.log.Error("cannot set the target field", "target", in.target, "exception", err.Error())
			return
		}
		out.Emit(e)
		return
	}
	row.Range(func(k string, v any) bool {
		if k == "@timestamp" {
			if ts, ok := v.(event.Timestamp); ok {
				e.SetTimestamp(ts)
				return true
			}
		}
		e.Data().Set(k, v)
		return true
	})
	out.Emit(e)
}
