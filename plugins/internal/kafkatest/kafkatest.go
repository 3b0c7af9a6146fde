// Package kafkatest is what the kafka input and output tests share besides
// plugintest: finding the test broker (the real one scripts/kafka/kafka.sh
// runs, or an in-process fake outside CI), making topics, producing and
// consuming records directly, and a codec that keeps the tests independent
// of the real codecs.
package kafkatest

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/gostash/gostash/plugins/internal/kafkaclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// DefaultBrokers is where kafka.sh starts the broker.
const DefaultBrokers = "127.0.0.1:9092"

var (
	fakeOnce    sync.Once
	fakeCluster *kfake.Cluster
	fakeErr     error
)

// Brokers returns the test broker's address: GOSTASH_KAFKA_BROKERS or
// 127.0.0.1:9092 when it answers. When no broker answers, CI fails the test;
// elsewhere the tests run against an in-process kfake cluster, saying so.
func Brokers(tb testing.TB) string {
	tb.Helper()
	addr := os.Getenv("GOSTASH_KAFKA_BROKERS")
	if addr == "" {
		addr = DefaultBrokers
	}
	if answers(addr) {
		return addr
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("no Kafka broker answers on %s: CI needs the real broker (scripts/kafka/kafka.sh up)", addr)
	}
	fakeOnce.Do(func() {
		fakeCluster, fakeErr = kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	})
	if fakeErr != nil {
		tb.Fatalf("no Kafka broker on %s and kfake failed: %v", addr, fakeErr)
	}
	tb.Logf("no Kafka broker answers on %s: running against an in-process kfake cluster", addr)
	return strings.Join(fakeCluster.ListenAddrs(), ",")
}

// IsReal reports whether addr is a real broker rather than the fake.
func IsReal(addr string) bool {
	return fakeCluster == nil || addr != strings.Join(fakeCluster.ListenAddrs(), ",")
}

func answers(addrs string) bool {
	addr := strings.Split(addrs, ",")[0]
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	cfg := sarama.NewConfig()
	cfg.Version = kafkaclient.ProtocolVersion
	cfg.Metadata.Retry.Max = 0
	cfg.Net.DialTimeout = 2 * time.Second
	c, err := sarama.NewClient([]string{addr}, cfg)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Config returns a sarama configuration for test clients.
func Config() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = kafkaclient.ProtocolVersion
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	return cfg
}

// Topic creates a fresh topic with the given partitions, named after the
// test so that reruns against a long-lived broker do not see old records.
func Topic(tb testing.TB, brokers string, partitions int32) string {
	tb.Helper()
	name := fmt.Sprintf("%s-%d", sanitize(tb.Name()), time.Now().UnixNano())
	admin, err := sarama.NewClusterAdmin(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatalf("admin client: %v", err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
		tb.Fatalf("create topic %s: %v", name, err)
	}
	// Wait until the topic's leaders are known, so first produces succeed.
	client, err := sarama.NewClient(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatal(err)
	}
	defer client.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := client.RefreshMetadata(name); err == nil {
			if ps, err := client.Partitions(name); err == nil && len(ps) == int(partitions) {
				ok := true
				for _, p := range ps {
					if _, err := client.Leader(name, p); err != nil {
						ok = false
					}
				}
				if ok {
					return name
				}
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("topic %s has no leaders after 20s", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Produce writes records to partition p of topic.
func Produce(tb testing.TB, brokers, topic string, msgs ...*sarama.ProducerMessage) {
	tb.Helper()
	p, err := sarama.NewSyncProducer(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	for _, m := range msgs {
		m.Topic = topic
	}
	if err := p.SendMessages(msgs); err != nil {
		tb.Fatal(err)
	}
}

// Consume reads n records from the start of every partition of topic.
func Consume(tb testing.TB, brokers, topic string, n int, timeout time.Duration) []*sarama.ConsumerMessage {
	tb.Helper()
	c, err := sarama.NewConsumer(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		tb.Fatal(err)
	}
	out := make(chan *sarama.ConsumerMessage)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, p := range parts {
		// A partition just created may briefly answer "not the leader".
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		for retry := 0; err != nil && retry < 50; retry++ {
			time.Sleep(100 * time.Millisecond)
			pc, err = c.ConsumePartition(topic, p, sarama.OffsetOldest)
		}
		if err != nil {
			tb.Fatal(err)
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				select {
				case out <- m:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var got []*sarama.ConsumerMessage
	for len(got) < n {
		select {
		case m := <-out:
			got = append(got, m)
		case <-ctx.Done():
			tb.Fatalf("consumed %d of %d records from %s before the timeout", len(got), n, topic)
		}
	}
	return got
}

// CodecName is a minimal codec the plugin tests configure (`codec =>
// kafkatest_message`) so that they do not depend on the real codecs: Decode
// makes one event with the bytes as message, Encode writes the message
// field.
const CodecName = "kafkatest_message"

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{Name: CodecName, Summary: "Test codec: the whole payload is the message."},
		New:  func(*plugin.Settings) (plugin.Codec, error) { return messageCodec{}, nil },
	})
}

type messageCodec struct{}

func (messageCodec) Decode(data []byte, emit func(*event.Event)) {
	e := event.NewEvent()
	e.Data().Set("message", string(data))
	emit(e)
}

func (messageCodec) Flush(func(*event.Event)) {}

func (messageCodec) Encode(dst []byte, e *event.Event) []byte {
	v, _ := e.Get("message")
	return append(dst, event.ValueString(v)...)
}

// ConsumeAll reads every record of topic, up to each partition's end at
// the time of the call.
func ConsumeAll(tb testing.TB, brokers, topic string, timeout time.Duration) []*sarama.ConsumerMessage {
	tb.Helper()
	client, err := sarama.NewClient(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatal(err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		tb.Fatal(err)
	}
	total := 0
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			tb.Fatal(err)
		}
		start, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			tb.Fatal(err)
		}
		total += int(end - start)
	}
	return Consume(tb, brokers, topic, total, timeout)
}

// Committed returns the sum of the group's committed offsets over the
// topic's partitions (partitions without a commit count as 0).
func Committed(tb testing.TB, brokers, group, topic string) int64 {
	tb.Helper()
	admin, err := sarama.NewClusterAdmin(strings.Split(brokers, ","), Config())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	meta, err := admin.DescribeTopics([]string{topic})
	if err != nil || len(meta) != 1 {
		tb.Fatalf("describe %s: %v", topic, err)
	}
	var parts []int32
	for _, p := range meta[0].Partitions {
		parts = append(parts, p.ID)
	}
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	if err != nil {
		tb.Fatal(err)
	}
	var sum int64
	for _, p := range parts {
		if b := resp.GetBlock(topic, p); b != nil && b.Offset > 0 {
			sum += b.Offset
		}
	}
	return sum
}
