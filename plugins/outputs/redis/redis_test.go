package redis_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	"github.com/gostash/gostash/plugins/internal/redistest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
	_ "github.com/gostash/gostash/plugins/outputs/redis"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMain(m *testing.M) { goldencase.Main(m) }

const deadline = 60 * time.Second

// feed runs gostash on config with lines on stdin and waits for it to end.
func feed(t *testing.T, config string, lines ...string) *redistest.Run {
	t.Helper()
	r, stdin := redistest.StartFed(t, config)
	io.WriteString(stdin, strings.Join(lines, "\n")+"\n")
	stdin.Close()
	if code := r.Wait(deadline); code != 0 {
		t.Fatalf("gostash exited %d\n%s", code, r.Stderr())
	}
	return r
}

// field decodes each JSON value and returns its field name.
func field(t *testing.T, values []string, name string) []string {
	t.Helper()
	var out []string
	for _, v := range values {
		var doc map[string]any
		if err := json.Unmarshal([]byte(v), &doc); err != nil {
			t.Fatalf("not one JSON document: %q: %v", v, err)
		}
		out = append(out, fmt.Sprint(doc[name]))
	}
	return out
}

// Events reach the lists their sprintf'd key names, in order, each as one
// JSON document (the default json codec), as redis-cli reads them back.
func TestListKeysFromEventFieldsReadByRedisCLI(t *testing.T) {
	srv := redistest.Require(t)
	base := srv.Key(t, "out-list")
	t.Cleanup(func() { srv.CLI(t, "del", base+"-a", base+"-b") })
	feed(t, fmt.Sprintf(`input { stdin { codec => json_lines } }
output { redis { host => "127.0.0.1:%s" data_type => list key => "%s-%%{k}" } }`, srv.Port, base),
		`{"k":"a","n":1}`, `{"k":"b","n":2}`, `{"k":"a","n":3}`, `{"k":"b","n":4}`, `{"k":"a","n":5}`)
	if got := field(t, srv.Lines(t, "lrange", base+"-a", "0", "-1"), "n"); !slices.Equal(got, []string{"1", "3", "5"}) {
		t.Errorf("list a holds n %v, want [1 3 5]", got)
	}
	if got := field(t, srv.Lines(t, "lrange", base+"-b", "0", "-1"), "n"); !slices.Equal(got, []string{"2", "4"}) {
		t.Errorf("list b holds n %v, want [2 4]", got)
	}
}

// monitor runs redis-cli MONITOR and returns the commands it saw on key
// so far.
func monitor(t *testing.T, srv *redistest.Server, key string) func() []string {
	t.Helper()
	cmd := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", srv.Port, "monitor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1000)
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != "OK" {
		t.Fatalf("redis-cli monitor did not start: %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
			if strings.Contains(sc.Text(), strconv.Quote(key)) {
				lines <- sc.Text()
			}
		}
		close(lines)
	}()
	var seen []string
	return func() []string {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return seen
				}
				seen = append(seen, l)
			default:
				return seen
			}
		}
	}
}

// valuesPerRPUSH counts the JSON values of each RPUSH MONITOR showed.
func valuesPerRPUSH(lines []string) []int {
	var counts []int
	for _, l := range lines {
		if strings.Contains(l, `"rpush"`) {
			counts = append(counts, strings.Count(l, `"{\"`))
		}
	}
	return counts
}

