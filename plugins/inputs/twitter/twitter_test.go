package twitter

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/twitterstream"
	"github.com/gostash/gostash/runtime/event"
)

var update = flag.Bool("update", false, "rewrite the golden event files")

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options string
		err     string
	}{
		{"nothing to follow", credentials, "test.conf:2:3: twitter input plugin: At least one parameter (follows, locations or keywords) must be specified."},
		{"languages alone", credentials + ` languages => ["en"]`, "At least one parameter (follows, locations or keywords) must be specified."},
		{"empty keywords as in the blog", credentials + ` keywords => []`, ""},
		{"follows", credentials + ` follows => ["123"]`, ""},
		{"locations", credentials + ` locations => "-122.75,36.8,-121.75,37.8"`, ""},
		{"samples", credentials + ` use_samples => true`, ""},
		{"no consumer key", `consumer_secret => "s" oauth_token => "t" oauth_token_secret => "x" keywords => ["a"]`, "test.conf:2:3: twitter input plugin: Missing a required setting: consumer_key => # SETTING MISSING"},
		{"bearer token alone", `bearer_token => "b" keywords => ["a"]`, ""},
		{"bad target", credentials + ` use_samples => true target => "[a"`, "target"},
		{"bad proxy port", credentials + ` use_samples => true use_proxy => true proxy_port => 70000`, "proxy_port must be between 1 and 65535"},
		{"unknown option", credentials + ` use_samples => true firehose => true`, "Unknown setting 'firehose' for twitter"},
		{"bad ecs", credentials + ` use_samples => true ecs_compatibility => "v9"`, "ecs_compatibility"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(t, tc.options)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && err == nil:
				t.Fatalf("accepted, want error %q", tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Fatalf("error %q, want it to contain %q", err, tc.err)
			}
		})
	}
}

// Secrets never reach error messages or logs.
func TestSecretsNotShown(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.Inject(twitterstream.Fault{Status: 503})
	in, logs := mustBuild(t, credentials+` keywords => ["kafka"]`)
	run(in)(1)
	for _, secret := range []string{testCreds.ConsumerSecret, testCreds.TokenSecret, url.QueryEscape(testCreds.TokenSecret)} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("log shows a secret:\n%s", logs.String())
		}
	}
	_, err := build(t, `consumer_secret => ["a", "b"] keywords => ["a"]`)
	if err == nil || strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("error shows the secret value: %v", err)
	}
}

// The filter request carries Logstash's parameters in the query string and
// is signed over the URL requested (the server verifies it).
func TestFilterRequest(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, credentials+` keywords => ["kafka", "logstash pipeline"] languages => ["en", "ko"] locations => "126.7,37.4,127.2,37.7"`)
	run(in)(1)
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests: %+v", reqs)
	}
	r := reqs[0]
	want := "track=kafka%2Clogstash+pipeline&language=en%2Cko&locations=126.7%2C37.4%2C127.2%2C37.7"
	if r.Method != "POST" || r.Path != "/1.1/statuses/filter.json" || r.Status != 200 || !sameQuery(r.Query, want) || r.Body != "" {
		t.Fatalf("request %+v, want POST /1.1/statuses/filter.json?%s answered 200", r, want)
	}
}

func sameQuery(a, b string) bool {
	qa, _ := url.ParseQuery(a)
	qb, _ := url.ParseQuery(b)
	return qa.Encode() == qb.Encode()
}

func TestSampleRequest(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, credentials+` use_samples => true keywords => ["ignored"]`)
	run(in)(1)
	r := srv.Requests()[0]
	if r.Method != "GET" || r.Path != "/1.1/statuses/sample.json" || r.Query != "" || r.Status != 200 {
		t.Fatalf("request %+v", r)
	}
}

// full_tweet: the event is the tweet exactly as received (every field,
// nesting, number and key order) plus @timestamp and @version.
func TestFullTweetIsTheTweetAsReceived(t *testing.T) {
	startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, credentials+` use_samples => true full_tweet => true`)
	msgs := testMessages(t)
	var tweets [][]byte
	for _, m := range msgs {
		if bytes.HasPrefix(m, []byte(`{"delete"`)) || bytes.HasPrefix(m, []byte(`{"limit"`)) {
			continue
		}
		tweets = append(tweets, m)
	}
	events := run(in)(len(tweets))
	for i, e := range events {
		ts, _ := e.Get("@timestamp")
		v, _ := e.Get("@version")
		data := e.Data().Clone()
		data.Delete("@timestamp")
		data.Delete("@version")
		if got := string(event.AppendJSON(nil, data)); got != string(tweets[i]) {
			t.Errorf("event %d differs from the tweet:\n got %s\nwant %s", i, got, tweets[i])
		}
		created, _ := data.Get("created_at")
		want, _ := tweetTime(created)
		if ts != want || v != "1" {
			t.Errorf("event %d: @timestamp %v @version %v", i, ts, v)
		}
	}
	if ts, _ := events[0].Get("@timestamp"); ts.(event.Timestamp).String() != "2022-04-13T11:15:32.000Z" {
		t.Errorf("seed tweet @timestamp %v", ts)
	}
}

