package kafka

import (
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

type resetKind int

const (
	resetLatest resetKind = iota
	resetEarliest
	resetNone
	resetByDuration
)

// offsetReset is auto_offset_reset: where a partition without a committed
// offset starts.
type offsetReset struct {
	kind     resetKind
	duration time.Duration

	mu sync.Mutex
	// idle are the partitions left alone because of `none`.
	idle map[string]bool
}

// checkOffsetReset is auto_offset_reset's declared check.
func checkOffsetReset(v string) error {
	_, err := parseOffsetReset(v)
	return err
}

func parseOffsetReset(v string) (*offsetReset, error) {
	switch {
	case v == "" || v == "latest":
		return &offsetReset{kind: resetLatest}, nil
	case v == "earliest":
		return &offsetReset{kind: resetEarliest}, nil
	case v == "none":
		return &offsetReset{kind: resetNone}, nil
	case strings.HasPrefix(v, "by_duration:"):
		d, err := parseISODuration(strings.TrimPrefix(v, "by_duration:"))
		if err != nil {
			return nil, fmt.Errorf("invalid auto_offset_reset %q: %v", v, err)
		}
		return &offsetReset{kind: resetByDuration, duration: d}, nil
	}
	return nil, fmt.Errorf("Invalid value %s for configuration auto.offset.reset: must be one of earliest, latest, none or by_duration:<ISO 8601 duration>", v)
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration reads the PnDTnHnMnS durations java.time.Duration.parse
// accepts (days are 24 hours).
func parseISODuration(v string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(v))
	if m == nil || v == "P" || strings.HasSuffix(strings.ToUpper(v), "T") {
		return 0, fmt.Errorf("not an ISO 8601 duration such as P1D or PT30M")
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, _ := strconv.ParseInt(m[i+1], 10, 64)
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		secs, _ := strconv.ParseFloat(m[4], 64)
		d += time.Duration(secs * float64(time.Second))
	}
	return d, nil
}

// applyOffsetReset handles `none` and `by_duration` for the partitions a new
// session claims that have no committed offset: sarama itself only knows
// oldest and newest.
func (in *input) applyOffsetReset(client sarama.Client, sess sarama.ConsumerGroupSession, log *slog.Logger) {
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		log.Error("Unable to read committed offsets", slog.String("kafka_error_message", err.Error()))
		return
	}
	// Closing the admin would close the shared client; it holds nothing else.
	committed, err := admin.ListConsumerGroupOffsets(in.groupID, sess.Claims())
	if err != nil {
		log.Error("Unable to read committed offsets", slog.String("kafka_error_message", err.Error()))
		return
	}
	in.reset.mu.Lock()
	defer in.reset.mu.Unlock()
	in.reset.idle = map[string]bool{}
	for topic, partitions := range sess.Claims() {
		for _, p := range partitions {
			if b := committed.GetBlock(topic, p); b != nil && b.Offset >= 0 {
				continue
			}
			switch in.reset.kind {
			case resetNone:
				in.reset.idle[fmt.Sprintf("%s-%d", topic, p)] = true
				log.Error("Unable to poll Kafka consumer", slog.String("kafka_error_message",
					fmt.Sprintf("Undefined offset with no reset policy for partitions: [%s-%d]", topic, p)))
			case resetByDuration:
				at := time.Now().Add(-in.reset.duration).UnixMilli()
				offset, err := client.GetOffset(topic, p, at)
				if err != nil {
					log.Error("Unable to look up the offset for by_duration", slog.String("kafka_error_message", err.Error()))
					continue
				}
				if offset < 0 {
					// No record that recent: start at the end.
					if offset, err = client.GetOffset(topic, p, sarama.OffsetNewest); err != nil {
						continue
					}
				}
				// The partition has no offset yet, which sarama's MarkOffset
				// (unlike ResetOffset) moves forward from.
				sess.MarkOffset(topic, p, offset, "")
			}
		}
	}
}

// skips reports whether a partition is left alone because of `none`.
func (r *offsetReset) skips(topic string, partition int32) bool {
	if r.kind != resetNone {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.idle[fmt.Sprintf("%s-%d", topic, partition)]
}
