// Package elasticsearch is the elasticsearch input: it runs a search (once,
// or on a cron schedule) and emits each hit as an event, paging with
// scroll or search_after over a point in time, optionally in parallel
// slices, with the hit's metadata under docinfo_target.
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

	"github.com/robfig/cron/v3"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHosts        = plugin.Strings("hosts").Doc("Hosts to query: `host[:port]` (https when TLS is on) or URLs; localhost:9200 when unset.")
	optIndex        = plugin.String("index").Default("logstash-*").Doc("Index (or pattern, or comma-separated list) searched.")
	optQueryType    = plugin.Enum("query_type", "dsl", "esql").Default("dsl").Doc("Query language: dsl. (esql, ES|QL, is not supported by gostash.)")
	optQuery        = plugin.String("query").Default(`{ "sort": [ "_doc" ] }`).Validate(checkJSONObject).Doc("The search request body (query DSL) as JSON. With tracking_field, `:last_value` and `:present` are replaced before each run.")
	optResponseType = plugin.Enum("response_type", "hits", "aggregations").Default("hits").Doc("Emit each hit (hits), or one event holding the aggregations (aggregations).")
	optSize         = plugin.Int("size").Default(1000).AtLeast(1).Doc("Hits fetched per page.")
	optRetries      = plugin.Int("retries").Default(0).AtLeast(0).Doc("How often a failed search is tried again.")
	optSearchAPI    = plugin.Enum("search_api", "auto", "search_after", "scroll").Default("auto").Doc("Paging: search_after over a point in time, scroll, or auto (search_after from Elasticsearch 8).")
	optScroll       = plugin.String("scroll").Default("1m").Doc("How long the scroll context or point in time is kept between pages.")
	optSlices       = plugin.Int("slices").AtLeast(1).Doc("Run the search as this many parallel slices.")
	optTrackingFld  = plugin.FieldRef("tracking_field").Doc("Field whose last value is kept between runs (search_after only), replacing `:last_value` in the query.")
	optTrackingSeed = plugin.String("tracking_field_seed").Default("1970-01-01T00:00:00.000000000Z").Doc("The value of `:last_value` before any run recorded one.")
	optLastRunPath  = plugin.String("last_run_metadata_path").Doc("File keeping tracking_field's last value; required with tracking_field in gostash.")
	optDocinfo      = plugin.Bool("docinfo").Default(false).Doc("Copy each hit's metadata (docinfo_fields) into the event at docinfo_target.")
	optDocinfoTgt   = plugin.FieldRef("docinfo_target").Doc("Where docinfo goes: `@metadata` with ECS disabled, `[@metadata][input][elasticsearch]` otherwise.")
	optDocinfoFlds  = plugin.Strings("docinfo_fields").Default([]string{"_index", "_type", "_id"}).Doc("Hit metadata copied with docinfo.")
	optConnectTO    = plugin.Int("connect_timeout_seconds").Default(10).AtLeast(1).Doc("Seconds to connect.")
	optRequestTO    = plugin.Int("request_timeout_seconds").Default(60).AtLeast(1).Doc("Seconds a request may take.")
	optSocketTO     = plugin.Int("socket_timeout_seconds").Default(60).AtLeast(1).Doc("Seconds to wait for data on a connection.")
	optSchedule     = plugin.String("schedule").Validate(checkSchedule).Doc("Cron schedule (`* * * * *`, optionally with a leading seconds field and a trailing time zone) of repeated runs; the query runs once when unset.")
	optOverlap      = plugin.Bool("schedule_overlap").Default(true).Doc("Start a scheduled run while the previous one still runs.")
	optTarget       = plugin.FieldRef("target").Doc("Field to put each hit's document under; the top level when unset.")

	obsolete = []plugin.Declared{
		plugin.Any("ssl").Obsolete("Set 'ssl_enabled' instead."),
		plugin.Any("ca_file").Obsolete("Set 'ssl_certificate_authorities' instead."),
		plugin.Any("ssl_certificate_verification").Obsolete("Set 'ssl_verification_mode' instead."),
	}
)

