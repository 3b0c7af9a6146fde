// Package http is the http output: events sent to an HTTP endpoint, one
// request per event or one per batch, as JSON, a form, or a formatted
// message, retried on the response codes and connection failures that
// ask for it.
package http

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	nethttp "net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/httpclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optURL             = plugin.String("url").Required().Doc("The URL to send to, sprintf'd per event (not with json_batch).")
	optHTTPMethod      = plugin.Enum("http_method", "put", "post", "patch", "delete", "get", "head").Required().Doc("The request method.")
	optHeaders         = plugin.Hash("headers").Default(event.NewMap(0)).Doc(`Headers to send; values are sprintf'd per event (not with json_batch): { "X-Source" => "%{host}" }.`)
	optContentType     = plugin.String("content_type").Doc("The Content-Type header; by default application/json for json and json_batch, application/x-www-form-urlencoded for form, text/plain for message.")
	optRetryFailed     = plugin.Bool("retry_failed").Default(true).Doc("Retry, without limit, requests answered with a retryable_codes code or failed on the connection; false drops them after logging.")
	optRetryableCodes  = plugin.Array("retryable_codes").Default([]any{int64(429), int64(500), int64(502), int64(503), int64(504)}).Validate(codes).Doc("Response codes that are retried.")
	optIgnorableCodes  = plugin.Array("ignorable_codes").Validate(codes).Doc("Non-2xx response codes that count as success.")
	optMapping         = plugin.Hash("mapping").Doc(`The body's structure instead of the whole event, values sprintf'd (nested hashes and arrays too): { "who" => "%{user}" "what" => { "msg" => "%{message}" } }.`)
	optFormat          = plugin.Enum("format", "json", "json_batch", "form", "message").Default("json").Doc("json: one JSON object per event; json_batch: one JSON array per batch; form: the (mapped) event as a URL-encoded form; message: the message option sprintf'd.")
	optHTTPCompression = plugin.Bool("http_compression").Default(false).Doc("Gzip the request body (Content-Encoding: gzip).")
	optMessage         = plugin.String("message").Doc("The body, sprintf'd, with format message.")
)

// codes validates a list of HTTP status codes (Logstash's :number list).
func codes(v []any) error {
	for _, c := range v {
		switch t := c.(type) {
		case int64:
		case float64:
			if t != float64(int64(t)) {
				return fmt.Errorf("Expected number, got %v", t)
			}
		case string:
			var n int64
			if _, err := fmt.Sscanf(t, "%d", &n); err != nil || fmt.Sprint(n) != t {
				return fmt.Errorf("Expected number, got %q", t)
			}
		default:
			return fmt.Errorf("Expected number, got %s", ruby.Inspect(c))
		}
	}
	return nil
}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "http",
			Summary: "Sends events to an HTTP endpoint as JSON, a JSON array per batch, a form or a formatted message, retrying what the server asks to be retried.",
			Options: append([]plugin.Declared{optURL, optHTTPMethod, optHeaders, optContentType, optRetryFailed,
				optRetryableCodes, optIgnorableCodes, optMapping, optFormat, optHTTPCompression, optMessage}, httpclient.Options()...),
		},
		New: New,
	})
}

// Output is the http output.
type Output struct {
	client      *httpclient.Client
	url         *event.Template
	method      string
	headers     []header
	format      string
	mapping     *event.Map
	message     *event.Template
	compress    bool
	retryFailed bool
	retryable   []int
	ignorable   []int
	log         *slog.Logger
	// backoff is how long to wait before a retry; attempt counts from 1.
	backoff func(attempt int) time.Duration
}

type header struct {
	name  string
	value *event.Template
}

