// Package rabbitmq is the rabbitmq input: it declares a queue (and, when
// asked, an exchange and a binding) on a RabbitMQ server, consumes it with
// github.com/rabbitmq/amqp091-go, and decodes each message with the codec.
//
// With ack (the default) a message is acknowledged only once every event
// made from it has been through all outputs, so a crash or a lost
// connection leaves the server to deliver it again (Logstash acknowledges
// as soon as the event is queued). A lost connection is dialed again and
// the topology declared anew.
package rabbitmq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gostash/gostash/plugins/internal/rabbitmqclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optQueue                            = plugin.String("queue").Default("").Doc("Queue to declare and consume. Empty: a server-named queue, new on every connection.")
	optDurable                          = plugin.Bool("durable").Default(false).Doc("Declare the queue (and the exchange, when `exchange_type` is set) durable, surviving a broker restart.")
	optAutoDelete                       = plugin.Bool("auto_delete").Default(false).Doc("Declare the queue auto-delete: the server deletes it when its last consumer goes.")
	optExclusive                        = plugin.Bool("exclusive").Default(false).Doc("Declare the queue exclusive to this connection: deleted when it closes.")
	optPrefetchCount                    = plugin.Int("prefetch_count").Default(256).Between(0, 65535).Doc("Most unacknowledged messages the server sends ahead (basic.qos); with `ack` it also bounds the messages in flight in the pipeline.")
	optAck                              = plugin.Bool("ack").Default(true).Doc("Acknowledge each message once every event made from it has been through all outputs (or was dropped); unacknowledged messages are delivered again after a crash or a lost connection. When false, the server forgets a message as soon as it sends it.")
	optExchange                         = plugin.String("exchange").Doc("Exchange to bind the queue to with `key`; declared first when `exchange_type` is set.")
	optExchangeType                     = plugin.String("exchange_type").Doc("Type of the exchange to declare (direct, fanout, topic, headers, ...). Unset: the exchange must already exist.")
	optKey                              = plugin.String("key").Default("logstash").Doc("Routing key of the binding to `exchange`.")
	optSubscriptionRetryIntervalSeconds = plugin.Float("subscription_retry_interval_seconds").Default(5).AtLeast(0).Doc("Seconds to wait before subscribing again when the server refused the subscription.")
	optMetadataEnabled                  = plugin.Enum("metadata_enabled", "none", "basic", "extended", "false", "true").Default("none").Doc("`basic` adds the message headers as `[@metadata][rabbitmq_headers]` and its properties as `[@metadata][rabbitmq_properties]`; `extended` also adds the raw payload as `[@metadata][rabbitmq_payload]`. `true` and `false` are deprecated aliases of `basic` and `none`. The same in every ECS mode.")
	optThreads                          = plugin.Int("threads").Default(1).AtLeast(1).Doc("Number of consumers of the queue, each on its own connection.")
)

func init() {
	opts := []plugin.Declared{optQueue, optDurable, optAutoDelete, optExclusive, optPrefetchCount, optAck,
		optExchange, optExchangeType, optKey, optSubscriptionRetryIntervalSeconds, optMetadataEnabled, optThreads}
	opts = append(opts, rabbitmqclient.Options()...)
	opts = append(opts, rabbitmqclient.Passive, rabbitmqclient.Arguments)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "rabbitmq",
			Summary: "Consumes a RabbitMQ queue, acknowledging each message only once its events have been through the outputs.",
			Options: opts,
		},
		DefaultCodec: "json",
		Acknowledges: true,
		New:          newInput,
	})
}

type metadataLevel int

const (
	metadataNone metadataLevel = iota
	metadataBasic
	metadataExtended
)

