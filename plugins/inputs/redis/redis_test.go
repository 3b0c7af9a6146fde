package redis_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/plugins/internal/redistest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

const deadline = 60 * time.Second

// decode parses gostash's json_lines output.
func decode(t *testing.T, lines []string) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, l := range lines {
		var doc map[string]any
		if err := json.Unmarshal([]byte(l), &doc); err != nil {
			t.Fatalf("gostash printed %q: %v", l, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

func stop(t *testing.T, r *redistest.Run) {
	t.Helper()
	if code := r.Stop(deadline); code != 0 {
		t.Fatalf("gostash exited %d", code)
	}
}

// Items redis-cli pushed are read in order, decoded by the json codec (bad
// JSON kept in message and tagged _jsonparsefailure) and decorated with
// type, tags and add_field; the list is left empty. batch_count 1 reads
// with BLPOP, the default with the batch script.
func TestListItemsFromRedisCLI(t *testing.T) {
	srv := redistest.Require(t)
	for _, batch := range []string{"", "batch_count => 1"} {
		t.Run("batch "+batch, func(t *testing.T) {
			key := srv.Key(t, "in-list")
			srv.CLI(t, "rpush", key, `{"n":1}`, `not json`, `{"n":3,"tags":["own"]}`)
			r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => list key => "%s" %s
  type => "t" tags => ["added"] add_field => { "f" => "v" } } }
output { stdout { codec => json_lines } }`, srv.Port, key, batch))
			docs := decode(t, r.WaitLines(3, deadline))
			stop(t, r)
			if docs[0]["n"] != 1.0 || docs[2]["n"] != 3.0 || docs[1]["message"] != "not json" {
				t.Errorf("events out of order or wrong: %v", docs)
			}
			if got := fmt.Sprint(docs[1]["tags"]); got != "[_jsonparsefailure added]" {
				t.Errorf("bad JSON tagged %s", got)
			}
			if got := fmt.Sprint(docs[2]["tags"]); got != "[own added]" {
				t.Errorf("tags %s, want [own added]", got)
			}
			for _, d := range docs {
				if d["type"] != "t" || d["f"] != "v" {
					t.Errorf("event not decorated: %v", d)
				}
			}
			if n := srv.CLI(t, "llen", key); n != "0" {
				t.Errorf("the list still holds %s items", n)
			}
		})
	}
}

// channel and pattern_channel subscribe; each message's channel is in
// [@metadata][redis_channel].
func TestChannelsAndPatterns(t *testing.T) {
	srv := redistest.Require(t)
	for _, tc := range []struct{ dataType, key, suffix string }{
		{"channel", "in-channel", ""},
		{"pattern_channel", "in-pattern", "-*"},
	} {
		t.Run(tc.dataType, func(t *testing.T) {
			channel := srv.Key(t, tc.key)
			r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => %s key => "%s%s" } }
filter { mutate { add_field => { "channel" => "%%{[@metadata][redis_channel]}" } } }
output { stdout { codec => json_lines } }`, srv.Port, tc.dataType, channel, tc.suffix))
			r.WaitStderr(`Subscribed {"channel"=>"`+channel+tc.suffix+`", "count"=>1}`, deadline)
			target := channel
			if tc.suffix != "" {
				target = channel + "-x"
			}
			srv.CLI(t, "publish", target, `{"n":1}`)
			docs := decode(t, r.WaitLines(1, deadline))
			stop(t, r)
			if docs[0]["n"] != 1.0 || docs[0]["channel"] != target {
				t.Errorf("event %v, want n 1 from channel %s", docs[0], target)
			}
		})
	}
}

// threads connections share a list: every item is read exactly once.
func TestThreadsShareAList(t *testing.T) {
	srv := redistest.Require(t)
	key := srv.Key(t, "in-threads")
	var items []string
	for i := range 1000 {
		items = append(items, strconv.Itoa(i))
	}
	srv.CLI(t, append([]string{"rpush", key}, items...)...)
	r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => list key => "%s" threads => 3 batch_count => 7 } }
output { stdout { codec => json_lines } }`, srv.Port, key))
	docs := decode(t, r.WaitLines(1000, deadline))
	stop(t, r)
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprint(d["message"]))
	}
	slices.SortFunc(got, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	if len(docs) != 1000 || !slices.Equal(got, items) {
		t.Errorf("read %d events, want each of the 1000 items once", len(docs))
	}
}

// path, password and db: the input reads over the unix socket from that
// database of a server requiring the password, which no log line shows.
func TestUnixSocketPasswordAndDB(t *testing.T) {
	srv := redistest.StartPrivate(t)
	srv.CLI(t, "config", "set", "requirepass", "s3cret-pw")
	srv.CLI(t, "--no-auth-warning", "-a", "s3cret-pw", "-n", "3", "rpush", "k", `{"n":1}`)
	r := redistest.Start(t, fmt.Sprintf(`input { redis { path => "%s" password => "s3cret-pw" db => 3 data_type => list key => "k" } }
