// Package elasticsearch is the elasticsearch filter: for each event it
// searches Elasticsearch (or OpenSearch), typically for an earlier event,
// and copies fields, hit metadata or aggregations from the result into
// the event.
package elasticsearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHosts         = plugin.Strings("hosts").Default([]string{"localhost:9200"}).Doc("Hosts to query: `host[:port]` (https when TLS is on) or URLs.")
	optIndex         = plugin.String("index").Default("").Doc("Index (or pattern) searched, sprintf'ed per event; all indices when empty.")
	optQueryType     = plugin.Enum("query_type", "esql", "dsl").Default("dsl").Doc("Query language: dsl. (esql, ES|QL, is not supported by gostash.)")
	optQuery         = plugin.String("query").Doc("Query string (Lucene syntax), sprintf'ed per event. Either query or query_template.")
	optQueryTemplate = plugin.String("query_template").Doc("File holding a JSON search request body, sprintf'ed per event. Either query or query_template.")
	optSort          = plugin.String("sort").Default("@timestamp:desc").Doc("Sort of the query string search, as `field:direction[,...]`.")
	optEnableSort    = plugin.Bool("enable_sort").Default(true).Doc("Sort the query string search by sort.")
	optResultSize    = plugin.Int("result_size").Default(1).AtLeast(0).Doc("Hits fetched by the query string search; with more than one, copied fields become lists.")
	optFields        = plugin.Any("fields").Default(event.NewMap(0)).Validate(checkPairs).Doc("Fields copied from the hits' _source to the event: `{ \"[src][path]\" => \"[dest]\" }` (or a list of pairs).")
	optDocinfoFields = plugin.Hash("docinfo_fields").Default(event.NewMap(0)).Doc("Hit metadata copied to the event: `{ \"_id\" => \"[dest]\" }`.")
	optAggFields     = plugin.Hash("aggregation_fields").Default(event.NewMap(0)).Doc("Aggregations copied to the event: `{ \"agg_name\" => \"[dest]\" }`.")
	optTagOnFailure  = plugin.Strings("tag_on_failure").Default([]string{"_elasticsearch_lookup_failure"}).Doc("Tags added when the search fails.")
	optTarget        = plugin.FieldRef("target").Doc("Field the copied values go under; the event's top level when unset.")
	optRetryFailure  = plugin.Int("retry_on_failure").Default(0).AtLeast(0).Doc("How often a search that failed (unreachable, or a status in retry_on_status) is tried again.")
	optRetryStatus   = plugin.Array("retry_on_status").Default([]any{int64(500), int64(502), int64(503), int64(504)}).Doc("Statuses retried with retry_on_failure.")
	optQueryParams   = plugin.Array("query_params").Default([]any{}).Doc("ES|QL parameters; ES|QL is not supported by gostash.")

	obsolete = []plugin.Declared{
		plugin.Any("ssl").Obsolete("Set 'ssl_enabled' instead."),
		plugin.Any("ca_file").Obsolete("Set 'ssl_certificate_authorities' instead."),
		plugin.Any("keystore").Obsolete("Set 'ssl_keystore_path' instead."),
		plugin.Any("keystore_password").Obsolete("Set 'ssl_keystore_password' instead."),
	}
)

func init() {
	opts := []plugin.Declared{optHosts, optIndex, optQueryType, optQuery, optQueryTemplate, optSort, optEnableSort, optResultSize, optFields,
		optDocinfoFields, optAggFields, optTagOnFailure, optTarget, optRetryFailure, optRetryStatus, optQueryParams}
	opts = append(opts, esclient.SecurityOptions()...)
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "elasticsearch",
			Summary: "Searches Elasticsearch (or OpenSearch) for each event and copies fields of the hits into it.",
			Options: append(opts, obsolete...),
		},
		New: newFilter,
	})
}

// pairs reads `fields`: a hash, or a list of [src, dest] pairs, as
// Logstash's :array validator turns a hash into pairs.
func pairs(v any) ([][2]string, error) {
	var out [][2]string
	switch t := v.(type) {
	case *event.Map:
		t.Range(func(k string, v any) bool {
			out = append(out, [2]string{k, event.ValueString(v)})
			return true
		})
	case []any:
		if len(t) == 2 {
			if _, nested := t[0].([]any); !nested {
				return [][2]string{{event.ValueString(t[0]), event.ValueString(t[1])}}, nil
			}
		}
		for _, it := range t {
			p, ok := it.([]any)
			if !ok || len(p) != 2 {
				return nil, errors.New("expected a hash or a list of [source, destination] pairs")
			}
			out = append(out, [2]string{event.ValueString(p[0]), event.ValueString(p[1])})
		}
	default:
		return nil, errors.New("expected a hash or a list of [source, destination] pairs")
	}
	return out, nil
}

