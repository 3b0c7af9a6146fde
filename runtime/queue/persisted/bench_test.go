//go:build unix

package persisted

import (
	"fmt"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriteRead is the queue alone: bursts of 64 records of 130 bytes
// written, read back and acknowledged, with Logstash's default settings.
func BenchmarkWriteRead(b *testing.B) {
	for _, writes := range []int64{1024, 0} {
		b.Run(fmt.Sprintf("checkpoint.writes=%d", writes), func(b *testing.B) {
			s := DefaultSettings()
			s.CheckpointWrites = writes
			benchmarkWriteRead(b, s)
		})
	}
}

func benchmarkWriteRead(b *testing.B, s Settings) {
	q, err := Open(b.TempDir(), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	rec := make([]byte, 130)
	burst := make([][]byte, 64)
	for i := range burst {
		burst[i] = rec
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		timer := time.NewTimer(time.Hour)
		var recs [][]byte
		for n := 0; n < b.N; {
			batch, ok := q.Read(recs, 125, time.Millisecond, timer)
			if !ok {
				return
			}
			n += len(batch.Records)
			recs = batch.Records[:0]
			q.Ack(batch.Runs...)
		}
	}()
	cpu := cpuNow()
	b.ResetTimer()
	for n := 0; n < b.N; n += len(burst) {
		if _, _, _, err := q.Write(burst[:min(len(burst), b.N-n)]); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N), "cpu-ns/record")
}
