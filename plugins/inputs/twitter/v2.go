package twitter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// v2 stream request fields: enough to build Logstash's event shape.
var v2StreamQuery = url.Values{
	"tweet.fields": {"created_at,author_id,lang,entities,source,referenced_tweets,in_reply_to_user_id,public_metrics,conversation_id,possibly_sensitive"},
	"expansions":   {"author_id,referenced_tweets.id,referenced_tweets.id.author_id,entities.mentions.username,in_reply_to_user_id"},
	"user.fields":  {"username,name,created_at,verified,description,location,public_metrics"},
}

// v2RuleTag marks the filtered-stream rules this input manages.
const v2RuleTag = "gostash"

// v2Source reads the X API v2 filtered stream (keeping its rules in sync
// with the options) or the v2 sample stream, with app-only bearer auth.
type v2Source struct {
	in     *Input
	client *http.Client
}

func newV2Source(in *Input) *v2Source {
	return &v2Source{in: in, client: &http.Client{Transport: in.transport()}}
}

func (s *v2Source) describe() []any {
	if s.in.useSamples {
		return []any{"stream", "2/tweets/sample/stream"}
	}
	return []any{"stream", "2/tweets/search/stream", "rules", strings.Join(s.rules(), " | ")}
}

// rules are the filtered-stream rules matching the options: one per
// keyword, followed user and bounding box, each narrowed to languages.
func (s *v2Source) rules() []string {
	var langs string
	if len(s.in.languages) > 0 {
		parts := make([]string, len(s.in.languages))
		for i, l := range s.in.languages {
			parts[i] = "lang:" + l
		}
		langs = strings.Join(parts, " OR ")
		if len(parts) > 1 {
			langs = "(" + langs + ")"
		}
	}
	var out []string
	add := func(r string) {
		if langs != "" {
			r = "(" + r + ") " + langs
		}
		out = append(out, r)
	}
	for _, k := range s.in.keywords {
		add(k)
	}
	for _, f := range s.in.follows {
		add("from:" + strings.TrimPrefix(f, "@"))
	}
	for _, box := range boundingBoxes(s.in.locations) {
		add("bounding_box:[" + box + "]")
	}
	return out
}

// boundingBoxes splits v1.1's "w,s,e,n,w,s,e,n" locations into v2's
// "w s e n" boxes.
func boundingBoxes(locations string) []string {
	var coords []string
	for _, c := range strings.Split(locations, ",") {
		if c = strings.TrimSpace(c); c != "" {
			coords = append(coords, c)
		}
	}
	var boxes []string
	for i := 0; i+4 <= len(coords); i += 4 {
		boxes = append(boxes, strings.Join(coords[i:i+4], " "))
	}
	return boxes
}

func (s *v2Source) newRequest(ctx context.Context, method, path string, query url.Values, body any) (*http.Request, error) {
	u := *s.in.apiURL
	u.Path += path
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), nil)
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.in.bearerToken)
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// callJSON does one REST call and decodes its JSON answer into out.
func (s *v2Source) callJSON(ctx context.Context, op, method, path string, body, out any) error {
	req, err := s.newRequest(ctx, method, path, nil, body)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		return refusal(op, resp)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	return nil
}

type v2Rule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

type v2RulesAnswer struct {
	Data   []v2Rule `json:"data"`
	Errors []struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Value  string `json:"value"`
	} `json:"errors"`
}

// prepare brings the stream's rules in line with the options: rules not
// wanted are deleted, missing ones added.
func (s *v2Source) prepare(ctx context.Context) error {
	if s.in.useSamples {
		return nil
	}
	const path = "/2/tweets/search/stream/rules"
	var current v2RulesAnswer
	if err := s.callJSON(ctx, "list stream rules", http.MethodGet, path, nil, &current); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, r := range s.rules() {
		want[r] = true
	}
	var stale []string
	for _, r := range current.Data {
		if want[r.Value] {
			delete(want, r.Value)
		} else {
			stale = append(stale, r.ID)
		}
	}
	if len(stale) > 0 {
		var answer v2RulesAnswer
		body := map[string]any{"delete": map[string]any{"ids": stale}}
		if err := s.callJSON(ctx, "delete stream rules", http.MethodPost, path, body, &answer); err != nil {
			return err
		}
		s.in.log.Info("Deleted stale stream rules", "count", len(stale))
	}
	if len(want) > 0 {
		add := make([]v2Rule, 0, len(want))
		for v := range want {
			add = append(add, v2Rule{Value: v, Tag: v2RuleTag})
		}
		sort.Slice(add, func(i, j int) bool { return add[i].Value < add[j].Value })
		var answer v2RulesAnswer
		if err := s.callJSON(ctx, "add stream rules", http.MethodPost, path, map[string]any{"add": add}, &answer); err != nil {
			return err
		}
		for _, e := range answer.Errors {
			s.in.log.Warn("Twitter rejected a stream rule", "rule", e.Value, "title", e.Title, "detail", e.Detail)
		}
		s.in.log.Info("Added stream rules", "count", len(answer.Data))
	}
	if len(s.rules()) == 0 {
		s.in.log.Warn("No stream rules: keywords, follows and locations are all empty, so the filtered stream will deliver nothing")
	}
	return nil
}

func (s *v2Source) open(ctx context.Context) (*http.Response, error) {
	path := "/2/tweets/search/stream"
	if s.in.useSamples {
		path = "/2/tweets/sample/stream"
	}
	req, err := s.newRequest(ctx, http.MethodGet, path, v2StreamQuery, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req)
}