// The summary events (full_tweet => false), with and without target, are
// checked against golden files; -update rewrites them.
func TestSummaryEventsGolden(t *testing.T) {
	for _, tc := range []struct {
		golden  string
		options string
	}{
		{"events_v1_summary.jsonl", credentials + ` use_samples => true`},
		{"events_v1_target.jsonl", credentials + ` use_samples => true target => "[twitter]" ignore_retweets => true`},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			startServer(t, twitterstream.Config{})
			in, _ := mustBuild(t, tc.options)
			n := 6
			if inputOf(in).ignoreRetweets {
				n = 5
			}
			checkGolden(t, tc.golden, run(in)(n))
		})
	}
}

func checkGolden(t *testing.T, name string, events []*event.Event) {
	t.Helper()
	var b bytes.Buffer
	for _, e := range events {
		b.WriteString(eventJSON(e))
		b.WriteByte('\n')
	}
	path := repoPath(t, "testdata/twitter/"+name)
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("events differ from %s:\n got %s\nwant %s", name, b.String(), want)
	}
}

// Notices in the stream (delete, limit) are logged, not turned into events.
func TestNoticesAreNotEvents(t *testing.T) {
	startServer(t, twitterstream.Config{Messages: [][]byte{
		[]byte(`{"delete":{"status":{"id":1,"id_str":"1","user_id":2,"user_id_str":"2"}}}`),
		[]byte(`{"limit":{"track":42}}`),
		[]byte(`{"warning":{"code":"FALLING_BEHIND","message":"Your connection is falling behind","percent_full":60}}`),
		[]byte(`{"disconnect":{"code":7,"stream_name":"x","reason":"admin logout"}}`),
		[]byte(`not json at all`),
		[]byte(`{"id":5,"created_at":"Wed Apr 13 11:15:32 +0000 2022","text":"hi","user":{"screen_name":"a"},"entities":{}}`),
	}})
	in, logs := mustBuild(t, credentials+` use_samples => true`)
	e := run(in)(1)[0]
	if got := eventJSON(e); got != `{"@timestamp":"2022-04-13T11:15:32.000Z","@version":"1","message":"hi","user":"a","client":null,"retweeted":false,"source":"http://twitter.com/a/status/5","hashtags":[],"symbols":[],"user_mentions":[]}` {
		t.Fatalf("event %s", got)
	}
	for _, want := range []string{"withholding tweets", "FALLING_BEHIND", "closing the stream"} {
		if len(logs.Lines("")) == 0 || !strings.Contains(logs.String(), want) {
			t.Errorf("no log mentioning %q:\n%s", want, logs.String())
		}
	}
}

// Screen names in follows are resolved through the users lookup (signed
// too); ids are used as they are.
func TestFollowsResolvesScreenNames(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, credentials+` follows => ["StreamingDev", "93857261"]`)
	events := run(in)(2)
	reqs := srv.Requests()
	if reqs[0].Path != "/1.1/users/lookup.json" || reqs[0].Status != 200 || !sameQuery(reqs[0].Query, "screen_name=StreamingDev") {
		t.Fatalf("lookup request %+v", reqs[0])
	}
	if reqs[1].Path != "/1.1/statuses/filter.json" || !sameQuery(reqs[1].Query, "follow=1187361208533786624%2C93857261") {
		t.Fatalf("filter request %+v", reqs[1])
	}
	if u, _ := events[0].Get("user"); u != "streamingdev" {
		t.Fatalf("first event by %v", u)
	}
}

func TestFollowsUnknownNameIsRetried(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, logs := mustBuild(t, credentials+` follows => ["nobody_here"]`)
	run(in)
	eventually(t, "two lookups", func() bool { return len(srv.Requests()) >= 2 })
	if got := logs.Lines("refused"); len(got) == 0 || !strings.Contains(got[0], "status=404") {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

func TestProxy(t *testing.T) {
	_, ts := startServer(t, twitterstream.Config{})
	proxy, seen := startProxy(t, ts.URL)
	in, _ := mustBuild(t, credentials+` keywords => ["kafka"] use_proxy => true proxy_address => "127.0.0.1" proxy_port => `+strconv.Itoa(proxy))
	run(in)(1)
	if got := seen(); len(got) != 1 || !strings.HasPrefix(got[0], "POST "+ts.URL+"/1.1/statuses/filter.json?track=kafka") {
		t.Fatalf("proxy saw %q", got)
	}
}

// users/lookup takes 100 names a call; more are looked up in batches.
func TestFollowsLookupInBatches(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	names := strings.TrimSuffix(strings.Repeat(`"@streamingdev", `, 101), ", ")
	in, _ := mustBuild(t, credentials+` follows => [`+names+`]`)
	run(in)(1)
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/1.1/users/lookup.json" || reqs[1].Path != "/1.1/users/lookup.json" {
		t.Fatalf("requests %+v", reqs)
	}
	if q, _ := url.ParseQuery(reqs[0].Query); len(strings.Split(q.Get("screen_name"), ",")) != 100 {
		t.Fatalf("first lookup %s", reqs[0].Query)
	}
	if q, _ := url.ParseQuery(reqs[2].Query); len(strings.Split(q.Get("follow"), ",")) != 101 {
		t.Fatalf("filter %s", reqs[2].Query)
	}
}
