package twitter

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/twitterstream"
)

// The filtered stream's rules are brought in line with the options: stale
// rules deleted, wanted ones kept or added; then matching tweets stream in
// Logstash's event shape.
func TestV2FilteredStreamSyncsRules(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	srv.AddRule("cats has:images")
	srv.AddRule("(kafka) lang:ko")
	in, logs := mustBuild(t, `bearer_token => "`+testBearer+`" keywords => ["kafka", "logstash"] languages => ["ko"]`)
	events := run(in)(2)
	if got := strings.Join(srv.Rules(), " | "); got != "(kafka) lang:ko | (logstash) lang:ko" {
		t.Fatalf("rules after sync: %s", got)
	}
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Method+" "+r.Path+" "+r.Body)
	}
	want := []string{
		"GET /2/tweets/search/stream/rules ",
		`POST /2/tweets/search/stream/rules {"delete":{"ids":["1000"]}}`,
		`POST /2/tweets/search/stream/rules {"add":[{"value":"(logstash) lang:ko","tag":"gostash"}]}`,
		"GET /2/tweets/search/stream ",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s\nlogs:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"), logs.String())
	}
	checkGolden(t, "events_v2_summary.jsonl", events)
}

// follows become from: rules, locations bounding_box: rules.
func TestV2RulesFromFollowsAndLocations(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, `bearer_token => "`+testBearer+`" follows => ["opsweekly"] locations => "126.7,37.4,127.2,37.7" languages => ["en", "ko"]`)
	events := run(in)(2)
	got := strings.Join(srv.Rules(), " | ")
	if got != "(bounding_box:[126.7 37.4 127.2 37.7]) (lang:en OR lang:ko) | (from:opsweekly) (lang:en OR lang:ko)" {
		t.Fatalf("rules: %s", got)
	}
	u0, _ := events[0].Get("user")
	u1, _ := events[1].Get("user")
	if u0 != "opsweekly" || u1 != "jun_dataeng" {
		t.Fatalf("users %v %v", u0, u1)
	}
}

// full_tweet with v2: the whole payload as received (data, includes,
// matching_rules) with @timestamp from data.created_at.
func TestV2SampleFullTweet(t *testing.T) {
	srv, _ := startServer(t, twitterstream.Config{})
	in, _ := mustBuild(t, `bearer_token => "`+testBearer+`" use_samples => true full_tweet => true target => "[tweet]"`)
	checkGolden(t, "events_v2_full.jsonl", run(in)(6))
	r := srv.Requests()[0]
	if r.Path != "/2/tweets/sample/stream" || r.Status != 200 || !strings.Contains(r.Query, "expansions=author_id") {
		t.Fatalf("request %+v", r)
	}
}

func TestV2WrongBearer(t *testing.T) {
	startServer(t, twitterstream.Config{})
	in, logs := mustBuild(t, `bearer_token => "nope" use_samples => true`)
	run(in)
	eventually(t, "a refusal", func() bool { return len(logs.Lines("refused")) >= 1 })
	if got := logs.Lines("refused")[0]; got != "WARN Twitter refused the request request=stream status=401 message=Unauthorized retry_in=10ms" {
		t.Fatalf("log %s", got)
	}
}
