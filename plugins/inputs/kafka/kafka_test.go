package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/gostash/gostash/plugins/inputs/kafka"
	"github.com/gostash/gostash/plugins/inputs/kafka/kafkatest"
	_ "github.com/gostash/gostash/plugins/outputs/kafka"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func build(t *testing.T, opts map[string]any) plugin.Input {
	t.Helper()
	if _, ok := opts["codec"]; !ok {
		opts["codec"] = kafkatest.CodecName
	}
	p, err := kafkatest.Build(plugin.KindInput, "kafka", opts)
	if err != nil {
		t.Fatal(err)
	}
	return p.(plugin.Input)
}

// run starts the input and returns a stop function that cancels it and
// waits for Run to return.
func run(t *testing.T, in plugin.Input, out plugin.Emitter) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, out) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30s of cancellation")
		}
	}
	t.Cleanup(stop)
	return stop
}

func metaString(e *event.Event, field string) string {
	v, ok := e.Get("[@metadata][kafka][" + field + "]")
	if !ok {
		return "<absent>"
	}
	return fmt.Sprint(v)
}

func TestDecorateEventsExtended(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 2)
	kafkatest.Produce(t, brokers, topic,
		&sarama.ProducerMessage{Partition: 0, Key: sarama.StringEncoder("k1"), Value: sarama.StringEncoder("hello"),
			Headers: []sarama.RecordHeader{{Key: []byte("h1"), Value: []byte("v1")}, {Key: []byte("bad"), Value: []byte{0xff, 0xfe}}}},
		&sarama.ProducerMessage{Partition: 1, Value: sarama.StringEncoder("no key")},
	)
	in := build(t, map[string]any{
		"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
		"auto_offset_reset": "earliest", "decorate_events": "extended",
	})
	var out kafkatest.Collector
	run(t, in, &out)
	events := out.WaitFor(t, 2, 30*time.Second)
	byMessage := map[string]*event.Event{}
	for _, e := range events {
		m, _ := e.Get("message")
		byMessage[fmt.Sprint(m)] = e
	}
	hello, nokey := byMessage["hello"], byMessage["no key"]
	if hello == nil || nokey == nil {
		t.Fatalf("events: %v", byMessage)
	}
	meta, _ := hello.Get("[@metadata][kafka]")
	m := meta.(*event.Map)
	if got := strings.Join(m.Keys(), ","); got != "topic,consumer_group,partition,offset,key,timestamp,headers" {
		t.Errorf("metadata keys %s", got)
	}
	for field, want := range map[string]string{"topic": topic, "consumer_group": topic, "partition": "0", "offset": "0", "key": "k1", "[headers][h1]": "v1", "[headers][bad]": "<absent>"} {
		if got := metaString(hello, field); got != want {
			t.Errorf("hello [@metadata][kafka]%s = %q, want %q", field, got, want)
		}
	}
	if v, _ := nokey.Get("[@metadata][kafka][key]"); v != nil {
		t.Errorf("a record without key has key %v", v)
	}
	if v, _ := nokey.Get("[@metadata][kafka][partition]"); v != int64(1) {
		t.Errorf("partition %#v", v)
	}
	ts, _ := hello.Get("[@metadata][kafka][timestamp]")
	if ms, ok := ts.(int64); !ok || time.Since(time.UnixMilli(ms)) > time.Minute || time.Since(time.UnixMilli(ms)) < 0 {
		t.Errorf("timestamp %#v is not a recent epoch-millisecond long", ts)
	}
	if nokey.Includes("[@metadata][kafka][headers]") {
		t.Error("a record without headers got [@metadata][kafka][headers]")
	}
}

func TestDecorateEventsModes(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("x"),
		Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte("v")}}})
	for mode, want := range map[string]string{"none": "<absent>", "false": "<absent>", "basic": topic, "true": topic} {
		t.Run(mode, func(t *testing.T) {
			in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic},
				"group_id": topic + mode, "auto_offset_reset": "earliest", "decorate_events": mode})
			var out kafkatest.Collector
			run(t, in, &out)
			e := out.WaitFor(t, 1, 30*time.Second)[0]
			if got := metaString(e, "topic"); got != want {
				t.Errorf("topic metadata %q, want %q", got, want)
			}
			if e.Includes("[@metadata][kafka][headers]") {
				t.Error("headers are only added by extended")
			}
		})
	}
}

