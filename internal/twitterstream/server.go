// Package twitterstream is a Twitter-compatible streaming server on
// loopback, for the twitter input's tests and for `make demo`: it serves the
// v1.1 statuses/filter and statuses/sample streams and users lookups (OAuth
// 1.0a HMAC-SHA1 verified), and the X API v2 filtered stream with its rules,
// sample stream and users lookups (bearer token). It streams canned
// messages CRLF-delimited with keep-alive newlines, and misbehaves on
// request: refusals (401, 406, 420, 429, 503), stalls, dropped connections,
// messages split across writes.
//
// It is a test fixture and demo backend, never a code path of the plugin.
package twitterstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is what a Server serves and accepts.
type Config struct {
	// OAuth1 are the credentials the v1.1 endpoints accept.
	OAuth1 Credentials
	// BearerToken is the token the v2 endpoints accept.
	BearerToken string
	// Messages are v1.1 stream messages (tweets and notices), one JSON
	// document each, streamed in order on every connection.
	Messages [][]byte
	// Interval is the pause before each message.
	Interval time.Duration
	// KeepAlive is how often a blank line is sent while nothing else is.
	KeepAlive time.Duration
	// Repeat streams the messages again and again instead of once.
	Repeat bool
}

// Fault is how the server misbehaves on one stream connection. The zero
// Fault streams normally.
type Fault struct {
	// Status, when not 0 or 200, refuses the connection with this status.
	Status int
	// Body replaces the default body of a refusal.
	Body string
	// Header is added to a refusal (x-rate-limit-reset, say).
	Header http.Header
	// Stall stops sending anything, keep-alives included, after StallAfter
	// messages.
	Stall      bool
	StallAfter int
	// Drop closes the connection abruptly after DropAfter messages.
	Drop      bool
	DropAfter int
	// ChunkSize, when set, writes the stream in pieces of this many bytes,
	// flushing each, so messages arrive split across TCP packets.
	ChunkSize int
}

// Request is one request the server saw.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   string
	// Status is what the server answered (0 while not yet answered).
	Status int
}

// Server is the http.Handler.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	faults   []Fault
	requests []Request
	rules    []rule
	nextRule int
	streams  int
	// closed ends every open stream when Close is called.
	closed chan struct{}
}

