// Package http is Logstash's http filter: it calls an HTTP endpoint for
// each event (URL, headers, query and body sprintf'd from the event) and
// stores the response's headers and body in the event.
package http

import (
	"context"
	"log/slog"
	nethttp "net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/httpclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optURL                 = plugin.String("url").Required().Doc("The URL to call (sprintf'd).")
	optVerb                = plugin.Enum("verb", "GET", "HEAD", "PATCH", "DELETE", "POST", "PUT").Default("GET").Doc("The HTTP method.")
	optHeaders             = plugin.Hash("headers").Default(event.NewMap(0)).Doc("Request headers (names and values sprintf'd); `content-type` defaults to text/plain, or application/json for a JSON body.")
	optQuery               = plugin.Hash("query").Default(event.NewMap(0)).Doc("Query string parameters (sprintf'd).")
	optBody                = plugin.Any("body").Doc("The request body: text, or a hash or list (strings in it sprintf'd), sent as JSON with `body_format => json`.")
	optBodyFormat          = plugin.Enum("body_format", "text", "json").Default("text").Doc("How a hash or list body is sent.")
	optTargetBody          = plugin.FieldRef("target_body").Doc("Where the response body goes (parsed when it is JSON): `[body]` with ECS disabled; required in ECS mode.")
	optTargetHeaders       = plugin.FieldRef("target_headers").Doc("Where the response headers go: `[headers]` with ECS disabled, `[@metadata][filter][http][response][headers]` in ECS mode.")
	optTagOnRequestFailure = plugin.Strings("tag_on_request_failure").Default([]string{"_httprequestfailure"}).Doc("Tags added when the request fails or answers other than 2xx.")
	optTagOnJSONFailure    = plugin.Strings("tag_on_json_failure").Default([]string{"_jsonparsefailure"}).Doc("Tags added when a JSON response body does not parse.")
)

func init() {
	options := append([]plugin.Declared{optURL, optVerb, optHeaders, optQuery, optBody, optBodyFormat, optTargetBody, optTargetHeaders,
		optTagOnRequestFailure, optTagOnJSONFailure, plugin.ECS}, httpclient.Options()...)
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "http",
			Summary: "Calls an HTTP endpoint for each event and stores the response.",
			Options: options,
		},
		New: newHTTP,
	})
}

type httpFilter struct {
	log           *slog.Logger
	client        *httpclient.Client
	url           *event.Template
	verb          string
	headers       *event.Map
	query         *event.Map
	body          any
	hasBody       bool
	jsonBody      bool
	targetBody    event.FieldRef
	targetHeaders event.FieldRef
	requestTags   []string
	jsonTags      []string
}

func newHTTP(s *plugin.Settings) (plugin.Filter, error) {
	ecs := s.ECS() != "disabled"
	f := &httpFilter{log: s.Logger(), verb: optVerb.Get(s), headers: optHeaders.Get(s), query: optQuery.Get(s),
		body: optBody.Get(s), hasBody: optBody.IsSet(s), jsonBody: optBodyFormat.Get(s) == "json",
		requestTags: optTagOnRequestFailure.Get(s), jsonTags: optTagOnJSONFailure.Get(s)}
	body, headers := "[body]", "[headers]"
	if ecs {
		body, headers = "", "[@metadata][filter][http][response][headers]"
	}
	if optTargetBody.IsSet(s) {
		body = optTargetBody.Get(s)
	}
	if optTargetHeaders.IsSet(s) {
		headers = optTargetHeaders.Get(s)
	}
	if body == "" {
		f.log.Error("Missing a required setting for the http filter plugin:\n  filter {\n    http {\n      target_body => # SETTING MISSING\n      ...\n    }\n  }")
		return nil, optTargetBody.Errorf(s, "Wrong configuration (in ecs_compatibility mode :%s): target_body must be set", s.ECS())
	}
	f.targetBody, _ = event.ParseFieldRef(body)
	f.targetHeaders, _ = event.ParseFieldRef(headers)
	var err error
	if f.url, err = event.CompileTemplate(optURL.Get(s)); err != nil {
		return nil, optURL.Errorf(s, "%v", err)
	}
	if f.client, err = httpclient.New(s); err != nil {
		return nil, err
	}
	return f, nil
}

