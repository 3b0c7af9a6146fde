package beats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/lumberjack"
	"github.com/gostash/gostash/plugins/internal/netserver"
	"github.com/gostash/gostash/plugins/internal/servertls"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// keepAliveAfter is how long a connection whose batch is still in the
// pipeline may go without a write before it gets a keep-alive (an ACK of
// sequence 0), so the Beat does not time out and resend.
const keepAliveAfter = 5 * time.Second

// Run listens until ctx is done. Batches already read when it ends are
// still put into the pipeline and acknowledged; a batch still being read
// is left for the Beat to resend.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	in.log.Info("Starting input listener", slog.String("address", addr))
	ln, err := netserver.Listen(ctx, in.host, in.port, false)
	if err != nil {
		return err
	}
	in.log.Info(fmt.Sprintf("Starting server on port: %d", ln.Addr().(*net.TCPAddr).Port))
	netserver.Serve(ctx, ln, in.log, func(ctx context.Context, c net.Conn) { in.serve(ctx, c, out) })
	return nil
}

// connection is one Beat's connection.
type connection struct {
	in     *input
	conn   net.Conn
	out    plugin.Emitter
	codec  plugin.Codec
	ip     string
	peer   *servertls.Peer
	prefix string // "[local: a, remote: b] ", as Logstash's handler prefixes its log lines

	writeMu   sync.Mutex
	lastRead  atomic.Int64 // unix nanoseconds
	lastWrite atomic.Int64
	// pending is set when data arrives and cleared once a batch has been
	// acknowledged: while it is set, the Beat is owed keep-alives.
	pending  atomic.Bool
	idleShut atomic.Bool

	events []*event.Event
}

// Read records activity for the keep-alive and inactivity timers.
func (c *connection) Read(p []byte) (int, error) {
	n, err := c.conn.Read(p)
	if n > 0 {
		c.lastRead.Store(time.Now().UnixNano())
		c.pending.Store(true)
	}
	return n, err
}

func (in *input) serve(ctx context.Context, raw net.Conn, out plugin.Emitter) {
	c := &connection{in: in, conn: raw, out: out, ip: netserver.PeerIP(raw.RemoteAddr()),
		prefix: fmt.Sprintf("[local: %s, remote: %s] ", raw.LocalAddr(), raw.RemoteAddr())}
	if in.tls != nil {
		tc, err := servertls.Handshake(ctx, raw, in.tls, in.handshake)
		if err != nil {
			if ctx.Err() == nil {
				in.log.Info(c.prefix + "Handling exception: " + err.Error())
			}
			abort(raw)
			return
		}
		c.conn = tc
		if in.peerMeta {
			p := servertls.PeerOf(tc.ConnectionState())
			c.peer = &p
		}
	}
	defer c.conn.Close()
	c.codec = in.s.NewCodec()
	now := time.Now().UnixNano()
	c.lastRead.Store(now)
	c.lastWrite.Store(now)
	done := make(chan struct{})
	defer close(done)
	go c.watch(done)

	r := lumberjack.NewReader(c)
	for {
		b, err := r.ReadBatch()
		if err != nil {
			c.ended(ctx, err)
			break
		}
		if b.Incomplete {
			in.log.Warn("New window size received but the current batch was not complete, sending the current batch")
		}
		if err := c.process(b); err != nil {
			c.ended(ctx, err)
			break
		}
	}
	c.flush()
}

// abort closes a connection with SO_LINGER 0, dropping it at once as
// Logstash's sockets do, for connections given up on.
func abort(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// ended logs why a connection's reading stopped, as Logstash's handler does:
// a reset at info as "closing", other failures as "Handling exception".
// A clean close by the Beat, an inactivity close and shutdown are quiet.
func (c *connection) ended(ctx context.Context, err error) {
	switch {
	case errors.Is(err, io.EOF), c.idleShut.Load(), ctx.Err() != nil && netserver.IsTimeout(err):
		c.in.log.Debug(c.prefix + "connection closed")
		return
	case errors.Is(err, syscall.ECONNRESET):
		c.in.log.Info(c.prefix + "closing (Connection reset by peer)")
	default:
		c.in.log.Info(c.prefix + "Handling exception: " + err.Error())
	}
	if tc, ok := c.conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
}

// watch sends keep-alives while a batch is in the pipeline and closes the
// connection after client_inactivity_timeout without reads or writes.
func (c *connection) watch(done <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		lastRead, lastWrite := time.Unix(0, c.lastRead.Load()), time.Unix(0, c.lastWrite.Load())
		next := now.Add(time.Hour)
		if c.in.inactivity > 0 {
			idleSince := lastRead
			if lastWrite.After(idleSince) {
				idleSince = lastWrite
			}
			if !now.Before(idleSince.Add(c.in.inactivity)) {
				c.in.log.Debug(c.prefix + "reader and writer are idle, closing remote connection")
				c.idleShut.Store(true)
				abort(c.conn)
				return
			}
			next = idleSince.Add(c.in.inactivity)
		}
		if c.pending.Load() {
			if !now.Before(lastWrite.Add(keepAliveAfter)) {
				c.ack(lumberjack.Version2, 0)
				lastWrite = time.Now()
			}
			if k := lastWrite.Add(keepAliveAfter); k.Before(next) {
				next = k
			}
		} else if k := now.Add(keepAliveAfter); k.Before(next) {
			next = k
		}
		timer.Reset(time.Until(next))
		select {
		case <-done:
			return
		case <-timer.C:
		}
	}
}

