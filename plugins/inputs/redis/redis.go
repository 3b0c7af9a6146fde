// Package redis is the redis input: events read from a Redis list (popped
// one at a time with BLPOP, or batch_count at a time by a Lua script) or
// from channels it subscribes to, decoded by a codec (json by default).
//
// Delivery is Logstash's: Redis lists and channels have no
// acknowledgement, so an item leaves the list when it is popped. Every
// popped item is emitted, and a graceful shutdown drains them through the
// outputs; a server restart or a dropped connection is logged and retried
// on a new connection, losing nothing the server kept. What a crash
// (kill -9) of gostash loses is what it had popped and not yet delivered:
// at most a pipeline's in-flight events and one batch_count, or what the
// persisted queue had not yet taken.
package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gostash/gostash/plugins/internal/redisclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost       = plugin.String("host").Default("127.0.0.1").Doc("The Redis server's host name or address.")
	optPort       = plugin.Int("port").Default(6379).Between(1, 65535).Doc("The Redis server's port.")
	optPath       = plugin.String("path").Doc("A unix socket of the server to connect to instead of host and port.")
	optSSL        = plugin.Bool("ssl").Default(false).Doc("Speak TLS to the server, checking its certificate against the system's CAs and host.")
	optDB         = plugin.Int("db").Default(0).AtLeast(0).Doc("The database number.")
	optTimeout    = plugin.Float("timeout").Default(5).Validate(positive).Doc("Seconds allowed for connecting, and for each reply.")
	optPassword   = plugin.Password("password").Doc("The password to authenticate with (AUTH); none by default.")
	optKey        = plugin.String("key").Required().Doc("The list to pop from, or the channel (or channel pattern) to subscribe to.")
	optDataType   = plugin.Enum("data_type", "list", "channel", "pattern_channel").Required().Doc("list pops from the list key (BLPOP, or a batch script); channel subscribes to the channel key (SUBSCRIBE); pattern_channel subscribes to the channels matching key (PSUBSCRIBE).")
	optBatchCount = plugin.Int("batch_count").Default(125).Doc("For a list, how many items each round trip takes off the list (an atomic LRANGE and LTRIM in a Lua script, so Redis 2.6 or later); 1 or less pops one item at a time with BLPOP.")
	optThreads    = plugin.Int("threads").Default(1).AtLeast(1).Doc("Connections reading at once, each with its own codec. On channels every connection gets every message, so more than one duplicates events.")
	optCommandMap = plugin.Hash("command_map").Default(event.NewMap(0)).Doc("Commands the server renamed (rename-command): their name => the new name, applied to every command sent, the script's LRANGE and LTRIM included. SUBSCRIBE and PSUBSCRIBE cannot be renamed.").Example(`{ "blpop" => "x-blpop" }`)
)

func positive(v float64) error {
	if v <= 0 {
		return fmt.Errorf("must be greater than 0, got %v", v)
	}
	return nil
}

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "redis",
			Summary: "Reads events from a Redis list (BLPOP or batches) or from channels (SUBSCRIBE, PSUBSCRIBE).",
			Options: []plugin.Declared{optHost, optPort, optPath, optSSL, optDB, optTimeout, optPassword, optKey,
				optDataType, optBatchCount, optThreads, optCommandMap},
		},
		DefaultCodec: "json",
		New:          New,
	})
}

// emptyListPause is how long a batch reader waits after finding the list
// empty before it looks again (Logstash waits a quarter second too).
const emptyListPause = 250 * time.Millisecond

// retryPause is how long a reader waits after a failure before it tries
// again on a fresh connection.
const retryPause = time.Second

// Input is the redis input.
type Input struct {
	s        *plugin.Settings
	cfg      redisclient.Config
	key      string
	dataType string
	batch    int64
	threads  int
	log      *slog.Logger
	identity string
	// script takes batch items off the list atomically.
	script string
}

var channelRef, _ = event.ParseFieldRef("[@metadata][redis_channel]")