// New builds an http output.
func New(s *plugin.Settings) (plugin.Output, error) {
	client, err := httpclient.New(s)
	if err != nil {
		return nil, err
	}
	o := &Output{
		client: client, method: optHTTPMethod.Get(s), format: optFormat.Get(s), compress: optHTTPCompression.Get(s),
		retryFailed: optRetryFailed.Get(s), retryable: intCodes(optRetryableCodes.Get(s)), ignorable: intCodes(optIgnorableCodes.Get(s)),
		log: s.Logger(), backoff: sleepFor,
	}
	if o.url, err = event.CompileTemplate(optURL.Get(s)); err != nil {
		return nil, optURL.Errorf(s, "%v", err)
	}
	if optMapping.IsSet(s) {
		o.mapping = optMapping.Get(s)
	}
	if o.format == "message" {
		if !optMessage.IsSet(s) {
			return nil, optFormat.Errorf(s, "message must be set if message format is used")
		}
		if o.mapping != nil {
			o.log.Warn("mapping is not supported and will be ignored if message format is used")
		}
	}
	if o.message, err = event.CompileTemplate(optMessage.Get(s)); err != nil {
		return nil, optMessage.Errorf(s, "%v", err)
	}
	contentType := map[string]string{"json": "application/json", "json_batch": "application/json",
		"form": "application/x-www-form-urlencoded", "message": "text/plain"}[o.format]
	if optContentType.IsSet(s) {
		contentType = optContentType.Get(s)
	}
	var headerErr error
	optHeaders.Get(s).Range(func(k string, v any) bool {
		if nethttp.CanonicalHeaderKey(k) == "Content-Type" {
			// content_type wins, as the plugin stores it over the header.
			return true
		}
		t, err := event.CompileTemplate(event.ValueString(v))
		if err != nil {
			headerErr = optHeaders.Errorf(s, "header %s: %v", k, err)
			return false
		}
		o.headers = append(o.headers, header{name: k, value: t})
		return true
	})
	if headerErr != nil {
		return nil, headerErr
	}
	// The plugin keeps the content type among the headers, so it is
	// sprintf'd like them.
	ct, err := event.CompileTemplate(contentType)
	if err != nil {
		return nil, optContentType.Errorf(s, "%v", err)
	}
	o.headers = append(o.headers, header{name: "Content-Type", value: ct})
	return o, nil
}

func intCodes(v []any) []int {
	out := make([]int, 0, len(v))
	for _, c := range v {
		switch t := c.(type) {
		case int64:
			out = append(out, int(t))
		case float64:
			out = append(out, int(t))
		case string:
			var n int
			fmt.Sscanf(t, "%d", &n)
			out = append(out, n)
		}
	}
	return out
}

// sleepFor is the plugin's backoff: attempt² seconds capped at 60, half
// of it fixed and half random, in whole seconds.
func sleepFor(attempt int) time.Duration {
	s := min(attempt*attempt, 60)
	return time.Duration(s/2+rand.IntN(s+1)/2) * time.Second
}

// pending is a request waiting to be (re)sent: one event, or the whole
// batch with json_batch.
type pending struct {
	events  []*event.Event
	attempt int
	due     time.Time
}

// Output sends the batch: a request per event in order, or one for the
// batch. Requests answered with a retryable code or failed on the
// connection are sent again after a growing delay while the others go on,
// without limit (retry_failed): the pipeline is held back, not fed with
// losses. Other non-2xx responses are logged and their events dropped, as
// in Logstash. Only a forced shutdown (ctx) gives up.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	var queue []*pending
	if o.format == "json_batch" {
		queue = append(queue, &pending{events: events})
	} else {
		for _, e := range events {
			queue = append(queue, &pending{events: []*event.Event{e}})
		}
	}
	for len(queue) > 0 {
		// The next request is the one due first; new ones are due at once.
		next := 0
		for i, p := range queue {
			if p.due.Before(queue[next].due) {
				next = i
			}
		}
		p := queue[next]
		if wait := time.Until(p.due); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return fmt.Errorf("Received pipeline shutdown request but http output has unfinished events: %w", ctx.Err())
			case <-timer.C:
			}
		}
		retry := o.send(ctx, p)
		if retry && ctx.Err() != nil {
			return fmt.Errorf("Received pipeline shutdown request but http output has unfinished events: %w", ctx.Err())
		}
		if !retry {
			queue = slices.Delete(queue, next, next+1)
			continue
		}
		p.attempt++
		wait := o.backoff(p.attempt)
		o.log.Info(fmt.Sprintf("Retrying http request, will sleep for %d seconds", int(wait.Seconds())))
		p.due = time.Now().Add(wait)
	}
	return nil
}

