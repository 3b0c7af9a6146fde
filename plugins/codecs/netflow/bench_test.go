package netflow

import (
	"log/slog"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// benchCodec is a codec without logging, its templates already known.
func benchCodec(b *testing.B, templates ...string) *Codec {
	log := slog.New(slog.DiscardHandler)
	c := &Codec{log: log, target: "netflow", shared: &shared{
		netflowDefs: netflowFields, ipfixDefs: ipfixFields,
		v9: newRegistry(log, time.Hour, ""), ipfix: newRegistry(log, time.Hour, ""),
	}}
	for _, v := range []int{5, 9, 10} {
		c.versions[v] = true
	}
	for _, t := range templates {
		c.DecodeFrom(readPacket(b, t), "192.0.2.1", func(*event.Event) {})
	}
	return c
}

// Decoding one packet; events/s is reported per flow record.
func benchmarkPacket(b *testing.B, packet string, templates ...string) {
	c := benchCodec(b, templates...)
	p := readPacket(b, packet)
	events := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		c.DecodeFrom(p, "192.0.2.1", func(*event.Event) { events++ })
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecodeV5(b *testing.B) { benchmarkPacket(b, "netflow5_test_microtik.dat") }

func BenchmarkDecodeV9(b *testing.B) {
	benchmarkPacket(b, "netflow9_test_cisco_asa_2_data.dat", "netflow9_test_cisco_asa_2_tpl_26x.dat", "netflow9_test_cisco_asa_2_tpl_27x.dat")
}

func BenchmarkDecodeIPFIX(b *testing.B) {
	benchmarkPacket(b, "ipfix_test_mikrotik_data258.dat", "ipfix_test_mikrotik_tpl.dat")
}
