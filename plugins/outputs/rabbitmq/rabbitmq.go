// Package rabbitmq is the rabbitmq output: it publishes each event, encoded
// by the codec, to an exchange with a routing key made from the event
// (github.com/rabbitmq/amqp091-go).
//
// Unlike Logstash, which publishes without confirmation, it puts its
// channels in confirm mode and finishes a batch only once the server has
// confirmed every message of it; a lost connection or a refused message is
// retried (after connect_retry_interval) until confirmed, so an outage
// holds the pipeline back instead of losing events. A message may then
// reach the exchange twice, never zero times.
package rabbitmq

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gostash/gostash/plugins/internal/rabbitmqclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optExchange          = plugin.String("exchange").Required().Doc("Exchange to publish to; declared when the output connects.")
	optExchangeType      = plugin.Enum("exchange_type", rabbitmqclient.ExchangeTypes...).Required().Doc("Type of the exchange.")
	optKey               = plugin.String("key").Default("logstash").Doc("Routing key of each message; a sprintf template such as `%{[service]}`.")
	optDurable           = plugin.Bool("durable").Default(true).Doc("Declare the exchange durable, surviving a broker restart.")
	optPersistent        = plugin.Bool("persistent").Default(true).Doc("Publish messages as persistent (delivery mode 2): a durable queue keeps them across a broker restart.")
	optMessageProperties = plugin.Hash("message_properties").Validate(checkProperties).Doc("Properties of each message: " + propertyNames + ". Text values may be sprintf templates; `priority` is read as a number, `headers` takes a hash.")
)

const propertyNames = "`app_id`, `content_encoding`, `content_type`, `correlation_id`, `delivery_mode`, `expiration`, `headers`, `message_id`, `priority`, `reply_to`, `timestamp`, `type`, `user_id`"

var knownProperties = []string{"app_id", "content_encoding", "content_type", "correlation_id", "delivery_mode",
	"expiration", "headers", "message_id", "priority", "reply_to", "timestamp", "type", "user_id"}

func checkProperties(m *event.Map) error {
	var err error
	m.Range(func(k string, v any) bool {
		if !slices.Contains(knownProperties, k) {
			err = fmt.Errorf("unknown message property %q; known are %s", k, propertyNames)
			return false
		}
		if k == "headers" {
			if _, ok := v.(*event.Map); !ok {
				err = fmt.Errorf("message property headers must be a hash")
				return false
			}
			return true
		}
		if _, isMap := v.(*event.Map); isMap {
			err = fmt.Errorf("message property %s must be a single value", k)
			return false
		}
		if _, e := event.CompileTemplate(event.ValueString(v)); e != nil {
			err = fmt.Errorf("message property %s: %v", k, e)
			return false
		}
		return true
	})
	return err
}

func init() {
	opts := []plugin.Declared{optExchange, optExchangeType, optKey, optDurable, optPersistent, optMessageProperties}
	opts = append(opts, rabbitmqclient.Options()...)
	opts = append(opts, rabbitmqclient.OutputPassive, rabbitmqclient.OutputArguments)
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "rabbitmq",
			Summary: "Publishes events to a RabbitMQ exchange, waiting for the server's confirmation of each.",
			Options: opts,
		},
		DefaultCodec: "json",
		New:          newOutput,
	})
}

// property is one message property: constant, or rendered per event.
type property struct {
	name     string
	template *event.Template
	headers  amqp.Table
}

type output struct {
	s        *plugin.Settings
	log      *slog.Logger
	client   *rabbitmqclient.Client
	codec    plugin.Codec
	exchange string
	kind     string
	durable  bool
	key      *event.Template
	mode     uint8
	props    []property

	mu   sync.Mutex
	conn *amqp.Connection
	addr string
	// idle are confirm-mode channels of conn between batches; each batch
	// takes one, so that workers publish side by side.
	idle []*amqp.Channel
}