// batch => true sends runs of events to one key as one RPUSH of at most
// batch_events values; without it each event is one RPUSH.
func TestBatchSendsOneRPUSHPerRunOfEvents(t *testing.T) {
	srv := redistest.Require(t)
	for _, tc := range []struct {
		options string
		want    []int
	}{
		{"batch => true batch_events => 2", []int{2, 2, 1}},
		{"", []int{1, 1, 1, 1, 1}},
	} {
		t.Run(tc.options, func(t *testing.T) {
			key := srv.Key(t, "out-batch")
			seen := monitor(t, srv, key)
			out := plugintest.Output(t, fmt.Sprintf(`redis { port => %s data_type => list key => "%s" %s }`, srv.Port, key, tc.options))
			if err := out.Output(plugintest.Event(t, `{"n":1}`), plugintest.Event(t, `{"n":2}`), plugintest.Event(t, `{"n":3}`),
				plugintest.Event(t, `{"n":4}`), plugintest.Event(t, `{"n":5}`)); err != nil {
				t.Fatal(err)
			}
			if got := field(t, srv.Lines(t, "lrange", key, "0", "-1"), "n"); !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
				t.Fatalf("list holds n %v", got)
			}
			var got []int
			redistest.WaitFor(t, deadline, "MONITOR to show the RPUSHes", func() bool {
				got = valuesPerRPUSH(seen())
				return len(got) >= len(tc.want)
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("values per RPUSH %v, want %v", got, tc.want)
			}
		})
	}
}

// channel publishes each event; redis-cli, subscribed, receives them.
func TestChannelPublishesToSubscribers(t *testing.T) {
	srv := redistest.Require(t)
	channel := srv.Key(t, "out-channel")
	cmd := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", srv.Port, "subscribe", channel)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	// The confirmation: subscribe, the channel, the count.
	for range 3 {
		if !sc.Scan() {
			t.Fatal("redis-cli subscribe ended")
		}
	}
	feed(t, fmt.Sprintf(`input { stdin { codec => json_lines } }
output { redis { port => %s data_type => channel key => "%s" } }`, srv.Port, channel), `{"n":1}`, `{"n":2}`)
	var payloads []string
	for len(payloads) < 2 && sc.Scan() {
		// Each message is three lines: message, the channel, the payload.
		if sc.Text() == "message" && sc.Scan() && sc.Text() == channel && sc.Scan() {
			payloads = append(payloads, sc.Text())
		}
	}
	if got := field(t, payloads, "n"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("subscriber got n %v, want [1 2]", got)
	}
}

// Events sent while the server is down are retried until it is back:
// none is lost (some may arrive twice, if a reply was lost).
func TestServerRestartMidStreamLosesNothing(t *testing.T) {
	srv := redistest.StartPrivate(t)
	key := "restart"
	r, stdin := redistest.StartFed(t, fmt.Sprintf(`input { stdin { } }
output { redis { port => %s data_type => list key => "%s" reconnect_interval => 0.2 } }`, srv.Port, key))
	send := func(from, to int) {
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "%d\n", i)
		}
		io.WriteString(stdin, b.String())
	}
	length := func() int {
		n, _ := strconv.Atoi(srv.CLI(t, "llen", key))
		return n
	}
	send(0, 100)
	redistest.WaitFor(t, deadline, "the first 100 events in the list", func() bool { return length() == 100 })
	srv.Stop()
	send(100, 200)
	r.WaitStderr("Failed to send event to Redis", deadline)
	srv.Start()
	send(200, 300)
	stdin.Close()
	if code := r.Wait(deadline); code != 0 {
		t.Fatalf("gostash exited %d", code)
	}
	seen := map[string]int{}
	for _, m := range field(t, srv.Lines(t, "lrange", key, "0", "-1"), "message") {
		seen[m]++
	}
	for i := range 300 {
		if seen[strconv.Itoa(i)] == 0 {
			t.Errorf("event %d was lost", i)
		}
	}
	t.Logf("%d values for 300 events", length())
}

// A list longer than congestion_threshold holds the output back until a
// reader shortens it.
func TestCongestionThresholdHoldsBackUntilTheListDrains(t *testing.T) {
	srv := redistest.Require(t)
	key := srv.Key(t, "out-congested")
	srv.CLI(t, "rpush", key, "a", "b", "c")
	r, stdin := redistest.StartFed(t, fmt.Sprintf(`input { stdin { } }
output { redis { port => %s data_type => list key => "%s" congestion_threshold => 2 congestion_interval => 0.1 } }`, srv.Port, key))
	io.WriteString(stdin, "held\n")
	r.WaitStderr("Redis key size has hit a congestion threshold 2 suspending output for 0.1 seconds", deadline)
	if got := srv.CLI(t, "llen", key); got != "3" {
		t.Fatalf("the list has %s items while congested, want 3", got)
	}
	srv.CLI(t, "ltrim", key, "3", "-1")
	redistest.WaitFor(t, deadline, "the held event in the list", func() bool { return srv.CLI(t, "llen", key) == "1" })
	stdin.Close()
	if code := r.Wait(deadline); code != 0 {
		t.Fatalf("gostash exited %d", code)
	}
}

