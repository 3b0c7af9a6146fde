package kafka

import (
	"math/rand/v2"

	"github.com/IBM/sarama"
)

// murmur2 is Kafka's key hash (org.apache.kafka.common.utils.Utils.murmur2),
// which the Java producer uses to place keyed records. sarama's own hash
// partitioner uses FNV-1a, so keys would land on other partitions than
// Logstash puts them on.
func murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := n &^ 3
	switch n % 4 {
	case 3:
		h ^= uint32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[tail])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// keyPartition is the Java client's partition for a key:
// toPositive(murmur2(key)) % numPartitions.
func keyPartition(key []byte, numPartitions int32) int32 {
	return (murmur2(key) & 0x7fffffff) % numPartitions
}

// stickyPartitioner is the Java producer's built-in partitioner: keyed
// records go to their murmur2 partition; records without a key (or all
// records when keys are ignored) stick to one partition until about
// batch_size bytes went to it, then move to another at random, which fills
// batches without favouring any partition.
type stickyPartitioner struct {
	ignoreKeys bool
	batchBytes int
	current    int32
	filled     int
}

func newStickyPartitioner(ignoreKeys bool, batchBytes int) sarama.PartitionerConstructor {
	return func(string) sarama.Partitioner {
		return &stickyPartitioner{ignoreKeys: ignoreKeys, batchBytes: max(batchBytes, 1), current: -1}
	}
}

func (p *stickyPartitioner) Partition(msg *sarama.ProducerMessage, numPartitions int32) (int32, error) {
	if msg.Key != nil && !p.ignoreKeys {
		key, err := msg.Key.Encode()
		if err != nil {
			return -1, err
		}
		return keyPartition(key, numPartitions), nil
	}
	if p.current < 0 || p.current >= numPartitions || p.filled >= p.batchBytes {
		next := rand.Int32N(numPartitions)
		if numPartitions > 1 && next == p.current {
			next = (next + 1) % numPartitions
		}
		p.current, p.filled = next, 0
	}
	if msg.Value != nil {
		p.filled += msg.Value.Length()
	}
	return p.current, nil
}

// RequiresConsistency is false: only keyed records must always map to the
// same partition, which MessageRequiresConsistency says per record.
func (p *stickyPartitioner) RequiresConsistency() bool { return false }

func (p *stickyPartitioner) MessageRequiresConsistency(msg *sarama.ProducerMessage) bool {
	return msg.Key != nil && !p.ignoreKeys
}
