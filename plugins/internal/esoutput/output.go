package esoutput

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/gostash/gostash/plugins/internal/esclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Config is an output's bulk behaviour.
type Config struct {
	Client *esclient.Client
	Mapper *Mapper
	Log    *slog.Logger
	// Engine names the server in messages: "Elasticsearch" or "OpenSearch".
	Engine string
	// PipelineID names the pipeline in the bootstrap failure message.
	PipelineID string
	// BulkPath is the _bulk path, with its query.
	BulkPath string
	// MaxBulkBytes caps a request's uncompressed body; a batch over it is
	// sent in several requests.
	MaxBulkBytes int
	// GzipLevel compresses request bodies (1 to 9); 0 sends them plain.
	GzipLevel int
	// BulkHeaders says whether to send Elasticsearch's X-Elastic-Event-Count
	// and X-Elastic-Uncompressed-Request-Length headers.
	BulkHeaders bool
	// RetryInitial and RetryMax bound the exponential backoff.
	RetryInitial, RetryMax time.Duration
	// DLQ takes rejected documents; nil logs them instead.
	DLQ plugin.DeadLetterWriter
	// DLQCodes are the item statuses that go to the DLQ (400, 404 and
	// dlq_custom_codes).
	DLQCodes map[int]bool
	// DropErrorTypes are item error types dropped without retry.
	DropErrorTypes map[string]bool
	// SilencedErrorTypes are item error types not logged.
	SilencedErrorTypes map[string]bool
	// Bootstrap runs once, after the first successful connection and
	// before any event is sent: version checks, templates, ILM. A
	// *esclient.ConfigError or a *esclient.BadResponseError (but 429)
	// stops the pipeline.
	Bootstrap func(ctx context.Context) error
}

// Output is the shared output: plugin.Output and plugin.Closer.
type Output struct {
	cfg Config
	log *slog.Logger

	readyMu sync.Mutex
	ready   bool

	bufs sync.Pool
}

// New returns the output; nothing is contacted before the first batch.
func New(cfg Config) *Output {
	o := &Output{cfg: cfg, log: cfg.Log}
	o.bufs.New = func() any { return new(batchBuffers) }
	return o
}

type batchBuffers struct {
	lines   []byte
	body    []byte
	gz      bytes.Buffer
	gzw     *gzip.Writer
	actions []*Action
}

// Close stops the client's background work.
func (o *Output) Close() error {
	o.cfg.Client.Close()
	return nil
}

// Output sends the batch and returns once every event was indexed, or
// dropped as Logstash drops it (conflicts, rejected documents). It holds
// the pipeline back, retrying, for as long as the server is unreachable
// or refuses work; only ctx (a forced shutdown) or a configuration the
// server reveals as unusable ends it with an error.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	if err := o.waitReady(ctx); err != nil {
		return err
	}
	bb := o.bufs.Get().(*batchBuffers)
	defer o.bufs.Put(bb)
	lines := bb.lines[:0]
	actions := bb.actions[:0]
	var failed []*MappingError
	for _, e := range events {
		var a *Action
		var err error
		lines, a, err = o.cfg.Mapper.Map(lines, e)
		if err != nil {
			var me *MappingError
			if errors.As(err, &me) {
				failed = append(failed, me)
				continue
			}
			return err
		}
		actions = append(actions, a)
	}
	bb.lines = lines
	defer func() {
		clear(actions)
		bb.actions = actions[:0]
	}()
	err := o.retryingSubmit(ctx, bb, actions)
	if len(failed) > 0 {
		o.mappingErrors(failed)
	}
	return err
}

// mappingErrors sets aside the events no action could be made of.
func (o *Output) mappingErrors(failed []*MappingError) {
	if o.cfg.DLQ != nil {
		o.log.Warn("Events could not be indexed and routing to DLQ, count: " + strconv.Itoa(len(failed)))
	}
	for _, f := range failed {
		msg := f.Msg + "; event: `" + string(eventWithMetadata(f.Event)) + "`"
		if o.cfg.DLQ != nil {
			if err := o.cfg.DLQ.Write(f.Event, msg); err != nil {
				o.log.Error("Could not write an event to the dead letter queue", slog.String("message", err.Error()))
			}
			continue
		}
		o.log.Warn(msg)
	}
}