func init() {
	opts := []plugin.Declared{optHosts, optIndex, optQueryType, optQuery, optResponseType, optSize, optRetries, optSearchAPI, optScroll, optSlices,
		optTrackingFld, optTrackingSeed, optLastRunPath, optDocinfo, optDocinfoTgt, optDocinfoFlds, optConnectTO, optRequestTO, optSocketTO,
		optSchedule, optOverlap, optTarget}
	opts = append(opts, esclient.SecurityOptions()...)
	opts = append(opts, obsolete...)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "elasticsearch",
			Summary: "Reads documents from Elasticsearch (or OpenSearch) with a search, once or on a schedule.",
			Options: append(opts, plugin.ECS),
		},
		DefaultCodec: "json",
		New:          newInput,
	})
}

func checkJSONObject(s string) error {
	v, err := event.DecodeJSON([]byte(s))
	if err != nil {
		return err
	}
	if _, ok := v.(*event.Map); !ok {
		return errors.New("the query must be a JSON object")
	}
	return nil
}

var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseSchedule reads a rufus-scheduler cron line: five fields, or six
// with leading seconds, optionally followed by a time zone name.
func parseSchedule(s string) (cron.Schedule, error) {
	fields := strings.Fields(s)
	if n := len(fields); n == 6 || n == 7 {
		if _, err := time.LoadLocation(fields[n-1]); err == nil && strings.ContainsAny(fields[n-1], "/") || fields[n-1] == "UTC" {
			s = "CRON_TZ=" + fields[n-1] + " " + strings.Join(fields[:n-1], " ")
		}
	}
	return cronParser.Parse(s)
}

func checkSchedule(s string) error {
	_, err := parseSchedule(s)
	return err
}

type input struct {
	s       *plugin.Settings
	log     *slog.Logger
	client  *esclient.Client
	query   string
	index   string
	size    int64
	retries int64
	scroll  string
	slices  int64

	docinfo       bool
	docinfoTarget event.FieldRef
	docinfoFields []string
	target        *event.FieldRef
	schedule      cron.Schedule
	tracking      *cursor
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	log := s.Logger()
	in := &input{s: s, log: log, query: optQuery.Get(s), index: optIndex.Get(s), size: optSize.Get(s), retries: optRetries.Get(s),
		scroll: optScroll.Get(s), slices: optSlices.Get(s), docinfo: optDocinfo.Get(s), docinfoFields: optDocinfoFlds.Get(s)}
	if optQueryType.Get(s) == "esql" {
		return nil, optQueryType.Errorf(s, "ES|QL queries (query_type => esql) are not supported by gostash; use a DSL query")
	}
	if optSlices.IsSet(s) {
		q, _ := event.DecodeJSON([]byte(in.query))
		if q.(*event.Map).Has("slice") {
			return nil, optSlices.Errorf(s, "Elasticsearch Input Plugin's `query` option cannot specify specific `slice` when configured to manage parallel slices with `slices` option")
		}
	}
	hosts := optHosts.Get(s)
	if len(hosts) == 0 {
		hosts = []string{"localhost:9200"}
	}
	cfg, err := esclient.QueryClientConfig(s, optHosts, hosts, log)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = time.Duration(optConnectTO.Get(s)) * time.Second
	cfg.Timeout = time.Duration(max(optRequestTO.Get(s), optSocketTO.Get(s))) * time.Second
	cfg.UserAgent = "gostash logstash-input-elasticsearch"
	cfg.Header.Set("X-Elastic-Product-Origin", "logstash-input-elasticsearch")
	if in.client, err = esclient.New(cfg); err != nil {
		return nil, optHosts.Errorf(s, "%v", err)
	}
	target := "[@metadata][input][elasticsearch]"
	if s.ECS() == "disabled" {
		target = "@metadata"
	}
	if optDocinfoTgt.IsSet(s) {
		target = optDocinfoTgt.Get(s)
	}
	in.docinfoTarget = event.MustFieldRef(target)
	if optTarget.IsSet(s) {
		ref := event.MustFieldRef(optTarget.Get(s))
		in.target = &ref
	}
	if optSchedule.IsSet(s) {
		in.schedule, _ = parseSchedule(optSchedule.Get(s))
	}
	if optTrackingFld.IsSet(s) {
		if optResponseType.Get(s) != "hits" || optSearchAPI.Get(s) == "scroll" {
			return nil, optTrackingFld.Errorf(s, "The `tracking_field` feature can only be used with `search_after` non-aggregation queries")
		}
		if !optLastRunPath.IsSet(s) {
			return nil, optLastRunPath.Errorf(s, "gostash needs last_run_metadata_path with tracking_field (it keeps no path.data for plugins)")
		}
		in.tracking = newCursor(optLastRunPath.Get(s), event.MustFieldRef(optTrackingFld.Get(s)), optTrackingSeed.Get(s), log)
	}
	return in, nil
}