func (c *connection) ack(version byte, seq uint32) error {
	var buf [6]byte
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.conn.Write(lumberjack.AppendAck(buf[:0], version, seq))
	c.lastWrite.Store(time.Now().UnixNano())
	return err
}

// process turns a batch into events, hands them to the pipeline (blocking
// while it is full) and only then acknowledges the batch.
func (c *connection) process(b *lumberjack.Batch) error {
	c.events = c.events[:0]
	for _, m := range b.Messages {
		if err := c.message(m); err != nil {
			// What came before the bad message is in the pipeline already
			// in Logstash; the Beat resends the whole window.
			c.emit()
			return err
		}
	}
	c.emit()
	c.pending.Store(false)
	return c.ack(b.Version, b.Highest)
}

func (c *connection) emit() {
	if len(c.events) == 0 {
		return
	}
	if be, ok := c.out.(plugin.BatchEmitter); ok {
		be.EmitDecoratedBatch(c.events)
	} else {
		for _, e := range c.events {
			c.out.EmitDecorated(e)
		}
	}
	clear(c.events)
	c.events = c.events[:0]
}

// flush emits what the codec still holds when the connection ends.
func (c *connection) flush() {
	c.events = c.events[:0]
	c.codec.Flush(func(e *event.Event) {
		c.in.copyHostname(e)
		c.out.Decorate(e)
		c.events = append(c.events, e)
	})
	c.emit()
}

// message makes the events of one data frame, as Logstash's message
// listener does: the peer's address and certificate go into the payload's
// metadata; a payload with a message (Filebeat) or line (lumberjack v1)
// has that text decoded by the connection's codec and the rest of the
// payload merged into each event; any other payload is the event.
func (c *connection) message(m lumberjack.Message) error {
	data, err := payload(m)
	if err != nil {
		return err
	}
	in := c.in
	if in.sourceMeta && c.ip != "" {
		setNested(data, in.fields.hostIP, c.ip)
	}
	text, hasText := takeText(data)
	if c.peer != nil {
		c.setPeer(data)
	}
	if !hasText {
		e := event.NewEventFromMap(data)
		in.copyHostname(e)
		c.out.Decorate(e)
		if in.rawTag != "" {
			e.Tag(in.rawTag)
		}
		c.events = append(c.events, e)
		return nil
	}
	first := true
	c.codec.Decode([]byte(text), func(e *event.Event) {
		fields := data
		if !first {
			fields = data.Clone()
			fields.Range(func(k string, v any) bool {
				fields.Set(k, event.CloneValue(v))
				return true
			})
		}
		first = false
		c.decorateDecoded(e, fields, data)
		c.events = append(c.events, e)
	})
	return nil
}

// payload is a data frame as a map: a version 2 frame's JSON object, or a
// version 1 frame's pairs.
func payload(m lumberjack.Message) (*event.Map, error) {
	if m.JSON == nil {
		data := event.NewMap(len(m.Fields))
		for _, f := range m.Fields {
			data.Set(f.Key, f.Value)
		}
		return data, nil
	}
	v, err := event.DecodeJSONFirst(m.JSON)
	if err != nil {
		return nil, fmt.Errorf("Unable to parse beats payload: %v", err)
	}
	data, ok := v.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("Unable to parse beats payload: expected a JSON object, got %s", jsonKind(v))
	}
	return data, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case []any:
		return "an array"
	case string:
		return "a string"
	}
	return "a scalar"
}

