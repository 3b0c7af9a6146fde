// Package geoip is Logstash's geoip filter: it looks an IP address up in a
// MaxMind database and adds where it is and who holds it, in Logstash's
// legacy or ECS field layout.
package geoip

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optDatabase            = plugin.Path("database").Doc("The .mmdb file to use (City, Country, ASN, ISP, Domain, Enterprise or Anonymous-IP). Without it, the database Logstash's database manager keeps under path.data is used.")
	optDefaultDatabaseType = plugin.Enum("default_database_type", "City", "ASN").Default("City").Doc("Which managed database to use when `database` is unset.")
	optSource              = plugin.String("source").Required().Doc("The field holding the IP address (or host name), or a list whose first element is.")
	optFields              = plugin.Strings("fields").Doc("Which fields to write (e.g. city_name, autonomous_system_number); the database kind's defaults when unset.")
	optTarget              = plugin.String("target").Doc("Where to write: `geoip` with ECS disabled; in ECS mode the source's parent when the source ends in [ip] (e.g. [client][ip] → [client]), otherwise required.")
	optCacheSize           = plugin.Int("cache_size").Default(1000).Doc("How many database records are kept decoded; once full, nothing more is cached.")
	optTagOnFailure        = plugin.Strings("tag_on_failure").Default([]string{"_geoip_lookup_failure"}).Doc("Tags added when the address is missing, invalid or not in the database.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "geoip",
			Summary: "Adds the location and network owner of an IP address from a MaxMind database.",
			Options: []plugin.Declared{optDatabase, optDefaultDatabaseType, optSource, optFields, optTarget, optCacheSize, optTagOnFailure, plugin.ECS},
		},
		New: newGeoIP,
	})
}

// ecsTargets are the targets ECS defines geo fields under.
var ecsTargets = []string{"client", "destination", "host", "observer", "server", "source"}

type geoIP struct {
	log          *slog.Logger
	source       event.FieldRef
	target       event.FieldRef
	kind         dbKind
	fields       []field
	paths        [fieldCount]event.FieldRef
	tagOnFailure []string
	db           *maxminddb.Reader
	resolve      resolver
	cache        recordCache
}

func newGeoIP(s *plugin.Settings) (plugin.Filter, error) {
	f := &geoIP{log: s.Logger(), tagOnFailure: optTagOnFailure.Get(s), resolve: systemResolve}
	ecs := s.ECS() != "disabled"
	source := optSource.Get(s)
	var err error
	if f.source, err = event.ParseFieldRef(source); err != nil {
		return nil, optSource.Errorf(s, "%v", err)
	}
	target := optTarget.Get(s)
	if !optTarget.IsSet(s) {
		switch {
		case !ecs:
			target = "geoip"
		case strings.HasSuffix(source, "[ip]") && len(source) > 4:
			target = source[:len(source)-4]
		default:
			return nil, optSource.Errorf(s, "GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]")
		}
	}
	if ecs {
		normalized := regexp.MustCompile(`\A\[([^\[\]]+)\]\z`).ReplaceAllString(target, "$1")
		if !slices.Contains(ecsTargets, normalized) {
			f.log.Warn(fmt.Sprintf("ECS expect `target` value `%s` in %s", normalized, ruby.Inspect(stringsAsAny(ecsTargets))))
		}
	}
	if f.target, err = event.ParseFieldRef(target); err != nil {
		return nil, optTarget.Errorf(s, "%v", err)
	}

	path := optDatabase.Get(s)
	if !optDatabase.IsSet(s) {
		if path, err = managedDatabase(optDefaultDatabaseType.Get(s)); err != nil {
			return nil, optDatabase.Errorf(s, "%v", err)
		}
	}
	f.log.Info("Using geoip database", slog.String("path", path))
	if f.db, err = maxminddb.Open(path); err != nil {
		return nil, optDatabase.Errorf(s, "The database provided is invalid or corrupted. (%s: %v)", path, err)
	}
	f.kind = kindOf(f.db.Metadata.DatabaseType)
	if f.kind == dbUnknown {
		f.log.Warn(fmt.Sprintf("The provided database type %s is not supported", f.db.Metadata.DatabaseType))
	}
	if optFields.IsSet(s) && len(optFields.Get(s)) > 0 {
		var chosen []field
		for _, name := range optFields.Get(s) {
			fd, err := parseField(name)
			if err != nil {
				f.db.Close()
				return nil, optFields.Errorf(s, "%v", err)
			}
			chosen = append(chosen, fd)
		}
		f.fields = sorted(chosen...)
	} else {
		f.fields = defaultFields(f.kind, ecs)
	}
	for fd := range fieldCount {
		sub := fields[fd].legacy
		if ecs {
			sub = fields[fd].ecs
		}
		if sub != nil {
			f.paths[fd] = event.FieldRef{Path: append(slices.Clone(f.target.Path), sub...), Metadata: f.target.Metadata}
		}
	}
	f.cache.limit = optCacheSize.Get(s)
	return f, nil
}

func stringsAsAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// managedDataDirs are where Logstash's database manager may have put its
// databases: <path.data>/plugins/filters/geoip, for path.data under
// $LOGSTASH_HOME or a package install's /var/lib/logstash.
func managedDataDirs() []string {
	var dirs []string
	if home := os.Getenv("LOGSTASH_HOME"); home != "" {
		dirs = append(dirs, filepath.Join(home, "data", "plugins", "filters", "geoip"))
	}
	return append(dirs, filepath.Join("/var/lib/logstash", "plugins", "filters", "geoip"),
		filepath.Join("/usr/share/logstash", "data", "plugins", "filters", "geoip"))
}

// managedDatabase finds the managed database of a type: the last row of
// metadata.csv (database_type, check_at, gz_md5, dirname, is_eula) whose
// <dirname>/GeoLite2-<type>.mmdb exists and is not empty.
func managedDatabase(typ string) (string, error) {
	name := "GeoLite2-" + typ + ".mmdb"
	dirs := managedDataDirs()
	for _, dir := range dirs {
		data, err := os.Open(filepath.Join(dir, "metadata.csv"))
		if err != nil {
			continue
		}
		rows, err := csv.NewReader(data).ReadAll()
		data.Close()
		if err != nil {
			continue
		}
		found := ""
		for _, row := range rows {
			if len(row) > 3 && row[0] == typ {
				p := filepath.Join(dir, row[3], name)
				if st, err := os.Stat(p); err == nil && st.Size() > 0 {
					found = p
				}
			}
		}
		if found != "" {
			return found, nil
		}
	}
	return "", fmt.Errorf("no %s database: gostash cannot ship MaxMind's databases. Download %s from MaxMind (free with an account) and set `database => \"/path/to/%s\"`, or let Logstash's database manager fetch it (looked in %s)", typ, name, name, strings.Join(dirs, ", "))
}

// Close releases the database.
func (f *geoIP) Close() error { return f.db.Close() }

var errBadSource = errors.New("Expected input field value to be String or List type")

// Filter looks the source up and writes the database's answer under the
// target; a failed lookup tags the event (and leaves an empty target when
// there was an address to look up).
func (f *geoIP) Filter(e *event.Event, _ func(*event.Event)) bool {
	v, _ := e.GetRef(f.source)
	if v == nil {
		f.fail(e)
		return false
	}
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			v = nil
		} else {
			v = l[0]
		}
	}
	text, ok := v.(string)
	if !ok {
		f.log.Error("Error from GeoIP filter", slog.String("exception", errBadSource.Error()), slog.String("field", f.source.String()))
		f.fail(e)
		return false
	}
	if strings.TrimFunc(text, func(r rune) bool { return r <= ' ' }) == "" {
		f.fail(e)
		return false
	}
	values := f.lookup(text)
	if cur, _ := e.GetRef(f.target); cur == nil {
		_ = e.SetRef(f.target, event.NewMap(0))
	}
	if len(values) == 0 {
		f.fail(e)
		return false
	}
	for _, fv := range values {
		if p := f.paths[fv.field]; p.Path != nil {
			_ = e.SetRef(p, fv.value)
		}
	}
	return true
}

func (f *geoIP) fail(e *event.Event) {
	for _, t := range f.tagOnFailure {
		e.Tag(t)
	}
}

// fieldValue is one field the lookup produced.
type fieldValue struct {
	field field
	value any
}

// lookup resolves text and reads its record; nothing when the address is
// invalid or not in the database.
func (f *geoIP) lookup(text string) []fieldValue {
	addr, ok := javaAddress(context.Background(), text, f.resolve)
	if !ok {
		f.log.Debug("IP Field contained invalid IP address or hostname", slog.String("field", f.source.String()), slog.String("value", text))
		return nil
	}
	res := f.db.Lookup(addr.WithZone(""))
	if err := res.Err(); err != nil {
		f.log.Error("Error from GeoIP database.", slog.String("field", f.source.String()), slog.String("value", text), slog.String("exception", err.Error()))
		return nil
	}
	if !res.Found() {
		return nil
	}
	rec, err := f.cache.get(res)
	if err != nil {
		f.log.Error("Error from GeoIP database.", slog.String("field", f.source.String()), slog.String("value", text), slog.String("exception", err.Error()))
		return nil
	}
	return f.values(rec, addr, res.Prefix())
}

// recordCache keeps decoded records by their place in the database, as
// MaxMind's CHMCache does: no eviction, nothing added once full.
type recordCache struct {
	limit        int64
	size         atomic.Int64
	records      sync.Map // uintptr → *record
	hits, misses atomic.Int64
}

func (c *recordCache) get(res maxminddb.Result) (*record, error) {
	off := res.Offset()
	if r, ok := c.records.Load(off); ok {
		c.hits.Add(1)
		return r.(*record), nil
	}
	c.misses.Add(1)
	r := &record{}
	if err := res.Decode(r); err != nil {
		return nil, err
	}
	if c.size.Load() < c.limit {
		if _, loaded := c.records.LoadOrStore(off, r); !loaded {
			c.size.Add(1)
		}
	}
	return r, nil
}
