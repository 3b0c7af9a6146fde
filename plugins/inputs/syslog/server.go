package syslog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/netserver"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// maxDatagram is the largest UDP payload, which Logstash reads whole.
const maxDatagram = 65507

// maxLine bounds a line on a tcp connection. Logstash reads lines without
// bound; syslog senders keep messages far shorter (syslog-ng's default
// log-msg-size is 64 KiB, RFC 5425 asks receivers for 8 KiB), so 10 MiB,
// the limit of the tcp input's line codec, never cuts a real message while
// a peer that sends no newline holds at most this much.
const maxLine = 10 << 20

// retryAfter is how long a listener that died waits before starting again.
const retryAfter = 5 * time.Second

// Run serves UDP and TCP on the port until ctx is done. Each listener that
// fails (the port taken, say) is logged and started again five seconds
// later, as in Logstash.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	var wg sync.WaitGroup
	for _, proto := range []string{"udp", "tcp"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.server(ctx, proto, out)
		}()
	}
	wg.Wait()
	return nil
}

func (in *input) server(ctx context.Context, proto string, out plugin.Emitter) {
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	for ctx.Err() == nil {
		var err error
		if proto == "udp" {
			err = in.udpListener(ctx, addr, out)
		} else {
			err = in.tcpListener(ctx, addr, out)
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		in.log.Warn("syslog listener died", slog.String("protocol", proto), slog.String("address", addr), slog.String("exception", err.Error()))
		select {
		case <-ctx.Done():
		case <-time.After(retryAfter):
		}
	}
}

func (in *input) udpListener(ctx context.Context, addr string, out plugin.Emitter) error {
	in.log.Info("Starting syslog udp listener", slog.String("address", addr))
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return err
	}
	conn := pc.(*net.UDPConn)
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		in.decode(from.Addr().Unmap().String(), buf[:n], out)
	}
}

func (in *input) tcpListener(ctx context.Context, addr string, out plugin.Emitter) error {
	in.log.Info("Starting syslog tcp listener", slog.String("address", addr))
	ln, err := netserver.Listen(ctx, in.host, in.port, false)
	if err != nil {
		return err
	}
	netserver.Serve(ctx, ln, in.log, func(ctx context.Context, c net.Conn) {
		defer c.Close()
		in.tcpReceiver(ctx, c, out)
	})
	return nil
}

// tcpReceiver decodes a connection line by line, each line with its "\n";
// bytes after the last newline when the connection ends are dropped, as in
// Logstash.
func (in *input) tcpReceiver(ctx context.Context, c net.Conn, out plugin.Emitter) {
	ip := netserver.PeerIP(c.RemoteAddr())
	client := c.RemoteAddr().String()
	in.log.Info("new connection", slog.String("client", client))
	lines := newLineReader(c)
	first := true
	for {
		line, err := lines.Next()
		if err != nil {
			switch {
			case errors.Is(err, plugin.ErrFrameTooLarge):
				in.log.Error("closing the connection: "+err.Error(), slog.String("client", client))
			case errors.Is(err, syscall.ECONNRESET):
				in.log.Info("connection reset", slog.String("client", client))
			case errors.Is(err, io.EOF), ctx.Err() != nil && netserver.IsTimeout(err):
				in.log.Info("connection closed", slog.String("client", client))
			default:
				in.log.Info("connection error:", slog.String("exception", fmt.Sprintf("%T", err)), slog.String("message", err.Error()))
			}
			return
		}
		if in.proxyProtocol && first {
			first = false
			src, ok := proxyHeader(line)
			if !ok {
				in.log.Error("invalid proxy protocol header label", slog.String("header", string(line)))
				return
			}
			in.log.Debug("proxy protocol detected", slog.String("header", string(line)))
			ip = src
			continue
		}
		in.decode(ip, line, out)
	}
}

// lineReader splits a stream into lines that keep their "\n", at most
// limit bytes each.
type lineReader struct {
	r     *bufio.Reader
	line  []byte
	limit int
}

// newLineReader reads lines from r.
func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), limit: maxLine}
}

// Next returns the next line with its newline, valid until the next call.
// At the end of the stream it returns the error, dropping an unterminated
// last line; a line longer than the limit is a plugin.ErrFrameTooLarge.
func (l *lineReader) Next() ([]byte, error) {
	l.line = l.line[:0]
	for {
		piece, err := l.r.ReadSlice('\n')
		if len(l.line)+len(piece) > l.limit {
			l.line = nil
			return nil, fmt.Errorf("%w: a line is longer than %d bytes", plugin.ErrFrameTooLarge, l.limit)
		}
		if err == nil && len(l.line) == 0 {
			return piece, nil
		}
		l.line = append(l.line, piece...)
		if err == nil {
			return l.line, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

// proxyHeader reads a PROXY protocol v1 line as Logstash's syslog input
// does: split on single whitespace characters, the first word must be
// PROXY, and the third is the client's address.
func proxyHeader(line []byte) (string, bool) {
	parts := splitOnWhitespace(string(line))
	if len(parts) == 0 || parts[0] != "PROXY" {
		return "", false
	}
	if len(parts) < 3 {
		return "", true
	}
	return parts[2], true
}

// splitOnWhitespace is Ruby's str.split(/\s/): every whitespace character
// separates, and trailing empty fields are dropped.
func splitOnWhitespace(s string) []string {
	var parts []string
	start := 0
	for i, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// decode makes events of data with the shared codec, then decorates,
// sets the sender's IP (overwriting) and parses each.
func (in *input) decode(ip string, data []byte, out plugin.Emitter) {
	var events []*event.Event
	in.codecMu.Lock()
	in.codec.Decode(bytes.Clone(data), func(e *event.Event) { events = append(events, e) })
	in.codecMu.Unlock()
	for _, e := range events {
		out.Decorate(e)
		e.SetRef(in.relay.keys.host, ip)
		in.relay.apply(e)
		out.EmitDecorated(e)
	}
}

// toI is Ruby's to_i of the priority field, false where Ruby has no to_i
// (and Logstash falls back to 13).
func toI(v any) (int64, bool) {
	switch t := v.(type) {
	case nil:
		return 0, true
	case int64:
		return t, true
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return 0, false
		}
		return int64(t), true
	case string:
		if i, ok := ruby.ToI(t).(int64); ok {
			return i, true
		}
	}
	return 0, false
}
