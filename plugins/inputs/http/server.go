package http

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/ianaindex"

	"github.com/gostash/gostash/plugins/internal/netserver"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// blockedAfter is how long a request may be stuck pushing events into the
// pipeline before every new request is refused with 429, as Logstash's
// RejectWhenBlockedInboundHandler does.
const blockedAfter = 10 * time.Second

// Run serves until ctx is done, then stops accepting and waits for the
// requests in progress: their events reach the pipeline and they are
// answered.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	in.log.Info("Starting http input listener", slog.String("address", addr), slog.Bool("ssl_enabled", in.tls != nil))
	ln, err := netserver.Listen(ctx, in.host, in.port, true)
	if err != nil {
		return err
	}
	h := &handler{in: in, out: out, slots: make(chan *codecs, in.threads), capacity: int64(in.threads + in.maxPending)}
	for range in.threads {
		h.slots <- &codecs{}
	}
	srv := &http.Server{
		Handler:  h,
		ErrorLog: slog.NewLogLogger(in.log.Handler(), slog.LevelDebug),
	}
	if in.tls != nil {
		ln = tls.NewListener(ln, in.tls)
		// The handshake deadline is the server's header timeout.
		srv.ReadHeaderTimeout = time.Duration(in.handshake) * time.Millisecond
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	srv.Shutdown(context.Background())
	return nil
}

// codecs are the codec instances of one of the threads, made on first
// use. A request decodes its whole body and flushes the codec, so no state
// carries over to the next request the thread serves.
type codecs struct {
	main  plugin.Codec
	extra map[string]plugin.Codec
}

type handler struct {
	in  *input
	out plugin.Emitter

	// slots holds the codecs of each thread a request may decode and push
	// on; admitted counts those requests and the ones waiting for a slot,
	// up to capacity (threads plus max_pending_requests).
	slots    chan *codecs
	admitted atomic.Int64
	capacity int64

	mu      sync.Mutex
	running list.List // start times of requests pushing events, oldest first
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.blocked() {
		w.Header().Set("Content-Length", "0")
		if !(r.Header.Get("Expect") == "100-continue" && !r.Close) {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if h.admitted.Add(1) > h.capacity {
		h.admitted.Add(-1)
		empty(w, http.StatusTooManyRequests)
		return
	}
	defer h.admitted.Add(-1)
	cs := <-h.slots
	defer func() { h.slots <- cs }()
	h.process(w, r, cs)
}

// blocked reports whether a request has been pushing events for
// blockedAfter or longer: the pipeline is not taking them.
func (h *handler) blocked() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	oldest := h.running.Front()
	return oldest != nil && time.Since(oldest.Value.(time.Time)) >= blockedAfter
}

func (h *handler) observe(fn func()) {
	h.mu.Lock()
	el := h.running.PushBack(time.Now())
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.running.Remove(el)
		h.mu.Unlock()
	}()
	fn()
}

func empty(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}

