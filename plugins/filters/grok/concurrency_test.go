package grok

import (
	"sync"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// TestConcurrentWorkers runs one grok and one date instance from several
// goroutines, as pipeline workers do (run with -race).
func TestConcurrentWorkers(t *testing.T) {
	g := plugintest.Filter(t, `grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }`).Plugin
	d := plugintest.Filter(t, `date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }`).Plugin
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				e := event.NewEvent()
				e.Data().Set("message", apacheLine)
				if !g.Filter(e, nil) || !d.Filter(e, nil) {
					t.Error("apache line did not parse")
					return
				}
				if ts, _ := e.Timestamp(); ts.String() != "2015-05-17T10:05:03.000Z" {
					t.Errorf("@timestamp = %s", ts)
					return
				}
			}
		}()
	}
	wg.Wait()
}