func newOutput(s *plugin.Settings) (plugin.Output, error) {
	client, err := rabbitmqclient.New(s)
	if err != nil {
		return nil, err
	}
	o := &output{s: s, log: s.Logger(), client: client, codec: s.NewCodec(),
		exchange: optExchange.Get(s), kind: optExchangeType.Get(s), durable: optDurable.Get(s), mode: amqp.Transient}
	if optPersistent.Get(s) {
		o.mode = amqp.Persistent
	}
	if o.key, err = event.CompileTemplate(optKey.Get(s)); err != nil {
		return nil, optKey.Errorf(s, "%v", err)
	}
	optMessageProperties.Get(s).Range(func(k string, v any) bool {
		p := property{name: k}
		if m, ok := v.(*event.Map); ok {
			p.headers = rabbitmqclient.ToTableValue(m).(amqp.Table)
		} else {
			p.template, _ = event.CompileTemplate(event.ValueString(v))
		}
		o.props = append(o.props, p)
		return true
	})
	slices.SortFunc(o.props, func(a, b property) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	return o, nil
}

// Start connects and declares the exchange, so that a declaration the
// server refuses (the exchange exists with another type) stops the
// pipeline at start, as Logstash's register does. An unreachable server
// is only logged: the first batch waits for it.
func (o *output) Start() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, addr, err := o.client.Dial(ctx)
	if err != nil {
		o.log.Error("RabbitMQ connection error, will retry", slog.String("message", err.Error()))
		return nil
	}
	o.log.Info("Connected to RabbitMQ", slog.String("url", o.client.URL(addr)))
	ch, err := o.openChannel(conn)
	if err != nil {
		refused := !conn.IsClosed()
		conn.Close()
		if refused {
			o.log.Error("Could not declare exchange", slog.String("exchange", o.exchange), slog.String("type", o.kind),
				slog.Bool("durable", o.durable), slog.String("message", err.Error()))
			return o.s.Errorf("declaring exchange %q: %v", o.exchange, err)
		}
		o.log.Error("RabbitMQ connection error, will retry", slog.String("message", err.Error()))
		return nil
	}
	o.watchBlocked(conn, addr)
	o.mu.Lock()
	o.conn, o.addr, o.idle = conn, addr, []*amqp.Channel{ch}
	o.mu.Unlock()
	return nil
}

// openChannel opens a channel in confirm mode and declares the exchange on
// it.
func (o *output) openChannel(conn *amqp.Connection) (*amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	if err := ch.ExchangeDeclare(o.exchange, o.kind, o.durable, false, false, false, nil); err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, err
	}
	return ch, nil
}

// channel returns a confirm-mode channel, connecting first when there is
// no open connection; it waits for the server as long as ctx allows.
func (o *output) channel(ctx context.Context) (*amqp.Channel, error) {
	for {
		o.mu.Lock()
		if o.conn != nil && !o.conn.IsClosed() {
			if n := len(o.idle); n > 0 {
				ch := o.idle[n-1]
				o.idle = o.idle[:n-1]
				o.mu.Unlock()
				if !ch.IsClosed() {
					return ch, nil
				}
				continue
			}
			conn := o.conn
			o.mu.Unlock()
			ch, err := o.openChannel(conn)
			if err == nil {
				return ch, nil
			}
			if !conn.IsClosed() {
				return nil, err
			}
			continue
		}
		if o.conn != nil {
			o.log.Warn("RabbitMQ connection was closed", slog.String("url", o.client.URL(o.addr)),
				slog.Bool("automatic_recovery", o.client.Recover))
			o.conn, o.idle = nil, nil
		}
		// Connecting under the lock: the other workers wait for this one
		// connection instead of each dialing its own.
		conn, addr := o.client.Connect(ctx)
		if conn == nil {
			o.mu.Unlock()
			return nil, ctx.Err()
		}
		o.watchBlocked(conn, addr)
		o.conn, o.addr = conn, addr
		o.mu.Unlock()
	}
}