// committed returns the group's committed offset of partition 0, -1 if none.
func committed(t *testing.T, brokers, group, topic string) int64 {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(strings.Split(brokers, ","), kafkatest.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0}})
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		// kfake's answer for a group that has not joined yet; Kafka answers -1.
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	if b := resp.GetBlock(topic, 0); b != nil {
		return b.Offset
	}
	return -1
}

func waitCommitted(t *testing.T, brokers, group, topic string, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := committed(t, brokers, group, topic)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("committed offset %d, want %d", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The input commits an offset only when the record and every record before
// it went through the whole pipeline.
func TestCommitsOnlyContiguousHandledOffsets(t *testing.T) {
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("enable_auto_commit=%v", auto), func(t *testing.T) {
			brokers := kafkatest.Brokers(t)
			topic := kafkatest.Topic(t, brokers, 1)
			var msgs []*sarama.ProducerMessage
			for i := range 10 {
				msgs = append(msgs, &sarama.ProducerMessage{Value: sarama.StringEncoder(fmt.Sprint(i))})
			}
			kafkatest.Produce(t, brokers, topic, msgs...)
			in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
				"auto_offset_reset": "earliest", "enable_auto_commit": auto, "auto_commit_interval_ms": 100})
			out := &kafkatest.Collector{Hold: true}
			stop := run(t, in, out)
			events := out.WaitFor(t, 10, 30*time.Second)
			// Finish 0, 1, 3 and 4: only 0 and 1 may be committed (offset 2 next).
			for _, i := range []int{0, 1, 3, 4} {
				events[i].Release()
			}
			waitCommitted(t, brokers, topic, topic, 2)
			events[2].Release()
			waitCommitted(t, brokers, topic, topic, 5)
			for _, e := range events[5:] {
				e.Release()
			}
			waitCommitted(t, brokers, topic, topic, 10)
			stop()
		})
	}
}

// Events still in the pipeline at shutdown are not committed: a restarted
// consumer gets them again.
func TestUnhandledEventsAreRedelivered(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("a")},
		&sarama.ProducerMessage{Value: sarama.StringEncoder("b")})
	opts := func() map[string]any {
		return map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
			"auto_offset_reset": "earliest", "auto_commit_interval_ms": 100}
	}
	defer func(d time.Duration) { *kafka.DrainTimeout = d }(*kafka.DrainTimeout)
	*kafka.DrainTimeout = 200 * time.Millisecond
	first := &kafkatest.Collector{Hold: true}
	stop := run(t, build(t, opts()), first)
	events := first.WaitFor(t, 2, 30*time.Second)
	events[0].Release()
	waitCommitted(t, brokers, topic, topic, 1)
	stop()

	var second kafkatest.Collector
	run(t, build(t, opts()), &second)
	got := second.WaitFor(t, 1, 30*time.Second)
	if m, _ := got[0].Get("message"); m != "b" {
		t.Fatalf("redelivered %v, want b", m)
	}
}

func TestTopicsPattern(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("by pattern")})
	// A pattern matching a prefix only must not match: Kafka wants the whole name.
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics_pattern": strings.ReplaceAll(topic[:len(topic)-4], ".", `\.`) + ".*",
		"group_id": topic, "auto_offset_reset": "earliest", "decorate_events": "basic"})
	var out kafkatest.Collector
	run(t, in, &out)
	e := out.WaitFor(t, 1, 30*time.Second)[0]
	if got := metaString(e, "topic"); got != topic {
		t.Errorf("topic %q, want %q", got, topic)
	}
}

func TestAutoOffsetResetLatestSkipsOldRecords(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("old")})
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic, "auto_commit_interval_ms": 100})
	var out kafkatest.Collector
	run(t, in, &out)
	// Wait for the member to own the partition before producing.
	deadline := time.Now().Add(30 * time.Second)
	for committed(t, brokers, topic, topic) < 0 && time.Now().Before(deadline) {
		kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("new")})
		time.Sleep(500 * time.Millisecond)
	}
	for _, e := range out.WaitFor(t, 1, 30*time.Second) {
		if m, _ := e.Get("message"); m != "new" {
			t.Fatalf("got %v: latest must not read records older than the subscription", m)
		}
	}
}

