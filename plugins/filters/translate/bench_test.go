package translate

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkTranslate looks codes up in a 10,000-entry dictionary: nine
// values in ten are keys (hits), the rest take the fallback. The filter
// has no cache; "hit%" is the share of events the dictionary translated.
func BenchmarkTranslate(b *testing.B) {
	for _, c := range []struct {
		name   string
		config string
	}{
		{"exact", ``},
		{"regex", `regex => true`},
	} {
		b.Run(c.name, func(b *testing.B) {
			n := 10000
			if c.name == "regex" {
				n = 100 // every key is tried in turn, as in Logstash
			}
			var dict strings.Builder
			for i := range n {
				key := "code" + strconv.Itoa(i)
				if c.name == "regex" {
					key = "^" + key + "$"
				}
				fmt.Fprintf(&dict, " %q => \"name%d\"", key, i)
			}
			f := plugintest.Filter(b, `translate { source => "code" target => "name" dictionary => {`+dict.String()+` } fallback => "unknown" `+c.config+` }`).Plugin
			codes := make([]string, 1000)
			for i := range codes {
				if i%10 == 9 {
					codes[i] = "missing" + strconv.Itoa(i)
				} else {
					codes[i] = "code" + strconv.Itoa(i*7%n)
				}
			}
			hits := 0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := event.NewEvent()
				e.Data().Set("code", codes[i%len(codes)])
				i++
				f.Filter(e, nil)
				if v, _ := e.Get("name"); v != "unknown" {
					hits++
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(100*float64(hits)/float64(b.N), "hit%")
		})
	}
}
