// Package http_poller is the http_poller input: it calls HTTP endpoints on
// a schedule and decodes each response body into events, with the
// request's and response's details as metadata.
package http_poller

import (
	"context"
	"fmt"
	"log/slog"
	nethttp "net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/plugins/internal/httpclient"
	"github.com/gostash/gostash/plugins/internal/schedule"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optURLs           = plugin.Hash("urls").Required().Doc(`The endpoints, by name: a URL (fetched with GET) or a hash with url, method, headers, body, params, user and password (or auth => { user => password => }): { status => "http://host/health" post => { method => post url => "http://host/q" body => "{}" } }. The copy of each request in the events' metadata masks passwords and Authorization headers.`)
	optSchedule       = plugin.Hash("schedule").Required().Doc(`When to poll, as rufus-scheduler reads it: exactly one of { cron => "* * * * * UTC" }, { every => "30s" } (the first poll at once), { in => "1m" } or { at => "2026-01-02 03:04:05" } (one poll).`)
	optTarget         = plugin.FieldRef("target").Doc("The field to put each decoded body under; without it its fields go to the top level of the event.")
	optMetadataTarget = plugin.String("metadata_target").Default("@metadata").Doc("The field the request and response details go under.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "http_poller",
			Summary: "Calls HTTP endpoints on a schedule and turns each response body into events, with the request and response details as metadata.",
			Options: append([]plugin.Declared{optURLs, optSchedule, optTarget, optMetadataTarget, plugin.ECS}, httpclient.Options()...),
		},
		DefaultCodec: "json",
		New:          New,
	})
}

// methods are the request methods Manticore's client has.
var methods = []string{"get", "post", "put", "delete", "head", "patch", "options"}

// request is one configured endpoint.
type request struct {
	name     string
	method   string
	url      string
	headers  nethttp.Header
	body     []byte
	user     string
	password plugin.Secret
	// original is the request as the events' metadata shows it.
	original *event.Map
}

// fields are where the input writes, per ECS mode ("" for nowhere).
type fields struct {
	host, code, headers, message, seconds, micros, retries, name, original                               string
	failError, failTrace, failOriginal, failName, failSeconds, failMicros, failURL, failMethod, failHost string
}

// Input is the http_poller input.
type Input struct {
	client   *httpclient.Client
	requests []request
	schedule schedule.Schedule
	target   string
	fields   fields
	hostname string
	settings *plugin.Settings
	log      *slog.Logger
}

