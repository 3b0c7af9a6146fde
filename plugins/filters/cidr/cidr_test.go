package cidr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow Ruby's IPAddr as the plugin uses it
// (spec/filters-wave2.md §9 cidr).
func TestCIDR(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		matched bool
	}{
		{"in a CIDR network", `address => ["%{ip}"] network => ["192.168.0.0/16"]`, `{"ip":"192.168.4.5"}`, true},
		{"outside", `address => ["%{ip}"] network => ["192.168.0.0/16"]`, `{"ip":"192.169.0.1"}`, false},
		{"netmask form", `address => ["%{ip}"] network => ["10.0.0.0/255.255.255.0"]`, `{"ip":"10.0.0.200"}`, true},
		{"host bits are masked", `address => ["%{ip}"] network => ["10.0.0.77/24"]`, `{"ip":"10.0.0.1"}`, true},
		{"comma-separated networks, stripped", `address => ["%{ip}"] network => ["1.0.0.0/8, 2001:db8::/32"]`, `{"ip":"2001:db8::5"}`, true},
		{"families do not mix", `address => ["%{ip}"] network => ["::ffff:0:0/96"]`, `{"ip":"1.2.3.4"}`, false},
		{"a bad address is skipped", `address => ["nope", "%{ip}"] network => ["bad", "1.0.0.0/8"]`, `{"ip":"1.1.1.1"}`, true},
		{"leading zeros are refused", `address => ["%{ip}"] network => ["1.0.0.0/8"]`, `{"ip":"01.1.1.1"}`, false},
		{"address field list", `address_field => "ips" network => ["1.0.0.0/8"]`, `{"ips":["9.9.9.9","1.2.3.4"]}`, true},
		{"missing address field", `address_field => "ips" network => ["1.0.0.0/8"]`, `{}`, false},
		{"network from the event", `address => ["%{ip}"] network => ["%{net}"]`, `{"ip":"1.2.3.4","net":"1.2.0.0/16"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "cidr { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			if matched, _ := f.Call(e); matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}

func TestCIDRNetworkFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nets")
	os.WriteFile(p, []byte("10.0.0.0/8;172.16.0.0/12"), 0o644)
	f := plugintest.Filter(t, `cidr { address => ["%{ip}"] network_path => `+plugintest.Quote(p)+` separator => ";" }`)
	for ip, want := range map[string]bool{"172.20.1.1": true, "11.0.0.1": false} {
		e := plugintest.Event(t, `{"ip":"`+ip+`"}`)
		if matched, _ := f.Call(e); matched != want {
			t.Errorf("%s: matched = %v", ip, matched)
		}
	}
}

func TestCIDRConfigErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nets")
	os.WriteFile(p, []byte("10.0.0.0/8"), 0o644)
	for _, c := range []struct {
		config string
		want   string
	}{
		{`network => ["1.0.0.0/8"] network_path => ` + plugintest.Quote(p), "The configuration options 'network' and 'network_path' are mutually exclusive"},
		{`address => ["a"] address_field => "b"`, "The configuration options 'address' and 'address_field' are mutually exclusive"},
	} {
		if _, err := plugintest.TryFilter(t, "cidr { "+c.config+" }"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %q", c.config, err)
		}
	}
}
