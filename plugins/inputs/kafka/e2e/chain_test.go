package e2e

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/gostash/gostash/plugins/internal/kafkatest"
)

// The blog post's chain: a producer pipeline writes events as JSON to a
// topic, a consumer pipeline reads them back and prints rubydebug.
func TestBlogProducerConsumerChain(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)
	const n = 50
	producer := start(t, fmt.Sprintf(`input { generator { count => %d message => "kafka and logstash" } }
output {
  kafka {
    bootstrap_servers => %q
    topic_id => %q
    codec => json
  }
}
`, n, brokers, topic), nil)
	producer.wait(60 * time.Second)

	consumer := start(t, blogConsumerConfig(brokers, topic), nil)
	sequence := regexp.MustCompile(`(?m)^\s+"sequence" => (\d+)$`)
	waitUntil(t, 60*time.Second, fmt.Sprintf("%d events in rubydebug", n), func() bool {
		return len(sequence.FindAllString(consumer.stdout.String(), -1)) >= n
	})
	consumer.stop()
	out := consumer.stdout.String()
	seen := map[int]bool{}
	for _, m := range sequence.FindAllStringSubmatch(out, -1) {
		i, _ := strconv.Atoi(m[1])
		seen[i] = true
	}
	for i := range n {
		if !seen[i] {
			t.Errorf("event %d missing", i)
		}
	}
	if got := strings.Count(out, `"message" => "kafka and logstash"`); got != n {
		t.Errorf("%d intact messages, want %d", got, n)
	}
	// The JSON the producer wrote came back whole: its timestamp is parsed
	// back into @timestamp, not the consumer's clock.
	records := kafkatest.Consume(t, brokers, topic, 1, 10*time.Second)
	if !strings.Contains(string(records[0].Value), `"@timestamp":"`) || strings.HasSuffix(string(records[0].Value), "\n") {
		t.Errorf("record value %s is not compact JSON of the event", records[0].Value)
	}
}

// kcat produces records with keys, headers and explicit partitions; the
// gostash kafka input reads them with their Kafka coordinates.
func TestKcatProducesGostashConsumes(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 4)
	want := map[string]string{} // message => "key/partition"
	for p := range 4 {
		var lines []string
		for i := range 5 {
			key, msg := fmt.Sprintf("k%d-%d", p, i), fmt.Sprintf("from kcat %d-%d", p, i)
			lines = append(lines, key+"\t"+msg)
			want[msg] = fmt.Sprintf("%s/%d", key, p)
		}
		kcat(t, strings.Join(lines, "\n")+"\n", "-P", "-b", brokers, "-t", topic, "-p", strconv.Itoa(p), "-K", "\t", "-H", "source=kcat", "-H", "partition="+strconv.Itoa(p))
	}
	kcat(t, "no key\n", "-P", "-b", brokers, "-t", topic, "-p", "0")
	consumer := start(t, consumerConfig(brokers, topic, topic, ""), nil)
	waitUntil(t, 60*time.Second, "21 events", func() bool { return len(jsonLines(t, consumer.stdout.String())) >= 21 })
	consumer.stop()
	for _, e := range jsonLines(t, consumer.stdout.String()) {
		msg, _ := e["message"].(string)
		k, _ := e["kafka"].(map[string]any)
		if msg == "no key" {
			if k["key"] != nil {
				t.Errorf("record without key has key %v", k["key"])
			}
			continue
		}
		got := fmt.Sprintf("%v/%v", k["key"], k["partition"])
		if got != want[msg] {
			t.Errorf("%q: key/partition %s, want %s", msg, got, want[msg])
		}
		h, _ := k["headers"].(map[string]any)
		if h["source"] != "kcat" || fmt.Sprint(h["partition"]) != fmt.Sprint(k["partition"]) {
			t.Errorf("%q: headers %v", msg, h)
		}
		if k["topic"] != topic || k["consumer_group"] != topic {
			t.Errorf("%q: metadata %v", msg, k)
		}
		delete(want, msg)
	}
	if len(want) > 0 {
		t.Errorf("not consumed: %v", want)
	}
}

// gostash produces keyed records with every compression codec; kcat (that
// is librdkafka) reads them, and each key sits on the partition the Java
// producer would have chosen.
func TestGostashProducesKcatConsumes(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	keys, partitionOf := goldenKeys(t, 4)
	for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			topic := kafkatest.Topic(t, brokers, 4)
			stdin := tempStdin(t, strings.Join(keys, "\n")+"\n")
			producer := start(t, fmt.Sprintf(`input { stdin { } }
output {
  kafka {
    bootstrap_servers => %q
    topic_id => %q
    message_key => "%%{message}"
    compression_type => %q
    codec => plain { format => "value of %%{message}" }
  }
}
`, brokers, topic, codec), stdin)
			producer.wait(60 * time.Second)
			out := kcat(t, "", "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%p\t%s\n")
			got := 0
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				cols := strings.SplitN(line, "\t", 3)
				if len(cols) != 3 {
					t.Fatalf("kcat line %q", line)
				}
				if cols[2] != "value of "+cols[0] {
					t.Errorf("key %q has value %q", cols[0], cols[2])
				}
				if cols[1] != partitionOf[cols[0]] {
					t.Errorf("key %q on partition %s, the Java producer uses %s", cols[0], cols[1], partitionOf[cols[0]])
				}
				got++
			}
			if got != len(keys) {
				t.Errorf("kcat read %d records, want %d", got, len(keys))
			}
		})
	}
}

// goldenKeys reads keys (printable, no spaces) and their Java partitions
// among n from testdata/kafka/murmur2.tsv.
func goldenKeys(t *testing.T, n int) ([]string, map[string]string) {
	t.Helper()
	f, err := os.Open("../../../../testdata/kafka/murmur2.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	var keys []string
	partitionOf := map[string]string{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		key := cols[0]
		if key == "" || strings.ContainsAny(key, " %{}\\\"'") || partitionOf[key] != "" {
			continue
		}
		keys = append(keys, key)
		partitionOf[key] = strings.Split(cols[2], ",")[n-1]
	}
	sort.Strings(keys)
	return keys, partitionOf
}

func tempStdin(t *testing.T, content string) *os.File {
	t.Helper()
	path := t.TempDir() + "/stdin"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// produceNumbers writes the values from..to-1 spread over the topic's
// partitions.
func produceNumbers(t *testing.T, brokers, topic string, partitions int32, from, to int) {
	t.Helper()
	var msgs []*sarama.ProducerMessage
	for i := from; i < to; i++ {
		msgs = append(msgs, &sarama.ProducerMessage{Partition: int32(i) % partitions, Value: sarama.StringEncoder(strconv.Itoa(i))})
	}
	kafkatest.Produce(t, brokers, topic, msgs...)
}
