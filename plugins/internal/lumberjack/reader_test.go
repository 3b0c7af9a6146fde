package lumberjack

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"
	"github.com/klauspost/compress/zlib"
)

// sendWithGoLumber sends docs in one window with Elastic's own client
// (compressed when level > 0) and returns the bytes it wrote.
func sendWithGoLumber(t *testing.T, level int, docs ...any) []byte {
	t.Helper()
	client, server := net.Pipe()
	defer server.Close()
	c, err := lumber.NewWithConn(client, lumber.CompressionLevel(level), lumber.Timeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(server)
		got <- b
	}()
	if err := c.Send(docs); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return <-got
}

func TestReadsGoLumberBatches(t *testing.T) {
	docs := []any{
		map[string]any{"message": "first", "@metadata": map[string]any{"beat": "filebeat"}},
		map[string]any{"message": "second"},
		map[string]any{"message": "third"},
	}
	for _, level := range []int{0, 3} {
		wire := sendWithGoLumber(t, level, docs...)
		r := NewReader(bytes.NewReader(wire))
		b, err := r.ReadBatch()
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		if b.Version != Version2 || len(b.Messages) != 3 || b.Highest != 3 || b.Incomplete {
			t.Fatalf("level %d: batch %+v", level, b)
		}
		for i, m := range b.Messages {
			if m.Seq != uint32(i+1) {
				t.Errorf("message %d has seq %d", i, m.Seq)
			}
			want, _ := json.Marshal(docs[i])
			if !bytes.Equal(m.JSON, want) {
				t.Errorf("message %d: %s, want %s", i, m.JSON, want)
			}
		}
		if _, err := r.ReadBatch(); err != io.EOF {
			t.Fatalf("level %d: after the batch: %v, want io.EOF", level, err)
		}
	}
}

// The ACK is what go-lumber's client waits for: the window's highest
// sequence number, in the batch's protocol version.
func TestAckIsWhatGoLumberAwaits(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	c, err := lumber.NewWithConn(client, lumber.Timeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		r := NewReader(server)
		b, err := r.ReadBatch()
		if err != nil {
			return
		}
		server.Write(AppendAck(nil, b.Version, 0)) // a keep-alive first
		server.Write(AppendAck(nil, b.Version, b.Highest))
	}()
	if err := c.Send([]any{map[string]any{"a": 1}, map[string]any{"b": 2}}); err != nil {
		t.Fatal(err)
	}
	seq, err := c.AwaitACK(2)
	if err != nil || seq != 2 {
		t.Fatalf("AwaitACK: %d, %v", seq, err)
	}
}

// frame helpers build version 1 frames and malformed ones, which no
// published client sends.
func window(version byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{version, 'W'}, n)
}

func jsonFrame(seq uint32, doc string) []byte {
	b := binary.BigEndian.AppendUint32([]byte{'2', 'J'}, seq)
	b = binary.BigEndian.AppendUint32(b, uint32(len(doc)))
	return append(b, doc...)
}

