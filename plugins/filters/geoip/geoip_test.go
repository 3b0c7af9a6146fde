package geoip

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

var update = flag.Bool("update", false, "rewrite the testcases' databases")

// testcaseDatabases are the databases the testcases under testcases/ read.
var testcaseDatabases = []struct {
	path, typ string
	entries   []dbEntry
}{
	{"city-legacy/GeoLite2-City.mmdb", "GeoLite2-City", cityDB},
	{"city-ecs/GeoLite2-City.mmdb", "GeoLite2-City", cityDB},
	{"asn-fields-ecs/GeoLite2-ASN.mmdb", "GeoLite2-ASN", asnDB},
	{"managed-database/home/data/plugins/filters/geoip/1767323045/GeoLite2-City.mmdb", "GeoLite2-City", cityDB},
}

// TestTestcaseDatabases checks the committed databases are what the
// writer makes of the entries above (go test -run TestTestcaseDatabases
// -update rewrites them).
func TestTestcaseDatabases(t *testing.T) {
	for _, db := range testcaseDatabases {
		var b bytes.Buffer
		if err := writeDB(&b, db.typ, db.entries); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join("testcases", db.path)
		if *update {
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s is not what the writer makes of its entries; run go test -run TestTestcaseDatabases -update", p)
		}
	}
}

