package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/kafkatest"
)

// values returns the message values of json_lines output, with how often
// each was seen and which partitions the events came from.
func values(t *testing.T, outs ...string) (count map[string]int, partitions map[string]bool) {
	count, partitions = map[string]int{}, map[string]bool{}
	for _, out := range outs {
		for _, e := range jsonLines(t, out) {
			msg, _ := e["message"].(string)
			count[msg]++
			if k, ok := e["kafka"].(map[string]any); ok {
				partitions[fmt.Sprint(k["partition"])] = true
			}
		}
	}
	return count, partitions
}

func missing(count map[string]int, from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		if count[strconv.Itoa(i)] == 0 {
			out = append(out, i)
		}
	}
	return out
}

func duplicates(count map[string]int) int {
	d := 0
	for _, n := range count {
		d += n - 1
	}
	return d
}

// Two gostash processes in one group share a 4-partition topic; when one
// leaves, the other takes its partitions over and every record arrives.
func TestScaleOutAndRebalance(t *testing.T) {
	if testing.Short() {
		t.Skip("long: two consumers and a rebalance")
	}
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 4)
	config := consumerConfig(brokers, topic, topic, "")
	a := start(t, config, nil)
	b := start(t, config, nil)
	// Keep producing until both members have had records: one may have
	// drained the topic alone before the other joined.
	produced := 0
	waitUntil(t, 60*time.Second, "both consumers to get records", func() bool {
		ca, _ := values(t, a.stdout.String())
		cb, _ := values(t, b.stdout.String())
		if len(ca) > 0 && len(cb) > 0 {
			return true
		}
		produceNumbers(t, brokers, topic, 4, produced, produced+200)
		produced += 200
		return false
	})
	waitUntil(t, 60*time.Second, "every record so far", func() bool {
		ca, _ := values(t, a.stdout.String())
		cb, _ := values(t, b.stdout.String())
		return len(missing(merge(ca, cb), 0, produced)) == 0
	})
	_, pa := values(t, a.stdout.String())
	_, pb := values(t, b.stdout.String())
	t.Logf("%d records: consumer A read partitions %v, B %v", produced, keys(pa), keys(pb))

	a.stop()
	const after = 4000
	produceNumbers(t, brokers, topic, 4, produced, produced+after)
	waitUntil(t, 60*time.Second, "the remaining consumer to read every record", func() bool {
		ca, _ := values(t, a.stdout.String())
		cb, _ := values(t, b.stdout.String())
		return len(missing(merge(ca, cb), 0, produced+after)) == 0
	})
	b.stop()
	cb, partitions := values(t, b.stdout.String())
	if m := missing(cb, produced, produced+after); len(m) > 0 {
		t.Errorf("after A left, B missed %d records, e.g. %v", len(m), m[:min(5, len(m))])
	}
	if len(partitions) != 4 {
		t.Errorf("after A left, B read partitions %v, want all four", keys(partitions))
	}
}

func merge(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] += v
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// kill -9 of a consumer mid-stream loses nothing: a restarted consumer
// picks up from the last offset whose events had all been written out.
func TestKillNineConsumerLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("long: kills and restarts a consumer")
	}
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 2)
	const n = 150000
	produceNumbers(t, brokers, topic, 2, 0, n)
	// Small batches and frequent commits make the kill land between commits
	// with events in flight.
	config := consumerConfig(brokers, topic, topic, `auto_commit_interval_ms => 200
    max_poll_records => 50`)
	first := start(t, config, nil, "-b", "20")
	waitUntil(t, 60*time.Second, "the first consumer to be mid-stream", func() bool {
		return strings.Count(first.stdout.String(), "\n") > n/50 && kafkatest.Committed(t, brokers, topic, topic) > 0
	})
	first.kill()
	committedAtKill := kafkatest.Committed(t, brokers, topic, topic)
	firstOut := first.stdout.String()
	c1, _ := values(t, firstOut)
	if len(missing(c1, 0, n)) == 0 {
		t.Fatal("the first consumer finished before it was killed; the test proves nothing")
	}
	second := start(t, config, nil)
	waitUntil(t, 60*time.Second, "every record after the restart", func() bool {
		c, _ := values(t, firstOut, second.stdout.String())
		return len(missing(c, 0, n)) == 0
	})
	second.stop()
	all, _ := values(t, firstOut, second.stdout.String())
	t.Logf("kill -9 after %d records (%d committed): %d duplicates redelivered, none lost", len(c1), committedAtKill, duplicates(all))
}