// Close stops the client.
func (in *input) Close() error {
	in.client.Close()
	return nil
}

// Run queries once, or on every tick of the schedule until ctx ends.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	if err := in.client.WaitConnected(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if in.schedule == nil {
		in.runOnce(ctx, out)
		return nil
	}
	var running sync.WaitGroup
	var busy sync.Mutex
	defer running.Wait()
	for {
		next := in.schedule.Next(time.Now())
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if !optOverlap.Get(in.s) && !busy.TryLock() {
			continue
		}
		running.Add(1)
		go func() {
			defer running.Done()
			if !optOverlap.Get(in.s) {
				defer busy.Unlock()
			}
			in.runOnce(ctx, out)
		}()
	}
}

func (in *input) runOnce(ctx context.Context, out plugin.Emitter) {
	queryText := in.query
	if in.tracking != nil {
		queryText = in.tracking.inject(queryText)
	}
	v, err := event.DecodeJSON([]byte(queryText))
	query, ok := v.(*event.Map)
	if err != nil || !ok {
		in.log.Error("The query is not a JSON object after the cursor was injected", slog.String("query", queryText))
		return
	}
	switch {
	case optResponseType.Get(in.s) == "aggregations":
		in.aggregations(ctx, out, query)
	case in.searchAfter():
		in.paged(ctx, out, query, in.searchAfterPages)
		if in.tracking != nil {
			in.tracking.checkpoint(false)
		}
	default:
		if in.client.MaxMajor() >= 8 {
			in.log.Warn("scroll API is no longer recommended for pagination. Consider using search_after instead.")
		}
		in.paged(ctx, out, query, in.scrollPages)
	}
}

func (in *input) searchAfter() bool {
	switch api := optSearchAPI.Get(in.s); api {
	case "auto":
		return in.client.MaxMajor() >= 8 && !in.client.Info().OpenSearch
	default:
		return api == "search_after"
	}
}

// retryable runs job up to retries+1 times; the last failure is logged.
func (in *input) retryable(ctx context.Context, name string, job func() error) bool {
	var err error
	for i := int64(0); i <= in.retries; i++ {
		if err = job(); err == nil || ctx.Err() != nil {
			return err == nil
		}
		in.log.Warn("Attempt to "+name+" but failed.", slog.Int64("attempt", i+1), slog.String("message", err.Error()))
	}
	in.log.Error("Tried "+name+" unsuccessfully", slog.String("message", err.Error()))
	return false
}

type pager func(ctx context.Context, out plugin.Emitter, query *event.Map, slice int64) error

// paged runs the search once, or as parallel slices.
func (in *input) paged(ctx context.Context, out plugin.Emitter, query *event.Map, pages pager) {
	if in.slices <= 1 {
		in.retryable(ctx, "run paginated search", func() error { return pages(ctx, out, query, -1) })
		return
	}
	if in.slices > 8 {
		in.log.Warn(fmt.Sprintf("managed slices for query is very large (%d); consider reducing", in.slices))
	}
	var wg sync.WaitGroup
	for i := int64(0); i < in.slices; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.retryable(ctx, "run paginated search", func() error { return pages(ctx, out, query, i) })
		}()
	}
	wg.Wait()
}

func (in *input) withSlice(query *event.Map, slice int64) *event.Map {
	q := query.Clone()
	if slice >= 0 {
		sl := event.NewMap(2)
		sl.Set("id", slice)
		sl.Set("max", in.slices)
		q.Set("slice", sl)
	}
	return q
}