// New builds an http_poller input.
func New(s *plugin.Settings) (plugin.Input, error) {
	sched, err := schedule.FromHash(optSchedule.Get(s))
	if err != nil {
		return nil, optSchedule.Errorf(s, "%v", err)
	}
	in := &Input{schedule: sched, target: optTarget.Get(s), settings: s, log: s.Logger()}
	in.hostname, _ = os.Hostname()
	var bad error
	optURLs.Get(s).Range(func(name string, v any) bool {
		r, err := parseRequest(name, v)
		if err != nil {
			bad = optURLs.Errorf(s, "%v", err)
			return false
		}
		in.requests = append(in.requests, r)
		return true
	})
	if bad != nil {
		return nil, bad
	}
	if in.client, err = httpclient.New(s); err != nil {
		return nil, err
	}
	in.fields = fieldsFor(optMetadataTarget.Get(s), s.ECS() != "disabled")
	if s.ECS() != "disabled" && !optTarget.IsSet(s) {
		in.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return in, nil
}

func fieldsFor(mt string, ecs bool) fields {
	m := func(f string) string { return "[" + mt + "]" + f }
	if !ecs {
		return fields{
			host: m("[host]"), code: m("[code]"), headers: m("[response_headers]"), message: m("[response_message]"),
			seconds: m("[runtime_seconds]"), retries: m("[times_retried]"), name: m("[name]"), original: m("[request]"),
			failError: "[http_request_failure][error]", failTrace: "[http_request_failure][backtrace]",
			failOriginal: "[http_request_failure][request]", failName: "[http_request_failure][name]",
			failSeconds: "[http_request_failure][runtime_seconds]",
		}
	}
	p := func(f string) string { return m("[input][http_poller]" + f) }
	return fields{
		host: p("[request][host][hostname]"), code: p("[response][status_code]"), headers: p("[response][headers]"),
		message: p("[response][status_message]"), micros: p("[response][elapsed_time_ns]"), retries: p("[request][retry_count]"),
		name: p("[request][name]"), original: p("[request][original]"),
		failError: "[error][message]", failTrace: "[error][stack_trace]", failMicros: "[event][duration]",
		failURL: "[url][full]", failMethod: "[http][request][method]", failHost: "[host][hostname]",
	}
}

// requestKeys are the per-URL settings gostash reads.
var requestKeys = []string{"url", "method", "headers", "body", "params", "query", "user", "password", "auth"}

// parseRequest reads one urls entry as the plugin normalizes it.
func parseRequest(name string, v any) (request, error) {
	r := request{name: name, method: "get", headers: nethttp.Header{}}
	switch t := v.(type) {
	case string:
		r.url = t
		r.original = event.NewMap(2)
	case *event.Map:
		r.original = event.NewMap(t.Len() + 2)
		var authUser, authPass *string
		var params []*event.Map
		for _, k := range t.Keys() {
			val, _ := t.Get(k)
			switch k {
			case "url":
				r.url = event.ValueString(val)
			case "method":
				r.method = strings.ToLower(event.ValueString(val))
				if !slices.Contains(methods, r.method) {
					return r, fmt.Errorf("unknown method %q for %s: use one of %s", r.method, name, strings.Join(methods, ", "))
				}
			case "user":
				u := event.ValueString(val)
				authUser = &u
			case "password":
				p := event.ValueString(val)
				authPass = &p
			case "auth":
				m, ok := val.(*event.Map)
				if !ok {
					return r, fmt.Errorf("auth of %s must be a hash with user and password", name)
				}
				for _, ak := range m.Keys() {
					av, _ := m.Get(ak)
					s := event.ValueString(av)
					switch ak {
					case "user", "username":
						if authUser == nil {
							authUser = &s
						}
					case "pass", "password":
						if authPass == nil {
							authPass = &s
						}
					case "eager":
					default:
						return r, fmt.Errorf("unknown auth setting %q for %s", ak, name)
					}
				}
				r.original.Set("auth", nil) // keeps its place; filled below
			case "headers":
				m, ok := val.(*event.Map)
				if !ok {
					return r, fmt.Errorf("headers of %s must be a hash", name)
				}
				shown := event.NewMap(m.Len())
				m.Range(func(hk string, hv any) bool {
					r.headers.Set(hk, event.ValueString(hv))
					if credentialHeaders[nethttp.CanonicalHeaderKey(hk)] {
						hv = "<password>"
					}
					shown.Set(hk, event.CloneValue(hv))
					return true
				})
				r.original.Set(k, shown)
			case "body":
				r.body = []byte(event.ValueString(val))
				r.original.Set(k, val)
			case "params", "query":
				m, ok := val.(*event.Map)
				if !ok {
					return r, fmt.Errorf("%s of %s must be a hash", k, name)
				}
				r.original.Set(k, event.CloneValue(val))
				params = append(params, m)
			default:
				return r, fmt.Errorf("unknown setting %q for %s: gostash reads %s", k, name, strings.Join(requestKeys, ", "))
			}
		}
		for _, m := range params {
			r.url = withQuery(r.url, m)
		}
		if (authUser == nil) != (authPass == nil) {
			return r, fmt.Errorf("'user' and 'password' must both be specified for input HTTP poller!")
		}
		if authUser != nil {
			r.user, r.password = *authUser, plugin.NewSecret(*authPass)
			auth := event.NewMap(3)
			auth.Set("user", *authUser)
			// The plugin shows the password here; gostash never puts a
			// secret in an event.
			auth.Set("pass", "<password>")
			auth.Set("eager", true)
			r.original.Set("auth", auth)
		}
	default:
		return r, fmt.Errorf("Invalid URL or request spec: '%s', expected a String or Hash!", event.ValueString(v))
	}
	if r.url == "" {
		return r, fmt.Errorf("No URL provided for request! %s", name)
	}
	if u, err := url.Parse(r.url); err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
		return r, fmt.Errorf("Invalid URL %s", httpclient.Redacted(r.url))
	}
	r.original.Set("method", r.method)
	r.original.Set("url", httpclient.Redacted(r.url))
	return r, nil
}

// credentialHeaders are the request headers whose values the events'
// copy of the request masks, as it masks passwords.
var credentialHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true}

