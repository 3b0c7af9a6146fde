package rabbitmq_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/rabbitmqtest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

const timeout = 60 * time.Second

func decode(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("not JSON: %q: %v", line, err)
	}
	return m
}

// Messages an independent client (pika) publishes come out as events: JSON
// bodies decoded by the default codec, a bad body tagged, and with
// metadata_enabled the headers and properties under @metadata. Each
// message is acknowledged once printed, so the queue is empty afterwards.
func TestConsumesWhatAnotherClientPublished(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue, exchange := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue, Exchange: exchange, Type: "topic", Key: "app.#"})
	b.Publish(t,
		rabbitmqtest.Message{Exchange: exchange, Key: "app.web", Body: `{"n":1,"msg":"first"}`,
			Properties: map[string]any{"content_type": "application/json", "headers": map[string]any{"origin": "pika", "hops": 2},
				"app_id": "tests", "priority": 4, "timestamp": 1700000000, "delivery_mode": 2}},
		rabbitmqtest.Message{Exchange: exchange, Key: "app.db", Body: `{"n":2}`},
		rabbitmqtest.Message{Exchange: exchange, Key: "app.db", Body: `{not json`},
	)
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q passive => true metadata_enabled => "basic" } }
output { stdout { codec => json_lines } }
filter { mutate { copy => { "[@metadata][rabbitmq_headers]" => "headers" "[@metadata][rabbitmq_properties]" => "props" } } }`,
		b.Host(), queue), "-w", "1")
	got := g.WaitStdout(t, 3, timeout)
	first, second, bad := decode(t, got[0]), decode(t, got[1]), decode(t, got[2])
	if first["msg"] != "first" || first["n"] != 1.0 || second["n"] != 2.0 {
		t.Errorf("decoded events:\n%s\n%s", got[0], got[1])
	}
	if h := first["headers"].(map[string]any); h["origin"] != "pika" || h["hops"] != 2.0 {
		t.Errorf("headers %v", h)
	}
	props := first["props"].(map[string]any)
	for k, want := range map[string]any{"content-type": "application/json", "app-id": "tests", "priority": 4.0,
		"timestamp": 1700000000.0, "delivery-mode": 2.0, "exchange": exchange, "routing-key": "app.web"} {
		if props[k] != want {
			t.Errorf("property %s = %v, want %v (all: %v)", k, props[k], want, props)
		}
	}
	if _, ok := props["redeliver"]; ok {
		t.Errorf("redeliver is set on a first delivery: %v", props)
	}
	if !strings.HasPrefix(fmt.Sprint(props["consumer-tag"]), "gostash-ctag-") {
		t.Errorf("consumer-tag %v", props["consumer-tag"])
	}
	if p := second["props"].(map[string]any); len(second["headers"].(map[string]any)) != 0 || p["routing-key"] != "app.db" || p["content-type"] != nil {
		t.Errorf("second event's metadata: %s", got[1])
	}
	if bad["message"] != "{not json" || !strings.Contains(fmt.Sprint(bad["tags"]), "_jsonparsefailure") {
		t.Errorf("bad JSON became %s", got[2])
	}
	if err := g.Stop(t); err != nil {
		t.Fatalf("gostash: %v\n%s", err, g.Stderr())
	}
	if n := b.Count(t, queue); n != 0 {
		t.Errorf("%d messages left in the queue after they were printed", n)
	}
}

// The input declares its queue, exchange and binding itself; extended
// metadata carries the raw payload.
func TestDeclaresTopologyAndAddsPayload(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue, exchange := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q exchange => %q exchange_type => "direct" key => "k1"
  auto_delete => true metadata_enabled => "extended" codec => plain arguments => { "x-max-length" => 100 } } }
filter { mutate { copy => { "[@metadata][rabbitmq_payload]" => "payload" } } }
output { stdout { codec => json_lines } }`, b.Host(), queue, exchange))
	g.WaitStderr(t, "Declaring exchange '"+exchange+"' with type direct", timeout)
	// The binding exists once the consumer is up; publish until it routes.
	deadline := time.Now().Add(timeout)
	for len(g.Stdout()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing consumed:\n%s", g.Stderr())
		}
		b.Publish(t, rabbitmqtest.Message{Exchange: exchange, Key: "k1", Body: "plain text"})
		time.Sleep(200 * time.Millisecond)
	}
	e := decode(t, g.Stdout()[0])
	if e["message"] != "plain text" || e["payload"] != "plain text" {
		t.Errorf("event %v", e)
	}
	g.Stop(t)
}

