package twitter

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// createdAtLayout is the created_at format of v1.1 tweets.
const createdAtLayout = "Mon Jan 02 15:04:05 -0700 2006"

// tweetTime parses a tweet's created_at, v1.1 style or ISO 8601 (v2), to
// the millisecond, as Logstash's Timestamp does.
func tweetTime(v any) (event.Timestamp, error) {
	s, ok := v.(string)
	if !ok {
		return event.Timestamp{}, fmt.Errorf("created_at is %s, not a string", describeValue(v))
	}
	if t, err := time.Parse(createdAtLayout, s); err == nil {
		return event.Timestamp{Time: t.UTC()}, nil
	}
	if t, ok := event.ParseTimestamp(s); ok {
		return event.Timestamp{Time: t.UTC().Truncate(time.Millisecond)}, nil
	}
	return event.Timestamp{}, fmt.Errorf("created_at %q is not a tweet time", s)
}

func describeValue(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// fullTweetEvent makes the whole message the event (under target when set),
// stamped with its created_at.
func (in *Input) fullTweetEvent(tweet *event.Map, createdAt any) (*event.Event, error) {
	ts, err := tweetTime(createdAt)
	if err != nil {
		return nil, err
	}
	return in.eventWith(tweet, ts)
}

// eventWith builds an event of fields, at the root or under target, with
// @timestamp ts and @version "1".
func (in *Input) eventWith(fields *event.Map, ts event.Timestamp) (*event.Event, error) {
	if in.target == nil {
		fields.Delete(event.TimestampField)
		e := event.NewEventFromMap(fields)
		e.SetTimestamp(ts)
		return e, nil
	}
	e := event.NewEvent()
	e.SetTimestamp(ts)
	if err := e.SetRef(*in.target, fields); err != nil {
		return nil, fmt.Errorf("target %s: %w", in.target, err)
	}
	return e, nil
}

// summaryFields are Logstash's fields of a tweet when full_tweet is off.
type summaryFields struct {
	message       string
	user          string
	client        any
	retweeted     bool
	id            any
	hashtags      []any
	symbols       []any
	userMentions  []any
	urls          []string
	inReplyTo     any // set only for replies
	hasInReplyTo  bool
	createdAtTime event.Timestamp
}

// summaryEvent lays the summary out in Logstash's field order.
func (in *Input) summaryEvent(f summaryFields) (*event.Event, error) {
	m := event.NewMap(12)
	m.Set("message", f.message)
	m.Set("user", f.user)
	m.Set("client", f.client)
	m.Set("retweeted", f.retweeted)
	m.Set("source", "http://twitter.com/"+f.user+"/status/"+event.ValueString(f.id))
	m.Set("hashtags", orEmpty(f.hashtags))
	m.Set("symbols", orEmpty(f.symbols))
	m.Set("user_mentions", orEmpty(f.userMentions))
	if f.hasInReplyTo {
		m.Set("in-reply-to", f.inReplyTo)
	}
	if len(f.urls) > 0 {
		urls := make([]any, len(f.urls))
		for i, u := range f.urls {
			urls[i] = u
		}
		m.Set("urls", urls)
	}
	return in.eventWith(m, f.createdAtTime)
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// v1SummaryEvent builds Logstash's event of a v1.1 tweet.
func (in *Input) v1SummaryEvent(tweet *event.Map) (*event.Event, error) {
	created, _ := tweet.Get("created_at")
	ts, err := tweetTime(created)
	if err != nil {
		return nil, err
	}
	user, _ := getMap(tweet, "user")
	screenName, ok := stringAt(user, "screen_name")
	if !ok {
		return nil, fmt.Errorf("tweet has no user.screen_name")
	}
	id, _ := tweet.Get("id")
	text, _ := stringAt(tweet, "text")
	if rt, ok := getMap(tweet, "retweeted_status"); ok {
		rtText, _ := stringAt(rt, "text")
		text = retweetPrefix.FindString(text) + rtText
	}
	client, _ := tweet.Get("source")
	retweeted, _ := tweet.Get("retweeted")
	f := summaryFields{
		message:       text,
		user:          screenName,
		client:        client,
		retweeted:     truthy(retweeted),
		id:            id,
		createdAtTime: ts,
	}
	entities, _ := getMap(tweet, "entities")
	f.hashtags = listAt(entities, "hashtags")
	f.symbols = listAt(entities, "symbols")
	f.userMentions = listAt(entities, "user_mentions")
	for _, u := range listAt(entities, "urls") {
		if um, ok := u.(*event.Map); ok {
			if expanded, ok := stringAt(um, "expanded_url"); ok {
				f.urls = append(f.urls, strings.TrimSuffix(expanded, "#"))
			}
		}
	}
	if replyTo, _ := tweet.Get("in_reply_to_user_id"); truthy(replyTo) {
		// Logstash drops a reply whose status id is null (its event
		// building raises); keeping the tweet without the field loses less.
		if status, _ := tweet.Get("in_reply_to_status_id"); status != nil {
			f.inReplyTo, f.hasInReplyTo = status, true
		}
	}
	return in.summaryEvent(f)
}

// truthy is Ruby truthiness: everything but nil and false.
func truthy(v any) bool {
	if v == nil {
		return false
	}
	if b, ok := v.(bool); ok {
		return b
	}
	return true
}

func getMap(m *event.Map, key string) (*event.Map, bool) {
	if m == nil {
		return nil, false
	}
	v, _ := m.Get(key)
	sub, ok := v.(*event.Map)
	return sub, ok
}

func stringAt(m *event.Map, key string) (string, bool) {
	if m == nil {
		return "", false
	}
	v, _ := m.Get(key)
	s, ok := v.(string)
	return s, ok
}

func listAt(m *event.Map, key string) []any {
	if m == nil {
		return nil
	}
	v, _ := m.Get(key)
	l, _ := v.([]any)
	return l
}