// eventWithMetadata is the event as JSON with its @metadata.
func eventWithMetadata(e *event.Event) []byte {
	b := event.AppendJSON(nil, e.Data())
	if !e.HasMetadata() {
		return b
	}
	b = b[:len(b)-1]
	if e.Data().Len() > 0 {
		b = append(b, ',')
	}
	b = append(b, `"@metadata":`...)
	b = event.AppendJSON(b, e.Metadata())
	return append(b, '}')
}

// waitReady starts the client on the first batch, waits until a host
// answers and runs the bootstrap once; every worker waits on the first.
func (o *Output) waitReady(ctx context.Context) error {
	o.readyMu.Lock()
	defer o.readyMu.Unlock()
	if o.ready {
		return nil
	}
	if err := o.cfg.Client.Start(); err != nil {
		return o.bootstrapFailed(err)
	}
	interval := o.cfg.RetryInitial
	for !o.cfg.Client.Connected() {
		o.log.Debug(fmt.Sprintf("Waiting for connectivity to %s cluster, retrying in %s", o.cfg.Engine, interval))
		if err := sleep(ctx, interval); err != nil {
			return err
		}
		interval = o.next(interval)
	}
	for o.cfg.Bootstrap != nil {
		err := o.cfg.Bootstrap(ctx)
		var bad *esclient.BadResponseError
		var cfgErr *esclient.ConfigError
		switch {
		case err == nil:
		case errors.As(err, &bad) && bad.Code == http.StatusTooManyRequests:
			o.log.Debug("Received a 429 status code during registration. Retrying..")
			if err := sleep(ctx, interval); err != nil {
				return err
			}
			interval = o.next(interval)
			continue
		case errors.As(err, &bad), errors.As(err, &cfgErr):
			return o.bootstrapFailed(err)
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o.log.Error(o.cfg.Engine+" setup did not complete normally, please review previously logged errors", slog.String("message", err.Error()))
		}
		break
	}
	o.ready = true
	return nil
}

func (o *Output) bootstrapFailed(err error) error {
	o.log.Error(fmt.Sprintf("Failed to bootstrap. Pipeline %q is going to shut down", o.cfg.PipelineID), slog.String("message", err.Error()))
	return err
}

func (o *Output) next(d time.Duration) time.Duration {
	return min(d*2, o.cfg.RetryMax)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryingSubmit sends the actions until none is left to retry, waiting
// with exponential backoff between rounds.
func (o *Output) retryingSubmit(ctx context.Context, bb *batchBuffers, actions []*Action) error {
	interval := o.cfg.RetryInitial
	for len(actions) > 0 {
		retry, err := o.submit(ctx, bb, actions)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			o.log.Error("Encountered an unexpected error submitting a bulk request, will retry", slog.String("message", err.Error()))
		case len(retry) == 0:
			return nil
		default:
			actions = retry
			o.log.Info("Retrying individual bulk actions that failed or were rejected by the previous bulk request", slog.Int("count", len(actions)))
		}
		if err := sleep(ctx, interval); err != nil {
			return err
		}
		interval = o.next(interval)
	}
	return nil
}

// item is one action's result.
type item struct {
	status  int
	errType string
	// raw is the item as the server sent it ({"index":{...}}).
	raw json.RawMessage
}

type bulkResult struct {
	errors bool
	items  []item
}

