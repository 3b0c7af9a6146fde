package beats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/lumberjack"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// discard is an Emitter that drops what it gets.
type discard struct{}

func (discard) Emit(*event.Event)          {}
func (discard) Decorate(*event.Event)      {}
func (discard) EmitDecorated(*event.Event) {}

// BenchmarkWindow decodes one Filebeat window (2048 documents, zlib level
// 3, as go-lumber's client writes it) into events.
func BenchmarkWindow(b *testing.B) {
	docs := make([]any, 2048)
	for i := range docs {
		d, _ := json.Marshal(map[string]any{
			"@timestamp": "2026-01-02T03:04:05.678Z",
			"@metadata":  map[string]any{"beat": "filebeat", "type": "_doc", "version": "8.15.0"},
			"message":    fmt.Sprintf(`203.0.113.%d - - [02/Jan/2026:03:04:05 +0000] "GET /api/v1/items/%d HTTP/1.1" 200 1534 "-" "curl/8.5.0"`, i%250, i),
			"log":        map[string]any{"offset": i * 120, "file": map[string]any{"path": "/var/log/nginx/access.log"}},
			"input":      map[string]any{"type": "filestream"},
			"host":       map[string]any{"name": "web-1"},
			"agent":      map[string]any{"type": "filebeat", "version": "8.15.0", "name": "web-1"},
			"ecs":        map[string]any{"version": "8.0.0"},
		})
		docs[i] = json.RawMessage(d)
	}
	client, server := net.Pipe()
	c, _ := lumber.NewWithConn(client, lumber.CompressionLevel(3), lumber.Timeout(time.Minute))
	got := make(chan []byte)
	go func() { w, _ := io.ReadAll(server); got <- w }()
	c.Send(docs)
	c.Close()
	wire := <-got
	in := plugintest.Input(b, "beats { port => 5044 }").Plugin
	conn := &connection{in: in.(*input), out: discard{}, ip: "127.0.0.1"}
	conn.codec = conn.in.s.NewCodec()
	// One connection's reader over b.N windows, as a Beat sends them.
	r := lumberjack.NewReader(bytes.NewReader(bytes.Repeat(wire, b.N)))
	b.ResetTimer()
	b.ReportAllocs()
	for range b.N {
		batch, err := r.ReadBatch()
		if err != nil {
			b.Fatal(err)
		}
		conn.events = conn.events[:0]
		for _, m := range batch.Messages {
			if err := conn.message(m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "events/s")
}