func dataFrame(seq uint32, kv ...string) []byte {
	b := binary.BigEndian.AppendUint32([]byte{'1', 'D'}, seq)
	b = binary.BigEndian.AppendUint32(b, uint32(len(kv)/2))
	for _, s := range kv {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

func compressedFrame(inner []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(inner)
	w.Close()
	b := binary.BigEndian.AppendUint32([]byte{'2', 'C'}, uint32(z.Len()))
	return append(b, z.Bytes()...)
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestReadsVersion1KeyValueFrames(t *testing.T) {
	wire := concat(window('1', 2), dataFrame(1, "line", "hello", "host", "h1"), dataFrame(2, "line", "bye"))
	b, err := NewReader(bytes.NewReader(wire)).ReadBatch()
	if err != nil {
		t.Fatal(err)
	}
	if b.Version != Version1 || b.Highest != 2 || len(b.Messages) != 2 {
		t.Fatalf("batch %+v", b)
	}
	want := []Field{{"line", "hello"}, {"host", "h1"}}
	for i, f := range b.Messages[0].Fields {
		if f != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, f, want[i])
		}
	}
}

func TestEmptyWindowIsAnEmptyBatch(t *testing.T) {
	r := NewReader(bytes.NewReader(concat(window('2', 0), window('2', 1), jsonFrame(7, `{}`))))
	b, err := r.ReadBatch()
	if err != nil || len(b.Messages) != 0 || b.Highest != 0 {
		t.Fatalf("first batch %+v, %v", b, err)
	}
	b, err = r.ReadBatch()
	if err != nil || len(b.Messages) != 1 || b.Highest != 7 {
		t.Fatalf("second batch %+v, %v", b, err)
	}
}

// A new window before the current one is full hands the partial batch over,
// and the new size counts for the next batch.
func TestNewWindowCutsTheBatchShort(t *testing.T) {
	r := NewReader(bytes.NewReader(concat(window('2', 3), jsonFrame(1, `{}`), window('2', 2), jsonFrame(1, `{}`), jsonFrame(2, `{}`))))
	b, err := r.ReadBatch()
	if err != nil || !b.Incomplete || len(b.Messages) != 1 {
		t.Fatalf("first batch %+v, %v", b, err)
	}
	b, err = r.ReadBatch()
	if err != nil || b.Incomplete || len(b.Messages) != 2 || b.Highest != 2 {
		t.Fatalf("second batch %+v, %v", b, err)
	}
}

// A compressed frame may complete one batch and start the next.
func TestCompressedContentSpanningBatches(t *testing.T) {
	inner := concat(jsonFrame(1, `{"a":1}`), window('2', 1), jsonFrame(1, `{"b":2}`))
	r := NewReader(bytes.NewReader(concat(window('2', 1), compressedFrame(inner))))
	for i, want := range []string{`{"a":1}`, `{"b":2}`} {
		b, err := r.ReadBatch()
		if err != nil || len(b.Messages) != 1 || string(b.Messages[0].JSON) != want {
			t.Fatalf("batch %d: %+v, %v", i, b, err)
		}
	}
	if _, err := r.ReadBatch(); err != io.EOF {
		t.Fatalf("after the batches: %v", err)
	}
}

func TestMalformedFrames(t *testing.T) {
	cases := []struct {
		name string
		wire []byte
		want string
	}{
		{"bad version", []byte("GET / HTTP/1.1\r\n"), "Invalid version of beats protocol: 71"},
		{"bad frame type", []byte("2X"), "Invalid Frame Type, received: 88"},
		{"zero json length", concat(window('2', 1), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("2J"), 1), 0)), "Invalid json length, received: 0"},
		{"negative json length", concat(window('2', 1), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("2J"), 1), 0xFFFFFFFF)), "Invalid json length, received: -1"},
		{"no fields", concat(window('1', 1), dataFrame(1)), "Invalid number of fields, received: 0"},
		{"truncated inside compressed", concat(window('2', 1), compressedFrame(jsonFrame(1, `{"a":1}`)[:7])), "Insufficient bytes in compressed content to decode: READ_JSON_HEADER"},
		{"corrupt zlib", concat(window('2', 1), []byte{'2', 'C', 0, 0, 0, 4, 1, 2, 3, 4}), "compressed frame:"},
		{"json frame in v1 batch", concat(window('1', 1), jsonFrame(1, `{}`)), "JSON frame in a version 1 batch"},
	}
	for _, c := range cases {
		_, err := NewReader(bytes.NewReader(c.wire)).ReadBatch()
		var pe *ProtocolError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a protocol error containing %q", c.name, err, c.want)
		}
	}
}

