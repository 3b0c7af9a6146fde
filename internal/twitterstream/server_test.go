package twitterstream

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseFaults(t *testing.T) {
	got, err := ParseFaults("406, 420,stall,stall:2,drop:3,chunk:7,ok")
	if err != nil {
		t.Fatal(err)
	}
	want := []Fault{{Status: 406}, {Status: 420}, {Stall: true}, {Stall: true, StallAfter: 2}, {Drop: true, DropAfter: 3}, {ChunkSize: 7}, {}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	for _, bad := range []string{"200", "boom", "chunk", "drop:x", "stall:-1"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRuleMatching(t *testing.T) {
	var ko, en v1Full
	json.Unmarshal([]byte(`{"id_str":"1","text":"카프카 kafka 설치","lang":"ko","user":{"id_str":"7","screen_name":"Jun"},"coordinates":{"coordinates":[127.02,37.49]}}`), &ko)
	json.Unmarshal([]byte(`{"id_str":"2","text":"Logstash pipelines","lang":"en","user":{"id_str":"8","screen_name":"ops"},"retweeted_status":{"id_str":"3","text":"about Kafka","user":{"id_str":"9","screen_name":"x"}}}`), &en)
	for _, tc := range []struct {
		rule   string
		ko, en bool
	}{
		{"kafka", true, true},
		{"(kafka) lang:ko", true, false},
		{"(kafka) (lang:en OR lang:ja)", false, true},
		{"kafka -is:retweet", true, false},
		{"from:jun OR from:8", true, true},
		{`"logstash pipelines"`, false, true},
		{"bounding_box:[126.7 37.4 127.2 37.7]", true, false},
		{"kafka logstash", false, true},
	} {
		e, err := parseRule(tc.rule)
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if e.match(&ko) != tc.ko || e.match(&en) != tc.en {
			t.Errorf("%s: ko %v en %v, want %v %v", tc.rule, e.match(&ko), e.match(&en), tc.ko, tc.en)
		}
	}
	for _, bad := range []string{"", "(kafka", `"open`, "bounding_box:[1 2"} {
		if _, err := parseRule(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestV1FilterMatching(t *testing.T) {
	tw, _ := parseTweet([]byte(`{"id":1,"id_str":"1","text":"Kafka Connect rocks","lang":"en","user":{"id_str":"42","screen_name":"dev"},"entities":{"hashtags":[{"text":"streaming"}],"urls":[]}}`))
	for query, want := range map[string]bool{
		"track=kafka":                true,
		"track=connect+kafka":        true,
		"track=connect+flink":        false,
		"track=flink,streaming":      true,
		"follow=42":                  true,
		"follow=43":                  false,
		"track=kafka&language=ko":    false,
		"locations=-180,-90,180,90":  false,
		"track=KAFKA&language=en,ko": true,
	} {
		r := httptest.NewRequest("GET", "/?"+query, nil)
		if got := newV1Filter(r.URL.Query()).matches(tw); got != want {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
}

// Unsigned or badly signed requests get Twitter's 401; the v2 endpoints
// want the bearer token.
func TestAuthRequired(t *testing.T) {
	srv := New(Config{OAuth1: Credentials{ConsumerKey: "k", ConsumerSecret: "s", Token: "t", TokenSecret: "ts"}, BearerToken: "b"})
	for _, tc := range []struct {
		method, path, auth string
		want               int
	}{
		{"POST", "/1.1/statuses/filter.json?track=a", "", 401},
		{"GET", "/1.1/statuses/sample.json", `OAuth oauth_consumer_key="k", oauth_token="t", oauth_signature_method="HMAC-SHA1", oauth_nonce="n", oauth_timestamp="1", oauth_signature="bad"`, 401},
		{"GET", "/2/tweets/sample/stream", "Bearer wrong", 401},
		{"GET", "/2/tweets/search/stream/rules", "Bearer b", 200},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, w.Code, tc.want, w.Body)
		}
	}
	if got := srv.Requests(); len(got) != 4 || got[0].Status != http.StatusUnauthorized || !strings.HasPrefix(got[0].Query, "track=a") {
		t.Fatalf("requests %+v", got)
	}
}