// New builds a redis input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{
		s:        s,
		key:      optKey.Get(s),
		dataType: optDataType.Get(s),
		batch:    optBatchCount.Get(s),
		threads:  int(optThreads.Get(s)),
		log:      s.Logger(),
	}
	rename, err := commandMap(s, in.dataType)
	if err != nil {
		return nil, err
	}
	in.cfg = redisclient.Config{
		Network:  "tcp",
		Addr:     net.JoinHostPort(optHost.Get(s), strconv.FormatInt(optPort.Get(s), 10)),
		DB:       int(optDB.Get(s)),
		Password: optPassword.Get(s),
		Timeout:  time.Duration(optTimeout.Get(s) * float64(time.Second)),
		Rename:   rename,
	}
	if optPath.IsSet(s) {
		in.log.Warn("Parameter 'path' is set, ignoring parameters: 'host' and 'port'")
		in.cfg.Network, in.cfg.Addr = "unix", optPath.Get(s)
	}
	if optSSL.Get(s) {
		// What the Ruby client's ssl => true sets up: the system's CAs,
		// and a certificate that names host.
		in.cfg.TLS = &tls.Config{ServerName: optHost.Get(s), MinVersion: tls.VersionTLS12}
	}
	in.script = batchScript(rename)
	in.identity = in.cfg.Identity(in.dataType, in.key)
	return in, nil
}

// commandMap reads command_map. The client sends SUBSCRIBE and PSUBSCRIBE
// (and their UN- forms) under their own names, so renaming them, which a
// channel input would need, is refused rather than ignored.
func commandMap(s *plugin.Settings, dataType string) (map[string]string, error) {
	raw := map[string]string{}
	var bad error
	optCommandMap.Get(s).Range(func(k string, v any) bool {
		text, ok := v.(string)
		if !ok {
			bad = optCommandMap.Errorf(s, "command_map: the new name of %q must be a string, got %s", k, event.ValueString(v))
			return false
		}
		raw[k] = text
		return true
	})
	if bad != nil {
		return nil, bad
	}
	rename, err := redisclient.CommandMap(raw)
	if err != nil {
		return nil, optCommandMap.Errorf(s, "command_map: %v", err)
	}
	if dataType != "list" {
		for _, name := range []string{"subscribe", "psubscribe", "unsubscribe", "punsubscribe"} {
			if _, ok := rename[name]; ok {
				return nil, optCommandMap.Errorf(s, "command_map: %s cannot be renamed: gostash's Redis client sends it under its own name", name)
			}
		}
	}
	return rename, nil
}

// batchScript returns the Lua script that takes up to ARGV[1] + 1 items
// off the head of the list KEYS[1] in one step: read them, then trim them
// away, under the names command_map gives LRANGE and LTRIM.
func batchScript(rename map[string]string) string {
	name := func(cmd string) string {
		if r, ok := rename[cmd]; ok {
			return r
		}
		return cmd
	}
	return fmt.Sprintf(`local last = tonumber(ARGV[1])
local items = redis.call(%q, KEYS[1], 0, last)
redis.call(%q, KEYS[1], last + 1, -1)
return items`, name("lrange"), name("ltrim"))
}

// Run reads with threads connections until ctx ends. Failures (a refused
// connection, a server restart, an error reply) are logged and retried
// after a second on a fresh connection; they never stop the input.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	in.log.Info("Registering Redis", slog.String("identity", in.identity))
	var wg sync.WaitGroup
	for range in.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &reader{in: in, out: out, codec: in.s.NewCodec(), client: in.cfg.NewClient()}
			defer r.client.Close()
			if in.dataType == "list" {
				r.readList(ctx)
			} else {
				r.readChannels(ctx)
			}
		}()
	}
	wg.Wait()
	return nil
}

// reader is one connection's loop.
type reader struct {
	in      *Input
	out     plugin.Emitter
	codec   plugin.Codec
	client  *goredis.Client
	decoded []*event.Event
	sha     string
}