// database writes entries to a temporary .mmdb file.
func database(t *testing.T, typ string, entries []dbEntry) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeDB(&b, typ, entries); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), typ+".mmdb")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Expectations follow GeoIPFilter.java (spec/filters-wave2.md §1): fields
// are written in Logstash's declaration order.
func TestGeoIPLayouts(t *testing.T) {
	city := database(t, "GeoLite2-City", cityDB)
	cases := []struct {
		name, db, ecs, in, want string
		config                  string
		matched                 bool
	}{
		{"city legacy", city, "disabled", `{"ip":"198.51.100.7"}`,
			`{"ip":"198.51.100.7","geoip":{"city_name":"Springfield","country_name":"United States","continent_code":"NA","country_code2":"US","country_code3":"US","ip":"198.51.100.7","postal_code":"62701","dma_code":648,"region_name":"Illinois","region_code":"IL","timezone":"America/Chicago","location":{"lat":39.7817,"lon":-89.6501},"latitude":39.7817,"longitude":-89.6501}}`,
			`source => "ip"`, true},
		{"city ECS", city, "v8", `{"source":{"ip":"198.51.100.7"}}`,
			`{"source":{"ip":"198.51.100.7","geo":{"city_name":"Springfield","country_name":"United States","continent_code":"NA","country_iso_code":"US","postal_code":"62701","region_name":"Illinois","region_iso_code":"US-IL","timezone":"America/Chicago","location":{"lat":39.7817,"lon":-89.6501}},"mmdb":{"dma_code":648}}}`,
			`source => "[source][ip]"`, true},
		{"most specific subdivision, IPv6 in Java's form", city, "disabled", `{"ip":["2001:db8:1::5","x"]}`,
			`{"ip":["2001:db8:1::5","x"],"geoip":{"city_name":"Zürich","country_name":"Switzerland","continent_code":"EU","country_code2":"CH","country_code3":"CH","ip":"2001:db8:1:0:0:0:0:5","region_name":"Zürich District","region_code":"Z1","timezone":"Europe/Zurich","location":{"lat":47.3667,"lon":8.55},"latitude":47.3667,"longitude":8.55}}`,
			`source => "ip"`, true},
		{"chosen fields", city, "disabled", `{"ip":"203.0.113.1"}`, `{"ip":"203.0.113.1","g":{"country_name":"United Kingdom","ip":"203.0.113.1"}}`,
			`source => "ip" target => "g" fields => ["IP", "country_name", "city_name"]`, true},
		{"no location is a miss", city, "disabled", `{"ip":"192.0.2.1"}`, `{"ip":"192.0.2.1","geoip":{},"tags":["_geoip_lookup_failure"]}`, `source => "ip"`, false},
		{"not found", city, "disabled", `{"ip":"10.0.0.1"}`, `{"ip":"10.0.0.1","geoip":{},"tags":["_geoip_lookup_failure"]}`, `source => "ip"`, false},
		{"invalid text", city, "disabled", `{"ip":"1.2.3.4,5.6.7.8"}`, `{"ip":"1.2.3.4,5.6.7.8","geoip":{},"tags":["_geoip_lookup_failure"]}`, `source => "ip"`, false},
		{"blank leaves no target", city, "disabled", `{"ip":"  "}`, `{"ip":"  ","tags":["_geoip_lookup_failure"]}`, `source => "ip"`, false},
		{"missing leaves no target", city, "disabled", `{}`, `{"tags":["_geoip_lookup_failure"]}`, `source => "ip"`, false},
		{"an existing target is kept", city, "disabled", `{"ip":"10.0.0.1","geoip":{"a":1}}`, `{"ip":"10.0.0.1","geoip":{"a":1},"tags":["x"]}`, `source => "ip" tag_on_failure => ["x"]`, false},
		{"asn ECS with network", database(t, "GeoLite2-ASN", asnDB), "v1", `{"client":{"ip":"2001:db8:ffff::1"}}`,
			`{"client":{"ip":"2001:db8:ffff:0:0:0:0:1","as":{"number":64501,"organization":{"name":"Example IPv6 Networks"}},"ip_traits":{"network":"2001:db8:0:0:0:0:0:0/32"}}}`,
			`source => "[client][ip]" fields => ["ip", "autonomous_system_number", "autonomous_system_organization", "network"]`, true},
		{"asn legacy defaults", database(t, "GeoLite2-ASN", asnDB), "disabled", `{"ip":"198.51.100.1"}`,
			`{"ip":"198.51.100.1","geoip":{"asn":64500,"as_org":"Example Networks","ip":"198.51.100.1"}}`, `source => "ip"`, true},
		{"country", database(t, "GeoLite2-Country", countryDB), "disabled", `{"ip":"198.51.100.1"}`,
			`{"ip":"198.51.100.1","geoip":{"country_name":"United States","continent_name":"North America","country_code2":"US","ip":"198.51.100.1"}}`, `source => "ip"`, true},
		{"isp", database(t, "GeoIP2-ISP", ispDB), "v8", `{"ip":"198.51.100.1"}`,
			`{"ip":"198.51.100.1","t":{"as":{"number":64500,"organization":{"name":"Example Networks"}},"ip":"198.51.100.1","mmdb":{"isp":"Example ISP","organization":"Example Org"}}}`, `source => "ip" target => "t"`, true},
		{"domain", database(t, "GeoIP2-Domain", domainDB), "disabled", `{"ip":"198.51.100.1"}`, `{"ip":"198.51.100.1","geoip":{"domain":"example.net"}}`, `source => "ip"`, true},
		{"domain set even when null", database(t, "GeoIP2-Domain", domainDB), "disabled", `{"ip":"203.0.113.1"}`, `{"ip":"203.0.113.1","geoip":{"domain":null}}`, `source => "ip"`, true},
		{"anonymous IP", database(t, "GeoIP2-Anonymous-IP", anonymousDB), "v8", `{"ip":"198.51.100.1"}`,
			`{"ip":"198.51.100.1","t":{"ip_traits":{"hosting_provider":false,"tor_exit_node":true,"anonymous_vpn":false,"anonymous":true,"public_proxy":false,"residential_proxy":false}}}`, `source => "ip" target => "t"`, true},
		{"enterprise", database(t, "GeoIP2-Enterprise", enterpriseDB), "v8", `{"ip":"198.51.100.1"}`,
			`{"ip":"198.51.100.1","t":{"as":{"number":64500},"geo":{"city_name":"Springfield","country_name":"United States","continent_name":"North America","country_iso_code":"US","region_name":"Illinois","region_iso_code":"US-IL","location":{"lat":39.7817,"lon":-89.6501}},"ip":"198.51.100.1","ip_traits":{"network":"198.51.100.0/24","hosting_provider":true}}}`,
			`source => "ip" target => "t" fields => ["ip", "country_code2", "country_name", "continent_name", "region_iso_code", "region_name", "city_name", "location", "autonomous_system_number", "network", "hosting_provider"]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "geoip { database => "+plugintest.Quote(c.db)+" "+c.config+" }", plugintest.ECS(c.ecs))
			e := plugintest.Event(t, c.in)
			matched, _ := f.Call(e)
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}

func TestGeoIPConfigErrors(t *testing.T) {
	city := database(t, "GeoLite2-City", cityDB)
	bad := filepath.Join(t.TempDir(), "bad.mmdb")
	os.WriteFile(bad, []byte("not a database"), 0o644)
	t.Setenv("LOGSTASH_HOME", t.TempDir())
	for _, c := range []struct {
		config string
		ecs    string
		want   string
	}{
		{`source => "ip" database => ` + plugintest.Quote(city), "v8", "GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]"},
		{`source => "ip" database => ` + plugintest.Quote(city) + ` fields => ["asn"]`, "disabled", "illegal field value asn. valid values are [AUTONOMOUS_SYSTEM_NUMBER, "},
		{`source => "ip" database => ` + plugintest.Quote(bad), "disabled", "The database provided is invalid or corrupted."},
		{`source => "ip"`, "disabled", "no City database: gostash cannot ship MaxMind's databases"},
		{`source => "ip" default_database_type => "ASN"`, "disabled", "set `database => \"/path/to/GeoLite2-ASN.mmdb\"`"},
	} {
		if _, err := plugintest.TryFilter(t, "geoip { "+c.config+" }", plugintest.ECS(c.ecs)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %q does not contain %q", c.config, err, c.want)
		}
	}
}

