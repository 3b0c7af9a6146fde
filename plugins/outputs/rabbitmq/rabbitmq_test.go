package rabbitmq_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/rabbitmqtest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

const timeout = 90 * time.Second

// Events published by gostash are read back by an independent client
// (pika): routed by the sprintf key, JSON bodies from the default codec,
// persistent, with the message properties templated per event.
func TestPublishesWhatAnotherClientReads(t *testing.T) {
	b := rabbitmqtest.Require(t)
	exchange, qa, qb := rabbitmqtest.Name(t), rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t,
		rabbitmqtest.Binding{Queue: qa, Durable: true, Exchange: exchange, Type: "direct", Key: "svc-a"},
		rabbitmqtest.Binding{Queue: qb, Durable: true, Exchange: exchange, Key: "svc-b"})
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { generator { lines => ['{"svc":"a","n":1,"prio":"7"}', '{"svc":"b","n":2,"prio":"1"}', '{"svc":"a","n":3,"prio":"12abc"}'] count => 1 codec => json } }
output { rabbitmq { host => %q exchange => %q exchange_type => "direct" key => "svc-%%{svc}"
  message_properties => { "content_type" => "application/json" "priority" => "%%{prio}" "app_id" => "gostash"
    "headers" => { "origin" => "test" "n" => 5 } } } }`, b.Host(), exchange), "-w", "1")
	if err := g.Wait(t, timeout); err != nil {
		t.Fatalf("gostash: %v\n%s", err, g.Stderr())
	}
	a := b.Get(t, qa, 2, 5*time.Second)
	bb := b.Get(t, qb, 1, 5*time.Second)
	if len(a) != 2 || len(bb) != 1 {
		t.Fatalf("queue a got %d, queue b %d messages, want 2 and 1", len(a), len(bb))
	}
	want := map[string]struct {
		queue, prio string
	}{"1": {"svc-a", "7"}, "3": {"svc-a", "12"}, "2": {"svc-b", "1"}}
	for _, m := range append(a, bb...) {
		var body map[string]any
		if err := json.Unmarshal([]byte(m.Body), &body); err != nil {
			t.Fatalf("body %q: %v", m.Body, err)
		}
		n := fmt.Sprint(body["n"])
		w := want[n]
		if m.RoutingKey != w.queue || m.Exchange != exchange {
			t.Errorf("event %s routed %s/%s, want %s", n, m.Exchange, m.RoutingKey, w.queue)
		}
		p := m.Properties
		if fmt.Sprint(p["priority"]) != w.prio || p["content_type"] != "application/json" || p["app_id"] != "gostash" || p["delivery_mode"] != 2.0 {
			t.Errorf("event %s properties %v", n, p)
		}
		if h, _ := p["headers"].(map[string]any); h["origin"] != "test" || h["n"] != 5.0 {
			t.Errorf("event %s headers %v", n, p["headers"])
		}
		if body["@timestamp"] != goldencase.Now {
			t.Errorf("body %s", m.Body)
		}
	}
}

// persistent => false publishes transient messages (delivery mode 1).
func TestTransientMessages(t *testing.T) {
	b := rabbitmqtest.Require(t)
	exchange, q := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: q, Exchange: exchange, Type: "fanout"})
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { generator { count => 2 message => "m" } }
output { rabbitmq { host => %q exchange => %q exchange_type => "fanout" durable => false persistent => false codec => plain { format => "%%{message}-%%{[event][sequence]}" } } }`,
		b.Host(), exchange))
	if err := g.Wait(t, timeout); err != nil {
		t.Fatalf("gostash: %v\n%s", err, g.Stderr())
	}
	got := b.Get(t, q, 2, 5*time.Second)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, m.Body)
		if m.Properties["delivery_mode"] != 1.0 {
			t.Errorf("delivery mode %v", m.Properties["delivery_mode"])
		}
	}
	slices.Sort(bodies)
	if strings.Join(bodies, ",") != "m-0,m-1" {
		t.Errorf("bodies %v", bodies)
	}
}