func (in *input) scrollPages(ctx context.Context, out plugin.Emitter, query *event.Map, slice int64) error {
	in.log.Info("Query start")
	page, err := in.client.SearchJSON(ctx, http.MethodPost, "/"+in.index+"/_search?scroll="+url.QueryEscape(in.scroll)+"&size="+strconv.FormatInt(in.size, 10), in.withSlice(query, slice))
	if err != nil {
		return err
	}
	var scrollID string
	defer func() {
		if scrollID != "" {
			body := event.NewMap(1)
			body.Set("scroll_id", scrollID)
			in.client.SearchJSON(context.Background(), http.MethodDelete, "/_search/scroll", body)
		}
	}()
	for {
		hits := in.emitHits(out, page, slice)
		id, _ := page.Get("_scroll_id")
		scrollID, _ = id.(string)
		if len(hits) == 0 || scrollID == "" || ctx.Err() != nil {
			break
		}
		in.log.Debug("Query progress")
		body := event.NewMap(2)
		body.Set("scroll", in.scroll)
		body.Set("scroll_id", scrollID)
		if page, err = in.client.SearchJSON(ctx, http.MethodPost, "/_search/scroll", body); err != nil {
			return err
		}
	}
	in.log.Info("Query completed")
	return nil
}

// searchAfterPages pages with search_after over a point in time; OpenSearch
// names its point-in-time API differently from Elasticsearch.
func (in *input) searchAfterPages(ctx context.Context, out plugin.Emitter, query *event.Map, slice int64) error {
	openSearch := in.client.Info().OpenSearch
	in.log.Info("Create point in time (PIT)")
	var pitID string
	if openSearch {
		r, err := in.client.SearchJSON(ctx, http.MethodPost, "/"+in.index+"/_search/point_in_time?keep_alive="+url.QueryEscape(in.scroll), nil)
		if err != nil {
			return err
		}
		v, _ := r.Get("pit_id")
		pitID, _ = v.(string)
	} else {
		r, err := in.client.SearchJSON(ctx, http.MethodPost, "/"+in.index+"/_pit?keep_alive="+url.QueryEscape(in.scroll), nil)
		if err != nil {
			return err
		}
		v, _ := r.Get("id")
		pitID, _ = v.(string)
	}
	if pitID == "" {
		return errors.New("the server opened no point in time")
	}
	defer func() {
		in.log.Info("Closing point in time (PIT)")
		body := event.NewMap(1)
		if openSearch {
			body.Set("pit_id", []any{pitID})
			in.client.SearchJSON(context.Background(), http.MethodDelete, "/_search/point_in_time", body)
		} else {
			body.Set("id", pitID)
			in.client.SearchJSON(context.Background(), http.MethodDelete, "/_pit", body)
		}
	}()
	in.log.Info("Query start")
	var after any
	for ctx.Err() == nil {
		body := in.withSlice(query, slice)
		pit := event.NewMap(2)
		pit.Set("id", pitID)
		pit.Set("keep_alive", in.scroll)
		body.Set("pit", pit)
		if !body.Has("sort") {
			sort := event.NewMap(1)
			sort.Set("_shard_doc", "asc")
			body.Set("sort", sort)
		}
		if after != nil {
			body.Set("search_after", after)
		}
		in.log.Debug("Query progress")
		page, err := in.client.SearchJSON(ctx, http.MethodPost, "/_search?size="+strconv.FormatInt(in.size, 10), body)
		if err != nil {
			return err
		}
		hits := in.emitHits(out, page, slice)
		if len(hits) == 0 {
			break
		}
		last, _ := hits[len(hits)-1].(*event.Map)
		if last == nil {
			break
		}
		after, _ = last.Get("sort")
		if after == nil {
			in.log.Warn("Query got data but the sort value is empty")
			break
		}
	}
	if in.tracking != nil {
		in.tracking.checkpoint(true)
	}
	in.log.Info("Query completed")
	return nil
}

func (in *input) aggregations(ctx context.Context, out plugin.Emitter, query *event.Map) {
	in.log.Info("Aggregation starting")
	var r *event.Map
	in.retryable(ctx, "aggregation", func() error {
		var err error
		r, err = in.client.SearchJSON(ctx, http.MethodPost, "/"+in.index+"/_search?size=0", query)
		return err
	})
	if r != nil {
		in.emit(out, r, "aggregations", -1)
	}
}

// emitHits emits the page's hits and returns them.
func (in *input) emitHits(out plugin.Emitter, page *event.Map, slice int64) []any {
	h, _ := page.Get("hits")
	hm, _ := h.(*event.Map)
	if hm == nil {
		return nil
	}
	list, _ := hm.Get("hits")
	hits, _ := list.([]any)
	for _, hit := range hits {
		if m, ok := hit.(*event.Map); ok {
			in.emit(out, m, "_source", slice)
		}
	}
	return hits
}

