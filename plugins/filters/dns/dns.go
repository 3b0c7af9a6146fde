// Package dns is Logstash's dns filter: it replaces or extends fields
// holding host names with their first address (resolve) and fields holding
// addresses with their first name (reverse).
package dns

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optReverse         = plugin.Strings("reverse").Doc("Fields holding an IP address to replace (or extend, see `action`) with its host name.")
	optResolve         = plugin.Strings("resolve").Doc("Fields holding a host name to replace (or extend) with its first address.")
	optAction          = plugin.Enum("action", "append", "replace").Default("append").Doc("`append` keeps the value and adds the result (the field becomes a list); `replace` overwrites it.")
	optNameserver      = plugin.Any("nameserver").Doc("Nameservers to ask instead of /etc/resolv.conf's: a hash with `address` (one or more; `ip:port` picks a port other than 53), optional `search` (at most 6 domains) and `ndots`, or just the addresses.").Example(`{ address => ["8.8.8.8"] search => ["internal.net"] }`)
	optTimeout         = plugin.Float("timeout").Default(0.5).Doc("Seconds to wait for a nameserver's answer.")
	optMaxRetries      = plugin.Int("max_retries").Default(2).Doc("How many times a lookup that timed out is tried again.")
	optHitCacheSize    = plugin.Int("hit_cache_size").Default(0).Doc("How many successful lookups to remember (0: none).")
	optHitCacheTTL     = plugin.Float("hit_cache_ttl").Default(60).Doc("Seconds a successful lookup is remembered.")
	optFailedCacheSize = plugin.Int("failed_cache_size").Default(0).Doc("How many failed lookups (no answer, timeout) to remember and skip (0: none).")
	optFailedCacheTTL  = plugin.Float("failed_cache_ttl").Default(5).Doc("Seconds a failed lookup is remembered.")
	optHostsfile       = plugin.Strings("hostsfile").Doc("Hosts files to look names up in before the system's hosts file and DNS.")
	optTagOnTimeout    = plugin.StringList("tag_on_timeout").Default([]string{"_dnstimeout"}).Doc("Tags added when a lookup times out.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "dns",
			Summary: "Looks host names up (resolve) and addresses back (reverse) in hosts files and DNS.",
			Options: []plugin.Declared{optReverse, optResolve, optAction, optNameserver, optTimeout, optMaxRetries,
				optHitCacheSize, optHitCacheTTL, optFailedCacheSize, optFailedCacheTTL, optHostsfile, optTagOnTimeout},
		},
		New: newDNS,
	})
}

type dnsFilter struct {
	log        *slog.Logger
	resolve    []field
	reverse    []field
	replace    bool
	chain      []lookup
	maxRetries int
	hits       *ttlCache
	failures   *ttlCache
	timeoutTag []string
	idna       *idna.Profile
}

type field struct {
	name string
	ref  event.FieldRef
}