func checkPairs(v any) error {
	_, err := pairs(v)
	return err
}

type filter struct {
	log        *slog.Logger
	client     *esclient.Client
	startOnce  sync.Once
	startErr   error
	index      *event.Template
	query      *event.Template
	template   *event.Template
	sort       string
	resultSize int64
	fields     [][2]string
	docinfo    [][2]string
	aggs       [][2]string
	tags       []string
	target     string
	retries    int64
	retryOn    map[int]bool
	timeout    time.Duration
}

func newFilter(s *plugin.Settings) (plugin.Filter, error) {
	log := s.Logger()
	f := &filter{log: log, resultSize: optResultSize.Get(s), tags: optTagOnFailure.Get(s), retries: optRetryFailure.Get(s),
		retryOn: map[int]bool{}, timeout: time.Minute}
	if optQueryType.Get(s) == "esql" {
		return nil, optQueryType.Errorf(s, "ES|QL queries (query_type => esql) are not supported by gostash; use a query string or query_template")
	}
	switch {
	case !optQuery.IsSet(s) && !optQueryTemplate.IsSet(s):
		return nil, s.Errorf("Both `query` and `query_template` are empty. Require either `query` or `query_template`.")
	case optQuery.IsSet(s) && optQueryTemplate.IsSet(s):
		return nil, optQueryTemplate.Errorf(s, "Both `query` and `query_template` are set. Use either `query` or `query_template`.")
	case optQueryParams.IsSet(s):
		return nil, optQueryParams.Errorf(s, "`query_params` is not allowed when `query_type => 'dsl'`.")
	}
	var err error
	if optQueryTemplate.IsSet(s) {
		data, err := os.ReadFile(optQueryTemplate.Get(s))
		if err != nil {
			return nil, optQueryTemplate.Errorf(s, "%v", err)
		}
		if len(data) == 0 {
			return nil, optQueryTemplate.Errorf(s, "template is empty")
		}
		if f.template, err = event.CompileTemplate(string(data)); err != nil {
			return nil, optQueryTemplate.Errorf(s, "%v", err)
		}
	} else if f.query, err = event.CompileTemplate(optQuery.Get(s)); err != nil {
		return nil, optQuery.Errorf(s, "%v", err)
	}
	if f.index, err = event.CompileTemplate(optIndex.Get(s)); err != nil {
		return nil, optIndex.Errorf(s, "%v", err)
	}
	if optEnableSort.Get(s) {
		f.sort = optSort.Get(s)
	}
	f.fields, _ = pairs(optFields.Get(s))
	f.docinfo, _ = pairs(optDocinfoFields.Get(s))
	f.aggs, _ = pairs(optAggFields.Get(s))
	if optTarget.IsSet(s) {
		f.target = optTarget.Get(s)
	}
	for _, c := range optRetryStatus.Get(s) {
		n, err := strconv.Atoi(event.ValueString(c))
		if err != nil {
			return nil, optRetryStatus.Errorf(s, "expected status numbers, got %s", event.ValueString(c))
		}
		f.retryOn[n] = true
	}
	cfg, err := esclient.QueryClientConfig(s, optHosts, optHosts.Get(s), log)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = f.timeout
	cfg.UserAgent = "gostash logstash-filter-elasticsearch"
	cfg.Header.Set("X-Elastic-Product-Origin", "logstash-filter-elasticsearch")
	if f.client, err = esclient.New(cfg); err != nil {
		return nil, optHosts.Errorf(s, "%v", err)
	}
	return f, nil
}

// Close stops the client.
func (f *filter) Close() error {
	f.client.Close()
	return nil
}

// Filter searches for the event and copies what the hits hold; a failed
// search tags the event.
func (f *filter) Filter(e *event.Event, emit func(*event.Event)) bool {
	matched, err := f.lookup(e)
	if err != nil {
		f.log.Warn("Failed to query elasticsearch for previous event", slog.String("index", f.index.String()), slog.String("error", err.Error()))
		for _, t := range f.tags {
			e.Tag(t)
		}
		return false
	}
	return matched
}