// privateBroker starts a broker of its own (kafka.sh on another port and
// data dir) that the test may stop and restart without disturbing the
// other tests. It needs the real broker's jars, so it is skipped when the
// tests run against kfake.
func privateBroker(t *testing.T) (brokers string, script func(cmd string)) {
	t.Helper()
	shared := kafkatest.Brokers(t)
	if !kafkatest.IsReal(shared) {
		t.Skip("needs the real broker (scripts/kafka/kafka.sh); running against kfake")
	}
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	sh := filepath.Join(filepath.Dir(strings.TrimSpace(string(root))), "scripts", "kafka", "kafka.sh")
	// The broker takes port and port+1 (its controller): find a free pair,
	// as a fixed port collides with other brokers on a busy machine.
	port := freePortPair(t)
	run := t.TempDir()
	script = func(cmd string) {
		t.Helper()
		c := exec.Command("bash", sh, cmd)
		c.Env = append(os.Environ(), fmt.Sprintf("GOSTASH_KAFKA_PORT=%d", port), "GOSTASH_KAFKA_RUN="+run+"/broker")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("kafka.sh %s: %v\n%s", cmd, err, out)
		}
	}
	script("up")
	t.Cleanup(func() { script("down") })
	return fmt.Sprintf("127.0.0.1:%d", port), script
}

// The broker goes away under a running producer pipeline and comes back:
// the kafka output holds the pipeline back meanwhile and every event
// arrives.
func TestBrokerRestartUnderProducerLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("long: stops and restarts a broker")
	}
	brokers, broker := privateBroker(t)
	topic := kafkatest.Topic(t, brokers, 2)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	producer := start(t, fmt.Sprintf(`input { stdin { } }
output { kafka { bootstrap_servers => %q topic_id => %q retry_backoff_ms => 200 } }
`, brokers, topic), r)
	r.Close()
	const n = 3000
	write := func(from, to int) {
		for i := from; i < to; i++ {
			fmt.Fprintf(w, "%d\n", i)
			if i%100 == 99 {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	write(0, n/3)
	broker("stop")
	write(n/3, 2*n/3)
	time.Sleep(2 * time.Second)
	broker("start")
	write(2*n/3, n)
	w.Close()
	producer.wait(120 * time.Second)
	count := map[string]int{}
	for _, m := range kafkatest.ConsumeAll(t, brokers, topic, 60*time.Second) {
		v := strings.TrimSpace(string(m.Value))
		// The plain codec writes Event#to_s: "<timestamp> <host> <message>".
		count[v[strings.LastIndex(v, " ")+1:]]++
	}
	if m := missing(count, 0, n); len(m) > 0 {
		t.Fatalf("%d records lost across the broker restart, e.g. %v", len(m), m[:min(5, len(m))])
	}
	t.Logf("broker restart: %d records, %d duplicates", n, duplicates(count))
}

// freePortPair returns a loopback port p such that p and p+1 are free now.
func freePortPair(t *testing.T) int {
	t.Helper()
	for range 50 {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := a.Addr().(*net.TCPAddr).Port
		b, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		a.Close()
		if err == nil {
			b.Close()
			return p
		}
	}
	t.Fatal("no two consecutive free ports on 127.0.0.1")
	return 0
}