// submit sends the actions once (retrying whole requests that fail) and
// returns those whose items asked for a retry.
func (o *Output) submit(ctx context.Context, bb *batchBuffers, actions []*Action) ([]*Action, error) {
	res, err := o.safeBulk(ctx, bb, actions)
	if err != nil {
		return nil, err
	}
	if !res.errors {
		return nil, nil
	}
	if len(res.items) != len(actions) {
		return nil, fmt.Errorf("Sent %d documents but %s returned %d responses (likely a bug with _bulk endpoint)", len(actions), o.cfg.Engine, len(res.items))
	}
	var retry []*Action
	rejected := map[string]*rejection{}
	var order []string
	for i, it := range res.items {
		a := actions[i]
		switch {
		case it.status == 200 || it.status == 201:
		case it.status == 409 || o.cfg.DropErrorTypes[it.errType]:
			if !o.cfg.SilencedErrorTypes[it.errType] {
				o.log.Warn("Failed action", slog.Int("status", it.status), slog.String("action", a.Meta()), slog.String("response", string(it.raw)))
			}
		case o.cfg.DLQCodes[it.status]:
			key := strconv.Itoa(it.status) + " " + it.errType
			r := rejected[key]
			if r == nil {
				r = &rejection{status: it.status, errType: it.errType, action: a, response: it.raw}
				rejected[key] = r
				order = append(order, key)
			}
			r.count++
			o.reject(a, it)
		default:
			if !o.cfg.SilencedErrorTypes[it.errType] {
				o.log.Info("Retrying failed action", slog.Int("status", it.status), slog.String("action", a.Meta()), slog.String("error", string(it.raw)))
			}
			retry = append(retry, a)
		}
	}
	o.logRejections(rejected, order)
	return retry, nil
}

// rejection counts the documents of one kind (status and error type) the
// server refused in one request.
type rejection struct {
	status   int
	errType  string
	count    int
	action   *Action
	response json.RawMessage
}

// reject sends a refused document to the dead letter queue with the
// reason, as Logstash words it.
func (o *Output) reject(a *Action, it item) {
	if o.cfg.DLQ == nil {
		return
	}
	reason := fmt.Sprintf("Could not index event to %s. status: %d, action: [%q, %s], response: %s", o.cfg.Engine, it.status, a.Name, a.Meta(), it.raw)
	if err := o.cfg.DLQ.Write(a.Event, reason); err != nil {
		o.log.Error("Could not write an event to the dead letter queue", slog.String("message", err.Error()))
	}
}

// logRejections logs the refused documents once per kind: the first
// document of the kind with the server's reason, and how many shared it.
func (o *Output) logRejections(rejected map[string]*rejection, order []string) {
	if len(order) == 0 {
		return
	}
	if o.cfg.DLQ != nil {
		total := 0
		for _, r := range rejected {
			total += r.count
		}
		o.log.Warn("Events could not be indexed and routing to DLQ", slog.Int("count", total))
		return
	}
	for _, key := range order {
		r := rejected[key]
		level := slog.LevelWarn
		if r.errType == "invalid_index_name_exception" {
			level = slog.LevelError
		}
		o.log.Log(context.Background(), level, "Could not index event to "+o.cfg.Engine+".",
			slog.Int("status", r.status), slog.String("action", r.action.Meta()),
			slog.String("document", string(r.action.Lines[r.action.MetaLen+1:max(r.action.MetaLen+1, len(r.action.Lines)-1)])),
			slog.String("response", string(r.response)), slog.Int("count", r.count))
	}
}

// safeBulk sends the actions, retrying whole requests that fail (the
// server unreachable, no live host, an error status) with backoff until
// one succeeds or ctx ends.
func (o *Output) safeBulk(ctx context.Context, bb *batchBuffers, actions []*Action) (*bulkResult, error) {
	interval := o.cfg.RetryInitial
	for {
		res, err := o.bulk(ctx, bb, actions)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var unreachable *esclient.HostUnreachableError
		var bad *esclient.BadResponseError
		switch {
		case errors.As(err, &unreachable):
			o.log.Error("Attempted to send a bulk request but "+o.cfg.Engine+" appears to be unreachable or down",
				slog.String("message", err.Error()), slog.Float64("will_retry_in_seconds", interval.Seconds()))
		case errors.Is(err, esclient.ErrNoConnection):
			o.log.Error("Attempted to send a bulk request but there are no living connections in the pool (perhaps "+o.cfg.Engine+" is unreachable or down?)",
				slog.String("message", err.Error()), slog.Float64("will_retry_in_seconds", interval.Seconds()))
		case errors.As(err, &bad):
			level := slog.LevelError
			if bad.Code == http.StatusTooManyRequests {
				level = slog.LevelDebug
			}
			o.log.Log(ctx, level, "Encountered a retryable error (will retry with exponential backoff)",
				slog.Int("code", bad.Code), slog.String("url", bad.URL), slog.String("body", string(bad.Body)))
		default:
			o.log.Error("An unknown error occurred sending a bulk request to "+o.cfg.Engine+" (will retry indefinitely)", slog.String("message", err.Error()))
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, err
		}
		interval = o.next(interval)
	}
}