type input struct {
	s            *plugin.Settings
	log          *slog.Logger
	client       *rabbitmqclient.Client
	queue        string
	ack          bool
	prefetch     int
	subscribeGap time.Duration
	meta         metadataLevel
	threads      int
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	client, err := rabbitmqclient.New(s)
	if err != nil {
		return nil, err
	}
	in := &input{
		s: s, log: s.Logger(), client: client,
		queue:        optQueue.Get(s),
		ack:          optAck.Get(s),
		prefetch:     int(optPrefetchCount.Get(s)),
		subscribeGap: time.Duration(optSubscriptionRetryIntervalSeconds.Get(s) * float64(time.Second)),
		threads:      int(optThreads.Get(s)),
	}
	switch m := optMetadataEnabled.Get(s); m {
	case "true", "false":
		canonical := map[string]string{"true": "basic", "false": "none"}[m]
		in.log.Warn(fmt.Sprintf("%s: Deprecated value `%s` for `metadata_enabled` option; use `%s` instead.", optMetadataEnabled.Pos(s), m, canonical))
		in.meta = map[string]metadataLevel{"true": metadataBasic, "false": metadataNone}[m]
	case "basic":
		in.meta = metadataBasic
	case "extended":
		in.meta = metadataExtended
	}
	if optExchangeType.IsSet(s) && !optExchange.IsSet(s) {
		in.log.Warn(fmt.Sprintf("%s: exchange_type is set without exchange; no exchange is declared", optExchangeType.Pos(s)))
	}
	return in, nil
}

func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	if in.threads == 1 {
		return in.consumeLoop(ctx, out)
	}
	errs := make([]error, in.threads)
	var wg sync.WaitGroup
	for i := range in.threads {
		wg.Go(func() { errs[i] = in.consumeLoop(ctx, out) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// errCancelled is a consumer cancelled by the server (its queue was
// deleted): as in Logstash, the input stops.
var errCancelled = errors.New("consumer cancelled by the server")

// consumeLoop connects, sets up and consumes until ctx ends, connecting
// again after a lost connection when automatic_recovery is on.
func (in *input) consumeLoop(ctx context.Context, out plugin.Emitter) error {
	for {
		conn, addr := in.client.Connect(ctx)
		if conn == nil {
			return nil
		}
		err := in.session(ctx, conn, addr, out)
		conn.Close()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errCancelled):
			in.log.Info("Received cancellation, shutting down", slog.String("url", in.client.URL(addr)))
			return nil
		case !in.client.Recover:
			return fmt.Errorf("RabbitMQ connection was closed and automatic_recovery is off: %w", err)
		}
		if !rabbitmqclient.Sleep(ctx, in.client.RetryInterval) {
			return nil
		}
	}
}

// session runs one connection: it declares the topology, subscribes and
// emits deliveries until the connection or the consumer ends.
func (in *input) session(ctx context.Context, conn *amqp.Connection, addr string, out plugin.Emitter) error {
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	var ch *amqp.Channel
	var queue string
	for {
		var err error
		ch, queue, err = in.setup(conn)
		if err == nil {
			break
		}
		in.log.Warn("Error while setting up connection, will retry", slog.String("message", err.Error()))
		if !rabbitmqclient.Sleep(ctx, in.client.RetryInterval) || conn.IsClosed() {
			return err
		}
	}
	var deliveries <-chan amqp.Delivery
	for {
		var err error
		deliveries, err = ch.Consume(queue, consumerTag(), !in.ack, false, false, false, nil)
		if err == nil {
			break
		}
		in.log.Warn(fmt.Sprintf("Could not subscribe to queue, will retry in %s seconds", formatSeconds(in.subscribeGap)),
			slog.String("queue", queue), slog.String("message", err.Error()))
		if !rabbitmqclient.Sleep(ctx, in.subscribeGap) || conn.IsClosed() {
			return err
		}
		// A refused basic.consume closes the channel.
		if ch, queue, err = in.setup(conn); err != nil {
			return err
		}
	}
	cancelled := ch.NotifyCancel(make(chan string, 1))

	// acks counts the deliveries whose events are still in the pipeline:
	// at shutdown they are waited for (a while), so that their
	// acknowledgements go out before the connection closes. After a lost
	// connection they cannot be acknowledged any more: the server delivers
	// them again.
	acks := &ackTracker{ch: ch, log: in.log}
	defer func() {
		if in.ack && ctx.Err() != nil {
			waitTimeout(&acks.inflight, drainTimeout)
		}
	}()
	codec := in.s.NewCodec()
	var decoded []*event.Event
	collect := func(e *event.Event) { decoded = append(decoded, e) }
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-closed:
			in.log.Warn("RabbitMQ connection was closed", slog.String("url", in.client.URL(addr)),
				slog.Bool("automatic_recovery", in.client.Recover), slog.Any("cause", err))
			return fmt.Errorf("connection closed: %v", err)
		case <-cancelled:
			return errCancelled
		case d, ok := <-deliveries:
			if !ok {
				// The channel closed without the connection: wait for the
				// reason before deciding what to do.
				select {
				case err := <-closed:
					in.log.Warn("RabbitMQ connection was closed", slog.String("url", in.client.URL(addr)),
						slog.Bool("automatic_recovery", in.client.Recover), slog.Any("cause", err))
					return fmt.Errorf("connection closed: %v", err)
				case <-cancelled:
					return errCancelled
				case <-ctx.Done():
					return nil
				case <-time.After(time.Second):
					return errors.New("the channel was closed by the server")
				}
			}
			decoded = decoded[:0]
			codec.Decode(d.Body, collect)
			codec.Flush(collect)
			in.emit(out, &d, decoded, acks)
		}
	}
}

