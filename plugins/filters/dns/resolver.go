package dns

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// errTimeout is a lookup that no nameserver answered in time.
var errTimeout = errors.New("DNS resolv timeout")

// lookup is one source of answers: a hosts file or DNS. found is false
// when it has no answer (and the next source is asked).
type lookup interface {
	address(name string) (addr string, found bool, err error)
	name(addr string) (host string, found bool, err error)
}

// hostsFile is a hosts(5) file: "address name aliases...", # comments.
type hostsFile struct {
	byName map[string]string
	byAddr map[string]string
}

func readHosts(path string) (*hostsFile, error) {
	h := &hostsFile{byName: map[string]string{}, byAddr: map[string]string{}}
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return h, nil
		}
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		addr, _, _ := strings.Cut(fields[0], "%")
		if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
			addr = ip.String()
		}
		if _, seen := h.byAddr[addr]; !seen {
			h.byAddr[addr] = fields[1]
		}
		for _, n := range fields[1:] {
			if _, seen := h.byName[n]; !seen {
				h.byName[n] = addr
			}
		}
	}
	return h, sc.Err()
}

func (h *hostsFile) address(name string) (string, bool, error) {
	a, ok := h.byName[name]
	return a, ok, nil
}

func (h *hostsFile) name(addr string) (string, bool, error) {
	n, ok := h.byAddr[addr]
	return n, ok, nil
}

// dnsLookup asks nameservers, as Ruby's Resolv::DNS: each candidate name
// (the name and its search-domain expansions) in turn, each nameserver in
// turn within the timeout; an NXDOMAIN moves to the next candidate.
type dnsLookup struct {
	servers []string // host:port
	search  []string
	ndots   int
	client  *mdns.Client
}

func newDNSLookup(servers, search []string, ndots int, timeout time.Duration) *dnsLookup {
	return &dnsLookup{servers: servers, search: search, ndots: ndots,
		client: &mdns.Client{Net: "udp", Timeout: timeout}}
}

// systemDNS reads /etc/resolv.conf's nameservers, search domains and ndots.
func systemDNS(timeout time.Duration) (*dnsLookup, error) {
	cfg, err := mdns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return newDNSLookup([]string{"127.0.0.1:53"}, nil, 1, timeout), nil
	}
	var servers []string
	for _, s := range cfg.Servers {
		servers = append(servers, net.JoinHostPort(s, cfg.Port))
	}
	return newDNSLookup(servers, cfg.Search, max(cfg.Ndots, 1), timeout), nil
}

// candidates are the names tried for name, as Resolv::DNS::Config
// generates them.
func (d *dnsLookup) candidates(name string) []string {
	if strings.HasSuffix(name, ".") {
		return []string{name}
	}
	var out []string
	if strings.Count(name, ".") >= d.ndots {
		out = append(out, name+".")
	}
	for _, s := range d.search {
		out = append(out, name+"."+strings.TrimSuffix(s, ".")+".")
	}
	full := name + "."
	for _, c := range out {
		if c == full {
			return out
		}
	}
	return append(out, full)
}

// query asks each nameserver until one answers; all timing out is
// errTimeout.
func (d *dnsLookup) query(qname string, qtype uint16) (*mdns.Msg, error) {
	m := new(mdns.Msg)
	m.SetQuestion(qname, qtype)
	m.RecursionDesired = true
	var lastErr error
	for _, server := range d.servers {
		r, _, err := d.client.Exchange(m, server)
		if err == nil {
			return r, nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			lastErr = errTimeout
			continue
		}
		lastErr = err
	}
	if lastErr == nil {
		lastErr = errors.New("no nameserver")
	}
	return nil, lastErr
}

// answers follows CNAMEs from qname and returns the records of type qtype.
func answers(r *mdns.Msg, qname string, qtype uint16) []mdns.RR {
	names := map[string]bool{strings.ToLower(qname): true}
	for changed := true; changed; {
		changed = false
		for _, rr := range r.Answer {
			if c, ok := rr.(*mdns.CNAME); ok && names[strings.ToLower(c.Hdr.Name)] && !names[strings.ToLower(c.Target)] {
				names[strings.ToLower(c.Target)] = true
				changed = true
			}
		}
	}
	var out []mdns.RR
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == qtype && names[strings.ToLower(rr.Header().Name)] {
			out = append(out, rr)
		}
	}
	return out
}

func (d *dnsLookup) resolve(name string, qtypes []uint16, pick func(mdns.RR) string) (string, bool, error) {
	for _, qtype := range qtypes {
		for _, cand := range d.candidates(name) {
			r, err := d.query(cand, qtype)
			if err != nil {
				return "", false, err
			}
			if r.Rcode == mdns.RcodeNameError {
				continue
			}
			if r.Rcode != mdns.RcodeSuccess {
				return "", false, fmt.Errorf("DNS error %s for %s", mdns.RcodeToString[r.Rcode], cand)
			}
			if rrs := answers(r, cand, qtype); len(rrs) > 0 {
				return pick(rrs[0]), true, nil
			}
			break
		}
	}
	return "", false, nil
}

func (d *dnsLookup) address(name string) (string, bool, error) {
	return d.resolve(name, []uint16{mdns.TypeA, mdns.TypeAAAA}, func(rr mdns.RR) string {
		switch t := rr.(type) {
		case *mdns.A:
			return t.A.String()
		case *mdns.AAAA:
			return t.AAAA.String()
		}
		return ""
	})
}

func (d *dnsLookup) name(addr string) (string, bool, error) {
	rev, err := mdns.ReverseAddr(addr)
	if err != nil {
		return "", false, err
	}
	return d.resolve(rev, []uint16{mdns.TypePTR}, func(rr mdns.RR) string {
		return strings.TrimSuffix(rr.(*mdns.PTR).Ptr, ".")
	})
}
