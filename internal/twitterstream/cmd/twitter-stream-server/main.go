// Command twitter-stream-server serves the twitterstream fixture on a
// loopback address, for `make demo` and manual runs of the twitter input:
//
//	twitter-stream-server -addr 127.0.0.1:0 -tweets testdata/twitter/tweets.jsonl -rate 2
//
// It prints its base URL on the first line of stdout; point the input at it
// with GOSTASH_TWITTER_STREAM_URL and GOSTASH_TWITTER_API_URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gostash/gostash/internal/twitterstream"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "twitter-stream-server:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	tweets := flag.String("tweets", "testdata/twitter/tweets.jsonl", "file of v1.1 stream messages, one JSON document per line")
	rate := flag.Float64("rate", 2, "messages per second")
	keepAlive := flag.Duration("keepalive", 5*time.Second, "interval of keep-alive newlines")
	repeat := flag.Bool("repeat", false, "stream the messages over and over")
	faults := flag.String("fault", "", "faults for successive stream connections: 401, 406, 420, 429, 503, stall[:N], drop[:N], chunk:N, ok (comma-separated)")
	consumerKey := flag.String("consumer-key", "demo-consumer-key", "accepted OAuth consumer key")
	consumerSecret := flag.String("consumer-secret", "demo-consumer-secret", "accepted OAuth consumer secret")
	token := flag.String("token", "demo-oauth-token", "accepted OAuth access token")
	tokenSecret := flag.String("token-secret", "demo-oauth-token-secret", "accepted OAuth access token secret")
	bearer := flag.String("bearer-token", "demo-bearer-token", "accepted v2 bearer token")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: only loopback addresses are served", *addr)
	}
	if *rate <= 0 {
		return errors.New("-rate must be positive")
	}
	data, err := os.ReadFile(*tweets)
	if err != nil {
		return err
	}
	messages, err := twitterstream.ParseMessages(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *tweets, err)
	}
	injected, err := twitterstream.ParseFaults(*faults)
	if err != nil {
		return err
	}
	srv := twitterstream.New(twitterstream.Config{
		OAuth1:      twitterstream.Credentials{ConsumerKey: *consumerKey, ConsumerSecret: *consumerSecret, Token: *token, TokenSecret: *tokenSecret},
		BearerToken: *bearer,
		Messages:    messages,
		Interval:    time.Duration(float64(time.Second) / *rate),
		KeepAlive:   *keepAlive,
		Repeat:      *repeat,
	})
	srv.Inject(injected...)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		httpSrv.Shutdown(shutdown)
	}()
	if err := httpSrv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