func TestManagedDatabase(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "data", "plugins", "filters", "geoip")
	os.MkdirAll(filepath.Join(dir, "1000"), 0o755)
	os.MkdirAll(filepath.Join(dir, "2000"), 0o755)
	var b bytes.Buffer
	writeDB(&b, "GeoLite2-City", cityDB)
	os.WriteFile(filepath.Join(dir, "1000", "GeoLite2-City.mmdb"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "2000", "GeoLite2-City.mmdb"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "metadata.csv"), []byte("ASN,1,x,1000,false\nCity,1,x,1000,true\nCity,2,y,2000,true\nCity,3,z,3000,true\n"), 0o644)
	t.Setenv("LOGSTASH_HOME", home)
	got, err := managedDatabase("City")
	if want := filepath.Join(dir, "2000", "GeoLite2-City.mmdb"); err != nil || got != want {
		t.Errorf("got %q, %v; want %q (the last row whose file exists)", got, err, want)
	}
}

func TestCacheKeepsRecordsUpToItsSize(t *testing.T) {
	f := plugintest.Filter(t, `geoip { source => "ip" database => `+plugintest.Quote(database(t, "GeoLite2-City", cityDB))+` cache_size => 1 }`, plugintest.ECS("disabled")).Plugin
	g := f.(*geoIP)
	for _, ip := range []string{"198.51.100.1", "198.51.100.2", "203.0.113.1", "203.0.113.2", "198.51.100.3"} {
		e := event.NewEvent()
		e.Data().Set("ip", ip)
		g.Filter(e, nil)
	}
	if hits, misses := g.cache.hits.Load(), g.cache.misses.Load(); hits != 2 || misses != 3 {
		t.Errorf("hits %d misses %d; want 2 and 3 (only the first record is cached)", hits, misses)
	}
}
