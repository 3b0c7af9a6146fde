package deadletter

import (
	"bytes"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// update rewrites testdata/gostash/1.log (scripts/golden/dlq.sh then has
// Jackson read it again).
var update = flag.Bool("update", false, "rewrite testdata/gostash/1.log")

// TestReadsASegmentLogstashWrote reads testdata/logstash/1.log, written by
// scripts/golden/dlq (Jackson's CBOR mapper set up as Logstash's: type
// wrappers, 8-byte longs, stringrefs, an entry split over blocks), and
// checks every entry against what the Java side wrote.
func TestReadsASegmentLogstashWrote(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "logstash", "1.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "1.log"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "logstash", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := newLogger()
	r, err := NewReader(dir, false, logger)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for {
		en, _, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		dumpEntry(&got, en)
	}
	if got.String() != string(want) {
		t.Errorf("read:\n%s\nLogstash wrote:\n%s\nlog: %s", got.String(), want, logs)
	}
}

// goldenEntries are the entries of testdata/gostash/1.log.
func goldenEntries(t *testing.T) []Entry {
	at := func(s string) event.Timestamp {
		ts, ok := event.ParseTimestamp(s)
		if !ok {
			t.Fatalf("bad time %q", s)
		}
		return ts
	}
	ev := func(kv ...any) *event.Event {
		m := event.NewMap(len(kv) / 2)
		for i := 0; i < len(kv); i += 2 {
			m.Set(kv[i].(string), kv[i+1])
		}
		return event.NewEventFromMap(m)
	}
	mp := func(kv ...any) *event.Map {
		m := event.NewMap(len(kv) / 2)
		for i := 0; i < len(kv); i += 2 {
			m.Set(kv[i].(string), kv[i+1])
		}
		return m
	}
	dec := func(s string) event.Decimal {
		d, err := event.ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	big2 := func(s string) *big.Int {
		n, _ := new(big.Int).SetString(s, 10)
		return n
	}
	kinds := ev(
		"@timestamp", at("2026-01-02T03:04:05.123456789Z"),
		"@version", "1",
		"message", "héllo ☺ 😀 \"quoted\" tab\there",
		"count", int64(42),
		"negative", int64(-7),
		"long_min", int64(math.MinInt64),
		"ratio", 1.5,
		"negative_zero", math.Copysign(0, -1),
		"big", big2("1180591620717411303424"),
		"big_negative", big2("-1180591620717411303425"),
		"price", dec("12.345"),
		"tiny", dec("-0.001"),
		"wide", dec("-98765432109876543.21"),
		"exact", dec("123456789012345678901234567890.5"),
		"yes", true,
		"nothing", nil,
		"when", at("2025-12-31T23:59:59.999999Z"),
		"tags", []any{"alpha", "beta", "alpha"},
		"nested", mp("service", mp("name", "alpha", "port", int64(8080)), "list", []any{int64(1), "two", []any{}, mp()}),
		"@metadata", mp("index", "logs-alpha", "flag", true),
	)
	large := ev(
		"@timestamp", at("2026-01-02T03:04:08Z"),
		"@version", "1",
		"message", strings.Repeat("a line of a large event\n", 4000),
	)
	plain := ev("@timestamp", at("2026-01-02T03:04:05.678Z"), "@version", "1", "message", "hello world")
	return []Entry{
		{Event: plain, PluginType: "elasticsearch", PluginID: "es_out", Reason: "Could not index event to Elasticsearch. status: 404", Time: at("2026-01-02T03:04:06Z")},
		{Event: kinds, PluginType: "opensearch", PluginID: "os_out", Reason: "Could not index event to OpenSearch. status: 400, action: [\"index\", {:_index=>\"logs\"}]", Time: at("2026-01-02T03:04:07.5Z")},
		{Event: large, PluginType: "http", PluginID: "http_out", Reason: "HTTP 400", Time: at("2026-01-02T03:04:08.001Z")},
	}
}

// TestWritesWhatLogstashReads writes goldenEntries as gostash's dead
// letter queue does and checks that the bytes are those of
// testdata/gostash/1.log, which Jackson's CBOR mapper set up as Logstash's
// read into testdata/gostash/jackson-read.txt (scripts/golden/dlq.sh):
// what Logstash reads must be what gostash wrote.
func TestWritesWhatLogstashReads(t *testing.T) {
	entries := goldenEntries(t)
	path := filepath.Join(t.TempDir(), "1.log")
	seg, err := createSegment(path)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, en := range entries {
		data, err := encodeEntry(en)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := seg.writeEntry(data); err != nil {
			t.Fatal(err)
		}
		dumpEntry(&want, en)
	}
	seg.f.Close()
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "gostash", "1.log")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, written, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, committed) {
		t.Fatalf("gostash no longer writes %s (%d bytes, now %d): run scripts/golden/dlq.sh", golden, len(committed), len(written))
	}
	if *update {
		return
	}
	read, err := os.ReadFile(filepath.Join("testdata", "gostash", "jackson-read.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(read) != want.String() {
		t.Errorf("Jackson read:\n%s\ngostash wrote:\n%s", read, want.String())
	}
}

// dumpEntry prints en as scripts/golden/dlq's DLQGolden does.
func dumpEntry(b *strings.Builder, en Entry) {
	fmt.Fprintf(b, "entry\ntime: %s\nplugin_type: %s\nplugin_id: %s\nreason: %s\ndata: ", en.Time, en.PluginType, en.PluginID, en.Reason)
	dumpValue(b, en.Event.Data())
	b.WriteString("\nmetadata: ")
	dumpValue(b, en.Event.Metadata())
	b.WriteString("\n")
}

func dumpValue(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("nil")
	case string:
		dumpString(b, t)
	case int64:
		b.WriteString("i:" + strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString("n:" + t.String())
	case float64:
		b.WriteString("f:" + strconv.FormatUint(math.Float64bits(t), 16))
	case event.Decimal:
		b.WriteString("d:" + t.Unscaled().String() + "/" + strconv.Itoa(int(t.Scale())))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case event.Timestamp:
		b.WriteString("t:" + t.String())
	case *event.Map:
		keys := slices.Clone(t.Keys())
		slices.Sort(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpString(b, k)
			b.WriteString("=")
			x, _ := t.Get(k)
			dumpValue(b, x)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, x := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpValue(b, x)
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "unexpected %T", v)
	}
}

func dumpString(b *strings.Builder, s string) {
	if len(s) > 200 {
		fmt.Fprintf(b, "s[%d]:%x", len(s), crc32.ChecksumIEEE([]byte(s)))
		return
	}
	b.WriteString(`"`)
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(`"`)
}

// FuzzDecodeLogstashEvent: any bytes decode to an event or an error,
// never a panic, and an event decoded writes back and reads again as
// itself once written (the first write may replace bytes that are not
// UTF-8 with U+FFFD).
func FuzzDecodeLogstashEvent(f *testing.F) {
	for _, name := range []string{"logstash", "gostash"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name, "1.log"))
		if err != nil {
			f.Fatal(err)
		}
		recs, err := readSegmentBytes(raw)
		if err != nil {
			f.Fatal(err)
		}
		for _, rec := range recs {
			n := int(rec[0])<<24 | int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
			ev := rec[4+n:]
			m := int(ev[0])<<24 | int(ev[1])<<16 | int(ev[2])<<8 | int(ev[3])
			f.Add(ev[4 : 4+m])
		}
	}
	f.Add([]byte{0xd9, 0x01, 0x00, 0x82, 0xd8, 0x19, 0x05})
	f.Add([]byte{0x9f, 0x9f, 0x9f, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeLogstashEvent(data)
		if err != nil {
			return
		}
		roundTrip := func(e *event.Event) *event.Event {
			data, err := appendLogstashEvent(nil, e)
			if err != nil {
				t.Fatalf("cannot write back %v: %v", e.Data(), err)
			}
			back, err := decodeLogstashEvent(data)
			if err != nil {
				t.Fatalf("cannot read back what was written: %v", err)
			}
			return back
		}
		e2 := roundTrip(e)
		e3 := roundTrip(e2)
		var a, b strings.Builder
		dumpEntry(&a, Entry{Event: e2})
		dumpEntry(&b, Entry{Event: e3})
		if a.String() != b.String() {
			t.Fatalf("written back as\n%s\nnot\n%s", b.String(), a.String())
		}
	})
}

// readSegmentBytes returns the entries of a segment held in memory.
func readSegmentBytes(raw []byte) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "segment")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "1.log")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return nil, err
	}
	recs, err := readSegment(path, 0)
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = r.data
	}
	return out, err
}
