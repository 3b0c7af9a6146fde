package rabbitmq_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	"github.com/gostash/gostash/plugins/inputs/rabbitmq"
	"github.com/gostash/gostash/plugins/internal/inputtest"
	"github.com/gostash/gostash/plugins/internal/rabbitmqtest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Acknowledgements cover several deliveries at once, but never one whose
// events are still in the pipeline: with the third of five events held,
// releasing the others acknowledges only the first two, and after the
// input stops the server delivers the third and those after it again.
// In-process, so that the race detector sees the acknowledgement path.
func TestAcknowledgesOnlyHandledPrefixes(t *testing.T) {
	b := rabbitmqtest.Require(t)
	rabbitmq.SetDrainTimeout(100 * time.Millisecond)
	t.Cleanup(func() { rabbitmq.SetDrainTimeout(10 * time.Second) })
	queue := rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue})
	var msgs []rabbitmqtest.Message
	for i := range 5 {
		msgs = append(msgs, rabbitmqtest.Message{Key: queue, Body: fmt.Sprintf(`{"n":%d}`, i)})
	}
	b.Publish(t, msgs...)

	in := plugintest.Input(t, fmt.Sprintf(`rabbitmq { host => %q queue => %q passive => true prefetch_count => 10 }`, b.Host(), queue))
	r := in.StartHolding()
	events := r.WaitFor(5)
	for i, e := range events {
		if got := inputtest.Field(e, "n"); got != fmt.Sprint(i) {
			t.Fatalf("event %d has n %s", i, got)
		}
	}
	// Released from several goroutines at once, as pipeline workers do.
	done := make(chan struct{})
	for _, i := range []int{4, 0, 1, 3} {
		go func() { events[i].Release(); done <- struct{}{} }()
	}
	for range 4 {
		<-done
	}
	r.Stop()

	got := b.Get(t, queue, 5, 3*time.Second)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, m.Body)
		if !m.Redelivered {
			t.Errorf("%s is not marked redelivered", m.Body)
		}
	}
	slices.Sort(bodies)
	if want := []string{`{"n":2}`, `{"n":3}`, `{"n":4}`}; !slices.Equal(bodies, want) {
		t.Errorf("delivered again: %v, want %v", bodies, want)
	}
	events[2].Release()
}