// readList pops until ctx ends. Items are taken off the list before they
// are emitted (Redis lists have no acknowledgement): every item popped is
// emitted, even when ctx ends meanwhile, so a graceful shutdown drains them
// through the pipeline; commands are sent without ctx for the same reason,
// as a cancelled command could have popped items whose reply is dropped.
func (r *reader) readList(ctx context.Context) {
	cmdCtx := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		items, err := r.pop(cmdCtx)
		if err != nil {
			r.failed(err)
			if !redisclient.Pause(ctx, retryPause) {
				return
			}
			continue
		}
		r.emit("", items...)
		if len(items) == 0 && r.in.batch > 1 && !redisclient.Pause(ctx, emptyListPause) {
			return
		}
	}
}

// blockSeconds is how long BLPOP waits for an item, so that the loop sees
// a shutdown within that time.
const blockSeconds = 1

func (r *reader) pop(ctx context.Context) ([]string, error) {
	if r.in.batch <= 1 {
		// BLPOP's reply is the list's name and the item.
		reply, err := r.client.BLPop(ctx, blockSeconds*time.Second, r.in.key).Result()
		if errors.Is(err, goredis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return reply[1:], nil
	}
	if r.sha == "" {
		sha, err := r.client.ScriptLoad(ctx, r.in.script).Result()
		if err != nil {
			return nil, err
		}
		r.sha = sha
	}
	items, err := r.client.EvalSha(ctx, r.sha, []string{r.in.key}, r.in.batch-1).StringSlice()
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT ") {
		r.in.log.Warn("Redis may have been restarted, reloading Redis batch EVAL script", slog.String("exception", err.Error()))
		r.sha = ""
		return r.pop(ctx)
	}
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	return items, err
}

// readChannels subscribes and emits every message until ctx ends. The
// client subscribes again by itself on a new connection after a failure;
// messages published while no connection was subscribed are not seen, as
// Redis keeps no pub/sub history.
func (r *reader) readChannels(ctx context.Context) {
	var sub *goredis.PubSub
	if r.in.dataType == "channel" {
		sub = r.client.Subscribe(ctx, r.in.key)
	} else {
		sub = r.client.PSubscribe(ctx, r.in.key)
	}
	defer sub.Close()
	for ctx.Err() == nil {
		msg, err := sub.ReceiveTimeout(ctx, blockSeconds*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var netErr net.Error
			if errors.As(err, &netErr) && netErr.Timeout() {
				continue
			}
			r.failed(err)
			if !redisclient.Pause(ctx, retryPause) {
				return
			}
			continue
		}
		switch m := msg.(type) {
		case *goredis.Subscription:
			r.in.log.Info(capitalized(m.Kind), slog.String("channel", m.Channel), slog.Int("count", m.Count))
		case *goredis.Message:
			r.emit(m.Channel, m.Payload)
		}
	}
}

// capitalized turns the reply kind (subscribe, punsubscribe...) into the
// log message Logstash uses (Subscribed, Unsubscribed).
func capitalized(kind string) string {
	if strings.Contains(kind, "unsubscribe") {
		return "Unsubscribed"
	}
	return "Subscribed"
}

// emit decodes items and emits their events in order, with one queue
// operation when the pipeline takes batches; events from channels get
// [@metadata][redis_channel].
func (r *reader) emit(channel string, items ...string) {
	r.decoded = r.decoded[:0]
	collect := func(e *event.Event) { r.decoded = append(r.decoded, e) }
	for _, item := range items {
		r.codec.Decode([]byte(item), collect)
		r.codec.Flush(collect)
	}
	for _, e := range r.decoded {
		r.out.Decorate(e)
		if channel != "" {
			e.SetRef(channelRef, channel)
		}
	}
	if batch, ok := r.out.(plugin.BatchEmitter); ok {
		batch.EmitDecoratedBatch(r.decoded)
	} else {
		for _, e := range r.decoded {
			r.out.EmitDecorated(e)
		}
	}
	clear(r.decoded)
}

// failed logs a failure as Logstash grades it: an error reply from the
// server is an error, connection trouble a warning.
func (r *reader) failed(err error) {
	attrs := []any{slog.String("message", err.Error()), slog.String("identity", r.in.identity)}
	var reply goredis.Error
	if errors.As(err, &reply) {
		r.in.log.Error("Redis error", attrs...)
		return
	}
	r.in.log.Warn("Redis connection error", attrs...)
}
