// Package esclient is the HTTP client the Elasticsearch-family plugins share
// (the elasticsearch and opensearch outputs, the elasticsearch input and
// filter): host URLs normalized as Logstash's plugins normalize them, a
// pool of URLs with health checks, resurrection and sniffing, basic, API-key
// and cloud authentication, TLS from PEM, JKS or PKCS12 files, and the
// errors the plugins tell apart (unreachable host, no live host, bad status).
package esclient

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// hostPortPattern matches a bare "host", "host:port" or "[v6]:port", which
// Logstash's SafeURI reads as a network path ("//host:port").
var hostPortPattern = regexp.MustCompile(`\A(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(?::\d+)?\z`)

// ParseHost reads one configured host the way Logstash's :uri validator
// does: a bare host[:port] or a URL with scheme, userinfo, path and query.
func ParseHost(raw string) (*url.URL, error) {
	s := raw
	if hostPortPattern.MatchString(s) {
		s = "//" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid URI %q: %v", raw, err)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("invalid URI %q: it names no host", raw)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("Bad scheme '%s' found should be one of http/https", u.Scheme)
	}
	return u, nil
}

// HostSettings are the options that shape every host URL.
type HostSettings struct {
	// Scheme is "https" or "http" when TLS was decided (ssl_enabled, or an
	// https host), "" to take it from the URLs.
	Scheme string
	// User and Password are the configured credentials, used for hosts
	// whose URL carries none.
	User, Password string
	// Path is the `path` option: a prefix for every request.
	Path string
	// Parameters are added to every request's query string.
	Parameters *event.Map
	// Sniffing requires all hosts to agree on scheme, credentials, path
	// and port, since sniffed nodes get the same.
	Sniffing bool
	// DefaultPort is used when neither the URLs nor a template give one.
	DefaultPort int
}

// Endpoint is one normalized host: where requests go and with which
// credentials.
type Endpoint struct {
	Scheme string
	// Host is host:port.
	Host string
	// Path is the prefix every request path is appended to ("/" at least).
	Path string
	// Query is added to every request (the URL's own and `parameters`).
	Query          string
	User, Password string
}

// template is what Logstash's HttpClient derives from all configured URLs
// before normalizing each (calculate_property): the first URL's value of
// each part, checked against the explicit option.
type template struct {
	scheme, user, password, path, port string
}

