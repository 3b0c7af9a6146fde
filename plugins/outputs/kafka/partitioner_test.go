package kafka

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

// testdata/kafka/murmur2.tsv comes from the Java client's own Utils.murmur2
// (scripts/kafka/murmur2-golden.sh).
func TestMurmur2MatchesTheJavaClient(t *testing.T) {
	f, err := os.Open("../../../testdata/kafka/murmur2.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	rows := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		key := []byte(cols[0])
		want, _ := strconv.ParseInt(cols[1], 10, 32)
		if got := murmur2(key); int64(got) != want {
			t.Errorf("murmur2(%q) = %d, want %d", key, got, want)
		}
		for n, p := range strings.Split(cols[2], ",") {
			wantP, _ := strconv.Atoi(p)
			if got := keyPartition(key, int32(n+1)); int(got) != wantP {
				t.Errorf("partition of %q among %d = %d, want %d", key, n+1, got, wantP)
			}
		}
		rows++
	}
	if rows < 200 {
		t.Fatalf("only %d golden rows", rows)
	}
}

func TestStickyPartitionerSticksPerBatch(t *testing.T) {
	p := newStickyPartitioner(false, 100)("t")
	msg := func(key string) *sarama.ProducerMessage {
		m := &sarama.ProducerMessage{Value: sarama.StringEncoder(strings.Repeat("x", 30))}
		if key != "" {
			m.Key = sarama.StringEncoder(key)
		}
		return m
	}
	first, _ := p.Partition(msg(""), 4)
	for range 3 {
		if got, _ := p.Partition(msg(""), 4); got != first {
			t.Fatalf("switched partition within a batch: %d then %d", first, got)
		}
	}
	if got, _ := p.Partition(msg(""), 4); got == first {
		t.Fatalf("stayed on partition %d past batch_size", got)
	}
	if got, _ := p.Partition(msg("abc"), 8); got != keyPartition([]byte("abc"), 8) {
		t.Fatalf("keyed record went to %d", got)
	}
	ignoring := newStickyPartitioner(true, 1<<20)("t")
	a, _ := ignoring.Partition(msg("a"), 8)
	b, _ := ignoring.Partition(msg("ab"), 8)
	if a != b {
		t.Fatalf("uniform_sticky must ignore keys: %d and %d", a, b)
	}
}