output { stdout { codec => json_lines } }`, srv.Socket()))
	docs := decode(t, r.WaitLines(1, deadline))
	stop(t, r)
	if docs[0]["n"] != 1.0 {
		t.Errorf("event %v", docs[0])
	}
	if strings.Contains(r.Stderr(), "s3cret-pw") {
		t.Errorf("the password shows in the log:\n%s", r.Stderr())
	}
	if !strings.Contains(r.Stderr(), "Parameter 'path' is set, ignoring parameters: 'host' and 'port'") {
		t.Errorf("no warning that path overrides host and port:\n%s", r.Stderr())
	}
}

// command_map renames what is sent: the server is asked for the renamed
// command, and its refusal is logged and retried, not fatal.
func TestCommandMapRenamesWhatIsSent(t *testing.T) {
	srv := redistest.Require(t)
	key := srv.Key(t, "in-renamed")
	r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => list key => "%s" batch_count => 1 command_map => { "blpop" => "gostash-renamed-blpop" } } }
output { stdout { codec => json_lines } }`, srv.Port, key))
	refused := "Redis error {\"message\"=>\"ERR unknown command 'gostash-renamed-blpop'"
	redistest.WaitFor(t, deadline, "the refusal, logged twice", func() bool { return strings.Count(r.Stderr(), refused) >= 2 })
	stop(t, r)
}

// A server restart mid-stream is logged and retried: the input reconnects
// and reads on, losing nothing that was in the list.
func TestServerRestartMidStream(t *testing.T) {
	srv := redistest.StartPrivate(t)
	push := func(from, to int) {
		args := []string{"rpush", "k"}
		for i := from; i < to; i++ {
			args = append(args, strconv.Itoa(i))
		}
		srv.CLI(t, args...)
	}
	r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => list key => "k" } }
output { stdout { codec => json_lines } }`, srv.Port))
	push(0, 50)
	r.WaitLines(50, deadline)
	srv.Stop()
	r.WaitStderr("Redis connection error", deadline)
	srv.Start()
	push(50, 100)
	docs := decode(t, r.WaitLines(100, deadline))
	stop(t, r)
	for i, d := range docs {
		if d["message"] != strconv.Itoa(i) {
			t.Fatalf("event %d is %v", i, d)
		}
	}
}

// gostash's redis output feeds gostash's redis input.
func TestFromGostashOutput(t *testing.T) {
	srv := redistest.Require(t)
	key := srv.Key(t, "in-gostash")
	producer := redistest.Start(t, fmt.Sprintf(`input { generator { count => 1000 message => "m" } }
output { redis { port => %s data_type => list key => "%s" batch => true } }`, srv.Port, key))
	if code := producer.Wait(deadline); code != 0 {
		t.Fatalf("producer exited %d", code)
	}
	r := redistest.Start(t, fmt.Sprintf(`input { redis { port => %s data_type => list key => "%s" } }
output { stdout { codec => json_lines } }`, srv.Port, key))
	docs := decode(t, r.WaitLines(1000, deadline))
	stop(t, r)
	for i, d := range docs {
		seq := d["event"].(map[string]any)["sequence"]
		if d["message"] != "m" || seq != float64(i) {
			t.Fatalf("event %d is %v", i, d)
		}
	}
}

// ssl => true speaks TLS, trusting the system's CAs (here SSL_CERT_FILE
// names the test CA, as Go reads it on Linux).
func TestSSL(t *testing.T) {
	pki := tlstest.New(t)
	srv := redistest.StartTLS(t, pki.ServerCert, pki.ServerKey, "")
	srv.CLI(t, "--tls", "--cacert", pki.CA, "rpush", "k", `{"n":1}`)
	r := redistest.StartEnv(t, []string{"SSL_CERT_FILE=" + pki.CA}, fmt.Sprintf(`input { redis { port => %s ssl => true data_type => list key => "k" } }
output { stdout { codec => json_lines } }`, srv.Port))
	docs := decode(t, r.WaitLines(1, deadline))
	stop(t, r)
	if docs[0]["n"] != 1.0 {
		t.Errorf("event %v", docs[0])
	}
}
