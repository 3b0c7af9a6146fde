package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/kafkatest"
	_ "github.com/gostash/gostash/plugins/outputs/kafka"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// build configures a kafka output from its options, as a config file
// would, with the test codec.
func build(t *testing.T, options string) *plugintest.BuiltOutput {
	t.Helper()
	return plugintest.Output(t, "kafka { codec => "+kafkatest.CodecName+" "+options+" }")
}

// producing are the options of an output to topic on brokers.
func producing(brokers, topic string) string {
	return "bootstrap_servers => " + plugintest.Quote(brokers) + " topic_id => " + plugintest.Quote(topic)
}

func testEvent(fields map[string]string) *event.Event {
	e := event.NewEvent()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.Data().Set(k, fields[k])
	}
	return e
}

func TestKeysHeadersAndTopicTemplates(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 4)
	out := build(t, producing(brokers, "%{target}")+` message_key => "user-%{user}" message_headers => { "origin" => "gostash" "user" => "%{user}" }`)
	var events []*event.Event
	for i := range 20 {
		events = append(events, testEvent(map[string]string{"target": topic, "user": fmt.Sprint(i % 5), "message": fmt.Sprintf("m%d", i)}))
	}
	if err := out.Output(events...); err != nil {
		t.Fatal(err)
	}
	got := kafkatest.Consume(t, brokers, topic, 20, 30*time.Second)
	partitionOfKey := map[string]int32{}
	for _, m := range got {
		key := string(m.Key)
		user := strings.TrimPrefix(key, "user-")
		if len(m.Headers) != 2 || string(m.Headers[0].Key) != "origin" || string(m.Headers[0].Value) != "gostash" ||
			string(m.Headers[1].Key) != "user" || string(m.Headers[1].Value) != user {
			var hs []string
			for _, h := range m.Headers {
				hs = append(hs, string(h.Key)+"="+string(h.Value))
			}
			t.Errorf("record %s with key %s has headers %v", m.Value, key, hs)
		}
		if p, seen := partitionOfKey[key]; seen && p != m.Partition {
			t.Errorf("key %s went to partitions %d and %d", key, p, m.Partition)
		}
		partitionOfKey[key] = m.Partition
	}
	if len(partitionOfKey) != 5 {
		t.Errorf("keys %v", partitionOfKey)
	}
}

func TestCompressionTypes(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	for _, c := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(c, func(t *testing.T) {
			topic := kafkatest.Topic(t, brokers, 1)
			out := build(t, producing(brokers, topic)+` compression_type => "`+c+`"`)
			var events []*event.Event
			for i := range 50 {
				events = append(events, testEvent(map[string]string{"message": strings.Repeat(fmt.Sprint(i), 40)}))
			}
			if err := out.Output(events...); err != nil {
				t.Fatal(err)
			}
			got := kafkatest.Consume(t, brokers, topic, 50, 30*time.Second)
			for i, m := range got {
				if string(m.Value) != strings.Repeat(fmt.Sprint(i), 40) {
					t.Fatalf("record %d = %q", i, m.Value)
				}
			}
		})
	}
}

func TestAcksAndPartitioners(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	for _, options := range []string{
		`acks => "0"`, `acks => "all"`, `partitioner => "round_robin"`, `partitioner => "uniform_sticky"`,
		`partitioner => "default"`, `linger_ms => 0`, `linger_ms => 0 batch_size => 1`,
	} {
		t.Run(options, func(t *testing.T) {
			topic := kafkatest.Topic(t, brokers, 3)
			want := 30
			if options == `acks => "0"` {
				// acks 0 gets no answer, so records sent before a new
				// topic's partitions are ready are gone, as with Kafka's
				// own producer: one acknowledged record per partition
				// first proves they are.
				warm := build(t, producing(brokers, topic)+` acks => "all" partitioner => "round_robin"`)
				for i := range 3 {
					if err := warm.Output(testEvent(map[string]string{"message": fmt.Sprint("warm-", i)})); err != nil {
						t.Fatal(err)
					}
				}
				want += 3
			}
			out := build(t, producing(brokers, topic)+" "+options)
			var events []*event.Event
			for i := range 30 {
				events = append(events, testEvent(map[string]string{"message": fmt.Sprint(i)}))
			}
			if err := out.Output(events...); err != nil {
				t.Fatal(err)
			}
			got := kafkatest.Consume(t, brokers, topic, want, 30*time.Second)
			perPartition := map[int32]int{}
			for _, m := range got {
				perPartition[m.Partition]++
			}
			if options == `partitioner => "round_robin"` {
				for p, n := range perPartition {
					if n != 10 {
						t.Errorf("round_robin put %d records on partition %d: %v", n, p, perPartition)
					}
				}
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// With no broker, Output keeps retrying (the pipeline is held back) until
// its context ends; it never reports the events as sent.
func TestUnreachableBrokerBlocksUntilCancelled(t *testing.T) {
	out := build(t, producing(closedPort(t), "t")+` retry_backoff_ms => 50`)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := out.Plugin.Output(ctx, []*event.Event{testEvent(map[string]string{"message": "x"})})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Output = %v, want the context's error after retrying", err)
	}
}

// With retries set, Logstash drops the events once they are used up.
func TestFiniteRetriesDrop(t *testing.T) {
	out := build(t, producing(closedPort(t), "t")+` retries => 1 retry_backoff_ms => 10`)
	if err := out.Output(testEvent(map[string]string{"message": "x"})); err != nil {
		t.Fatalf("Output = %v, want nil after dropping", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		options string
		want    string
	}{
		{``, "Missing a required setting for the kafka output plugin: topic_id"},
		{`topic_id => "t" retries => -1`, "A negative retry count (-1) is not valid. Must be a value >= 0"},
		{`topic_id => "t" value_serializer => "x.AvroSerializer"`, "'value_serializer' only supports org.apache.kafka.common.serialization.ByteArraySerializer and org.apache.kafka.common.serialization.StringSerializer"},
		{`topic_id => "t" partitioner => "murmur"`, `unsupported partitioner: "murmur"`},
		{`topic_id => "t" partitioner => "com.example.MyPartitioner"`, "names a Java class"},
		{`topic_id => "t" acks => "2"`, `Expected one of ["0", "1", "all"]`},
		{`topic_id => "t" compression_type => "brotli"`, "Expected one of"},
		{`topic_id => "t" security_protocol => "SASL_SSL" sasl_mechanism => "SCRAM-SHA-256" sasl_jaas_config => "org.example.Custom required;"`, "unsupported login module"},
	} {
		_, err := plugintest.TryOutput(t, "kafka { codec => "+kafkatest.CodecName+" "+tc.options+" }")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.options, err, tc.want)
		}
	}
}
