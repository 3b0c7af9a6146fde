package http

import (
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// server answers on 127.0.0.1: /json with a JSON body, /text with text,
// /bad with invalid JSON, /fail with 500, /echo with what it received.
func server(t *testing.T) *httptest.Server {
	s := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			io.WriteString(w, `{"id": 7, "name": "ann"}`)
		case "/text":
			io.WriteString(w, "  plain answer \n")
		case "/bad":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{nope`)
		case "/fail":
			w.WriteHeader(500)
			io.WriteString(w, "boom")
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			user, pass, _ := r.BasicAuth()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"method":"`+r.Method+`","query":"`+r.URL.RawQuery+`","ctype":"`+r.Header.Get("Content-Type")+
				`","x":"`+r.Header.Get("X-Id")+`","user":"`+user+":"+pass+`","body":`+quote(string(body))+`}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func run(t *testing.T, opts O, ecs, in string) (string, bool) {
	t.Helper()
	f, err := newFilter(t, "http", opts, ecs)
	if err != "" {
		t.Fatal(err)
	}
	e := plugintest.Event(t, in)
	matched, _ := f.Call(e)
	return plugintest.Data(e), matched
}

// Expectations follow logstash-filter-http 2.0.0's docs and spec: the body
// of a JSON answer is parsed, other bodies stripped; headers go to
// [headers] (ECS disabled) or @metadata (ECS); failures and non-2xx
// answers are tagged and do not match.
func TestResponses(t *testing.T) {
	s := server(t)
	cases := []struct {
		name, ecs string
		opts      O
		in, want  string
		matched   bool
	}{
		{"JSON body and headers", "disabled", O{"url": s.URL + "/%{path}", "target_headers": "h"}, `{"path":"json"}`,
			`{"path":"json","h":{"content-length":"24","content-type":"application/json; charset=utf-8","date":"*","x-multi":["a","b"]},"body":{"id":7,"name":"ann"}}`, true},
		{"text body stripped", "disabled", O{"url": s.URL + "/text", "target_headers": "[@metadata][h]"}, `{}`, `{"body":"plain answer"}`, true},
		{"ECS needs target_body", "v8", O{"url": s.URL + "/text", "target_body": "[resp]"}, `{}`, `{"resp":"plain answer"}`, true},
		{"bad JSON", "disabled", O{"url": s.URL + "/bad", "target_headers": "[@metadata][h]"}, `{}`, `{"tags":["_jsonparsefailure"]}`, true},
		{"server error", "disabled", O{"url": s.URL + "/fail"}, `{}`, `{"tags":["_httprequestfailure"]}`, false},
		{"connection refused", "disabled", O{"url": "http://127.0.0.1:1/", "automatic_retries": 0, "tag_on_request_failure": []any{"down"}}, `{}`, `{"tags":["down"]}`, false},
		{"POST JSON body, query, headers, auth", "disabled", O{"url": s.URL + "/echo", "verb": "POST", "body_format": "json",
			"body": H{"msg", "%{m}", "n", 1}, "query": H{"q", "%{m}"}, "headers": H{"X-Id", "%{id}"}, "user": "u", "password": "p",
			"target_headers": "[@metadata][h]", "target_body": "r"}, `{"m":"hi there","id":"42"}`,
			`{"m":"hi there","id":"42","r":{"method":"POST","query":"q=hi+there","ctype":"application/json","x":"42","user":"u:p","body":"{\"msg\":\"hi there\",\"n\":1}"}}`, true},
		{"text body keeps a given content-type", "disabled", O{"url": s.URL + "/echo", "verb": "PUT", "body": "v=%{m}",
			"headers": H{"content-type", "application/x-www-form-urlencoded"}, "target_headers": "[@metadata][h]", "target_body": "r"}, `{"m":"1"}`,
			`{"m":"1","r":{"method":"PUT","query":"","ctype":"application/x-www-form-urlencoded","x":"","user":":","body":"v=1"}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, matched := run(t, c.opts, c.ecs, c.in)
			if i := strings.Index(got, `"date":"`); i >= 0 {
				j := strings.Index(got[i+8:], `"`)
				got = got[:i+8] + "*" + got[i+8+j:]
			}
			if got != c.want || matched != c.matched {
				t.Errorf("got  %s (matched %v)\nwant %s (matched %v)", got, matched, c.want, c.matched)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]struct {
		opts O
		ecs  string
	}{
		"ECS mode without target_body": {O{"url": "http://127.0.0.1/"}, "v8"},
		"user without password":        {O{"url": "http://127.0.0.1/", "user": "u"}, "disabled"},
		"obsolete cacert":              {O{"url": "http://127.0.0.1/", "cacert": "x"}, "disabled"},
		"bad verb":                     {O{"url": "http://127.0.0.1/", "verb": "get"}, "disabled"},
	} {
		if _, err := newFilter(t, "http", c.opts, c.ecs); err == "" {
			t.Errorf("%s: want a config error", name)
		}
	}
}

// O are a filter block's options: values are strings, numbers, booleans,
// lists ([]any) and hashes (H).
type O map[string]any

// H is a config hash: key, value, key, value...
type H []any

func confValue(v any) string {
	switch t := v.(type) {
	case string:
		return plugintest.Quote(t)
	case int:
		return fmt.Sprint(t)
	case float64:
		return fmt.Sprint(t)
	case bool:
		return fmt.Sprint(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = confValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case H:
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i+1 < len(t); i += 2 {
			b.WriteString(" " + confValue(t[i]) + " => " + confValue(t[i+1]))
		}
		return b.String() + " }"
	}
	panic(fmt.Sprintf("unsupported option value %T", v))
}

// filterText is the filter block with opts, in key order.
func filterText(name string, opts O) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + confValue(opts[k]))
	}
	return b.String() + " }"
}

// newFilter builds the filter, or returns its config error as text.
func newFilter(t *testing.T, name string, opts O, ecs string) (*plugintest.BuiltFilter, string) {
	t.Helper()
	f, err := plugintest.TryFilter(t, filterText(name, opts), plugintest.ECS(ecs))
	if err != nil {
		return nil, err.Error()
	}
	return f, ""
}

func mustFilter(t *testing.T, name string, opts O) *plugintest.BuiltFilter {
	t.Helper()
	return plugintest.Filter(t, filterText(name, opts))
}
