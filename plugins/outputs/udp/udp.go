// Package udp is the udp output: each event, encoded by its codec (json by
// default), is sent as one UDP datagram.
package udp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost           = plugin.String("host").Required().Doc("The address to send datagrams to.")
	optPort           = plugin.String("port").Required().Doc(`The port to send to; sprintf'd per event ("%{[@metadata][port]}"), an event whose port is not a number is dropped with an error.`)
	optRetryCount     = plugin.Int("retry_count").Default(0).AtLeast(0).Doc("How many times a failed send is retried before the event is dropped.")
	optRetryBackoffMS = plugin.Int("retry_backoff_ms").Default(100).AtLeast(0).Doc("Milliseconds to wait before each retry.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "udp",
			Summary: "Sends each event as a UDP datagram (lossy by nature: a datagram that cannot be sent is logged and dropped).",
			Options: []plugin.Declared{optHost, optPort, optRetryCount, optRetryBackoffMS},
		},
		DefaultCodec: "json",
		New:          New,
	})
}

// maxDebugPayload bounds the payload shown in debug logs of failures.
const maxDebugPayload = 1000

// Output is the udp output.
type Output struct {
	host    string
	ip      net.IP // host, when it is an address: nothing to resolve
	port    *event.Template
	retries int64
	backoff time.Duration
	codec   plugin.Codec
	conn    net.PacketConn
	log     *slog.Logger
}

// New builds a udp output with its socket.
func New(s *plugin.Settings) (plugin.Output, error) {
	port, err := event.CompileTemplate(optPort.Get(s))
	if err != nil {
		return nil, optPort.Errorf(s, "%v", err)
	}
	conn, err := net.ListenPacket("udp", ":0")
	if err != nil {
		return nil, fmt.Errorf("opening a UDP socket: %w", err)
	}
	return &Output{
		host: optHost.Get(s), ip: net.ParseIP(optHost.Get(s)), port: port, retries: optRetryCount.Get(s),
		backoff: time.Duration(optRetryBackoffMS.Get(s)) * time.Millisecond,
		codec:   s.NewCodec(), conn: conn, log: s.Logger(),
	}, nil
}

// Output sends each event as a datagram. Failures are logged and the
// event dropped, as UDP promises nothing; only a forced shutdown (ctx)
// cuts retries short.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	var payload []byte
	for _, e := range events {
		raw := o.port.Render(e)
		port, err := strconv.ParseInt(strings.TrimSpace(raw), 0, 32)
		if err != nil {
			o.log.Error("Failed to resolve port, dropping event", slog.String("port", o.port.String()), slog.String("message", fmt.Sprintf("invalid value for Integer(): %q", raw)))
			continue
		}
		payload = o.codec.Encode(payload[:0], e)
		if err := o.send(ctx, payload, int(port)); err != nil {
			return err
		}
	}
	return nil
}

func (o *Output) send(ctx context.Context, payload []byte, port int) error {
	for attempt := int64(0); ; attempt++ {
		err := o.sendOnce(payload, port)
		if err == nil {
			return nil
		}
		if errors.Is(err, syscall.EMSGSIZE) {
			o.log.Error(fmt.Sprintf("Failed to send event, message size of %d too long", len(payload)), o.failure(err, payload)...)
			return nil
		}
		if attempt >= o.retries {
			o.log.Error("Failed to send event:", o.failure(err, payload)...)
			return nil
		}
		o.log.Warn("Failed to send event, retrying:", o.failure(err, payload)...)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.backoff):
		}
	}
}

// sendOnce sends one datagram; a host name is resolved for each send, as
// Logstash's socket does, so a changed DNS record is followed.
func (o *Output) sendOnce(payload []byte, port int) error {
	addr := &net.UDPAddr{IP: o.ip, Port: port}
	if o.ip == nil {
		var err error
		if addr, err = net.ResolveUDPAddr("udp", net.JoinHostPort(o.host, strconv.Itoa(port))); err != nil {
			return err
		}
	}
	_, err := o.conn.WriteTo(payload, addr)
	return err
}

// failure is what a failure log says: the error, and at debug level the
// start of the payload.
func (o *Output) failure(err error, payload []byte) []any {
	attrs := []any{slog.String("message", err.Error())}
	if o.log.Enabled(context.Background(), slog.LevelDebug) {
		shown := string(payload)
		if len(shown) > maxDebugPayload {
			shown = shown[:maxDebugPayload] + "...<TRUNCATED>"
		}
		attrs = append(attrs, slog.String("event_payload", shown))
	}
	return attrs
}

// Close closes the socket.
func (o *Output) Close() error { return o.conn.Close() }
