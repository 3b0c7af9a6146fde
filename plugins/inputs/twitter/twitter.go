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

var (
	optConsumerKey      = plugin.String("consumer_key").Doc("The Twitter app's consumer key (OAuth 1.0a). Required unless bearer_token is set.")
	optConsumerSecret   = plugin.Password("consumer_secret").Doc("The Twitter app's consumer secret. Required unless bearer_token is set.")
	optOAuthToken       = plugin.String("oauth_token").Doc("The user access token the app acts as. Required unless bearer_token is set.")
	optOAuthTokenSecret = plugin.Password("oauth_token_secret").Doc("The user access token's secret. Required unless bearer_token is set.")
	optBearerToken      = plugin.Password("bearer_token").Doc("An X API v2 app-only bearer token: read the v2 filtered stream (rules kept in sync with keywords, follows, languages and locations) or, with use_samples, the v2 sample stream.")
	optKeywords         = plugin.Strings("keywords").Doc("Phrases to track (Twitter's `track`): tweets matching any phrase, where a phrase matches when all its words do.")
	optFollows          = plugin.Strings("follows").Doc("Users whose tweets to follow: numeric ids, or screen names resolved through the users lookup API at start.")
	optLocations        = plugin.String("locations").Doc("Bounding boxes to filter by, as comma-separated longitude,latitude pairs (south-west corner first).")
	optLanguages        = plugin.Strings("languages").Doc("BCP 47 language codes; only tweets detected in these languages are kept. Not used with use_samples.")
	optUseSamples       = plugin.Bool("use_samples").Default(false).Doc("Read the random sample stream instead of filtering; keywords, follows, locations and languages are ignored.")
	optFullTweet        = plugin.Bool("full_tweet").Default(false).Doc("Make the whole tweet, as received, the event instead of the summary fields; with bearer_token, the whole v2 message (data, includes, matching_rules).")
	optIgnoreRetweets   = plugin.Bool("ignore_retweets").Default(false).Doc("Skip retweets.")
	optUseProxy         = plugin.Bool("use_proxy").Default(false).Doc("Send every request through the HTTP proxy at proxy_address:proxy_port.")
	optProxyAddress     = plugin.String("proxy_address").Default("127.0.0.1").Doc("The HTTP proxy's host.")
	optProxyPort        = plugin.Int("proxy_port").Default(3128).Doc("The HTTP proxy's port.")
	optRateLimitResetIn = plugin.Float("rate_limit_reset_in").Default(300).AtLeast(0).Doc("Seconds to wait after Twitter answers 429 Too Many Requests without saying when the limit resets.")
	optTarget           = plugin.FieldRef("target").Doc("Put the tweet's fields under this field instead of at the root of the event; @timestamp and @version stay at the root.")
	optCodec            = plugin.CodecName("codec").Default("plain").Doc("Accepted for compatibility and unused: events are built from the tweets, not decoded.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "twitter",
			Summary: "Reads tweets from the Twitter streaming API (v1.1 statuses/filter or sample, or the X API v2 streams).",
			Options: []plugin.Declared{optConsumerKey, optConsumerSecret, optOAuthToken, optOAuthTokenSecret, optBearerToken, optKeywords, optFollows, optLocations, optLanguages, optUseSamples, optFullTweet, optIgnoreRetweets, optUseProxy, optProxyAddress, optProxyPort, optRateLimitResetIn, optTarget, plugin.ECS, optCodec},
		},
		New: New,
	})
}

// credentialOptions are the OAuth 1.0a options; all are required for the
// v1.1 streams, none when a bearer_token selects the v2 API.
var credentialOptions = []plugin.Handle{optConsumerKey, optConsumerSecret, optOAuthToken, optOAuthTokenSecret}

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
		consumerKey:      optConsumerKey.Get(s),
		consumerSecret:   optConsumerSecret.Get(s).Reveal(),
		token:            optOAuthToken.Get(s),
		tokenSecret:      optOAuthTokenSecret.Get(s).Reveal(),
		bearerToken:      optBearerToken.Get(s).Reveal(),
		keywords:         optKeywords.Get(s),
		follows:          optFollows.Get(s),
		locations:        optLocations.Get(s),
		languages:        optLanguages.Get(s),
		useSamples:       optUseSamples.Get(s),
		fullTweet:        optFullTweet.Get(s),
		ignoreRetweets:   optIgnoreRetweets.Get(s),
		rateLimitResetIn: time.Duration(optRateLimitResetIn.Get(s) * float64(time.Second)),
		timing:           twitterTiming,
	}
	if !optBearerToken.IsSet(s) {
		for _, o := range credentialOptions {
			if !o.IsSet(s) {
				return nil, o.Errorf(s, "Missing a required setting: %s => # SETTING MISSING (the OAuth options are required unless bearer_token is set)", o.Name())
			}
		}
	}
	if !in.useSamples && !optKeywords.IsSet(s) && !optFollows.IsSet(s) && !optLocations.IsSet(s) {
		return nil, optUseSamples.Errorf(s, "At least one parameter (follows, locations or keywords) must be specified.")
	}
	if optTarget.IsSet(s) {
		ref, err := event.ParseFieldRef(optTarget.Get(s))
		if err != nil {
			return nil, optTarget.Errorf(s, "%v", err)
		}
		in.target = &ref
	}
	var err error
	if in.streamURL, err = baseURL(StreamURLEnv, defaultStreamURL); err != nil {
		return nil, s.Errorf("%v", err)
	}
	if in.apiURL, err = baseURL(APIURLEnv, defaultAPIURL); err != nil {
		return nil, s.Errorf("%v", err)
	}
	if optUseProxy.Get(s) {
		port := optProxyPort.Get(s)
		if port <= 0 || port > 65535 {
			return nil, optProxyPort.Errorf(s, "proxy_port must be between 1 and 65535, got %d", port)
		}
		in.proxyURL = &url.URL{Scheme: "http", Host: net.JoinHostPort(optProxyAddress.Get(s), strconv.FormatInt(port, 10))}
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
