package esclient

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// normalize is what New does with the configured hosts.
func normalize(hosts []*url.URL, hs HostSettings) ([]Endpoint, error) {
	t, err := newTemplate(hosts, hs)
	if err != nil {
		return nil, err
	}
	var out []Endpoint
	for _, h := range hosts {
		out = append(out, t.endpoint(h, hs.Parameters))
	}
	return out, nil
}

func mustHosts(t *testing.T, raw ...string) []*url.URL {
	t.Helper()
	var out []*url.URL
	for _, r := range raw {
		u, err := ParseHost(r)
		if err != nil {
			t.Fatalf("ParseHost(%q): %v", r, err)
		}
		out = append(out, u)
	}
	return out
}

func TestHostNormalization(t *testing.T) {
	params := event.NewMap(1)
	params.Set("pretty", "true")
	cases := []struct {
		name  string
		hosts []string
		hs    HostSettings
		want  []string // Endpoint.URL("/_bulk")
	}{
		{"bare host gets http and 9200", []string{"127.0.0.1"}, HostSettings{}, []string{"http://127.0.0.1:9200/_bulk"}},
		{"Logstash's default //127.0.0.1", []string{"//127.0.0.1"}, HostSettings{}, []string{"http://127.0.0.1:9200/_bulk"}},
		{"host:port", []string{"localhost:9201"}, HostSettings{}, []string{"http://localhost:9201/_bulk"}},
		{"TLS on gives https", []string{"es1"}, HostSettings{Scheme: "https"}, []string{"https://es1:9200/_bulk"}},
		{"URL path kept", []string{"http://proxy:80/es/"}, HostSettings{}, []string{"http://proxy:80/es/_bulk"}},
		{"path option", []string{"h"}, HostSettings{Path: "/es/"}, []string{"http://h:9200/es/_bulk"}},
		{"first URL's port is everyone's default", []string{"a:9300", "b"}, HostSettings{}, []string{"http://a:9300/_bulk", "http://b:9300/_bulk"}},
		{"parameters added", []string{"http://h:9200/?x=1"}, HostSettings{Parameters: params}, []string{"http://h:9200/_bulk?x=1&pretty=true"}},
		{"IPv6", []string{"[::1]:9200"}, HostSettings{}, []string{"http://[::1]:9200/_bulk"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eps, err := normalize(mustHosts(t, c.hosts...), c.hs)
			if err != nil {
				t.Fatal(err)
			}
			for i, ep := range eps {
				if got := ep.URL("/_bulk"); got != c.want[i] {
					t.Errorf("host %d: got %s, want %s", i, got, c.want[i])
				}
			}
		})
	}
}

func TestHostNormalizationConflicts(t *testing.T) {
	cases := []struct {
		name  string
		hosts []string
		hs    HostSettings
		want  string
	}{
		{"path in URL and option differ", []string{"http://h:9200/a"}, HostSettings{Path: "/b"}, "Explicit value for 'path' was declared"},
		{"user in URL and option differ", []string{"http://alice:pw@h:9200"}, HostSettings{User: "bob", Password: "x"}, "Explicit value for 'user' was declared"},
		{"sniffing needs one scheme", []string{"http://a", "https://b"}, HostSettings{Sniffing: true}, "Cannot have multiple values for scheme"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := normalize(mustHosts(t, c.hosts...), c.hs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestEndpointCredentials(t *testing.T) {
	eps, err := normalize(mustHosts(t, "http://alice:s%40cret@h:9200"), HostSettings{})
	if err != nil {
		t.Fatal(err)
	}
	ep := eps[0]
	if ep.User != "alice" || ep.Password != "s@cret" {
		t.Fatalf("credentials %q/%q", ep.User, ep.Password)
	}
	if s := ep.String(); strings.Contains(s, "cret") || !strings.Contains(s, "alice:xxxxxx@") {
		t.Fatalf("String() shows %s", s)
	}
	if u := ep.URL("/"); strings.Contains(u, "alice") {
		t.Fatalf("URL() carries credentials: %s", u)
	}
}

func TestParseHostRejects(t *testing.T) {
	for _, raw := range []string{"ftp://h", "http://", "://x"} {
		if _, err := ParseHost(raw); err == nil {
			t.Errorf("ParseHost(%q) accepted", raw)
		}
	}
}