// send sends one request and reports whether it is to be retried.
func (o *Output) send(ctx context.Context, p *pending) (retry bool) {
	e := p.events[0]
	req := httpclient.Request{Method: o.method, Headers: nethttp.Header{}}
	body, err := o.body(p.events)
	if err != nil {
		o.log.Error("Could not encode the request body, dropping the events", slog.String("message", err.Error()))
		return false
	}
	if o.format == "json_batch" {
		req.URL = o.url.String()
		for _, h := range o.headers {
			req.Headers.Set(h.name, h.value.String())
		}
	} else {
		req.URL = o.url.Render(e)
		for _, h := range o.headers {
			req.Headers.Set(h.name, h.value.Render(e))
		}
	}
	if o.compress {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(body)
		w.Close()
		body = gz.Bytes()
		req.Headers.Set("Content-Encoding", "gzip")
	}
	req.Body = body
	resp, err := o.client.Send(ctx, req)
	if err != nil {
		var bad *httpclient.BadRequestError
		willRetry := o.retryFailed && !errors.As(err, &bad)
		if ctx.Err() != nil {
			// A forced shutdown cut the request short: the events are
			// not delivered.
			return true
		}
		o.log.Error("Could not fetch URL", slog.String("url", httpclient.Redacted(req.URL)), slog.String("method", o.method),
			slog.String("message", err.Error()), slog.Bool("will_retry", willRetry))
		return willRetry
	}
	switch {
	case resp.Code >= 200 && resp.Code <= 299 || slices.Contains(o.ignorable, resp.Code):
		return false
	case slices.Contains(o.retryable, resp.Code):
		verdict := "will retry"
		if !o.retryFailed {
			verdict = "won't retry"
		}
		if resp.Code == 429 {
			o.log.Debug("Encountered a 429 response, " + verdict + ". This is not serious, just flow control via HTTP")
		} else {
			o.log.Warn("Encountered a retryable HTTP request in HTTP output, "+verdict, slog.Int("code", resp.Code), slog.String("body", string(resp.Body)))
		}
		return o.retryFailed
	}
	o.log.Error("Encountered non-2xx HTTP code", slog.Int("code", resp.Code), slog.String("body", string(resp.Body)), slog.String("url", httpclient.Redacted(req.URL)))
	return false
}

// body encodes the request body for the format.
func (o *Output) body(events []*event.Event) ([]byte, error) {
	switch o.format {
	case "message":
		return o.message.AppendRender(nil, events[0]), nil
	case "json_batch":
		b := []byte{'['}
		for i, e := range events {
			if i > 0 {
				b = append(b, ',')
			}
			b = event.AppendJSON(b, o.mapped(e))
		}
		return append(b, ']'), nil
	case "form":
		return []byte(form(o.mapped(events[0]))), nil
	}
	return event.AppendJSON(nil, o.mapped(events[0])), nil
}

// mapped is the event's data, or the mapping with its values sprintf'd.
func (o *Output) mapped(e *event.Event) any {
	if o.mapping == nil {
		return e.Data()
	}
	return convert(o.mapping, e)
}

func convert(v any, e *event.Event) any {
	switch t := v.(type) {
	case *event.Map:
		out := event.NewMap(t.Len())
		t.Range(func(k string, val any) bool {
			out.Set(k, convert(val, e))
			return true
		})
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = convert(x, e)
		}
		return out
	}
	return e.Sprintf(event.ValueString(v))
}

// form encodes a hash's top level as Ruby's CGI.escape pairs; values are
// their Ruby to_s.
func form(v any) string {
	m, ok := v.(*event.Map)
	if !ok {
		return ""
	}
	var parts []string
	m.Range(func(k string, val any) bool {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(rubyToS(val)))
		return true
	})
	return strings.Join(parts, "&")
}

// rubyToS is a value's to_s in Ruby: hashes and arrays as their inspect.
func rubyToS(v any) string {
	switch v.(type) {
	case *event.Map, []any:
		return ruby.Inspect(v)
	case nil:
		return ""
	}
	return event.ValueString(v)
}

// Close closes the client's idle connections.
func (o *Output) Close() error {
	o.client.Close()
	return nil
}