// watchBlocked logs when the server blocks the connection (a memory or
// disk alarm): publishing then waits, holding the pipeline back.
func (o *output) watchBlocked(conn *amqp.Connection, addr string) {
	blocked := conn.NotifyBlocked(make(chan amqp.Blocking, 1))
	go func() {
		for b := range blocked {
			if b.Active {
				o.log.Warn("RabbitMQ connection blocked - please check the RabbitMQ server logs",
					slog.String("url", o.client.URL(addr)), slog.String("reason", b.Reason))
			} else {
				o.log.Warn("RabbitMQ connection unblocked", slog.String("url", o.client.URL(addr)))
			}
		}
	}()
}

func (o *output) release(ch *amqp.Channel) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn != nil && !ch.IsClosed() {
		o.idle = append(o.idle, ch)
	}
}

// Output publishes the batch and returns once the server confirmed every
// message, retrying the unconfirmed ones.
func (o *output) Output(ctx context.Context, events []*event.Event) error {
	pending := make([]amqp.Publishing, 0, len(events))
	keys := make([]string, 0, len(events))
	for _, e := range events {
		pending = append(pending, o.message(e))
		keys = append(keys, o.key.Render(e))
	}
	for len(pending) > 0 {
		ch, err := o.channel(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o.log.Error("Error while publishing, will retry", slog.String("message", err.Error()))
			if !rabbitmqclient.Sleep(ctx, o.client.RetryInterval) {
				return ctx.Err()
			}
			continue
		}
		n, err := o.publish(ctx, ch, pending, keys)
		pending, keys = pending[n:], keys[n:]
		if err == nil {
			o.release(ch)
			continue
		}
		ch.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		o.log.Error("Error while publishing, will retry", slog.String("message", err.Error()))
		if !rabbitmqclient.Sleep(ctx, o.client.RetryInterval) {
			return ctx.Err()
		}
	}
	return nil
}

// publish sends the messages and waits for their confirmations, returning
// how many of the first messages were all confirmed.
func (o *output) publish(ctx context.Context, ch *amqp.Channel, msgs []amqp.Publishing, keys []string) (int, error) {
	confirms := make([]*amqp.DeferredConfirmation, 0, len(msgs))
	var sendErr error
	for i := range msgs {
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, o.exchange, keys[i], false, false, msgs[i])
		if err != nil {
			sendErr = err
			break
		}
		confirms = append(confirms, dc)
	}
	for i, dc := range confirms {
		acked, err := dc.WaitContext(ctx)
		if err != nil {
			return i, err
		}
		if !acked {
			return i, fmt.Errorf("the server did not confirm message %d of %d", i+1, len(msgs))
		}
	}
	if sendErr != nil {
		return len(confirms), sendErr
	}
	return len(msgs), nil
}

// message builds the publishing of one event.
func (o *output) message(e *event.Event) amqp.Publishing {
	m := amqp.Publishing{DeliveryMode: o.mode, Body: o.codec.Encode(nil, e)}
	for _, p := range o.props {
		if p.headers != nil {
			m.Headers = p.headers
			continue
		}
		v := p.template.Render(e)
		switch p.name {
		case "app_id":
			m.AppId = v
		case "content_encoding":
			m.ContentEncoding = v
		case "content_type":
			m.ContentType = v
		case "correlation_id":
			m.CorrelationId = v
		case "delivery_mode":
			if n, err := strconv.ParseUint(v, 10, 8); err == nil {
				m.DeliveryMode = uint8(n)
			}
		case "expiration":
			m.Expiration = v
		case "message_id":
			m.MessageId = v
		case "priority":
			// Ruby's to_i: leading digits, else 0.
			m.Priority = uint8(leadingInt(v))
		case "reply_to":
			m.ReplyTo = v
		case "timestamp":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				m.Timestamp = time.Unix(n, 0)
			}
		case "type":
			m.Type = v
		case "user_id":
			m.UserId = v
		}
	}
	return m
}

func leadingInt(s string) int64 {
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > 255 {
			return 255
		}
	}
	return n
}

func (o *output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn != nil {
		return o.conn.Close()
	}
	return nil
}
