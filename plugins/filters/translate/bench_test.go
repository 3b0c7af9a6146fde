package translate

import (
	"strconv"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
	"github.com/gostash/gostash/runtime/event"
)

// BenchmarkTranslate looks codes up in a 10,000-entry dictionary: nine
// values in ten are keys (hits), the rest take the fallback. The filter
// has no cache; "hit%" is the share of events the dictionary translated.
func BenchmarkTranslate(b *testing.B) {
	for _, c := range []struct {
		name string
		opts O
	}{
		{"exact", O{}},
		{"regex", O{"regex": true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			dict := H{}
			n := 10000
			if c.name == "regex" {
				n = 100 // every key is tried in turn, as in Logstash
			}
			for i := range n {
				dict = append(dict, "^code"+strconv.Itoa(i)+"$", "name"+strconv.Itoa(i))
			}
			if c.name == "exact" {
				for i := 0; i < len(dict); i += 2 {
					k := dict[i].(string)
					dict[i] = k[1 : len(k)-1]
				}
			}
			opts := O{"source": "code", "target": "name", "dictionary": dict, "fallback": "unknown"}
			for k, v := range c.opts {
				opts[k] = v
			}
			f, err := filtertest.New("translate", opts, "")
			if err != "" {
				b.Fatal(err)
			}
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