func (h *handler) process(w http.ResponseWriter, r *http.Request, cs *codecs) {
	in := h.in
	if in.authToken != "" {
		token, ok := r.Header["Authorization"]
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="Logstash HTTP Input"`)
			empty(w, http.StatusUnauthorized)
			return
		}
		if len(token) == 0 || token[0] != in.authToken {
			empty(w, http.StatusUnauthorized)
			return
		}
	}
	r.Header.Del("Authorization")
	body, status, err := readBody(r, in.maxContent)
	if err != nil {
		if status == http.StatusRequestEntityTooLarge {
			w.Header().Set("Connection", "close")
			empty(w, status)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(err.Error())))
		w.WriteHeader(status)
		io.WriteString(w, err.Error())
		return
	}
	headers := formatHeaders(r, len(body))
	codec := h.codecFor(cs, headers)
	remote := netserver.PeerIP(addrOf(r))
	var events []*event.Event
	collect := func(e *event.Event) { events = append(events, e) }
	var refused error
	h.observe(func() {
		if refused = plugin.DecodeStream(codec, []byte(decodeCharset(body, r.Header.Get("Content-Type"))), collect); refused != nil {
			return
		}
		codec.Flush(collect)
		for _, e := range events {
			if in.ecs {
				addECSFields(e, headers)
			}
			e.SetRef(in.headersTarget, headers.toMap())
			e.SetRef(in.remoteHost, remote)
			h.out.Decorate(e)
		}
		if be, ok := h.out.(plugin.BatchEmitter); ok {
			be.EmitDecoratedBatch(events)
		} else {
			for _, e := range events {
				h.out.EmitDecorated(e)
			}
		}
	})
	if refused != nil {
		// A body holding a frame over the codec's limit is refused whole,
		// as one over max_content_length is; the codec that refused it is
		// not used again.
		*cs = codecs{}
		in.log.Error("Refusing a request: "+refused.Error(), slog.String("remote_address", r.RemoteAddr))
		w.Header().Set("Connection", "close")
		empty(w, http.StatusRequestEntityTooLarge)
		return
	}
	for _, kv := range in.responseHeaders {
		w.Header().Set(kv[0], kv[1])
	}
	if in.responseCode == http.StatusNoContent {
		w.WriteHeader(in.responseCode)
		return
	}
	w.Header().Set("Content-Length", "2")
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(in.responseCode)
	io.WriteString(w, "ok")
}

func addrOf(r *http.Request) net.Addr {
	if a, err := net.ResolveTCPAddr("tcp", r.RemoteAddr); err == nil {
		return a
	}
	return &net.TCPAddr{}
}

// readBody reads the whole body, inflating a gzip or deflate
// Content-Encoding, up to max bytes.
func readBody(r *http.Request, max int64) ([]byte, int, error) {
	var src io.Reader = r.Body
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, http.StatusBadRequest, err
		}
		src = zr
	case "deflate", "x-deflate":
		src = flate.NewReader(r.Body)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(src, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, err
		}
		return nil, http.StatusBadRequest, err
	}
	if n > max {
		return nil, http.StatusRequestEntityTooLarge, errors.New("request entity too large")
	}
	return buf.Bytes(), 0, nil
}

// decodeCharset turns the body into text by the Content-Type's charset,
// UTF-8 when it names none or one that is not known.
func decodeCharset(body []byte, contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			if enc, err := ianaindex.IANA.Encoding(cs); err == nil && enc != nil {
				if text, err := enc.NewDecoder().Bytes(body); err == nil {
					return string(text)
				}
			}
		}
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// mimeType is Netty's HttpUtil.getMimeType: the Content-Type up to its
// first ';', trimmed.
func mimeType(contentType string) string {
	t, _, _ := strings.Cut(contentType, ";")
	return strings.TrimSpace(t)
}

func (h *handler) codecFor(cc *codecs, headers *requestHeaders) plugin.Codec {
	ct, _ := headers.get("content_type")
	mt := mimeType(ct)
	if p, ok := h.in.codecs[mt]; ok {
		if cc.extra == nil {
			cc.extra = map[string]plugin.Codec{}
		}
		c, ok := cc.extra[mt]
		if !ok {
			c = h.in.newCodec(p)
			cc.extra[mt] = c
		}
		return c
	}
	if cc.main == nil {
		cc.main = h.in.s.NewCodec()
	}
	return cc.main
}

var hostPort = regexp.MustCompile(`^(([^:]+)|\[(.*)\]):([\d]+)$`)

// addECSFields copies request facts to their ECS fields.
func addECSFields(e *event.Event, h *requestHeaders) {
	set := func(ref string, v any) { e.Set(ref, v) }
	if v, ok := h.get("http_version"); ok {
		set("[http][version]", v)
	}
	if v, ok := h.get("http_user_agent"); ok {
		set("[user_agent][original]", v)
	}
	if host, ok := h.get("http_host"); ok {
		if m := hostPort.FindStringSubmatch(host); m != nil {
			domain := m[2]
			if domain == "" {
				domain = m[3]
			}
			set("[url][domain]", domain)
			port, _ := strconv.ParseInt(m[4], 10, 64)
			set("[url][port]", port)
		} else {
			set("[url][domain]", host)
		}
	}
	if v, ok := h.get("request_method"); ok {
		set("[http][method]", v)
	}
	if v, ok := h.get("request_path"); ok {
		set("[url][path]", v)
	}
	if v, ok := h.get("content_length"); ok {
		set("[http][request][body][bytes]", v)
	}
	if v, ok := h.get("content_type"); ok {
		set("[http][request][mime_type]", v)
	}
}
