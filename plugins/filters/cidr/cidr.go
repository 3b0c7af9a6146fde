// Package cidr is Logstash's cidr filter: it matches when an address lies
// in one of a list of networks (the filter writes nothing itself; its
// add_tag and add_field decorations do).
package cidr

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optAddress         = plugin.Strings("address").Default([]string{}).Doc("Addresses to check (sprintf'd).")
	optAddressField    = plugin.FieldRef("address_field").Doc("A field holding the address or a list of addresses; exclusive with address.")
	optNetwork         = plugin.Strings("network").Default([]string{}).Doc("Networks in CIDR or address/netmask form (sprintf'd; an entry may hold several, separated by commas).")
	optNetworkPath     = plugin.Path("network_path").Doc("A file of networks, split by separator; exclusive with network.")
	optRefreshInterval = plugin.Float("refresh_interval").Default(600).Doc("Seconds after which network_path is read again, when the next event comes.")
	optSeparator       = plugin.String("separator").Default("\n").Doc("What separates the networks in network_path.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "cidr",
			Summary: "Matches events whose address lies in one of the given networks.",
			Options: []plugin.Declared{optAddress, optAddressField, optNetwork, optNetworkPath, optRefreshInterval, optSeparator},
			Examples: []plugin.Example{{
				Title: "Tag private addresses",
				Config: `input { stdin { } }
filter {
  cidr { address => ["%{message}"] network => ["10.0.0.0/8", "192.168.0.0/255.255.0.0,fc00::/7"] add_tag => ["private"] }
  mutate { remove_field => ["event", "host", "@version", "@timestamp"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  "10.1.2.3\n8.8.8.8\nfd00::1\n",
				Output: `{"message":"10.1.2.3","tags":["private"]}` + "\n" + `{"message":"8.8.8.8"}` + "\n" + `{"message":"fd00::1","tags":["private"]}` + "\n",
			}},
		},
		New: newCIDR,
	})
}

type cidr struct {
	log          *slog.Logger
	address      []*event.Template
	addressField *event.FieldRef
	network      []*event.Template

	// The networks read from network_path, and when to read it again.
	path        string
	separator   string
	refresh     time.Duration
	mu          sync.RWMutex
	fileList    []string
	nextRefresh time.Time
}

func newCIDR(s *plugin.Settings) (plugin.Filter, error) {
	f := &cidr{log: s.Logger(), separator: optSeparator.Get(s),
		refresh: time.Duration(optRefreshInterval.Get(s) * float64(time.Second))}
	if optNetworkPath.IsSet(s) && len(optNetwork.Get(s)) > 0 {
		return nil, optNetworkPath.Errorf(s, "The configuration options 'network' and 'network_path' are mutually exclusive")
	}
	if optAddressField.IsSet(s) && len(optAddress.Get(s)) > 0 {
		return nil, optAddressField.Errorf(s, "The configuration options 'address' and 'address_field' are mutually exclusive")
	}
	compile := func(opt plugin.Opt[[]string]) ([]*event.Template, error) {
		var out []*event.Template
		for _, a := range opt.Get(s) {
			t, err := event.CompileTemplate(a)
			if err != nil {
				return nil, opt.Errorf(s, "%v", err)
			}
			out = append(out, t)
		}
		return out, nil
	}
	var err error
	if f.address, err = compile(optAddress); err != nil {
		return nil, err
	}
	if f.network, err = compile(optNetwork); err != nil {
		return nil, err
	}
	if optAddressField.IsSet(s) {
		ref, _ := event.ParseFieldRef(optAddressField.Get(s))
		f.addressField = &ref
	}
	if optNetworkPath.IsSet(s) {
		f.path = optNetworkPath.Get(s)
		f.nextRefresh = time.Now().Add(f.refresh)
		if err := f.load(); err != nil {
			return nil, optNetworkPath.Errorf(s, "The file containing the network list is invalid, please check the separator character or permissions for the file.")
		}
	}
	return f, nil
}

// load reads network_path; an empty file keeps the list it had.
func (f *cidr) load() error {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return err
	}
	list := ruby.Split(string(data), f.separator)
	if len(list) > 0 {
		f.fileList = list
	}
	return nil
}

// parseIP is Ruby's IPAddr.new: an address, optionally with a /prefix or
// /netmask, IPv6 possibly in brackets; a network keeps only its prefix bits.
func parseIP(s string) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(s, "/")
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		addr = addr[1 : len(addr)-1]
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("invalid address: %s", s)
	}
	bits := ip.BitLen()
	if hasMask {
		if m, err := netip.ParseAddr(mask); err == nil {
			if bits, err = maskBits(m, ip.BitLen()); err != nil {
				return netip.Prefix{}, fmt.Errorf("invalid mask: %s", s)
			}
		} else if n, ok := decimal(mask); ok && n <= ip.BitLen() {
			bits = n
		} else {
			return netip.Prefix{}, fmt.Errorf("invalid prefix: %s", s)
		}
	}
	return ip.Prefix(bits)
}

func decimal(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// maskBits is the prefix length of a contiguous netmask.
func maskBits(m netip.Addr, bitLen int) (int, error) {
	if m.BitLen() != bitLen {
		return 0, fmt.Errorf("mask family")
	}
	b := m.AsSlice()
	n := 0
	for i, x := range b {
		for bit := 7; bit >= 0; bit-- {
			if x&(1<<bit) != 0 {
				if n != i*8+(7-bit) {
					return 0, fmt.Errorf("non-contiguous mask")
				}
				n++
			}
		}
	}
	return n, nil
}

// Filter matches when any address is in any network.
func (f *cidr) Filter(e *event.Event, _ func(*event.Event)) bool {
	var addrs []netip.Prefix
	for _, a := range f.addresses(e) {
		p, err := parseIP(a)
		if err != nil {
			f.log.Warn("Invalid IP address, skipping", slog.String("address", a), slog.String("event", ruby.Inspect(e.Data())))
			continue
		}
		addrs = append(addrs, p)
	}
	var networks []netip.Prefix
	for _, n := range f.networks(e) {
		p, err := parseIP(n)
		if err != nil {
			f.log.Warn("Invalid IP network, skipping", slog.String("network", n), slog.String("event", ruby.Inspect(e.Data())))
			continue
		}
		networks = append(networks, p)
	}
	for _, a := range addrs {
		for _, n := range networks {
			if n.Addr().Is4() == a.Addr().Is4() && n.Contains(a.Addr()) {
				return true
			}
		}
	}
	return false
}

func (f *cidr) addresses(e *event.Event) []string {
	if f.addressField == nil {
		out := make([]string, len(f.address))
		for i, t := range f.address {
			out[i] = t.Render(e)
		}
		return out
	}
	v, _ := e.GetRef(*f.addressField)
	var out []string
	switch t := v.(type) {
	case nil:
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		out = append(out, t)
	}
	return out
}

// networks are the configured ones (stripped), or the file's as they are,
// read again once the refresh interval has passed.
func (f *cidr) networks(e *event.Event) []string {
	if f.path == "" {
		var out []string
		for _, t := range f.network {
			for _, n := range strings.Split(t.Render(e), ",") {
				out = append(out, ruby.Strip(n))
			}
		}
		return out
	}
	f.mu.RLock()
	due := time.Now().After(f.nextRefresh)
	list := f.fileList
	f.mu.RUnlock()
	if due {
		f.mu.Lock()
		if time.Now().After(f.nextRefresh) {
			if err := f.load(); err != nil {
				f.log.Error("Error while opening/parsing the file")
			}
			f.nextRefresh = time.Now().Add(f.refresh)
		}
		list = f.fileList
		f.mu.Unlock()
	}
	return list
}