// withQuery adds params to a URL's query.
func withQuery(raw string, params *event.Map) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	params.Range(func(k string, v any) bool {
		q.Add(k, event.ValueString(v))
		return true
	})
	u.RawQuery = q.Encode()
	return u.String()
}

// Run polls on the schedule until ctx ends.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	in.schedule.Run(ctx, func(ctx context.Context) { in.pollAll(ctx, out) })
	return nil
}

// pollAll calls every endpoint at once and waits for them all.
func (in *Input) pollAll(ctx context.Context, out plugin.Emitter) {
	var wg sync.WaitGroup
	for i := range in.requests {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.poll(ctx, &in.requests[i], out)
		}()
	}
	wg.Wait()
}

func (in *Input) poll(ctx context.Context, r *request, out plugin.Emitter) {
	in.log.Debug("async queueing fetching url", slog.String("name", r.name), slog.String("url", httpclient.Redacted(r.url)))
	start := time.Now()
	resp, err := in.client.Send(ctx, httpclient.Request{Method: r.method, URL: r.url, Headers: r.headers, Body: r.body, User: r.user, Password: r.password})
	took := time.Since(start)
	if err != nil {
		if ctx.Err() == nil {
			in.failed(out, r, err, took)
		}
		return
	}
	in.log.Debug("success fetching url", slog.String("name", r.name), slog.String("url", httpclient.Redacted(r.url)))
	if len(resp.Body) == 0 {
		e := event.NewEvent()
		in.metadata(e, r, resp, took)
		out.Emit(e)
		return
	}
	codec := in.settings.NewCodec()
	emit := func(decoded *event.Event) {
		e := decoded
		if in.target != "" {
			e = event.NewEvent()
			if err := e.Set(in.target, decoded.Data()); err != nil {
				in.log.Error("Error eventifying response!", slog.String("name", r.name), slog.String("exception", err.Error()))
				return
			}
		}
		in.metadata(e, r, resp, took)
		out.Emit(e)
	}
	codec.Decode(resp.Body, emit)
	codec.Flush(emit)
}

// metadata writes the request's and response's details (resp is nil for
// a failed request).
func (in *Input) metadata(e *event.Event, r *request, resp *httpclient.Response, took time.Duration) {
	f := in.fields
	set := func(ref string, v any) {
		if ref == "" {
			return
		}
		if err := e.Set(ref, v); err != nil {
			in.log.Error("Error eventifying response!", slog.String("name", r.name), slog.String("field", ref), slog.String("exception", err.Error()))
		}
	}
	set(f.host, in.hostname)
	set(f.seconds, took.Seconds())
	// Named nanoseconds, counted in microseconds: the plugin multiplies
	// seconds by 1e6.
	set(f.micros, took.Microseconds())
	set(f.name, r.name)
	set(f.original, r.original.Clone())
	if resp == nil {
		return
	}
	set(f.code, int64(resp.Code))
	headers := event.NewMap(len(resp.Headers))
	for k, vs := range resp.Headers {
		if len(vs) == 1 {
			headers.Set(strings.ToLower(k), vs[0])
			continue
		}
		l := make([]any, len(vs))
		for i, v := range vs {
			l[i] = v
		}
		headers.Set(strings.ToLower(k), l)
	}
	set(f.headers, headers)
	set(f.message, resp.Message)
	set(f.retries, int64(resp.TimesRetried))
}

// failed emits the event for a request that got no response, tagged
// _http_request_failure, as Logstash does (without the input's
// decoration).
func (in *Input) failed(out plugin.Emitter, r *request, err error, took time.Duration) {
	in.log.Debug("failed fetching url", slog.String("name", r.name), slog.String("url", httpclient.Redacted(r.url)))
	e := event.NewEvent()
	e.Tag("_http_request_failure")
	in.metadata(e, r, nil, took)
	f := in.fields
	for _, kv := range []struct {
		ref string
		v   any
	}{
		{f.failOriginal, r.original.Clone()}, {f.failName, r.name}, {f.failURL, httpclient.Redacted(r.url)},
		{f.failMethod, r.method}, {f.failHost, in.hostname}, {f.failSeconds, took.Seconds()},
		{f.failMicros, took.Microseconds()}, {f.failError, err.Error()}, {f.failTrace, nil},
	} {
		if kv.ref != "" {
			_ = e.Set(kv.ref, kv.v)
		}
	}
	out.EmitDecorated(e)
}

// Close drops the client's idle connections.
func (in *Input) Close() error {
	in.client.Close()
	return nil
}
