package geoip

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkGeoIP looks up addresses spread over the test City database's
// networks (all found), ECS layout, with the default cache of 1000
// records; "hit%" is the record cache's hit rate over the run.
func BenchmarkGeoIP(b *testing.B) {
	f := plugintest.Filter(b, `geoip { source => "[source][ip]" database => "testcases/city-ecs/GeoLite2-City.mmdb" }`, plugintest.ECS("v8")).Plugin
	g := f.(*geoIP)
	ips := make([]string, 256)
	for i := range ips {
		switch i % 3 {
		case 0:
			ips[i] = netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}).String()
		case 1:
			ips[i] = netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}).String()
		default:
			ips[i] = fmt.Sprintf("2001:db8:1::%x", i)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := event.NewEvent()
		src := event.NewMap(1)
		src.Set("ip", ips[i%len(ips)])
		e.Data().Set("source", src)
		i++
		if !g.Filter(e, nil) {
			b.Fatalf("%s not found", ips[(i-1)%len(ips)])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	hits, misses := g.cache.hits.Load(), g.cache.misses.Load()
	b.ReportMetric(100*float64(hits)/float64(hits+misses), "hit%")
}
