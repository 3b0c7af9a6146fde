package kafka_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/gostash/gostash/plugins/inputs/kafka"
	"github.com/gostash/gostash/plugins/internal/kafkatest"
	_ "github.com/gostash/gostash/plugins/outputs/kafka"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// build configures a kafka input from its options, as a config file would,
// with the test codec.
func build(t *testing.T, options string) *plugintest.BuiltInput {
	t.Helper()
	return plugintest.Input(t, "kafka { codec => "+kafkatest.CodecName+" "+options+" }")
}

// subscribed are the options of a consumer of topic on brokers, in group.
func subscribed(brokers, topic, group string) string {
	return "bootstrap_servers => " + plugintest.Quote(brokers) + " topics => [" + plugintest.Quote(topic) + "] group_id => " + plugintest.Quote(group)
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
	events := build(t, subscribed(brokers, topic, topic)+` auto_offset_reset => "earliest" decorate_events => "extended"`).Start().WaitFor(2)
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
			in := build(t, subscribed(brokers, topic, topic+mode)+` auto_offset_reset => "earliest" decorate_events => "`+mode+`"`)
			e := in.Start().WaitFor(1)[0]
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
			in := build(t, subscribed(brokers, topic, topic)+fmt.Sprintf(` auto_offset_reset => "earliest" enable_auto_commit => %v auto_commit_interval_ms => 100`, auto))
			r := in.StartHolding()
			events := r.WaitFor(10)
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
			r.Stop()
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
	options := subscribed(brokers, topic, topic) + ` auto_offset_reset => "earliest" auto_commit_interval_ms => 100`
	defer func(d time.Duration) { *kafka.DrainTimeout = d }(*kafka.DrainTimeout)
	*kafka.DrainTimeout = 200 * time.Millisecond
	first := build(t, options).StartHolding()
	events := first.WaitFor(2)
	events[0].Release()
	waitCommitted(t, brokers, topic, topic, 1)
	first.Stop()

	got := build(t, options).Start().WaitFor(1)
	if m, _ := got[0].Get("message"); m != "b" {
		t.Fatalf("redelivered %v, want b", m)
	}
}

func TestTopicsPattern(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("by pattern")})
	// A pattern matching a prefix only must not match: Kafka wants the whole name.
	pattern := strings.ReplaceAll(topic[:len(topic)-4], ".", `\.`) + ".*"
	in := build(t, "bootstrap_servers => "+plugintest.Quote(brokers)+" topics_pattern => "+plugintest.Quote(pattern)+
		" group_id => "+plugintest.Quote(topic)+` auto_offset_reset => "earliest" decorate_events => "basic"`)
	e := in.Start().WaitFor(1)[0]
	if got := metaString(e, "topic"); got != topic {
		t.Errorf("topic %q, want %q", got, topic)
	}
}

func TestAutoOffsetResetLatestSkipsOldRecords(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("old")})
	r := build(t, subscribed(brokers, topic, topic)+` auto_commit_interval_ms => 100`).Start()
	// Wait for the member to own the partition before producing.
	deadline := time.Now().Add(30 * time.Second)
	for committed(t, brokers, topic, topic) < 0 && time.Now().Before(deadline) {
		kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("new")})
		time.Sleep(500 * time.Millisecond)
	}
	for _, e := range r.WaitFor(1) {
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
	e := build(t, subscribed(brokers, topic, topic)+` auto_offset_reset => "by_duration:PT1H"`).Start().WaitFor(1)[0]
	if m, _ := e.Get("message"); m != "recent" {
		t.Fatalf("got %v, want the record younger than an hour", m)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		options string
		want    string
	}{
		{`value_deserializer_class => "org.apache.kafka.common.serialization.ByteArrayDeserializer"`, "unsupported deserializer"},
		{`key_deserializer_class => "x.Y"`, "unsupported deserializer"},
		{`decorate_events => "all"`, `Expected one of ["none", "basic", "extended", "false", "true"]`},
		{`auto_offset_reset => "smallest"`, "Invalid value smallest for configuration auto.offset.reset"},
		{`auto_offset_reset => "by_duration:1h"`, "invalid auto_offset_reset"},
		{`topics_pattern => "("`, "invalid topics_pattern"},
		{`group_protocol => "consumer" session_timeout_ms => 5000`, "group_protocol cannot be set to 'consumer'"},
		{`group_protocol => "consumer"`, "not supported"},
		{`partition_assignment_strategy => "fancy"`, `unsupported partition_assignment_strategy: "fancy"`},
		{`security_protocol => "SASL_PLAINTEXT"`, "sasl_kerberos_service_name must be specified when SASL mechanism is GSSAPI"},
		{`security_protocol => "SASL_PLAINTEXT" sasl_mechanism => "PLAIN"`, "needs sasl_jaas_config"},
		{`security_protocol => "SASL_PLAINTEXT" sasl_mechanism => "OAUTHBEARER"`, "unsupported SASL mechanism"},
		{`schema_registry_url => "http://127.0.0.1:8081"`, "schema registry"},
		{`consumer_threads => 0`, "consumer_threads => 0: must be at least 1"},
	} {
		_, err := plugintest.TryInput(t, "kafka { codec => "+kafkatest.CodecName+" "+tc.options+" }")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.options, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "test.conf") {
			t.Errorf("%s: error %q is not located", tc.options, err)
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
	none := build(t, subscribed(brokers, topic, topic)+` auto_offset_reset => "none"`)
	r := none.Start()
	// The precondition: the consumer joined, claimed the partition and
	// refused to pick a start, as Kafka's consumer reports it.
	none.Logs.WaitFor(t, "Undefined offset with no reset policy for partitions: ["+topic+"-0]")
	kafkatest.Produce(t, brokers, topic, &sarama.ProducerMessage{Value: sarama.StringEncoder("y")})
	// A control consumer in another group reads both records: they are
	// there to be read, so reading none of them is the policy's doing.
	control := build(t, subscribed(brokers, topic, topic+"-control")+` auto_offset_reset => "earliest"`).Start()
	if got := control.WaitFor(2); len(got) != 2 {
		t.Fatalf("the control consumer read %d records, want 2", len(got))
	}
	r.Stop()
	if n := len(r.Events()); n != 0 {
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
	in := build(t, subscribed(brokers, topic, topic)+` auto_offset_reset => "earliest" consumer_threads => 3 decorate_events => "basic"`)
	seen := map[string]bool{}
	for _, e := range in.Start().WaitFor(40) {
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
	sasl := ` security_protocol => "SASL_PLAINTEXT" sasl_mechanism => "SCRAM-SHA-512" sasl_jaas_config => ` +
		plugintest.Quote(`org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="pw";`)
	r := build(t, subscribed(brokers, "secured", "g")+` auto_offset_reset => "earliest"`+sasl).Start()
	// Produce through the same SASL settings the output uses.
	o := plugintest.Output(t, "kafka { codec => "+kafkatest.CodecName+" bootstrap_servers => "+plugintest.Quote(brokers)+` topic_id => "secured"`+sasl+" }")
	e := event.NewEvent()
	e.Data().Set("message", "authenticated")
	if err := o.Output(e); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if m, _ := r.WaitFor(1)[0].Get("message"); m != "authenticated" {
		t.Fatalf("message %v", m)
	}
}
