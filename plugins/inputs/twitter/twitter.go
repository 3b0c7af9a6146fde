// Package twitter is Logstash's twitter input: it reads tweets from Twitter's
// v1.1 streaming API (statuses/filter or statuses/sample, OAuth 1.0a user
// context) and, with a bearer_token, from the X API v2 filtered or sample
// stream. Unlike Logstash it reconnects with Twitter's documented backoff and
// notices stalled connections.
package twitter

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Environment variables pointing the plugin at another server (a local
// Twitter-compatible one in tests and demos).
const (
	StreamURLEnv = "GOSTASH_TWITTER_STREAM_URL"
	APIURLEnv    = "GOSTASH_TWITTER_API_URL"

	defaultStreamURL = "https://stream.twitter.com"
	defaultAPIURL    = "https://api.twitter.com"
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "twitter",
			Summary: "Reads tweets from the Twitter streaming API (v1.1 statuses/filter or sample, or the X API v2 streams).",
			Options: []plugin.Option{
				{Name: "consumer_key", Type: plugin.TypeString, Doc: "The Twitter app's consumer key (OAuth 1.0a). Required unless bearer_token is set."},
				{Name: "consumer_secret", Type: plugin.TypePassword, Doc: "The Twitter app's consumer secret. Required unless bearer_token is set."},
				{Name: "oauth_token", Type: plugin.TypeString, Doc: "The user access token the app acts as. Required unless bearer_token is set."},
				{Name: "oauth_token_secret", Type: plugin.TypePassword, Doc: "The user access token's secret. Required unless bearer_token is set."},
				{Name: "bearer_token", Type: plugin.TypePassword, Doc: "An X API v2 app-only bearer token: read the v2 filtered stream (rules kept in sync with keywords, follows, languages and locations) or, with use_samples, the v2 sample stream."},
				{Name: "keywords", Type: plugin.TypeArray, Doc: "Phrases to track (Twitter's `track`): tweets matching any phrase, where a phrase matches when all its words do."},
				{Name: "follows", Type: plugin.TypeArray, Doc: "Users whose tweets to follow: numeric ids, or screen names resolved through the users lookup API at start."},
				{Name: "locations", Type: plugin.TypeString, Doc: "Bounding boxes to filter by, as comma-separated longitude,latitude pairs (south-west corner first)."},
				{Name: "languages", Type: plugin.TypeArray, Doc: "BCP 47 language codes; only tweets detected in these languages are kept. Not used with use_samples."},
				{Name: "use_samples", Type: plugin.TypeBoolean, Default: false, Doc: "Read the random sample stream instead of filtering; keywords, follows, locations and languages are ignored."},
				{Name: "full_tweet", Type: plugin.TypeBoolean, Default: false, Doc: "Make the whole tweet, as received, the event instead of the summary fields; with bearer_token, the whole v2 message (data, includes, matching_rules)."},
				{Name: "ignore_retweets", Type: plugin.TypeBoolean, Default: false, Doc: "Skip retweets."},
				{Name: "use_proxy", Type: plugin.TypeBoolean, Default: false, Doc: "Send every request through the HTTP proxy at proxy_address:proxy_port."},
				{Name: "proxy_address", Type: plugin.TypeString, Default: "127.0.0.1", Doc: "The HTTP proxy's host."},
				{Name: "proxy_port", Type: plugin.TypeNumber, Default: int64(3128), Doc: "The HTTP proxy's port."},
				{Name: "rate_limit_reset_in", Type: plugin.TypeNumber, Default: int64(300), Doc: "Seconds to wait after Twitter answers 429 Too Many Requests without saying when the limit resets."},
				{Name: "target", Type: plugin.TypeFieldReference, Doc: "Put the tweet's fields under this field instead of at the root of the event; @timestamp and @version stay at the root."},
				plugin.ECSOption,
				{Name: "codec", Type: plugin.TypeCodec, Default: "plain", Doc: "Accepted for compatibility and unused: events are built from the tweets, not decoded."},
			},
		},
		New: New,
	})
}

// credentialOptions are the OAuth 1.0a options; all are required for the
// v1.1 streams, none when a bearer_token selects the v2 API.
var credentialOptions = []string{"consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret"}