func newTemplate(hosts []*url.URL, hs HostSettings) (template, error) {
	var t template
	var err error
	pick := func(property, explicit string, of func(*url.URL) string) string {
		if err != nil {
			return ""
		}
		var values []string
		seen := map[string]bool{}
		for _, h := range hosts {
			v := of(h)
			if !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
		if hs.Sniffing && len(values) > 1 {
			err = fmt.Errorf("Cannot have multiple values for %s in hosts when sniffing is enabled!", property)
			return ""
		}
		first := ""
		if len(values) > 0 {
			first = values[0]
		}
		if explicit != "" && first != "" && explicit != first {
			shown, shownExplicit := first, explicit
			if property == "password" {
				shown, shownExplicit = "xxxxxx", "xxxxxx"
			}
			err = fmt.Errorf("Explicit value for '%s' was declared, but it is different in one of the URLs given! Please make sure your URLs are inline with explicit values. The URLs have the property set to '%s', but it was also set to '%s' explicitly", property, shown, shownExplicit)
			return ""
		}
		if first != "" {
			return first
		}
		return explicit
	}
	t.user = pick("user", hs.User, func(u *url.URL) string { return u.User.Username() })
	t.password = pick("password", hs.Password, func(u *url.URL) string { p, _ := u.User.Password(); return p })
	t.path = pick("path", hs.Path, func(u *url.URL) string {
		// A bare "/" is no path: it means the root, as no path does.
		if u.Path == "/" {
			return ""
		}
		return u.Path
	})
	if t.path != "" && !strings.HasPrefix(t.path, "/") {
		t.path = "/" + t.path
	}
	t.scheme = pick("scheme", hs.Scheme, func(u *url.URL) string { return u.Scheme })
	t.port = pick("port", "", func(u *url.URL) string { return u.Port() })
	if err != nil {
		return t, err
	}
	if t.port == "" {
		port := hs.DefaultPort
		if port == 0 {
			port = 9200
		}
		t.port = strconv.Itoa(port)
	}
	return t, nil
}

// endpoint normalizes one configured host as Logstash's host_to_url does:
// scheme from TLS settings (else the first URL's, else http), port from
// the URL (else the first URL that has one, else 9200), path from the URL
// (else `path`, else "/"), credentials from the URL (else user/password),
// and `parameters` merged into the query.
func (t template) endpoint(h *url.URL, parameters *event.Map) Endpoint {
	ep := Endpoint{Scheme: t.scheme, User: t.user, Password: t.password}
	if ep.Scheme == "" {
		ep.Scheme = "http"
	}
	if u := h.User.Username(); u != "" {
		ep.User = u
	}
	if p, ok := h.User.Password(); ok && p != "" {
		ep.Password = p
	}
	if ep.User == "" || ep.Password == "" {
		ep.User, ep.Password = "", ""
	}
	port := h.Port()
	if port == "" {
		port = t.port
	}
	host := h.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	ep.Host = host + ":" + port
	switch {
	case h.Path != "" && h.Path != "/":
		ep.Path = h.Path
	case t.path != "":
		ep.Path = t.path
	default:
		ep.Path = "/"
	}
	ep.Query = mergeQuery(h.RawQuery, parameters)
	return ep
}

// mergeQuery adds parameters to a URL's query, a parameter replacing a
// query key of the same name; values are written as given, unescaped, as
// Logstash does.
func mergeQuery(query string, parameters *event.Map) string {
	if parameters == nil || parameters.Len() == 0 {
		return query
	}
	type pair struct{ k, v string }
	var pairs []pair
	index := map[string]int{}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		if i, ok := index[k]; ok {
			pairs[i].v = v
			continue
		}
		index[k] = len(pairs)
		pairs = append(pairs, pair{k, v})
	}
	var out []string
	emitted := map[string]bool{}
	for _, p := range pairs {
		if v, ok := parameters.Get(p.k); ok {
			if !emitted[p.k] {
				out = append(out, paramPairs(p.k, v)...)
				emitted[p.k] = true
			}
			continue
		}
		out = append(out, p.k+"="+p.v)
	}
	parameters.Range(func(k string, v any) bool {
		if !emitted[k] {
			out = append(out, paramPairs(k, v)...)
		}
		return true
	})
	return strings.Join(out, "&")
}

func paramPairs(k string, v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, len(l))
		for i, it := range l {
			out[i] = k + "=" + event.ValueString(it)
		}
		return out
	}
	return []string{k + "=" + event.ValueString(v)}
}

// URL is the request URL for path (which may carry its own query) on ep:
// ep's path and path joined with duplicate slashes collapsed, the queries
// joined.
func (ep Endpoint) URL(path string) string {
	p, q, _ := strings.Cut(path, "?")
	full := collapseSlashes(ep.Path + "/" + p)
	var b strings.Builder
	b.WriteString(ep.Scheme)
	b.WriteString("://")
	b.WriteString(ep.Host)
	b.WriteString(full)
	sep := byte('?')
	for _, part := range []string{ep.Query, q} {
		if part != "" {
			b.WriteByte(sep)
			b.WriteString(part)
			sep = '&'
		}
	}
	return b.String()
}

// String is the endpoint as logs show it: the password masked as
// Logstash's SafeURI masks it.
func (ep Endpoint) String() string {
	var b strings.Builder
	b.WriteString(ep.Scheme)
	b.WriteString("://")
	if ep.User != "" {
		b.WriteString(url.UserPassword(ep.User, "xxxxxx").String())
		b.WriteByte('@')
	}
	b.WriteString(ep.Host)
	b.WriteString(ep.Path)
	if ep.Query != "" {
		b.WriteByte('?')
		b.WriteString(ep.Query)
	}
	return b.String()
}

// collapseSlashes replaces each run of slashes with one.
func collapseSlashes(p string) string {
	if !strings.Contains(p, "//") {
		return p
	}
	var b strings.Builder
	prev := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' && prev {
			continue
		}
		prev = c == '/'
		b.WriteByte(c)
	}
	return b.String()
}

// JoinPath is Logstash's dedup_slashes("/" + parts joined by "/").
func JoinPath(parts ...string) string {
	return collapseSlashes("/" + strings.Join(parts, "/"))
}