func (f *filter) lookup(e *event.Event) (bool, error) {
	f.startOnce.Do(func() { f.startErr = f.client.Start() })
	if f.startErr != nil {
		return false, f.startErr
	}
	path := "/_search"
	if index := f.index.Render(e); index != "" {
		path = "/" + index + "/_search"
	}
	var body []byte
	if f.template != nil {
		q, err := event.DecodeJSON([]byte(f.template.Render(e)))
		if err != nil {
			return false, fmt.Errorf("query_template after sprintf: %v", err)
		}
		body = event.AppendJSON(nil, q)
	} else {
		params := url.Values{"q": {f.query.Render(e)}, "size": {strconv.FormatInt(f.resultSize, 10)}}
		if f.sort != "" {
			params.Set("sort", f.sort)
		}
		path += "?" + params.Encode()
	}
	results, err := f.search(path, body)
	if err != nil {
		return false, err
	}
	if shards, ok := results.Get("_shards"); ok {
		if sm, ok := shards.(*event.Map); ok && sm.Has("failures") {
			failures, _ := sm.Get("failures")
			return false, fmt.Errorf("Elasticsearch query error: %s", event.AppendJSON(nil, failures))
		}
	}
	matched := false
	hitsV, _ := results.Get("hits")
	hits, _ := hitsV.(*event.Map)
	if hits != nil {
		total, _ := hits.Get("total")
		if tm, ok := total.(*event.Map); ok {
			total, _ = tm.Get("value")
		}
		_ = e.Set("[@metadata][total_hits]", total)
		list, _ := hits.Get("hits")
		docs, _ := list.([]any)
		if len(docs) > 0 {
			matched = true
			for _, p := range f.fields {
				f.set(e, p[1], collect(docs, func(doc *event.Map) any {
					src, _ := doc.Get("_source")
					m, _ := src.(*event.Map)
					return extract(m, p[0])
				}))
			}
			for _, p := range f.docinfo {
				f.set(e, p[1], collect(docs, func(doc *event.Map) any { return extract(doc, p[0]) }))
			}
		}
	}
	if aggsV, ok := results.Get("aggregations"); ok {
		if aggs, ok := aggsV.(*event.Map); ok && aggs.Len() > 0 {
			matched = true
			for _, p := range f.aggs {
				v, _ := aggs.Get(p[0])
				f.set(e, p[1], v)
			}
		}
	}
	return matched, nil
}

// search runs the request, retrying unreachable hosts and the statuses
// of retry_on_status retry_on_failure times.
func (f *filter) search(path string, body []byte) (*event.Map, error) {
	var lastErr error
	for attempt := int64(0); attempt <= f.retries; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
		var resp *esclient.Response
		var err error
		if body != nil {
			resp, err = f.client.Do(ctx, http.MethodPost, path, nil, body)
		} else {
			resp, err = f.client.Do(ctx, http.MethodGet, path, nil, nil)
		}
		cancel()
		if err == nil {
			v, err := event.DecodeJSON(resp.Body)
			if m, ok := v.(*event.Map); ok && err == nil {
				return m, nil
			}
			return nil, fmt.Errorf("the search answer is not a JSON object: %v", err)
		}
		lastErr = err
		var bad *esclient.BadResponseError
		if errors.As(err, &bad) {
			lastErr = fmt.Errorf("[%d] %s", bad.Code, strings.TrimSpace(string(bad.Body)))
			if !f.retryOn[bad.Code] {
				break
			}
		}
	}
	return nil, lastErr
}

// collect is one value per hit: a single hit gives its value, several a
// list.
func collect(docs []any, of func(*event.Map) any) any {
	values := make([]any, 0, len(docs))
	for _, d := range docs {
		m, _ := d.(*event.Map)
		if m == nil {
			values = append(values, nil)
			continue
		}
		values = append(values, of(m))
	}
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// extract follows a path ("a" or "[a][b]") into a hit.
func extract(m *event.Map, path string) any {
	parts := []string{path}
	if strings.HasPrefix(path, "[") && strings.HasSuffix(path, "]") {
		parts = strings.Split(path[1:len(path)-1], "][")
	}
	var cur any = m
	for _, p := range parts {
		cm, ok := cur.(*event.Map)
		if !ok {
			return nil
		}
		if cur, ok = cm.Get(p); !ok {
			return nil
		}
	}
	return event.CloneValue(cur)
}

func (f *filter) set(e *event.Event, dest string, v any) {
	if f.target != "" {
		dest = "[" + strings.Trim(f.target, "[]") + "]" + bracketed(dest)
	}
	if err := e.Set(dest, v); err != nil {
		f.log.Warn("Could not set a field from the search result", slog.String("field", dest), slog.String("error", err.Error()))
	}
}

// bracketed writes a field name as a field reference part.
func bracketed(name string) string {
	if strings.HasPrefix(name, "[") {
		return name
	}
	return "[" + name + "]"
}
