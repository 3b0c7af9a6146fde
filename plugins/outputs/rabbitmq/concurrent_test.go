package rabbitmq_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	"github.com/gostash/gostash/plugins/internal/rabbitmqtest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Pipeline workers call Output at once: each batch gets a channel of its
// own and returns only when the server confirmed all of it. In-process, so
// that the race detector sees the channel pool.
func TestConcurrentBatchesAreAllConfirmed(t *testing.T) {
	b := rabbitmqtest.Require(t)
	exchange, q := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: q, Durable: true, Exchange: exchange, Type: "topic", Key: "#"})
	out := plugintest.Output(t, fmt.Sprintf(`rabbitmq { host => %q exchange => %q exchange_type => "topic" key => "w.%%{w}" }`, b.Host(), exchange))
	if s, ok := out.Plugin.(plugin.Starter); ok {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	const workers, batches, size = 4, 5, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := range workers {
		wg.Go(func() {
			for i := range batches {
				events := make([]*event.Event, size)
				for j := range events {
					events[j] = plugintest.Event(t, fmt.Sprintf(`{"w":%d,"i":%d}`, w, i*size+j))
				}
				errs <- out.Output(events...)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b.WaitCount(t, q, workers*batches*size, 30*time.Second)
}