// drainTimeout bounds the wait for in-flight events at shutdown or after a
// lost connection; what is still unacknowledged then is delivered again.
var drainTimeout = 10 * time.Second

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

func (in *input) emit(out plugin.Emitter, d *amqp.Delivery, events []*event.Event, acks *ackTracker) {
	if !in.ack {
		for _, e := range events {
			out.Decorate(e)
			in.decorate(e, d)
			out.EmitDecorated(e)
		}
		return
	}
	rec := acks.add(d.DeliveryTag, len(events))
	if len(events) == 0 {
		acks.complete(rec)
		return
	}
	for _, e := range events {
		// Logstash decorates (type, tags, add_field) before adding the
		// metadata, so add_field cannot see [@metadata][rabbitmq_*].
		out.Decorate(e)
		in.decorate(e, d)
		e.SetAck(event.NewAck(func() {
			if rec.pending.Add(-1) == 0 {
				acks.complete(rec)
			}
		}))
		out.EmitDecorated(e)
	}
}

// inflight is one delivery whose events are in the pipeline.
type inflight struct {
	tag     uint64
	pending atomic.Int32
	done    bool
}

// ackTracker acknowledges a channel's deliveries once they are handled,
// several at once where it can: one basic.ack with multiple set covers
// every delivery up to the newest one handled with all before it handled
// too, so a batch of events finishing costs one frame instead of one per
// message, and no delivery still in flight is ever covered.
type ackTracker struct {
	ch       *amqp.Channel
	log      *slog.Logger
	inflight sync.WaitGroup

	mu    sync.Mutex
	queue []*inflight // in delivery order; queue[0] is the oldest unhandled
}

func (t *ackTracker) add(tag uint64, events int) *inflight {
	rec := &inflight{tag: tag}
	rec.pending.Store(int32(events))
	t.inflight.Add(1)
	t.mu.Lock()
	t.queue = append(t.queue, rec)
	t.mu.Unlock()
	return rec
}

func (t *ackTracker) complete(rec *inflight) {
	defer t.inflight.Done()
	t.mu.Lock()
	defer t.mu.Unlock()
	rec.done = true
	n := 0
	for n < len(t.queue) && t.queue[n].done {
		n++
	}
	if n == 0 {
		return
	}
	last := t.queue[n-1].tag
	// Shift rather than reslice so the backing array does not grow forever.
	t.queue = t.queue[:copy(t.queue, t.queue[n:])]
	if err := t.ch.Ack(last, true); err != nil {
		// The channel is gone: the server delivers the messages again.
		t.log.Debug("could not acknowledge messages; the server will deliver them again",
			slog.Uint64("delivery_tag", last), slog.String("message", err.Error()))
	}
}

