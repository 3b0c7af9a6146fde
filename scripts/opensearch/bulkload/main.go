// Command bulkload is the plain bulk loader gostash's elasticsearch output is
// measured against: it posts pre-built _bulk bodies of small documents,
// shaped like the events Logstash's generator input makes, to one index and
// prints documents per second. Building the bodies happens before the clock
// starts, so the rate is what the engine and one HTTP client manage, with no
// pipeline in between.
//
//	go run ./scripts/opensearch/bulkload -docs 200000 -batch 125
//
// Any HTTP error, or a bulk response reporting an item error, stops the run:
// a loader that silently drops documents would overstate the rate.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:9200", "engine base URL")
	index := flag.String("index", "bulkload", "index the documents go to")
	docs := flag.Int("docs", 200000, "documents to load")
	batch := flag.Int("batch", 125, "documents per _bulk request (Logstash's default pipeline.batch.size)")
	workers := flag.Int("workers", runtime.NumCPU(), "concurrent requests (Logstash's default pipeline.workers)")
	flag.Parse()
	if *docs < 1 || *batch < 1 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "bulkload: -docs, -batch and -workers must be at least 1")
		os.Exit(2)
	}
	if err := run(strings.TrimRight(*url, "/"), *index, *docs, *batch, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "bulkload:", err)
		os.Exit(1)
	}
}

func run(url, index string, docs, batch, workers int) error {
	bodies := buildBodies(index, docs, batch, time.Now().UTC())
	client := &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
	}

	work := make(chan []byte)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				if err := postBulk(client, url, body); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for _, body := range bodies {
		select {
		case work <- body:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return err
	}

	fmt.Printf("bulkload: %d docs in %.2f s: %.0f docs/s (batch %d, %d workers, %d requests)\n",
		docs, elapsed.Seconds(), float64(docs)/elapsed.Seconds(), batch, workers, len(bodies))
	count, err := countAfterRefresh(client, url, index)
	if err != nil {
		return err
	}
	fmt.Printf("bulkload: index %s holds %d docs\n", index, count)
	return nil
}

// buildBodies renders every _bulk body up front: one index action and one
// document per event, docs split into bodies of at most batch documents.
func buildBodies(index string, docs, batch int, at time.Time) [][]byte {
	// Marshalling a map of strings cannot fail.
	action, _ := json.Marshal(map[string]map[string]string{"index": {"_index": index}})
	action = append(action, '\n')
	stamp := at.Format("2006-01-02T15:04:05.000Z")
	var bodies [][]byte
	for first := 0; first < docs; first += batch {
		n := min(batch, docs-first)
		var b bytes.Buffer
		for seq := first; seq < first+n; seq++ {
			b.Write(action)
			b.WriteString(`{"@timestamp":"`)
			b.WriteString(stamp)
			b.WriteString(`","@version":"1","message":"Hello world!","host":{"name":"bulkload"},"event":{"sequence":`)
			b.WriteString(strconv.Itoa(seq))
			b.WriteString(`,"original":"Hello world!"}}` + "\n")
		}
		bodies = append(bodies, b.Bytes())
	}
	return bodies
}

// bulkResponse is the part of a _bulk reply the loader checks; the first
// failed item is kept for the error message.
type bulkResponse struct {
	Errors bool                         `json:"errors"`
	Items  []map[string]json.RawMessage `json:"items"`
}

func postBulk(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url+"/_bulk", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("POST %s/_bulk: %w", url, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("POST %s/_bulk: reading the reply: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s/_bulk: %s: %.500s", url, resp.Status, reply)
	}
	var r bulkResponse
	if err := json.Unmarshal(reply, &r); err != nil {
		return fmt.Errorf("POST %s/_bulk: decoding the reply: %w", url, err)
	}
	if r.Errors {
		for _, item := range r.Items {
			for _, result := range item {
				if bytes.Contains(result, []byte(`"error"`)) {
					return fmt.Errorf("POST %s/_bulk: an item failed: %.500s", url, result)
				}
			}
		}
		return errors.New("POST " + url + "/_bulk: the reply reports errors but no failed item")
	}
	return nil
}

// countAfterRefresh makes the loaded documents searchable and counts them,
// proving every acknowledged document arrived.
func countAfterRefresh(client *http.Client, url, index string) (int, error) {
	resp, err := client.Post(url+"/"+index+"/_refresh", "application/json", nil)
	if err != nil {
		return 0, fmt.Errorf("refreshing %s: %w", index, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("refreshing %s: %s", index, resp.Status)
	}
	resp, err = client.Get(url + "/" + index + "/_count")
	if err != nil {
		return 0, fmt.Errorf("counting %s: %w", index, err)
	}
	defer resp.Body.Close()
	var c struct {
		Count int `json:"count"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("counting %s: %s", index, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return 0, fmt.Errorf("counting %s: decoding the reply: %w", index, err)
	}
	return c.Count, nil
}
