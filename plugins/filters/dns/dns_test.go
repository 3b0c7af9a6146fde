package dns

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// server is a real DNS server on 127.0.0.1 answering from a fixed zone:
// A records, a CNAME, PTRs; "slow." names are never answered (a timeout).
type server struct {
	addr    string
	queries atomic.Int64
}

func startServer(t *testing.T) *server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: pc.LocalAddr().String()}
	zone := map[string]string{
		"www.example.test. A":              "www.example.test. 60 IN A 192.0.2.10",
		"alias.example.test. A":            "alias.example.test. 60 IN CNAME www.example.test.\nwww.example.test. 60 IN A 192.0.2.10",
		"db.internal.test. A":              "db.internal.test. 60 IN A 192.0.2.20",
		"xn--bcher-kva.example.test. A":    "xn--bcher-kva.example.test. 60 IN A 192.0.2.30",
		"10.2.0.192.in-addr.arpa. PTR":     "10.2.0.192.in-addr.arpa. 60 IN PTR www.example.test.",
		"30.2.0.192.in-addr.arpa. PTR":     "30.2.0.192.in-addr.arpa. 60 IN PTR xn--bcher-kva.example.test.",
		"v6only.example.test. AAAA":        "v6only.example.test. 60 IN AAAA 2001:db8::1",
		"v6only.example.test. A":           "",
		"www.example.test. AAAA":           "",
		"db.internal.test. AAAA":           "",
		"xn--bcher-kva.example.test. AAAA": "",
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		s.queries.Add(1)
		q := r.Question[0]
		if strings.HasPrefix(q.Name, "slow.") {
			return
		}
		m := new(mdns.Msg)
		m.SetReply(r)
		records, ok := zone[q.Name+" "+mdns.TypeToString[q.Qtype]]
		if !ok {
			m.Rcode = mdns.RcodeNameError
		}
		for _, line := range strings.Split(records, "\n") {
			if line != "" {
				rr, err := mdns.NewRR(line)
				if err != nil {
					panic(err)
				}
				m.Answer = append(m.Answer, rr)
			}
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return s
}

func run(t *testing.T, opts O, in string) (string, bool) {
	t.Helper()
	f := mustFilter(t, "dns", opts)
	e := plugintest.Event(t, in)
	matched, _ := f.Call(e)
	return plugintest.Data(e), matched
}

// Expectations follow logstash-filter-dns 3.2.0 (docs and spec): append
// makes a list of the value and the result, replace overwrites (a list
// stays a list), a miss or a non-string ends the filter unmatched, a
// missing field is skipped.
func TestResolveAndReverse(t *testing.T) {
	s := startServer(t)
	ns := H{"address", []any{s.addr}}
	cases := []struct {
		name    string
		opts    O
		in      string
		want    string
		matched bool
	}{
		{"append", O{"resolve": []any{"host"}}, `{"host":"www.example.test"}`, `{"host":["www.example.test","192.0.2.10"]}`, true},
		{"replace", O{"resolve": []any{"host"}, "action": "replace"}, `{"host":"www.example.test"}`, `{"host":"192.0.2.10"}`, true},
		{"replace keeps a list", O{"resolve": []any{"host"}, "action": "replace"}, `{"host":["www.example.test"]}`, `{"host":["192.0.2.10"]}`, true},
		{"append to a list", O{"resolve": []any{"host"}}, `{"host":["www.example.test"]}`, `{"host":["www.example.test","192.0.2.10"]}`, true},
		{"CNAME followed", O{"resolve": []any{"host"}, "action": "replace"}, `{"host":"alias.example.test"}`, `{"host":"192.0.2.10"}`, true},
		{"IPv6 only", O{"resolve": []any{"host"}, "action": "replace"}, `{"host":"v6only.example.test"}`, `{"host":"2001:db8::1"}`, true},
		{"IDN names encoded", O{"resolve": []any{"host"}, "action": "replace"}, `{"host":"bücher.example.test"}`, `{"host":"192.0.2.30"}`, true},
		{"reverse", O{"reverse": []any{"ip"}, "action": "replace"}, `{"ip":"192.0.2.10"}`, `{"ip":"www.example.test"}`, true},
		{"reverse decodes IDN", O{"reverse": []any{"ip"}, "action": "replace"}, `{"ip":"192.0.2.30"}`, `{"ip":"bücher.example.test"}`, true},
		{"search domain", O{"resolve": []any{"host"}, "action": "replace", "nameserver": H{"address", s.addr, "search", []any{"internal.test"}}}, `{"host":"db"}`, `{"host":"192.0.2.20"}`, true},
		{"no answer", O{"resolve": []any{"host"}}, `{"host":"nope.example.test"}`, `{"host":"nope.example.test"}`, false},
		{"not an address", O{"reverse": []any{"ip"}}, `{"ip":"www"}`, `{"ip":"www"}`, false},
		{"several values", O{"resolve": []any{"host"}}, `{"host":["a","b"]}`, `{"host":["a","b"]}`, false},
		{"not a string", O{"resolve": []any{"host"}}, `{"host":5}`, `{"host":5}`, false},
		{"missing field skipped", O{"resolve": []any{"gone", "host"}, "action": "replace"}, `{"host":"www.example.test"}`, `{"host":"192.0.2.10"}`, true},
		{"a failure stops the later fields", O{"resolve": []any{"bad", "host"}, "action": "replace"}, `{"bad":"nope.test","host":"www.example.test"}`, `{"bad":"nope.test","host":"www.example.test"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := O{"nameserver": ns}
			for k, v := range c.opts {
				opts[k] = v
			}
			got, matched := run(t, opts, c.in)
			if got != c.want || matched != c.matched {
				t.Errorf("got %s (matched %v), want %s (matched %v)", got, matched, c.want, c.matched)
			}
		})
	}
}

func TestTimeoutTagsAndRetries(t *testing.T) {
	s := startServer(t)
	got, matched := run(t, O{"resolve": []any{"host"}, "nameserver": s.addr, "timeout": 0.05, "max_retries": 1, "tag_on_timeout": []any{"slow_dns"}},
		`{"host":"slow.example.test"}`)
	if got != `{"host":"slow.example.test","tags":["slow_dns"]}` || matched {
		t.Errorf("got %s matched %v", got, matched)
	}
	if n := s.queries.Load(); n != 2 {
		t.Errorf("%d queries, want 2 (one retry)", n)
	}
}

func TestCaches(t *testing.T) {
	s := startServer(t)
	f := mustFilter(t, "dns", O{"resolve": []any{"host"}, "nameserver": s.addr, "action": "replace",
		"hit_cache_size": 10, "failed_cache_size": 10})
	for range 3 {
		f.Call(plugintest.Event(t, `{"host":"www.example.test"}`))
		f.Call(plugintest.Event(t, `{"host":"nope.example.test"}`))
	}
	// One A query for the hit; A and AAAA for the miss (each candidate).
	if n := s.queries.Load(); n != 3 {
		t.Errorf("%d queries, want 3 (later lookups come from the caches)", n)
	}
}

func TestCacheExpiry(t *testing.T) {
	c := newTTLCache(2, time.Minute)
	now := time.Unix(0, 0)
	c.now = func() time.Time { return now }
	c.set("a", "1")
	c.set("b", "2")
	c.get("a")
	c.set("c", "3") // evicts b, the least recently used
	if _, ok := c.get("b"); ok {
		t.Error("b should be evicted")
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("a"); ok {
		t.Error("a should have expired")
	}
}

func TestHostsFile(t *testing.T) {
	hosts := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(hosts, []byte("# comment\n10.1.1.1  app.local app  # trailing\n::1 six.local\n"), 0o644)
	got, matched := run(t, O{"resolve": []any{"a", "b"}, "reverse": []any{"ip"}, "hostsfile": []any{hosts}, "action": "replace"},
		`{"a":"app","b":"six.local","ip":"10.1.1.1"}`)
	if got != `{"a":"10.1.1.1","b":"::1","ip":"app.local"}` || !matched {
		t.Errorf("got %s matched %v", got, matched)
	}
}

func TestNameserverOptionErrors(t *testing.T) {
	for _, ns := range []any{
		H{"search", []any{"x"}},
		H{"address", []any{}},
		H{"address", "1.1.1.1", "search", []any{"a", "b", "c", "d", "e", "f", "g"}},
		H{"address", "1.1.1.1", "ndots", 0},
		H{"address", "1.1.1.1", "port", 53},
	} {
		if _, err := newFilter(t, "dns", O{"resolve": []any{"h"}, "nameserver": ns}, ""); err == "" {
			t.Errorf("nameserver %v: want a config error", ns)
		}
	}
}

// O are a filter block's options: values are strings, numbers, booleans,
// lists ([]any) and hashes (H).
type O map[string]any

// H is a config hash: key, value, key, value...
type H []any

func confValue(v any) string {
	switch t := v.(type) {
	case string:
		return plugintest.Quote(t)
	case int:
		return fmt.Sprint(t)
	case float64:
		return fmt.Sprint(t)
	case bool:
		return fmt.Sprint(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = confValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case H:
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i+1 < len(t); i += 2 {
			b.WriteString(" " + confValue(t[i]) + " => " + confValue(t[i+1]))
		}
		return b.String() + " }"
	}
	panic(fmt.Sprintf("unsupported option value %T", v))
}

// filterText is the filter block with opts, in key order.
func filterText(name string, opts O) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + confValue(opts[k]))
	}
	return b.String() + " }"
}

// newFilter builds the filter, or returns its config error as text.
func newFilter(t *testing.T, name string, opts O, ecs string) (*plugintest.BuiltFilter, string) {
	t.Helper()
	f, err := plugintest.TryFilter(t, filterText(name, opts), plugintest.ECS(ecs))
	if err != nil {
		return nil, err.Error()
	}
	return f, ""
}

func mustFilter(t *testing.T, name string, opts O) *plugintest.BuiltFilter {
	t.Helper()
	return plugintest.Filter(t, filterText(name, opts))
}