// Input is a configured twitter input.
type Input struct {
	log *slog.Logger

	consumerKey, consumerSecret string
	token, tokenSecret          string
	bearerToken                 string

	keywords  []string
	follows   []string
	locations string
	languages []string

	useSamples     bool
	fullTweet      bool
	ignoreRetweets bool
	target         *event.FieldRef

	rateLimitResetIn time.Duration

	streamURL *url.URL
	apiURL    *url.URL
	proxyURL  *url.URL

	// ecsNotice says to tell, at start, that fields land at the top level
	// of ECS events (Logstash's target check).
	ecsNotice bool

	// timing holds the reconnect schedule; tests shorten it.
	timing timing
}

// New validates the options as Logstash's register does and builds the input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{
		log:              s.Logger(),
		consumerKey:      s.String("consumer_key"),
		consumerSecret:   s.String("consumer_secret"),
		token:            s.String("oauth_token"),
		tokenSecret:      s.String("oauth_token_secret"),
		bearerToken:      s.String("bearer_token"),
		keywords:         s.Strings("keywords"),
		follows:          s.Strings("follows"),
		locations:        s.String("locations"),
		languages:        s.Strings("languages"),
		useSamples:       s.Bool("use_samples"),
		fullTweet:        s.Bool("full_tweet"),
		ignoreRetweets:   s.Bool("ignore_retweets"),
		rateLimitResetIn: time.Duration(s.Float("rate_limit_reset_in") * float64(time.Second)),
		timing:           twitterTiming,
	}
	if !s.IsSet("bearer_token") {
		for _, name := range credentialOptions {
			if !s.IsSet(name) {
				return nil, s.Errorf(name, "Missing a required setting: %s => # SETTING MISSING (the OAuth options are required unless bearer_token is set)", name)
			}
		}
	}
	if !in.useSamples && !s.IsSet("keywords") && !s.IsSet("follows") && !s.IsSet("locations") {
		return nil, s.Errorf("use_samples", "At least one parameter (follows, locations or keywords) must be specified.")
	}
	if s.IsSet("target") {
		ref, err := event.ParseFieldRef(s.String("target"))
		if err != nil {
			return nil, s.Errorf("target", "%v", err)
		}
		in.target = &ref
	}
	if s.Float("rate_limit_reset_in") < 0 {
		return nil, s.Errorf("rate_limit_reset_in", "rate_limit_reset_in must not be negative, got %s", s.String("rate_limit_reset_in"))
	}
	var err error
	if in.streamURL, err = baseURL(StreamURLEnv, defaultStreamURL); err != nil {
		return nil, s.Errorf("", "%v", err)
	}
	if in.apiURL, err = baseURL(APIURLEnv, defaultAPIURL); err != nil {
		return nil, s.Errorf("", "%v", err)
	}
	if s.Bool("use_proxy") {
		port := s.Int("proxy_port")
		if port <= 0 || port > 65535 {
			return nil, s.Errorf("proxy_port", "proxy_port must be between 1 and 65535, got %d", port)
		}
		in.proxyURL = &url.URL{Scheme: "http", Host: net.JoinHostPort(s.String("proxy_address"), strconv.FormatInt(port, 10))}
	}
	in.ecsNotice = s.ECS() != "disabled" && in.target == nil
	return in, nil
}

// baseURL reads a base URL override from the environment.
func baseURL(env, fallback string) (*url.URL, error) {
	raw := os.Getenv(env)
	if raw == "" {
		raw = fallback
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s=%q is not an http(s) base URL", env, raw)
	}
	return u, nil
}

// Run streams tweets until ctx is cancelled, reconnecting with backoff.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	var src streamSource
	if in.bearerToken != "" {
		src = newV2Source(in)
	} else {
		src = newV1Source(in)
	}
	if in.ecsNotice {
		in.log.Info("ECS compatibility is on and `target` is unset: the tweet's fields go to the top level of the event, where they may clash with ECS fields; set `target` to keep them apart")
	}
	in.log.Info("Starting twitter tracking", src.describe()...)
	r := &reconnector{in: in, src: src, out: out}
	return r.run(ctx)
}

// transport is the HTTP transport of every request, with the proxy when
// use_proxy is on. Streams are long-lived, so there is no overall timeout;
// stalls are detected by the reader instead.
func (in *Input) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if in.proxyURL != nil {
		t.Proxy = http.ProxyURL(in.proxyURL)
	} else {
		t.Proxy = nil
	}
	return t
}

// retweetPrefix is the "RT @name: " a retweet's own text starts with.
var retweetPrefix = regexp.MustCompile(`(?i)^RT @[a-z0-9_]{1,20}: `)