// emit makes an event of hit[root] (with docinfo), or, when that fails, an
// event holding the hit as [event][original], tagged.
func (in *input) emit(out plugin.Emitter, hit *event.Map, root string, slice int64) {
	e, err := in.eventFromHit(hit, root)
	if err != nil {
		raw := event.AppendJSON(nil, hit)
		in.log.Warn("Event creation error, original data now in [event][original] field", slog.String("message", err.Error()), slog.String("data", string(raw)))
		e = event.NewEvent()
		_ = e.Set("[event][original]", string(raw))
		e.Tag("_elasticsearch_input_failure")
	}
	out.Emit(e)
	if in.tracking != nil && err == nil {
		in.tracking.record(slice, e)
	}
}

func (in *input) eventFromHit(hit *event.Map, root string) (*event.Event, error) {
	src, _ := hit.Get(root)
	doc, ok := src.(*event.Map)
	if !ok {
		doc = event.NewMap(0)
	}
	var e *event.Event
	if in.target != nil {
		e = event.NewEvent()
		if err := e.SetRef(*in.target, doc.Clone()); err != nil {
			return nil, err
		}
	} else {
		e = event.NewEventFromMap(doc.Clone())
	}
	if !in.docinfo {
		return e, nil
	}
	current, _ := e.GetRef(in.docinfoTarget)
	info, isMap := current.(*event.Map)
	switch {
	case current == nil:
		info = event.NewMap(len(in.docinfoFields))
	case !isMap:
		return nil, fmt.Errorf("Incompatible event; unable to merge docinfo fields into docinfo_target=`%s`", in.docinfoTarget)
	}
	for _, f := range in.docinfoFields {
		v, _ := hit.Get(f)
		info.Set(f, v)
	}
	return e, e.SetRef(in.docinfoTarget, info)
}

// cursor is tracking_field's state: the last value of the field, kept in
// a file between runs.
type cursor struct {
	path  string
	field event.FieldRef
	log   *slog.Logger

	mu   sync.Mutex
	last string
	// latest is the last value each slice (-1 without slices) saw.
	latest map[int64]any
}

func newCursor(path string, field event.FieldRef, seed string, log *slog.Logger) *cursor {
	c := &cursor{path: path, field: field, log: log, last: seed, latest: map[int64]any{}}
	if b, err := os.ReadFile(path); err == nil {
		c.last = string(b)
	}
	log.Info(fmt.Sprintf("Starting value for cursor field %q: %s", field.String(), c.last))
	return c
}

func (c *cursor) inject(query string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	present := time.Now().Add(-30 * time.Second).UTC().Format(time.RFC3339Nano)
	return strings.ReplaceAll(strings.ReplaceAll(query, ":last_value", c.last), ":present", present)
}

func (c *cursor) record(slice int64, e *event.Event) {
	v, ok := e.GetRef(c.field)
	if !ok || v == nil {
		return
	}
	c.mu.Lock()
	c.latest[slice] = v
	c.mu.Unlock()
}

// checkpoint keeps the lowest of the slices' last values (while slices
// may still run) or the highest (at the end of a run), and writes it down.
func (c *cursor) checkpoint(intermediate bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.latest) > 0 {
		var best any
		for _, v := range c.latest {
			if best == nil || intermediate && less(v, best) || !intermediate && less(best, v) {
				best = v
			}
		}
		if text := event.ValueString(best); text != c.last {
			c.last = text
			c.log.Info(fmt.Sprintf("New cursor value for field %q is: %s", c.field.String(), text))
		}
		if !intermediate {
			clear(c.latest)
		}
	}
	if err := os.WriteFile(c.path, []byte(c.last), 0o644); err != nil {
		c.log.Error("Could not write the cursor's last value", slog.String("path", c.path), slog.String("message", err.Error()))
	}
}

// less orders cursor values: numbers by value, anything else (timestamps,
// strings) by its text.
func less(a, b any) bool {
	x, aNum := number(a)
	y, bNum := number(b)
	if aNum && bNum {
		return x < y
	}
	return event.ValueString(a) < event.ValueString(b)
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}