func newDNS(s *plugin.Settings) (plugin.Filter, error) {
	f := &dnsFilter{log: s.Logger(), replace: optAction.Get(s) == "replace", maxRetries: int(optMaxRetries.Get(s)),
		timeoutTag: optTagOnTimeout.Get(s), idna: idna.New(idna.MapForLookup(), idna.Transitional(true), idna.StrictDomainName(false))}
	var err error
	if f.resolve, err = fields(s, optResolve); err != nil {
		return nil, err
	}
	if f.reverse, err = fields(s, optReverse); err != nil {
		return nil, err
	}
	timeout := time.Duration(optTimeout.Get(s) * float64(time.Second))
	if timeout <= 0 {
		return nil, optTimeout.Errorf(s, "timeout must be positive")
	}
	for _, path := range optHostsfile.Get(s) {
		h, err := readHosts(path)
		if err != nil {
			return nil, optHostsfile.Errorf(s, "%v", err)
		}
		f.chain = append(f.chain, h)
	}
	system, err := readHosts("/etc/hosts")
	if err != nil {
		return nil, err
	}
	f.chain = append(f.chain, system)
	switch {
	case optNameserver.IsSet(s):
		servers, search, ndots, err := nameservers(optNameserver.Get(s))
		if err != nil {
			return nil, optNameserver.Errorf(s, "%v", err)
		}
		f.chain = append(f.chain, newDNSLookup(servers, search, ndots, timeout))
	case !optHostsfile.IsSet(s):
		d, err := systemDNS(timeout)
		if err != nil {
			return nil, err
		}
		f.chain = append(f.chain, d)
	}
	if n := optHitCacheSize.Get(s); n > 0 {
		f.hits = newTTLCache(int(n), seconds(optHitCacheTTL.Get(s)))
	}
	if n := optFailedCacheSize.Get(s); n > 0 {
		f.failures = newTTLCache(int(n), seconds(optFailedCacheTTL.Get(s)))
	}
	return f, nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func fields(s *plugin.Settings, opt plugin.Opt[[]string]) ([]field, error) {
	var out []field
	for _, name := range opt.Get(s) {
		ref, err := event.ParseFieldRef(name)
		if err != nil {
			return nil, opt.Errorf(s, "%v", err)
		}
		out = append(out, field{name, ref})
	}
	return out, nil
}

// nameservers reads the nameserver option: a hash {address, search,
// ndots} or one or more addresses.
func nameservers(v any) (servers, search []string, ndots int, err error) {
	m, isHash := v.(*event.Map)
	if !isHash {
		if l, ok := v.([]any); ok && len(l) == 1 {
			m, isHash = l[0].(*event.Map)
		}
	}
	var address any = v
	ndots = 1
	if isHash {
		rest := m.Clone()
		var ok bool
		if address, ok = rest.Delete("address"); !ok || address == nil {
			return nil, nil, 0, fmt.Errorf("DNS Filter: `nameserver` hash must include `address` (got `%s`)", describe(v))
		}
		if sv, ok := rest.Delete("search"); ok {
			search = strList(sv)
		}
		if len(search) > 6 {
			return nil, nil, 0, fmt.Errorf("DNS Filter: A maximum of 6 `search` domains are accepted (got `%s`)", describe(v))
		}
		if nv, ok := rest.Delete("ndots"); ok {
			n, err := strconv.Atoi(event.ValueString(nv))
			if err != nil {
				return nil, nil, 0, fmt.Errorf("invalid value for Integer(): %q", event.ValueString(nv))
			}
			if n <= 0 {
				return nil, nil, 0, fmt.Errorf("DNS Filter: `ndots` must be positive (got `%s`)", describe(v))
			}
			ndots = n
		}
		if rest.Len() > 0 {
			return nil, nil, 0, fmt.Errorf("Unknown `nameserver` argument(s): %s", describe(rest))
		}
	}
	for _, a := range strList(address) {
		host, port := a, "53"
		if h, p, err := net.SplitHostPort(a); err == nil {
			host, port = h, p
		}
		servers = append(servers, net.JoinHostPort(host, port))
	}
	if len(servers) == 0 {
		return nil, nil, 0, fmt.Errorf("DNS Filter: `nameserver` addresses, when specified, cannot be empty (got `%s`)", describe(v))
	}
	return servers, search, ndots, nil
}

func strList(v any) []string {
	var out []string
	switch t := v.(type) {
	case []any:
		for _, it := range t {
			out = append(out, event.ValueString(it))
		}
	case nil:
	default:
		out = append(out, event.ValueString(t))
	}
	return out
}

func describe(v any) string { return string(event.AppendJSON(nil, v)) }

// ipLiteral is Resolv::AddressRegex: an IPv4 or IPv6 literal.
var ipLiteral = regexp.MustCompile(`^(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:%\S+)?)$`)

// Filter resolves, then reverses, each configured field. A field that is
// missing is skipped; anything else that keeps a field from being looked
// up (several values, not a string, no answer, a timeout) ends the filter
// for the event without it matching.
func (f *dnsFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	for _, fl := range f.resolve {
		if !f.lookupField(e, fl, false) {
			return false
		}
	}
	for _, fl := range f.reverse {
		if !f.lookupField(e, fl, true) {
			return false
		}
	}
	return true
}

func (f *dnsFilter) lookupField(e *event.Event, fl field, reverse bool) bool {
	verb := "resolve"
	if reverse {
		verb = "reverse"
	}
	raw, ok := e.GetRef(fl.ref)
	if !ok || raw == nil {
		if reverse {
			f.log.Warn("DNS filter could not perform reverse lookup on missing field", slog.String("field", fl.name))
		} else {
			f.log.Warn("DNS filter could not resolve missing field", slog.String("field", fl.name))
		}
		return true
	}
	isList := false
	value := raw
	if l, ok := raw.([]any); ok {
		isList = true
		if len(l) > 1 {
			f.log.Warn(fmt.Sprintf("DNS: skipping %s, can't deal with multiple values", verb), slog.String("field", fl.name), slog.String("value", describe(raw)))
			return false
		}
		value = nil
		if len(l) == 1 {
			value = l[0]
		}
	}
	text, ok := value.(string)
	if !ok {
		f.log.Warn(fmt.Sprintf("DNS: skipping %s, can't deal with non-string values", verb), slog.String("field", fl.name), slog.String("value", describe(raw)))
		return false
	}
	if reverse && !ipLiteral.MatchString(text) {
		f.log.Debug("DNS: not an address", slog.String("field", fl.name), slog.String("value", describe(raw)))
		return false
	}
	if f.failures != nil {
		if _, failed := f.failures.get(text); failed {
			return false
		}
	}
	result, err := f.cached(text, reverse)
	if err != nil {
		if f.failures != nil && errors.Is(err, errTimeout) {
			f.failures.set(text, "")
		}
		switch {
		case errors.Is(err, errTimeout):
			msg := "DNS: timeout on resolving the hostname."
			if reverse {
				msg = "DNS: timeout on resolving address."
			}
			f.log.Debug(msg, slog.String("field", fl.name), slog.String("value", text))
			for _, t := range f.timeoutTag {
				e.Tag(t)
			}
		case errors.Is(err, errBadName):
			f.log.Error("DNS: Unable to parse address.", slog.String("field", fl.name), slog.String("value", text), slog.String("message", err.Error()))
		default:
			f.log.Error("DNS: Unexpected Error.", slog.String("field", fl.name), slog.String("value", text), slog.String("message", err.Error()))
		}
		return false
	}
	if result == "" {
		if f.failures != nil {
			f.failures.set(text, "")
		}
		what := "hostname"
		if reverse {
			what = "address"
		}
		f.log.Debug(fmt.Sprintf("DNS: couldn't resolve the %s.", what), slog.String("field", fl.name), slog.String("value", text))
		return false
	}
	switch {
	case f.replace && isList:
		_ = e.SetRef(fl.ref, []any{result})
	case f.replace:
		_ = e.SetRef(fl.ref, result)
	case isList:
		_ = e.SetRef(fl.ref, append(append([]any(nil), raw.([]any)...), result))
	default:
		_ = e.SetRef(fl.ref, []any{raw, result})
	}
	return true
}

var errBadName = errors.New("invalid name")

// cached looks a value up through the hit cache; "" means no answer.
func (f *dnsFilter) cached(text string, reverse bool) (string, error) {
	if f.hits != nil {
		if v, ok := f.hits.get(text); ok {
			return v, nil
		}
	}
	var result string
	var err error
	for try := 0; ; try++ {
		if reverse {
			result, err = f.name(text)
		} else {
			result, err = f.address(text)
		}
		if err == nil || !errors.Is(err, errTimeout) || try >= f.maxRetries {
			break
		}
	}
	if err == nil && result != "" && f.hits != nil {
		f.hits.set(text, result)
	}
	return result, err
}

// address is the first address of a name (encoded to ASCII for IDN).
func (f *dnsFilter) address(name string) (string, error) {
	ascii, err := f.idna.ToASCII(name)
	if err != nil || labelTooLong(ascii) {
		return "", fmt.Errorf("%w: %s", errBadName, name)
	}
	for _, l := range f.chain {
		a, ok, err := l.address(ascii)
		if err != nil {
			return "", err
		}
		if ok {
			return a, nil
		}
	}
	return "", nil
}

func labelTooLong(name string) bool {
	for _, l := range strings.Split(name, ".") {
		if len(l) > 63 {
			return true
		}
	}
	return false
}

// name is the first name of an address (decoded to Unicode for IDN).
func (f *dnsFilter) name(addr string) (string, error) {
	for _, l := range f.chain {
		n, ok, err := l.name(addr)
		if err != nil {
			return "", err
		}
		if ok {
			if u, err := f.idna.ToUnicode(n); err == nil {
				return u, nil
			}
			return n, nil
		}
	}
	return "", nil
}
