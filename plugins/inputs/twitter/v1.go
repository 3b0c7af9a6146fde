package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/dghubble/go-twitter/twitter"
	"github.com/dghubble/oauth1"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// userAgent names gostash to Twitter.
const userAgent = "gostash-twitter-input"

// v1Source reads statuses/filter.json or statuses/sample.json, signing every
// request with OAuth 1.0a (HMAC-SHA1) over the URL actually requested.
type v1Source struct {
	in     *Input
	client *http.Client
	// follow is the comma-joined user ids, once screen names are resolved.
	follow string
}

func newV1Source(in *Input) *v1Source {
	config := oauth1.NewConfig(in.consumerKey, in.consumerSecret)
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: in.transport()})
	signed := config.Client(ctx, oauth1.NewToken(in.token, in.tokenSecret))
	return &v1Source{in: in, client: signed}
}

func (s *v1Source) describe() []any {
	if s.in.useSamples {
		return []any{"stream", "statuses/sample"}
	}
	attrs := []any{"stream", "statuses/filter"}
	if len(s.in.keywords) > 0 {
		attrs = append(attrs, "track", strings.Join(s.in.keywords, ","))
	}
	if len(s.in.follows) > 0 {
		attrs = append(attrs, "follow", strings.Join(s.in.follows, ","))
	}
	if s.in.locations != "" {
		attrs = append(attrs, "locations", s.in.locations)
	}
	if len(s.in.languages) > 0 {
		attrs = append(attrs, "language", strings.Join(s.in.languages, ","))
	}
	return attrs
}

var numericID = regexp.MustCompile(`^[0-9]+$`)

// usersLookupMax is how many screen names one users/lookup call takes.
const usersLookupMax = 100

// prepare resolves screen names in follows to user ids through the REST
// users lookup, as Logstash does at register time.
func (s *v1Source) prepare(ctx context.Context) error {
	if s.in.useSamples || len(s.in.follows) == 0 {
		return nil
	}
	var names []string
	for _, f := range s.in.follows {
		if !numericID.MatchString(f) {
			names = append(names, strings.TrimPrefix(f, "@"))
		}
	}
	ids := map[string]string{}
	api := twitter.NewClient(&http.Client{Transport: &rebase{ctx: ctx, to: s.in.apiURL, next: s.client.Transport}})
	for len(names) > 0 {
		batch := names[:min(len(names), usersLookupMax)]
		names = names[len(batch):]
		users, resp, err := api.Users.Lookup(&twitter.UserLookupParams{ScreenName: batch})
		if err != nil {
			if resp != nil && resp.StatusCode != http.StatusOK {
				msg := err.Error()
				var apiErr twitter.APIError
				if errors.As(err, &apiErr) && len(apiErr.Errors) > 0 {
					msg = apiErr.Errors[0].Message
				}
				return &statusError{op: "users lookup", status: resp.StatusCode, message: msg}
			}
			return fmt.Errorf("users lookup: %w", err)
		}
		for _, u := range users {
			ids[strings.ToLower(u.ScreenName)] = u.IDStr
		}
	}
	resolved := make([]string, 0, len(s.in.follows))
	for _, f := range s.in.follows {
		if numericID.MatchString(f) {
			resolved = append(resolved, f)
			continue
		}
		id, ok := ids[strings.ToLower(strings.TrimPrefix(f, "@"))]
		if !ok {
			return &statusError{op: "users lookup", status: http.StatusNotFound, message: fmt.Sprintf("no user with screen name %q", f)}
		}
		resolved = append(resolved, id)
	}
	s.follow = strings.Join(resolved, ",")
	return nil
}

// filterParams are statuses/filter's query parameters; empty lists send
// nothing, like Logstash (Twitter then refuses a filter without any).
func (s *v1Source) filterParams() url.Values {
	q := url.Values{}
	if len(s.in.keywords) > 0 {
		q.Set("track", strings.Join(s.in.keywords, ","))
	}
	if s.follow != "" {
		q.Set("follow", s.follow)
	}
	if s.in.locations != "" {
		q.Set("locations", s.in.locations)
	}
	if len(s.in.languages) > 0 {
		q.Set("language", strings.Join(s.in.languages, ","))
	}
	return q
}

func (s *v1Source) open(ctx context.Context) (*http.Response, error) {
	u := *s.in.streamURL
	method := http.MethodPost
	if s.in.useSamples {
		method = http.MethodGet
		u.Path += "/1.1/statuses/sample.json"
	} else {
		u.Path += "/1.1/statuses/filter.json"
		u.RawQuery = s.filterParams().Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	return s.client.Do(req)
}

// handle classifies one v1.1 message: tweets become events, the rest
// (deletions, stall warnings, limit notices, disconnects) are logged.
func (s *v1Source) handle(line []byte, out plugin.Emitter) {
	v, err := event.DecodeJSONDecimal(line)
	m, ok := v.(*event.Map)
	if err != nil || !ok {
		s.in.log.Debug("Skipping a stream message that is not a JSON object", "bytes", len(line))
		return
	}
	switch {
	case m.Has("delete"), m.Has("scrub_geo"), m.Has("status_withheld"), m.Has("user_withheld"), m.Has("event"), m.Has("friends"), m.Has("direct_message"):
		s.in.log.Debug("Skipping a stream notice", "notice", event.ValueString(m.Keys()[0]))
		return
	case m.Has("warning"):
		s.in.log.Warn("Twitter stream warning", "warning", event.ValueString(firstValue(m, "warning")))
		return
	case m.Has("limit"):
		s.in.log.Warn("Twitter is withholding tweets over the stream's rate limit", "limit", event.ValueString(firstValue(m, "limit")))
		return
	case m.Has("disconnect"):
		s.in.log.Warn("Twitter is closing the stream", "disconnect", event.ValueString(firstValue(m, "disconnect")))
		return
	case !m.Has("id"):
		s.in.log.Debug("Skipping a stream message that is not a tweet", "keys", strings.Join(m.Keys(), ","))
		return
	}
	if s.in.ignoreRetweets && m.Has("retweeted_status") {
		return
	}
	var e *event.Event
	if s.in.fullTweet {
		created, _ := m.Get("created_at")
		e, err = s.in.fullTweetEvent(m, created)
	} else {
		e, err = s.in.v1SummaryEvent(m)
	}
	if err != nil {
		s.in.log.Warn("Event generation error", "error", err.Error(), "id", event.ValueString(firstValue(m, "id")))
		return
	}
	out.Emit(e)
}

func firstValue(m *event.Map, key string) any {
	v, _ := m.Get(key)
	return v
}

// rebase sends requests addressed to api.twitter.com (go-twitter's fixed
// base) to the configured API base URL instead, before they are signed, so
// the signature covers the URL actually requested.
type rebase struct {
	ctx  context.Context
	to   *url.URL
	next http.RoundTripper
}

func (r *rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(r.ctx)
	out.URL.Scheme = r.to.Scheme
	out.URL.Host = r.to.Host
	out.URL.Path = strings.TrimRight(r.to.Path, "/") + req.URL.Path
	out.Host = ""
	return r.next.RoundTrip(out)
}