// bulk sends the actions in requests of at most MaxBulkBytes (an action
// larger than that goes alone) and joins their results.
func (o *Output) bulk(ctx context.Context, bb *batchBuffers, actions []*Action) (*bulkResult, error) {
	res := &bulkResult{}
	start := 0
	size := 0
	for i, a := range actions {
		if size > 0 && size+len(a.Lines) > o.cfg.MaxBulkBytes {
			if err := o.send(ctx, bb, actions[start:i], size, res); err != nil {
				return nil, err
			}
			start, size = i, 0
		}
		size += len(a.Lines)
	}
	if start < len(actions) {
		if err := o.send(ctx, bb, actions[start:], size, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// send posts one request and adds its result to res. A 413 makes every
// item of the request a retryable payload_too_large failure, as Logstash
// does.
func (o *Output) send(ctx context.Context, bb *batchBuffers, actions []*Action, size int, res *bulkResult) error {
	body := bb.body[:0]
	for _, a := range actions {
		body = append(body, a.Lines...)
	}
	bb.body = body
	header := http.Header{}
	if o.cfg.BulkHeaders {
		header.Set("X-Elastic-Event-Count", strconv.Itoa(len(actions)))
		header.Set("X-Elastic-Uncompressed-Request-Length", strconv.Itoa(size))
	}
	if o.cfg.GzipLevel > 0 {
		bb.gz.Reset()
		if bb.gzw == nil {
			w, err := gzip.NewWriterLevel(&bb.gz, o.cfg.GzipLevel)
			if err != nil {
				return err
			}
			bb.gzw = w
		} else {
			bb.gzw.Reset(&bb.gz)
		}
		if _, err := bb.gzw.Write(body); err != nil {
			return err
		}
		if err := bb.gzw.Close(); err != nil {
			return err
		}
		body = bb.gz.Bytes()
		header.Set("Content-Encoding", "gzip")
	}
	resp, err := o.cfg.Client.Do(ctx, http.MethodPost, o.cfg.BulkPath, header, body)
	var bad *esclient.BadResponseError
	if errors.As(err, &bad) && bad.Code == http.StatusRequestEntityTooLarge {
		o.log.Warn("Bulk request rejected: `413 Payload Too Large`", slog.Int("action_count", len(actions)), slog.Int("content_length", len(body)))
		res.errors = true
		for _, a := range actions {
			raw, _ := json.Marshal(map[string]any{a.Name: map[string]any{"status": 413, "error": map[string]string{"type": "payload_too_large"}}})
			res.items = append(res.items, item{status: 413, errType: "payload_too_large", raw: raw})
		}
		return nil
	}
	if err != nil {
		return err
	}
	return parseBulk(resp.Body, res)
}

// parseBulk reads a _bulk answer; items are only read when errors is set.
func parseBulk(data []byte, res *bulkResult) error {
	var answer struct {
		Errors bool              `json:"errors"`
		Items  []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return fmt.Errorf("reading the _bulk answer: %v", err)
	}
	if !answer.Errors {
		// Successful items still count, so a later request's errors line
		// up with their actions.
		for range answer.Items {
			res.items = append(res.items, item{status: 200})
		}
		return nil
	}
	res.errors = true
	for _, raw := range answer.Items {
		var wrapped map[string]struct {
			Status int `json:"status"`
			Error  *struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return fmt.Errorf("reading a _bulk item: %v", err)
		}
		it := item{raw: raw}
		for _, v := range wrapped {
			it.status = v.Status
			if v.Error != nil {
				it.errType = v.Error.Type
			}
		}
		res.items = append(res.items, it)
	}
	return nil
}