// takeText removes and returns the payload's message, or else its line,
// when not null.
func takeText(data *event.Map) (string, bool) {
	for _, key := range []string{"message", "line"} {
		if v, ok := data.Get(key); ok && v != nil {
			data.Delete(key)
			return ruby.ToS(v), true
		}
	}
	return "", false
}

// setNested writes value at ref inside a payload map, creating the maps
// on the way (@metadata included).
func setNested(data *event.Map, ref event.FieldRef, value any) {
	m := data
	path := ref.Path
	if ref.Metadata {
		path = append([]string{"@metadata"}, path...)
	}
	for _, key := range path[:len(path)-1] {
		next, ok := m.Get(key)
		nm, isMap := next.(*event.Map)
		if !ok || !isMap {
			nm = event.NewMap(2)
			m.Set(key, nm)
		}
		m = nm
	}
	m.Set(path[len(path)-1], value)
}

func (c *connection) setPeer(data *event.Map) {
	status := event.NewMap(1)
	verified := c.peer.Verified || c.in.peerTrusted
	if verified {
		status.Set("status", "verified")
	} else {
		status.Set("status", "unverified")
	}
	setNested(data, event.MustFieldRef("[@metadata][tls_peer]"), status)
	if verified {
		setNested(data, c.in.fields.tlsProtocol, c.peer.Protocol)
		setNested(data, c.in.fields.tlsSubject, c.peer.Subject)
		setNested(data, c.in.fields.tlsCip, c.peer.Cipher)
	}
}

// decorateDecoded completes an event the codec made from a payload's
// text: the payload's @timestamp (taken from shared, so only the first
// event of a message gets it, as in Logstash), then every other payload
// field, a map merged into a map the event has; then the host name copy,
// decoration and the codec tag.
func (c *connection) decorateDecoded(e *event.Event, fields, shared *event.Map) {
	in := c.in
	if in.dropOriginal {
		dropOriginal(e)
	}
	if ts, ok := shared.Delete(event.TimestampField); ok && ts != nil {
		fields.Delete(event.TimestampField)
		in.coerceTimestamp(e, ts)
	}
	fields.Range(func(k string, v any) bool {
		if k == event.MetadataField {
			if vm, ok := v.(*event.Map); ok {
				md := e.Metadata()
				vm.Range(func(mk string, mv any) bool { md.Set(mk, mv); return true })
			}
			return true
		}
		ref, err := event.ParseFieldRef(k)
		if err != nil {
			e.Data().Set(k, v)
			return true
		}
		if vm, ok := v.(*event.Map); ok {
			if cur, ok := e.GetRef(ref); ok {
				if cm, ok := cur.(*event.Map); ok {
					merged := cm.Clone()
					vm.Range(func(mk string, mv any) bool { merged.Set(mk, mv); return true })
					v = merged
				}
			}
		}
		e.SetRef(ref, v)
		return true
	})
	in.copyHostname(e)
	c.out.Decorate(e)
	if in.codecTag != "" {
		e.Tag(in.codecTag)
	}
}

// dropOriginal removes [event][original] from a codec's event, leaving it
// as a codec with ECS disabled would have made it.
func dropOriginal(e *event.Event) {
	ev, ok := e.Data().Get("event")
	m, isMap := ev.(*event.Map)
	if !ok || !isMap {
		return
	}
	m.Delete("original")
	if m.Len() == 0 {
		e.Data().Delete("event")
	}
}

func (in *input) coerceTimestamp(e *event.Event, ts any) {
	switch t := ts.(type) {
	case event.Timestamp:
		e.SetTimestamp(t)
	case string:
		parsed, ok := event.ParseTimestamp(t)
		if !ok {
			in.log.Warn("Error parsing @timestamp string, setting current time to @timestamp", slog.String("value", ruby.Inspect(t)),
				slog.String("exception", "invalid timestamp string "+ruby.Inspect(t)))
			return
		}
		e.SetTimestamp(parsed)
	default:
		in.log.Warn("Unrecognized @timestamp value, setting current time to @timestamp", slog.String("value", ruby.Inspect(ts)))
	}
}

var beatHostnameRef = event.MustFieldRef("[beat][hostname]")

// copyHostname copies [beat][hostname] to the host name field when
// add_hostname asks for it and the field is empty.
func (in *input) copyHostname(e *event.Event) {
	if !in.addHostname {
		return
	}
	host, ok := e.GetRef(beatHostnameRef)
	if !ok || host == nil {
		return
	}
	if cur, ok := e.GetRef(in.fields.hostname); ok && cur != nil {
		return
	}
	e.SetRef(in.fields.hostname, host)
}