// An exchange that exists with another type is refused by the server when
// the output declares it: the pipeline does not start, as in Logstash.
func TestExchangeOfAnotherTypeStopsThePipeline(t *testing.T) {
	b := rabbitmqtest.Require(t)
	exchange, q := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: q, Durable: true, Exchange: exchange, Type: "fanout"})
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input { generator { count => 1 } }
output { rabbitmq { host => %q exchange => %q exchange_type => "topic" } }`, b.Host(), exchange))
	if err := g.Wait(t, timeout); err == nil {
		t.Fatalf("gostash exited 0\n%s", g.Stderr())
	}
	if log := g.Stderr(); !strings.Contains(log, "Could not declare exchange") || !strings.Contains(log, "PRECONDITION_FAILED") {
		t.Errorf("log:\n%s", log)
	}
}

// A broker restart in the middle of a stream loses nothing either way: the
// output holds its batches back while the broker is down and publishes them
// (confirmed) once it is back; the input reconnects and consumes what was
// published after the restart. The test runs its own node, so that the
// other packages' tests keep theirs.
func TestBrokerRestartMidStream(t *testing.T) {
	b := rabbitmqtest.NewNode(t)
	exchange, out, in := rabbitmqtest.Name(t), rabbitmqtest.Name(t), rabbitmqtest.Name(t)
	b.Declare(t, rabbitmqtest.Binding{Queue: out, Durable: true, Exchange: exchange, Type: "direct", Key: "k"},
		rabbitmqtest.Binding{Queue: in, Durable: true})
	g := rabbitmqtest.StartGostash(t, fmt.Sprintf(`
input {
  stdin { codec => line }
  rabbitmq { host => %[1]q queue => %[3]q durable => true connect_retry_interval => 0.5 codec => plain add_field => { "from" => "broker" } }
}
output {
  if [from] == "broker" { stdout { codec => line { format => "%%{message}" } } }
  else { rabbitmq { host => %[1]q exchange => %[2]q exchange_type => "direct" key => "k" connect_retry_interval => 0.5 codec => line { format => "%%{message}" } } }
}`, b.Host(), exchange, in), "-w", "1", "-b", "10")
	stdinLines := func(from, to int) {
		for i := from; i < to; i++ {
			fmt.Fprintf(g.Stdin, "out-%d\n", i)
		}
	}
	publish := func(from, to int) {
		var msgs []rabbitmqtest.Message
		for i := from; i < to; i++ {
			msgs = append(msgs, rabbitmqtest.Message{Key: in, Body: "in-" + strconv.Itoa(i), Properties: map[string]any{"delivery_mode": 2}})
		}
		b.Publish(t, msgs...)
	}

	stdinLines(0, 50)
	publish(0, 50)
	b.WaitCount(t, out, 50, timeout)
	g.WaitStdout(t, 50, timeout)

	b.Stop(t)
	g.WaitStderr(t, "RabbitMQ connection was closed", timeout)
	stdinLines(50, 100) // held back by the output while the broker is down
	b.Start(t)
	publish(50, 100)
	stdinLines(100, 150)
	g.Stdin.Close()

	b.WaitCount(t, out, 150, timeout)
	got := g.WaitStdout(t, 100, timeout)
	if err := g.Stop(t); err != nil {
		t.Fatalf("gostash: %v\n%s", err, g.Stderr())
	}
	seen := map[string]bool{}
	for _, l := range got {
		seen[l] = true
	}
	for i := range 100 {
		if !seen["in-"+strconv.Itoa(i)] {
			t.Errorf("in-%d was not consumed", i)
		}
	}
	published := map[string]bool{}
	for _, m := range b.Get(t, out, 1000, 3*time.Second) {
		published[strings.TrimSuffix(m.Body, "\n")] = true
	}
	for i := range 150 {
		if !published["out-"+strconv.Itoa(i)] {
			t.Errorf("out-%d was not published", i)
		}
	}
}
