package useragent

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

const (
	chrome  = "Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31"
	outlook = "MacOutlook/16.24.0.190414 (Intelx64 Mac OS X Version 10.14.4 (Build 18E226))"
)

func TestTheBundledRegexesCarryLogstashsPatch(t *testing.T) {
	if !bytes.Contains(uaparser.DefinitionYaml, greedyMacOSRule) {
		t.Fatal("uap-go's regexes no longer have the greedy Mac OS X rule Logstash patches; check the patch")
	}
	if !bytes.Contains(bundledRegexes(), lazyMacOSRule) {
		t.Fatal("the patch was not applied")
	}
}

// Expectations are the plugin's spec examples and its field rules
// (spec/filters-wave2.md §2).
func TestUserAgent(t *testing.T) {
	cases := []struct {
		name, ecs, in, want, meta string
		config                    string
	}{
		{"ECS", "v8", `{"m":"` + chrome + `"}`,
			`{"m":"` + chrome + `","ua":{"name":"Chrome","device":{"name":"Other"},"version":"26.0.1410.63","os":{"name":"Linux","full":"Linux"}}}`,
			`{"filter":{"user_agent":{"version":{"major":"26","minor":"0","patch":"1410"}}}}`, `source => "m" target => "ua"`},
		{"ECS default target, OS version", "v8", `{"m":"` + outlook + `"}`,
			`{"m":"` + outlook + `","user_agent":{"name":"MacOutlook","device":{"name":"Mac"},"version":"16.24.0.190414","os":{"version":"10.14.4","name":"Mac OS X","full":"Mac OS X 10.14.4"}}}`,
			`{"filter":{"user_agent":{"version":{"major":"16","minor":"24","patch":"0"},"os":{"version":{"major":"10","minor":"14","patch":"4"}}}}}`, `source => "m"`},
		{"legacy at the root with a prefix", "disabled", `{"m":["` + chrome + `"]}`,
			`{"m":["` + chrome + `"],"ua_name":"Chrome","ua_device":"Other","ua_major":"26","ua_minor":"0","ua_patch":"1410","ua_version":"26.0.1410.63","ua_os_name":"Linux","ua_os":"Linux","ua_os_full":"Linux"}`,
			`{}`, `source => "m" prefix => "ua_"`},
		{"target replaces the source", "disabled", `{"m":"` + chrome + `"}`,
			`{"m":{"name":"Chrome","device":"Other","major":"26","minor":"0","patch":"1410","version":"26.0.1410.63","os_name":"Linux","os":"Linux","os_full":"Linux"}}`,
			`{}`, `source => "m" target => "m"`},
		{"unknown agent", "v8", `{"m":"nothing to see"}`, `{"m":"nothing to see","user_agent":{"name":"Other","device":{"name":"Other"},"os":{"name":"Other","full":"Other"}}}`, `{}`, `source => "m"`},
		{"empty is left alone", "v8", `{"m":""}`, `{"m":""}`, `{}`, `source => "m"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "useragent { "+c.config+" }", plugintest.ECS(c.ecs))
			e := plugintest.Event(t, c.in)
			f.Call(e)
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if got := string(event.AppendJSON(nil, e.Metadata())); got != c.meta {
				t.Errorf("metadata %s, want %s", got, c.meta)
			}
		})
	}
}

func TestVersionHelpers(t *testing.T) {
	for _, c := range []struct{ ua, version, want string }{
		{"X/1.2.3.45 y", "1.2.3", "1.2.3.45"},
		{"X/1.2.3.045 y", "1.2.3", "1.2.3"},
		{"X/1.2.3.45", "1.2.3", "1.2.3"},
		{"X/1.2.3b y", "1.2.3", "1.2.3"},
	} {
		if got := withPatchMinor(c.ua, c.version); got != c.want {
			t.Errorf("withPatchMinor(%q, %q) = %q, want %q", c.ua, c.version, got, c.want)
		}
	}
	for _, c := range []struct {
		os   uaparser.Os
		want string
	}{
		{uaparser.Os{Major: "10", Minor: "14", Patch: "4", PatchMinor: "1"}, "10.14.4.1"},
		{uaparser.Os{Major: "Vista", Minor: "SP2"}, "Vista SP2"},
		{uaparser.Os{Major: "010", Minor: "1"}, "010 1"},
		{uaparser.Os{Minor: "1"}, ""},
	} {
		if got := osVersionText(&c.os); got != c.want {
			t.Errorf("osVersionText(%+v) = %q, want %q", c.os, got, c.want)
		}
	}
}

func TestCustomRegexes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("user_agent_parsers:\n  - regex: '(Mine)/(\\d+)'\nos_parsers: []\ndevice_parsers: []\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("user_agent_parsers: []\n"), 0o644)
	f := plugintest.Filter(t, `useragent { source => "m" regexes => `+plugintest.Quote(good)+` }`, plugintest.ECS("v8"))
	e := plugintest.Event(t, `{"m":"Mine/7"}`)
	f.Call(e)
	if got := plugintest.Data(e); !strings.Contains(got, `"name":"Mine","device":{"name":"Other"},"version":"7"`) {
		t.Errorf("got %s", got)
	}
	if _, err := plugintest.TryFilter(t, `useragent { source => "m" regexes => `+plugintest.Quote(bad)+` }`, plugintest.ECS("v8")); err == nil || !strings.Contains(err.Error(), "has no os_parsers") {
		t.Errorf("error %v", err)
	}
}

// BenchmarkUserAgent parses 50 distinct agents in turn: "cached" with the
// default LRU, warmed first (its hit rate is reported), and "uncached"
// with a one-entry cache, so every event runs the regexes.
func BenchmarkUserAgent(b *testing.B) {
	agents := make([]string, 50)
	for i := range agents {
		agents[i] = strings.Replace(chrome, "1410", strings.Repeat("1", i+1), 1)
	}
	for _, c := range []struct {
		name string
		size int
	}{{"cached", 100000}, {"uncached", 1}} {
		b.Run(c.name, func(b *testing.B) {
			f := plugintest.Filter(b, `useragent { source => "m" lru_cache_size => `+strconv.Itoa(c.size)+` }`, plugintest.ECS("v8")).Plugin
			u := f.(*userAgent)
			for _, a := range agents {
				u.parse(a)
			}
			u.hits.Store(0)
			u.misses.Store(0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := event.NewEvent()
				e.Data().Set("m", agents[i%len(agents)])
				i++
				u.Filter(e, nil)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(100*float64(u.hits.Load())/float64(u.hits.Load()+u.misses.Load()), "hit%")
		})
	}
}