// With a host that refuses connections first in the list, the events go
// to the next host after reconnect_interval.
func TestNextHostAfterAFailure(t *testing.T) {
	srv := redistest.Require(t)
	key := srv.Key(t, "out-hosts")
	closed := redistest.FreePort(t)
	r := feed(t, fmt.Sprintf(`input { stdin { } }
output { redis { host => ["127.0.0.1:%s", "127.0.0.1:%s"] shuffle_hosts => false data_type => list key => "%s" reconnect_interval => 0.1 } }`,
		closed, srv.Port, key), "one")
	if got := field(t, srv.Lines(t, "lrange", key, "0", "-1"), "message"); !slices.Equal(got, []string{"one"}) {
		t.Errorf("list holds %v", got)
	}
	if !strings.Contains(r.Stderr(), "redis://@127.0.0.1:"+closed+"/0 list:"+key) {
		t.Errorf("the failure does not name the refusing host:\n%s", r.Stderr())
	}
}

// password and db: the events land in that database of a server that
// requires the password, which no log line shows.
func TestPasswordAndDB(t *testing.T) {
	srv := redistest.StartPrivate(t)
	srv.CLI(t, "config", "set", "requirepass", "s3cret-pw")
	r := feed(t, fmt.Sprintf(`input { stdin { } }
output { redis { port => %s password => "s3cret-pw" db => 2 data_type => list key => "k" } }`, srv.Port), "in db 2")
	got := srv.CLI(t, "--no-auth-warning", "-a", "s3cret-pw", "-n", "2", "lrange", "k", "0", "-1")
	if m := field(t, []string{got}, "message"); !slices.Equal(m, []string{"in db 2"}) {
		t.Errorf("db 2 holds %q", got)
	}
	if strings.Contains(r.Stderr(), "s3cret-pw") {
		t.Errorf("the password shows in the log:\n%s", r.Stderr())
	}
}

// ssl_enabled with a CA and a client certificate: the events reach a
// server that speaks only TLS and requires client certificates; without
// the CA the server's certificate is refused, logged and retried.
func TestTLS(t *testing.T) {
	pki := tlstest.New(t)
	srv := redistest.StartTLS(t, pki.ServerCert, pki.ServerKey, pki.CA)
	feed(t, fmt.Sprintf(`input { stdin { } }
output { redis { host => "127.0.0.1:%s" data_type => list key => "k" ssl_enabled => true
  ssl_certificate_authorities => ["%s"] ssl_certificate => "%s" ssl_key => "%s" } }`, srv.Port, pki.CA, pki.ClientCert, pki.ClientKey), "over TLS")
	got := srv.CLI(t, "--tls", "--cacert", pki.CA, "--cert", pki.ClientCert, "--key", pki.ClientKey, "lrange", "k", "0", "-1")
	if m := field(t, []string{got}, "message"); !slices.Equal(m, []string{"over TLS"}) {
		t.Errorf("the list holds %q", got)
	}

	r, stdin := redistest.StartFed(t, fmt.Sprintf(`input { stdin { } }
output { redis { host => "127.0.0.1:%s" data_type => list key => "k" ssl_enabled => true reconnect_interval => 0.1
  ssl_certificate => "%s" ssl_key => "%s" } }`, srv.Port, pki.ClientCert, pki.ClientKey))
	io.WriteString(stdin, "refused\n")
	r.WaitStderr("certificate signed by unknown authority", deadline)
}