// setup opens a channel and declares the queue, the exchange (when
// exchange_type is set) and the binding, returning the queue's name (the
// server picks one for an empty queue option).
func (in *input) setup(conn *amqp.Connection) (*amqp.Channel, string, error) {
	s := in.s
	ch, err := conn.Channel()
	if err != nil {
		return nil, "", err
	}
	declare := ch.QueueDeclare
	if rabbitmqclient.Passive.Get(s) {
		declare = ch.QueueDeclarePassive
	}
	q, err := declare(in.queue, optDurable.Get(s), optAutoDelete.Get(s), optExclusive.Get(s), false, rabbitmqclient.QueueArguments(s))
	if err != nil {
		return nil, "", fmt.Errorf("declaring queue %q: %w", in.queue, err)
	}
	if exchange := optExchange.Get(s); optExchange.IsSet(s) {
		if optExchangeType.IsSet(s) {
			in.log.Info(fmt.Sprintf("Declaring exchange '%s' with type %s", exchange, optExchangeType.Get(s)))
			if err := ch.ExchangeDeclare(exchange, optExchangeType.Get(s), optDurable.Get(s), false, false, false, nil); err != nil {
				return nil, "", fmt.Errorf("declaring exchange %q: %w", exchange, err)
			}
		}
		if err := ch.QueueBind(q.Name, optKey.Get(s), exchange, false, nil); err != nil {
			return nil, "", fmt.Errorf("binding queue %q to exchange %q: %w", q.Name, exchange, err)
		}
	}
	if err := ch.Qos(in.prefetch, 0, false); err != nil {
		return nil, "", fmt.Errorf("setting prefetch_count: %w", err)
	}
	return ch, q.Name, nil
}

// decorate adds the metadata metadata_enabled asks for.
func (in *input) decorate(e *event.Event, d *amqp.Delivery) {
	if in.meta == metadataNone {
		return
	}
	md := e.Metadata()
	md.Set("rabbitmq_headers", rabbitmqclient.TableToMap(d.Headers))
	md.Set("rabbitmq_properties", properties(d))
	if in.meta == metadataExtended && d.Body != nil {
		md.Set("rabbitmq_payload", string(d.Body))
	}
}

// properties are the message's properties under Logstash's names; as
// there, only those the message has are set (a false redeliver is left
// out), and timestamp is in seconds.
func properties(d *amqp.Delivery) *event.Map {
	m := event.NewMap(12)
	setText := func(name, v string) {
		if v != "" {
			m.Set(name, v)
		}
	}
	setText("app-id", d.AppId)
	setText("consumer-tag", d.ConsumerTag)
	setText("content-encoding", d.ContentEncoding)
	setText("content-type", d.ContentType)
	setText("correlation-id", d.CorrelationId)
	if d.DeliveryMode != 0 {
		m.Set("delivery-mode", int64(d.DeliveryMode))
	}
	m.Set("exchange", d.Exchange)
	setText("expiration", d.Expiration)
	setText("message-id", d.MessageId)
	if d.Priority != 0 {
		m.Set("priority", int64(d.Priority))
	}
	if d.Redelivered {
		m.Set("redeliver", true)
	}
	setText("reply-to", d.ReplyTo)
	m.Set("routing-key", d.RoutingKey)
	if !d.Timestamp.IsZero() {
		m.Set("timestamp", d.Timestamp.Unix())
	}
	setText("type", d.Type)
	setText("user-id", d.UserId)
	return m
}

func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// consumerTag names a consumer uniquely, as the server would (amqp091
// would otherwise name it after the program's path).
func consumerTag() string {
	var r [8]byte
	rand.Read(r[:])
	return "gostash-ctag-" + hex.EncodeToString(r[:])
}