// With ack (the default) a message is acknowledged only after its events
// went through the outputs: gostash killed while the output is stuck leaves
// every message to be delivered again.
func TestUnfinishedMessagesAreDeliveredAgainAfterACrash(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue := rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue})
	var msgs []rabbitmqtest.Message
	for i := range 5 {
		msgs = append(msgs, rabbitmqtest.Message{Key: queue, Body: fmt.Sprintf(`{"n":%d}`, i)})
	}
	b.Publish(t, msgs...)
	// A FIFO nobody reads: the file output blocks opening it, so no event
	// ever finishes.
	fifo := filepath.Join(t.TempDir(), "stuck")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q passive => true } }
output { file { path => %q } stdout { codec => dots } }`, b.Host(), queue, fifo))
	b.WaitCount(t, queue, 0, timeout) // all delivered to gostash, none acknowledged
	g.Kill(t)
	got := b.Get(t, queue, 5, 10*time.Second)
	if len(got) != 5 {
		t.Fatalf("%d of 5 messages back in the queue after the crash", len(got))
	}
	for _, m := range got {
		if !m.Redelivered {
			t.Errorf("message %s not marked redelivered", m.Body)
		}
	}
	if _, err := os.Stat(fifo); err != nil {
		t.Fatal(err)
	}
}

// With ack => false the server forgets each message as it sends it (Logstash's
// behaviour without acknowledgements): a crash loses them.
func TestWithoutAckACrashLosesTheMessages(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue := rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue})
	b.Publish(t, rabbitmqtest.Message{Key: queue, Body: `{"n":1}`}, rabbitmqtest.Message{Key: queue, Body: `{"n":2}`})
	fifo := filepath.Join(t.TempDir(), "stuck")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q passive => true ack => false } }
output { file { path => %q } }`, b.Host(), queue, fifo))
	b.WaitCount(t, queue, 0, timeout)
	g.Kill(t)
	if got := b.Get(t, queue, 2, 2*time.Second); len(got) != 0 {
		t.Errorf("ack => false, yet %d messages came back", len(got))
	}
}

// A passive declaration of a queue that does not exist is retried, and the
// input consumes once the queue appears.
func TestPassiveQueueIsWaitedFor(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue := rabbitmqtest.Name(t)
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q passive => true connect_retry_interval => 0.2 } }
output { stdout { codec => json_lines } }`, b.Host(), queue))
	g.WaitStderr(t, "Error while setting up connection, will retry", timeout)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue})
	b.Publish(t, rabbitmqtest.Message{Key: queue, Body: `{"late":true}`})
	if e := decode(t, g.WaitStdout(t, 1, timeout)[0]); e["late"] != true {
		t.Errorf("event %v", e)
	}
	g.Stop(t)
}

// A queue deleted under the consumer cancels it; as in Logstash, the input
// then stops, and a pipeline with no other input ends.
func TestDeletedQueueStopsTheInput(t *testing.T) {
	b := rabbitmqtest.Require(t)
	queue := rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: queue})
	b.Publish(t, rabbitmqtest.Message{Key: queue, Body: `{"n":1}`})
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { rabbitmq { host => %q queue => %q passive => true } }
output { stdout { codec => json_lines } }`, b.Host(), queue))
	g.WaitStdout(t, 1, timeout)
	b.Delete(t, queue)
	if err := g.Wait(t, timeout); err != nil {
		t.Fatalf("gostash: %v\n%s", err, g.Stderr())
	}
	if log := g.Stderr(); !strings.Contains(log, "Received cancellation, shutting down") {
		t.Errorf("log:\n%s", log)
	}
}
