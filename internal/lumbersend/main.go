// Command lumber-send ships Filebeat-like events over lumberjack v2 with
// Elastic's go-lumber client, as Filebeat's logstash output does (windows
// of -window events, zlib level -compress, -inflight windows in flight),
// and prints its rate. With -sink it is the receiving end instead: Elastic's
// go-lumber server acknowledging every window as it arrives, to measure
// what the sender does against a receiver that never waits.
//
//	lumber-send -sink 127.0.0.1:0          # prints the address, then serves
//	lumber-send -addr 127.0.0.1:5044 -n 1000000
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"
	lumberlog "github.com/elastic/go-lumber/log"
	lumberserver "github.com/elastic/go-lumber/server/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5044", "where to send")
	n := flag.Int("n", 100000, "events to send")
	window := flag.Int("window", 2048, "events per window (Filebeat's bulk_max_size)")
	compress := flag.Int("compress", 3, "zlib level, 0 for none (Filebeat's compression_level)")
	inflight := flag.Int("inflight", 2, "windows sent before waiting for an ACK (Filebeat's pipelining)")
	sink := flag.String("sink", "", "serve as a receiver on this address instead of sending")
	flag.Parse()
	var err error
	if *sink != "" {
		err = serveSink(*sink)
	} else {
		err = send(*addr, *n, *window, *compress, *inflight)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lumber-send:", err)
		os.Exit(1)
	}
}

// event is a Filebeat 8 document for one log line.
func event(i int) json.RawMessage {
	doc, _ := json.Marshal(map[string]any{
		"@timestamp": time.Unix(1767323045, int64(i)*1000).UTC().Format(time.RFC3339Nano),
		"@metadata":  map[string]any{"beat": "filebeat", "type": "_doc", "version": "8.15.0"},
		"message":    fmt.Sprintf(`203.0.113.%d - - [02/Jan/2026:03:04:05 +0000] "GET /api/v1/items/%d HTTP/1.1" 200 1534 "-" "curl/8.5.0"`, i%250, i),
		"log":        map[string]any{"offset": i * 120, "file": map[string]any{"path": "/var/log/nginx/access.log"}},
		"input":      map[string]any{"type": "filestream"},
		"host":       map[string]any{"name": "web-1"},
		"agent":      map[string]any{"type": "filebeat", "version": "8.15.0", "name": "web-1"},
		"ecs":        map[string]any{"version": "8.0.0"},
	})
	return doc
}

func send(addr string, n, window, compress, inflight int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	client, err := lumber.NewAsyncClientWithConn(conn, inflight, lumber.CompressionLevel(compress), lumber.Timeout(5*time.Minute))
	if err != nil {
		return err
	}
	// A pool of distinct documents made up front, so the rate is the
	// client's (encoding, compressing, sending), not this program's.
	pool := make([]json.RawMessage, 4096)
	for i := range pool {
		pool[i] = event(i)
	}
	docs := make([]any, 0, window)
	var acked sync.WaitGroup
	var ackErr error
	var mu sync.Mutex
	start := time.Now()
	for i := 0; i < n; i += window {
		docs = docs[:0]
		for j := i; j < min(i+window, n); j++ {
			docs = append(docs, pool[j%len(pool)])
		}
		acked.Add(1)
		err := client.Send(func(seq uint32, err error) {
			if err != nil {
				mu.Lock()
				ackErr = err
				mu.Unlock()
			}
			acked.Done()
		}, docs)
		if err != nil {
			return err
		}
	}
	acked.Wait()
	elapsed := time.Since(start)
	client.Close()
	if ackErr != nil {
		return ackErr
	}
	fmt.Printf("sent %d events in %.2f s: %.0f events/s\n", n, elapsed.Seconds(), float64(n)/elapsed.Seconds())
	return nil
}

// quiet drops go-lumber's per-connection log lines.
type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}
func (quiet) Print(...any)          {}

func serveSink(addr string) error {
	lumberlog.Logger = quiet{}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv, err := lumberserver.NewWithListener(ln)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	for b := range srv.ReceiveChan() {
		b.ACK()
	}
	return nil
}