type rule struct {
	ID    string `json:"id"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// New returns a server for cfg.
func New(cfg Config) *Server {
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = 30 * time.Second
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), nextRule: 1000, closed: make(chan struct{})}
	s.mux.HandleFunc("POST /1.1/statuses/filter.json", s.v1(s.v1Filter))
	s.mux.HandleFunc("GET /1.1/statuses/filter.json", s.v1(s.v1Filter))
	s.mux.HandleFunc("GET /1.1/statuses/sample.json", s.v1(s.v1Sample))
	s.mux.HandleFunc("GET /1.1/users/lookup.json", s.v1(s.v1UsersLookup))
	s.mux.HandleFunc("GET /1.1/users/show.json", s.v1(s.v1UsersShow))
	s.mux.HandleFunc("GET /2/tweets/search/stream/rules", s.v2(s.v2ListRules))
	s.mux.HandleFunc("POST /2/tweets/search/stream/rules", s.v2(s.v2ChangeRules))
	s.mux.HandleFunc("GET /2/tweets/search/stream", s.v2(s.v2Filter))
	s.mux.HandleFunc("GET /2/tweets/sample/stream", s.v2(s.v2Sample))
	s.mux.HandleFunc("GET /2/users/by", s.v2(s.v2UsersBy))
	s.mux.HandleFunc("GET /2/users/by/username/{username}", s.v2(s.v2UserByUsername))
	return s
}

// Inject queues faults for the next stream connections, one each, in order.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Requests returns the requests seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Streams is the number of stream connections accepted (status 200) so far.
func (s *Server) Streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams
}

// Rules returns the v2 filtered-stream rules in place.
func (s *Server) Rules() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.Value
	}
	return out
}

// AddRule installs a v2 rule as if another client had added it.
func (s *Server) AddRule(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rule{ID: strconv.Itoa(s.nextRule), Value: value})
	s.nextRule++
}

// Close ends every open stream, so an httptest.Server can shut down.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// recorder notes the status a handler answers with in the request log.
type recorder struct {
	http.ResponseWriter
	s     *Server
	index int
}

func (r *recorder) WriteHeader(code int) {
	r.s.mu.Lock()
	r.s.requests[r.index].Status = code
	r.s.mu.Unlock()
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Flush() { r.ResponseWriter.(http.Flusher).Flush() }

// Unwrap lets http.ResponseController reach the connection (to hang up).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// record logs a request as it arrives; its status is filled in when answered.
func (s *Server) record(w http.ResponseWriter, r *http.Request) *recorder {
	body := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)})
	return &recorder{ResponseWriter: w, s: s, index: len(s.requests) - 1}
}

// v1 wraps a v1.1 handler with OAuth 1.0a verification and recording.
func (s *Server) v1(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := s.record(w, r)
		if err := VerifyOAuth1(r, s.cfg.OAuth1); err != nil {
			rec.Header().Set("Content-Type", "application/json")
			rec.Header().Set("WWW-Authenticate", `OAuth realm="Twitter"`)
			rec.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(rec, `{"errors":[{"code":32,"message":"Could not authenticate you (%s)."}]}`, err)
			return
		}
		h(rec, r)
	}
}

// v2 wraps a v2 handler with bearer-token verification and recording.
func (s *Server) v2(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := s.record(w, r)
		if s.cfg.BearerToken == "" || r.Header.Get("Authorization") != "Bearer "+s.cfg.BearerToken {
			writeJSON(rec, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
			return
		}
		h(rec, r)
	}
}

func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	var buf bytes.Buffer
	buf.ReadFrom(r.Body)
	r.Body.Close()
	r.Body = nopCloser{bytes.NewReader(buf.Bytes())}
	return buf.Bytes()
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// refusalBodies are what Twitter's stream endpoints answered, in text.
var refusalBodies = map[int]string{
	http.StatusUnauthorized:       "Unauthorized",
	http.StatusNotAcceptable:      "Parameter track, follow or locations must be specified and valid",
	420:                           "Exceeded connection limit for user",
	http.StatusTooManyRequests:    "Too Many Requests",
	http.StatusServiceUnavailable: "The Twitter streaming API is temporarily unavailable",
}

func (s *Server) takeFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f
}

// refuse answers a stream request with a fault's status, reporting whether it did.
func refuse(w http.ResponseWriter, f Fault) bool {
	if f.Status == 0 || f.Status == http.StatusOK {
		return false
	}
	body := f.Body
	if body == "" {
		body = refusalBodies[f.Status]
		if body == "" {
			body = http.StatusText(f.Status)
		}
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(f.Status)
	fmt.Fprintln(w, body)
	return true
}

// stream sends messages (already encoded) to the client under fault f
// until they run out (or forever with Repeat), the client leaves or the
// server closes.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, f Fault, messages func() [][]byte) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.streams++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()

	out := &chunkWriter{w: w, flusher: flusher, size: f.ChunkSize}
	keepAlive := time.NewTicker(s.cfg.KeepAlive)
	defer keepAlive.Stop()
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		for {
			select {
			case <-r.Context().Done():
				return false
			case <-s.closed:
				return false
			case <-keepAlive.C:
				if out.write([]byte("\r\n")) != nil {
					return false
				}
			case <-t.C:
				return true
			}
		}
	}
	sent := 0
	for {
		for _, m := range messages() {
			if f.Stall && sent >= f.StallAfter {
				select {
				case <-r.Context().Done():
				case <-s.closed:
				}
				return
			}
			if f.Drop && sent >= f.DropAfter {
				hangUp(w)
				return
			}
			if !wait(s.cfg.Interval) {
				return
			}
			if out.write(append(append([]byte(nil), m...), '\r', '\n')) != nil {
				return
			}
			sent++
		}
		if !s.cfg.Repeat {
			break
		}
		if len(messages()) == 0 && !wait(s.cfg.KeepAlive) {
			return
		}
	}
	if f.Stall {
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return
	}
	if f.Drop {
		hangUp(w)
		return
	}
	// Out of messages: keep the connection alive, as Twitter does.
	for wait(time.Hour) {
	}
}

// hangUp closes the connection abruptly, mid-stream.
func hangUp(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// chunkWriter writes and flushes, in pieces of size bytes when size > 0.
type chunkWriter struct {
	w       http.ResponseWriter
	flusher http.Flusher
	size    int
}

func (c *chunkWriter) write(b []byte) error {
	for len(b) > 0 {
		n := len(b)
		if c.size > 0 && n > c.size {
			n = c.size
		}
		if _, err := c.w.Write(b[:n]); err != nil {
			return err
		}
		c.flusher.Flush()
		b = b[n:]
		if len(b) > 0 && c.size > 0 {
			time.Sleep(time.Millisecond) // separate packets
		}
	}
	return nil
}

// ParseMessages reads a file of messages, one JSON document per line;
// blank lines are skipped.
func ParseMessages(data []byte) ([][]byte, error) {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return nil, fmt.Errorf("line %d is not a JSON document", n)
		}
		out = append(out, append([]byte(nil), line...))
	}
	return out, sc.Err()
}

// ParseFaults reads the -fault flag: a comma-separated list applied to
// successive stream connections, each a status (401, 406, 420, 429, 503),
// "stall" or "stall:N" (stall after N messages), "drop" or "drop:N", "chunk:N"
// (write N-byte pieces) or "ok".
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, arg, _ := strings.Cut(item, ":")
		n := 0
		if arg != "" {
			var err error
			if n, err = strconv.Atoi(arg); err != nil || n < 0 {
				return nil, fmt.Errorf("fault %q: %q is not a count", item, arg)
			}
		}
		switch name {
		case "ok":
			out = append(out, Fault{})
		case "stall":
			out = append(out, Fault{Stall: true, StallAfter: n})
		case "drop":
			out = append(out, Fault{Drop: true, DropAfter: n})
		case "chunk":
			if n == 0 {
				return nil, fmt.Errorf("fault %q: chunk needs a size", item)
			}
			out = append(out, Fault{ChunkSize: n})
		default:
			status, err := strconv.Atoi(name)
			if err != nil || status < 400 || status > 599 {
				return nil, fmt.Errorf("unknown fault %q", item)
			}
			out = append(out, Fault{Status: status})
		}
	}
	return out, nil
}