// A frame that announces more bytes than ever arrive is an unexpected EOF,
// and at most a mebibyte of the announced size is allocated up front.
func TestTruncatedFrameIsUnexpectedEOF(t *testing.T) {
	wire := concat(window('2', 1), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("2J"), 1), WindowLimit/2), []byte(`{"a"`))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewReader(bytes.NewReader(wire)).ReadBatch()
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
		t.Errorf("reading a truncated frame that announces 2 GiB allocated %d bytes", grew)
	}
}

// What one window holds is bounded: a frame announcing more than the limit
// is refused before any byte of it is read, and so are a compressed frame
// inflating past it and a window of many small frames adding up past it.
func TestWindowLimit(t *testing.T) {
	var bomb bytes.Buffer
	zw := zlib.NewWriter(&bomb)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	var flood [][]byte
	for i := range 100 {
		flood = append(flood, jsonFrame(uint32(i+1), `{}`))
	}
	cases := []struct {
		name  string
		limit int64
		wire  []byte
		want  string
	}{
		{"json frame announcing 2 GiB", WindowLimit, concat(window('2', 1), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("2J"), 1), 0x7FFFFFFF)),
			"JSON frame over the window limit: the window would hold 2147483711 bytes, more than 134217728"},
		{"compressed frame announcing 2 GiB", WindowLimit, concat(window('2', 1), binary.BigEndian.AppendUint32([]byte("2C"), 0x7FFFFFFF)), "compressed frame over the window limit"},
		{"compression bomb", 64 << 10, concat(window('2', 1), []byte("2C"), binary.BigEndian.AppendUint32(nil, uint32(bomb.Len())), bomb.Bytes()),
			"compressed frame inflates past the window limit of 65536 bytes"},
		{"many small frames", 50 * (messageOverhead + 2), concat(append([][]byte{window('2', 100)}, flood...)...), "JSON frame over the window limit"},
		{"data frame field", 1 << 10, concat(window('1', 1), dataFrame(1, "k", strings.Repeat("v", 2<<10))), "data frame field over the window limit"},
	}
	for _, c := range cases {
		r := NewReader(bytes.NewReader(c.wire))
		r.limit = c.limit
		_, err := r.ReadBatch()
		var pe *ProtocolError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a protocol error containing %q", c.name, err, c.want)
		}
	}
	// A window just within the limit is read whole, and the next window
	// starts from nothing.
	wire := concat(append(append([][]byte{window('2', 50)}, flood[:50]...), window('2', 50), concat(flood[50:]...))...)
	r := NewReader(bytes.NewReader(wire))
	r.limit = 50 * (messageOverhead + 2)
	for range 2 {
		if b, err := r.ReadBatch(); err != nil || len(b.Messages) != 50 {
			t.Fatalf("a window at the limit: %v", err)
		}
	}
}

// FuzzReader feeds arbitrary bytes to the reader: it must return batches or
// an error, never panic, and never hand over more messages than it read.
func FuzzReader(f *testing.F) {
	f.Add(concat(window('2', 1), jsonFrame(1, `{"message":"hi"}`)))
	f.Add(concat(window('1', 1), dataFrame(1, "line", "x")))
	f.Add(concat(window('2', 2), compressedFrame(concat(jsonFrame(1, `{}`), jsonFrame(2, `{}`)))))
	f.Add(concat(window('2', 0), window('2', 3), jsonFrame(1, `{}`), window('2', 1)))
	f.Add([]byte("2C\x00\x00\x00\x05xxxxx"))
	f.Fuzz(func(t *testing.T, wire []byte) {
		r := NewReader(bytes.NewReader(wire))
		total := 0
		for range 1000 {
			b, err := r.ReadBatch()
			if err != nil {
				return
			}
			total += len(b.Messages)
			for _, m := range b.Messages {
				if m.Seq > b.Highest {
					t.Fatalf("message seq %d above the batch's highest %d", m.Seq, b.Highest)
				}
			}
		}
		if total > len(wire) {
			t.Fatalf("%d messages from %d bytes", total, len(wire))
		}
	})
}