// handle turns one v2 message ({"data":..., "includes":..., "matching_rules":...})
// into an event; error messages in the stream are logged.
func (s *v2Source) handle(line []byte, out plugin.Emitter) {
	v, err := event.DecodeJSONDecimal(line)
	m, ok := v.(*event.Map)
	if err != nil || !ok {
		s.in.log.Debug("Skipping a stream message that is not a JSON object", "bytes", len(line))
		return
	}
	data, ok := getMap(m, "data")
	if !ok {
		if errs := listAt(m, "errors"); len(errs) > 0 {
			s.in.log.Warn("Twitter stream error", "errors", event.ValueString(errs))
		} else {
			s.in.log.Debug("Skipping a stream message without data", "keys", strings.Join(m.Keys(), ","))
		}
		return
	}
	includes, _ := getMap(m, "includes")
	retweetOf := referencedTweet(data, includes, "retweeted")
	if s.in.ignoreRetweets && retweetOf != nil {
		return
	}
	var e *event.Event
	if s.in.fullTweet {
		created, _ := data.Get("created_at")
		e, err = s.in.fullTweetEvent(m, created)
	} else {
		e, err = s.in.v2SummaryEvent(data, includes, retweetOf)
	}
	if err != nil {
		s.in.log.Warn("Event generation error", "error", err.Error(), "id", event.ValueString(firstValue(data, "id")))
		return
	}
	out.Emit(e)
}

// referencedTweet finds the tweet data references with the given type
// (retweeted, quoted, replied_to) in includes.tweets.
func referencedTweet(data, includes *event.Map, kind string) *event.Map {
	for _, r := range listAt(data, "referenced_tweets") {
		rm, ok := r.(*event.Map)
		if !ok {
			continue
		}
		if t, _ := stringAt(rm, "type"); t != kind {
			continue
		}
		id, _ := stringAt(rm, "id")
		if found := findByID(listAt(includes, "tweets"), id); found != nil {
			return found
		}
		return event.NewMap(0) // referenced but not expanded
	}
	return nil
}

func findByID(items []any, id string) *event.Map {
	for _, it := range items {
		if m, ok := it.(*event.Map); ok {
			if got, _ := stringAt(m, "id"); got == id && id != "" {
				return m
			}
		}
	}
	return nil
}

// v2SummaryEvent maps a v2 tweet to Logstash's v1.1 event shape: entities
// get their v1.1 form ({"text","indices"}, {"screen_name",...}), ids are
// numbers again.
func (in *Input) v2SummaryEvent(data, includes, retweetOf *event.Map) (*event.Event, error) {
	created, _ := data.Get("created_at")
	ts, err := tweetTime(created)
	if err != nil {
		return nil, err
	}
	authorID, _ := stringAt(data, "author_id")
	author := findByID(listAt(includes, "users"), authorID)
	username, ok := stringAt(author, "username")
	if !ok {
		return nil, fmt.Errorf("tweet author %q is not in includes.users", authorID)
	}
	idStr, _ := stringAt(data, "id")
	text, _ := stringAt(data, "text")
	if retweetOf != nil {
		if rtText, ok := stringAt(retweetOf, "text"); ok {
			text = retweetPrefix.FindString(text) + rtText
		}
	}
	client, _ := data.Get("source")
	f := summaryFields{
		message:       text,
		user:          username,
		client:        client,
		id:            numberOrString(idStr),
		createdAtTime: ts,
	}
	entities, _ := getMap(data, "entities")
	f.hashtags = v1Tags(listAt(entities, "hashtags"))
	f.symbols = v1Tags(listAt(entities, "cashtags"))
	for _, mention := range listAt(entities, "mentions") {
		mm, ok := mention.(*event.Map)
		if !ok {
			continue
		}
		name, _ := stringAt(mm, "username")
		id, _ := stringAt(mm, "id")
		var displayName any
		if u := findByID(listAt(includes, "users"), id); u != nil {
			displayName, _ = u.Get("name")
		}
		um := event.NewMap(5)
		um.Set("screen_name", name)
		um.Set("name", displayName)
		um.Set("id", numberOrString(id))
		um.Set("id_str", id)
		um.Set("indices", indices(mm))
		f.userMentions = append(f.userMentions, um)
	}
	for _, u := range listAt(entities, "urls") {
		if um, ok := u.(*event.Map); ok {
			if expanded, ok := stringAt(um, "expanded_url"); ok {
				f.urls = append(f.urls, strings.TrimSuffix(expanded, "#"))
			}
		}
	}
	if replyTo, _ := data.Get("in_reply_to_user_id"); truthy(replyTo) {
		for _, r := range listAt(data, "referenced_tweets") {
			if rm, ok := r.(*event.Map); ok {
				if t, _ := stringAt(rm, "type"); t == "replied_to" {
					id, _ := stringAt(rm, "id")
					f.inReplyTo, f.hasInReplyTo = numberOrString(id), true
				}
			}
		}
	}
	return in.summaryEvent(f)
}

// v1Tags turns v2 {"start","end","tag"} entities into v1.1 {"text","indices"}.
func v1Tags(items []any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		m, ok := it.(*event.Map)
		if !ok {
			continue
		}
		tag, _ := m.Get("tag")
		t := event.NewMap(2)
		t.Set("text", tag)
		t.Set("indices", indices(m))
		out = append(out, t)
	}
	return out
}

func indices(m *event.Map) []any {
	start, _ := m.Get("start")
	end, _ := m.Get("end")
	return []any{start, end}
}

// numberOrString is a v2 string id as the number v1.1 carried.
func numberOrString(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}