func TestAutoOffsetResetByDuration(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	old := time.Now().Add(-2 * time.Hour)
	kafkatest.Produce(t, brokers, topic,
		&sarama.ProducerMessage{Value: sarama.StringEncoder("two hours old"), Timestamp: old},
		&sarama.ProducerMessage{Value: sarama.StringEncoder("recent")})
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
		"auto_offset_reset": "by_duration:PT1H"})
	var out kafkatest.Collector
	run(t, in, &out)
	e := out.WaitFor(t, 1, 30*time.Second)[0]
	if m, _ := e.Get("message"); m != "recent" {
		t.Fatalf("got %v, want the record younger than an hour", m)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"value_deserializer_class": "org.apache.kafka.common.serialization.ByteArrayDeserializer"}, "unsupported deserializer"},
		{map[string]any{"key_deserializer_class": "x.Y"}, "unsupported deserializer"},
		{map[string]any{"decorate_events": "all"}, `Expected one of ["none", "basic", "extended", "false", "true"]`},
		{map[string]any{"auto_offset_reset": "smallest"}, "Invalid value smallest for configuration auto.offset.reset"},
		{map[string]any{"auto_offset_reset": "by_duration:1h"}, "invalid auto_offset_reset"},
		{map[string]any{"topics_pattern": "("}, "invalid topics_pattern"},
		{map[string]any{"group_protocol": "consumer", "session_timeout_ms": 5000}, "group_protocol cannot be set to 'consumer'"},
		{map[string]any{"group_protocol": "consumer"}, "not supported"},
		{map[string]any{"partition_assignment_strategy": "fancy"}, `unsupported partition_assignment_strategy: "fancy"`},
		{map[string]any{"security_protocol": "SASL_PLAINTEXT"}, "sasl_kerberos_service_name must be specified when SASL mechanism is GSSAPI"},
		{map[string]any{"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN"}, "needs sasl_jaas_config"},
		{map[string]any{"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "OAUTHBEARER"}, "unsupported SASL mechanism"},
		{map[string]any{"schema_registry_url": "http://127.0.0.1:8081"}, "schema registry"},
		{map[string]any{"consumer_threads": 0}, "consumer_threads => 0: must be at least 1"},
	} {
		_, err := kafkatest.Build(plugin.KindInput, "kafka", tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.opts, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "test.conf") {
			t.Errorf("%v: error %q is not located", tc.opts, err)
		}
	}
}

// With auto_offset_reset => none a partition without a committed offset is
// left alone (Kafka's consumer fails its polls) rather than read from
// anywhere.
func TestAutoOffsetResetNone(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("x")})
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
		"auto_offset_reset": "none"})
	var out kafkatest.Collector
	stop := run(t, in, &out)
	// latest would read this one; none must not start anywhere.
	time.Sleep(time.Second)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("y")})
	time.Sleep(1500 * time.Millisecond)
	stop()
	if n := len(out.Events()); n != 0 {
		t.Fatalf("read %d events from a partition with no committed offset", n)
	}
}

// consumer_threads members share the partitions of one topic.
func TestConsumerThreads(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 4)
	var msgs []*sarama.ProducerMessage
	for i := range 40 {
		msgs = append(msgs, &sarama.ProducerMessage{Partition: int32(i % 4), Value: sarama.StringEncoder(fmt.Sprint(i))})
	}
	kafkatest.Produce(t, brokers, topic, msgs...)
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{topic}, "group_id": topic,
		"auto_offset_reset": "earliest", "consumer_threads": 3, "decorate_events": "basic"})
	var out kafkatest.Collector
	run(t, in, &out)
	seen := map[string]bool{}
	for _, e := range out.WaitFor(t, 40, 30*time.Second) {
		m, _ := e.Get("message")
		seen[fmt.Sprint(m)] = true
	}
	if len(seen) != 40 {
		t.Fatalf("%d distinct records of 40", len(seen))
	}
}

func TestSASLConsumer(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", "carol", "pw"), kfake.SeedTopics(1, "secured"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	in := build(t, map[string]any{"bootstrap_servers": brokers, "topics": []any{"secured"}, "group_id": "g",
		"auto_offset_reset": "earliest", "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
		"sasl_jaas_config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="pw";`})
	var out kafkatest.Collector
	run(t, in, &out)
	// Produce through the same SASL settings the output uses.
	o, err := kafkatest.Build(plugin.KindOutput, "kafka", map[string]any{"bootstrap_servers": brokers, "topic_id": "secured",
		"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
		"sasl_jaas_config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="pw";`})
	if err != nil {
		t.Fatal(err)
	}
	e := event.NewEvent()
	e.Data().Set("message", "authenticated")
	if err := o.(plugin.Output).Output(context.Background(), []*event.Event{e}); err != nil {
		t.Fatal(err)
	}
	o.(plugin.Closer).Close()
	if m, _ := out.WaitFor(t, 1, 30*time.Second)[0].Get("message"); m != "authenticated" {
		t.Fatalf("message %v", m)
	}
}
