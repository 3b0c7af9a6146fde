package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/plugins/internal/kafkatest"
)

// TestBlogTwitterKafkaChain is the blog's whole pipeline: the twitter input
// (against the in-repo stream server) writes full tweets to Kafka as JSON,
// and a consumer pipeline prints them as rubydebug. Every tweet must arrive
// with every field and number exactly as Twitter sent it.
func TestBlogTwitterKafkaChain(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.Topic(t, brokers, 1)

	creds := twitterstream.Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts"}
	messages, tweets := streamMessages(t)
	srv := twitterstream.New(twitterstream.Config{OAuth1: creds, Messages: messages, KeepAlive: time.Second})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	t.Setenv("GOSTASH_TWITTER_STREAM_URL", ts.URL)
	t.Setenv("GOSTASH_TWITTER_API_URL", ts.URL)

	// blog-producer.conf, with the test's credentials, broker and topic.
	producer := start(t, fmt.Sprintf(`input {
  twitter {
    consumer_key => %q
    consumer_secret => %q
    oauth_token => %q
    oauth_token_secret => %q
    keywords => ["kafka", "logstash"]
    full_tweet => true
  }
}

output {
  kafka {
    bootstrap_servers => %q
    topic_id => %q
    codec => json
  }
}
`, creds.ConsumerKey, creds.ConsumerSecret, creds.Token, creds.TokenSecret, brokers, topic), nil)
	records := kafkatest.Consume(t, brokers, topic, len(tweets), 60*time.Second)
	producer.stop()

	// Two workers may reorder events, so records are matched by tweet id.
	sent := map[any]map[string]any{}
	for _, tw := range tweets {
		sent[tw["id_str"]] = tw
	}
	for i, rec := range records {
		got := decodeExact(t, rec.Value)
		if _, ok := got["@timestamp"]; !ok {
			t.Errorf("record %d has no @timestamp", i)
		}
		delete(got, "@timestamp")
		delete(got, "@version")
		want, ok := sent[got["id_str"]]
		if !ok {
			t.Errorf("record %d is no tweet sent, or a duplicate: %s", i, rec.Value)
			continue
		}
		delete(sent, got["id_str"])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("record %d differs from the tweet sent:\n got %s\nwant %s", i, rec.Value, mustJSON(want))
		}
	}

	// blog-consumer.conf, reading the topic back.
	consumer := start(t, blogConsumerConfig(brokers, topic), nil)
	waitUntil(t, 60*time.Second, "every tweet printed", func() bool {
		out := consumer.stdout.String()
		for _, tw := range tweets {
			if !strings.Contains(out, fmt.Sprintf(`"id_str" => %q`, tw["id_str"])) {
				return false
			}
		}
		return true
	})
	consumer.stop()
}

// streamMessages reads the stream server's canned messages: the notices
// (delete, limit), which the input must not turn into events, and the
// tweets that mention the producer's keywords, which the server's track
// filter lets through.
func streamMessages(t *testing.T) ([][]byte, []map[string]any) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "..", "testdata", "twitter", "tweets.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var messages [][]byte
	var tweets []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		m := decodeExact(t, line)
		if m["id_str"] == nil {
			messages = append(messages, line)
			continue
		}
		if lower := bytes.ToLower(line); bytes.Contains(lower, []byte("kafka")) || bytes.Contains(lower, []byte("logstash")) {
			messages = append(messages, line)
			tweets = append(tweets, m)
		}
	}
	if len(tweets) == 0 {
		t.Fatal("no tweets in testdata/twitter/tweets.jsonl")
	}
	return messages, tweets
}

// decodeExact decodes JSON keeping numbers as written.
func decodeExact(t *testing.T, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return m
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