// sprintfObject sprintf's every string in a value, keys included.
func sprintfObject(e *event.Event, v any) any {
	switch t := v.(type) {
	case string:
		return e.Sprintf(t)
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			out[i] = sprintfObject(e, it)
		}
		return out
	case *event.Map:
		m := event.NewMap(t.Len())
		t.Range(func(k string, val any) bool {
			m.Set(e.Sprintf(k), sprintfObject(e, val))
			return true
		})
		return m
	}
	return v
}

// Filter makes the request; a 2xx answer stores the headers and body and
// matches, anything else tags the event.
func (f *httpFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	target := f.url.Render(e)
	header := nethttp.Header{}
	hasType := false
	sprintfObject(e, f.headers).(*event.Map).Range(func(k string, v any) bool {
		if k == "content-type" || k == "Content-Type" {
			hasType = true
		}
		for _, it := range values(v) {
			header.Add(k, it)
		}
		return true
	})
	if !hasType {
		if f.jsonBody {
			header.Set("Content-Type", "application/json")
		} else {
			header.Set("Content-Type", "text/plain")
		}
	}
	if f.query.Len() > 0 {
		q := url.Values{}
		sprintfObject(e, f.query).(*event.Map).Range(func(k string, v any) bool {
			for _, it := range values(v) {
				q.Add(k, it)
			}
			return true
		})
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + q.Encode()
	}
	var body []byte
	if f.hasBody {
		b := sprintfObject(e, f.body)
		switch t := b.(type) {
		case *event.Map, []any:
			if f.jsonBody {
				body = event.AppendJSON(nil, t)
			} else {
				body = []byte(ruby.ToS(t))
			}
		default:
			body = []byte(event.ValueString(t))
		}
	}
	resp, data, err := f.client.Do(context.Background(), f.verb, target, header, body)
	if err != nil {
		f.log.Error("error during HTTP request", slog.String("url", target), slog.String("body", string(body)), slog.String("client_error", err.Error()))
		f.tag(e, f.requestTags)
		return false
	}
	headers := responseHeaders(resp.Header)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		f.log.Error("error during HTTP request", slog.String("url", target), slog.Int("code", resp.StatusCode),
			slog.String("headers", string(event.AppendJSON(nil, headers))), slog.String("response", string(data)))
		f.tag(e, f.requestTags)
		return false
	}
	f.log.Debug("success received", slog.Int("code", resp.StatusCode))
	_ = e.SetRef(f.targetHeaders, headers)
	if f.verb == nethttp.MethodHead || (len(data) == 0 && resp.ContentLength <= 0 && resp.StatusCode == nethttp.StatusNoContent) {
		return true
	}
	if isJSON(resp.Header) {
		v, err := event.DecodeJSONFirst(data)
		if err != nil {
			f.log.Warn("JSON parsing error", slog.String("message", err.Error()))
			f.tag(e, f.jsonTags)
			return true
		}
		_ = e.SetRef(f.targetBody, v)
		return true
	}
	_ = e.SetRef(f.targetBody, ruby.Strip(string(data)))
	return true
}

func (f *httpFilter) tag(e *event.Event, tags []string) {
	for _, t := range tags {
		e.Tag(t)
	}
}

func values(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, len(l))
		for i, it := range l {
			out[i] = event.ValueString(it)
		}
		return out
	}
	return []string{event.ValueString(v)}
}

// responseHeaders are the response's headers as the mixin's client gives
// them: lower-case names, a value, or a list for a repeated header.
func responseHeaders(h nethttp.Header) *event.Map {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	m := event.NewMap(len(names))
	for _, k := range names {
		vs := h[k]
		if len(vs) == 1 {
			m.Set(strings.ToLower(k), vs[0])
			continue
		}
		l := make([]any, len(vs))
		for i, v := range vs {
			l[i] = v
		}
		m.Set(strings.ToLower(k), l)
	}
	return m
}

// isJSON reports a content-type of application/json (parameters aside).
func isJSON(h nethttp.Header) bool {
	for _, v := range h.Values("Content-Type") {
		for _, part := range strings.Split(v, ";") {
			if strings.TrimSpace(part) == "application/json" {
				return true
			}
		}
	}
	return false
}
