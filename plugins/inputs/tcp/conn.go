package tcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gostash/gostash/plugins/internal/netserver"
	"github.com/gostash/gostash/plugins/internal/servertls"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// readSize is how much one read takes from a connection.
const readSize = 64 << 10

// handshakeTimeout is Netty's default TLS handshake timeout, which the tcp
// input's server keeps.
const handshakeTimeout = 10 * time.Second

// Run serves (server mode) or connects (client mode) until ctx is done.
// What a connection has read when it ends is decoded and the codec
// flushed, so a last line without a newline still becomes an event.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	if in.client {
		return in.runClient(ctx, out)
	}
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	in.log.Info("Starting tcp input listener", slog.String("address", addr), slog.Bool("ssl_enabled", in.tls != nil))
	ln, err := netserver.Listen(ctx, in.host, in.port, in.keepAlive)
	if err != nil {
		return err
	}
	netserver.Serve(ctx, ln, in.log, func(ctx context.Context, c net.Conn) {
		conn := c
		if in.tls != nil {
			tc, err := servertls.Handshake(ctx, c, in.tls, handshakeTimeout)
			if err != nil {
				if ctx.Err() == nil {
					in.log.Error(channelInfo(c) + ": closing due: " + err.Error())
				}
				c.Close()
				return
			}
			conn = tc
		}
		defer conn.Close()
		in.read(ctx, conn, c.RemoteAddr(), out)
	})
	return nil
}

// runClient connects to host:port and reads until the peer closes, then
// connects again. A refused connection ends Run with the error (the
// pipeline restarts the input a second later, as Logstash does); a TLS
// failure is logged and retried after a second.
func (in *input) runClient(ctx context.Context, out plugin.Emitter) error {
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	dialer := net.Dialer{KeepAlive: -1}
	if in.keepAlive {
		dialer.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}
	}
	for ctx.Err() == nil {
		raw, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		conn := raw
		if in.tls != nil {
			tc := tls.Client(raw, in.tls)
			if err := tc.HandshakeContext(ctx); err != nil {
				raw.Close()
				if ctx.Err() != nil {
					return nil
				}
				in.log.Error("SSL Error", slog.String("message", err.Error()))
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			conn = tc
		}
		in.log.Debug("Opened connection", slog.String("client", addr))
		stop := context.AfterFunc(ctx, func() { raw.SetReadDeadline(time.Now()) })
		in.read(ctx, conn, raw.RemoteAddr(), out)
		stop()
		conn.Close()
	}
	return nil
}

// channelInfo names a connection in log lines as Logstash's Netty handler
// does: "/127.0.0.1:51234".
func channelInfo(c net.Conn) string {
	return "/" + c.RemoteAddr().String()
}

// peer is what the input knows of the other end, set at the first read.
type peer struct {
	host, ip   string
	port       any // int64, or the PROXY header's text
	proxyHost  any
	proxyPort  any
	sslSubject any
}

// read decodes a connection's bytes until it ends, or until the codec
// meets a frame over its size limit; the caller then closes it.
func (in *input) read(ctx context.Context, conn net.Conn, remote net.Addr, out plugin.Emitter) {
	codec := in.s.NewStreamingCodec()
	var p *peer
	var events []*event.Event
	collect := func(e *event.Event) { events = append(events, e) }
	buf := make([]byte, readSize)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			data := buf[:n]
			if p == nil {
				var perr error
				p, data, perr = in.firstRead(ctx, conn, remote, data)
				if perr != nil {
					in.log.Error("Invalid proxy protocol header label", slog.String("header", perr.Error()))
					break
				}
			}
			derr := plugin.DecodeStream(codec, data, collect)
			for _, e := range events {
				if in.proxyProtocol {
					setIfAbsent(e, in.fields.proxyHost, p.proxyHost)
					setIfAbsent(e, in.fields.proxyPort, p.proxyPort)
				}
				in.decorate(e, p, out)
			}
			emit(out, events)
			events = events[:0]
			if derr != nil {
				// An oversized frame: the codec holds nothing worth
				// flushing, and the peer is cut off rather than buffered.
				in.log.Error(channelInfo(conn) + ": closing due: " + derr.Error())
				return
			}
		}
		if err != nil {
			in.logEnd(ctx, conn, err)
			break
		}
	}
	codec.Flush(collect)
	if len(events) > 0 && p == nil {
		p = in.peerOf(ctx, conn, remote)
	}
	for _, e := range events {
		in.decorate(e, p, out)
	}
	emit(out, events)
}

func (in *input) logEnd(ctx context.Context, conn net.Conn, err error) {
	switch {
	case errors.Is(err, io.EOF), ctx.Err() != nil && netserver.IsTimeout(err):
		in.log.Debug("Connection closed", slog.String("client", conn.RemoteAddr().String()))
	case errors.Is(err, syscall.ECONNRESET):
		in.log.Info(channelInfo(conn) + ": closing (Connection reset by peer)")
	default:
		in.log.Error(channelInfo(conn) + ": closing due: " + err.Error())
	}
}

// badProxyHeader is a first line that is not a PROXY header; its text is
// the line.
type badProxyHeader string

func (h badProxyHeader) Error() string { return string(h) }

// firstRead learns the peer from the connection, or from the PROXY header
// at the start of data, which it strips.
func (in *input) firstRead(ctx context.Context, conn net.Conn, remote net.Addr, data []byte) (*peer, []byte, error) {
	if !in.proxyProtocol {
		return in.peerOf(ctx, conn, remote), data, nil
	}
	header, rest, _ := bytes.Cut(data, []byte("\r\n"))
	parts := strings.Fields(string(header))
	if len(parts) == 0 || parts[0] != "PROXY" {
		return nil, nil, badProxyHeader(header)
	}
	at := func(i int) string {
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	p := &peer{ip: at(2), port: at(4), proxyHost: at(3), proxyPort: at(5), sslSubject: in.subject(conn)}
	p.host = in.hostName(ctx, p.ip)
	if in.client {
		p.ip = ""
	}
	return p, rest, nil
}

func (in *input) peerOf(ctx context.Context, conn net.Conn, remote net.Addr) *peer {
	ip := netserver.PeerIP(remote)
	p := &peer{ip: ip, port: int64(netserver.PeerPort(remote)), sslSubject: in.subject(conn)}
	if in.client {
		// Ruby's peeraddr without reverse lookups: the IP in both fields.
		p.host = ip
	} else {
		p.host = in.hostName(ctx, ip)
	}
	return p
}

// subject is the peer certificate's subject when peers are verified: RFC
// 2253 as Java gives it in server mode, OpenSSL's "/CN=..." form as Ruby
// gives it in client mode.
func (in *input) subject(conn net.Conn) any {
	tc, ok := conn.(*tls.Conn)
	if !ok || !in.verifyPeer {
		return nil
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil
	}
	if !in.client {
		if len(tc.ConnectionState().VerifiedChains) == 0 {
			return nil
		}
		return certs[0].Subject.String()
	}
	var b strings.Builder
	for _, rdn := range certs[0].Subject.ToRDNSequence() {
		for _, atv := range rdn {
			b.WriteString("/" + attributeName(atv.Type.String()) + "=" + fmt.Sprint(atv.Value))
		}
	}
	return b.String()
}

// attributeName is OpenSSL's short name of a distinguished name attribute.
func attributeName(oid string) string {
	names := map[string]string{"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
		"2.5.4.11": "OU", "2.5.4.9": "street", "2.5.4.5": "serialNumber", "0.9.2342.19200300.100.1.25": "DC",
		"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.1": "UID"}
	if n, ok := names[oid]; ok {
		return n
	}
	return oid
}

// hostName is the peer's name by reverse DNS, confirmed forward as Java's
// getHostName does, or the IP text when lookups are off or fail.
func (in *input) hostName(ctx context.Context, ip string) string {
	if !in.reverseDNS || net.ParseIP(ip) == nil {
		return ip
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, ip)
	if err != nil || len(names) == 0 {
		return ip
	}
	name := strings.TrimSuffix(names[0], ".")
	addrs, err := net.DefaultResolver.LookupHost(ctx, name)
	if err != nil || !slices.ContainsFunc(addrs, func(a string) bool { return net.ParseIP(a).Equal(net.ParseIP(ip)) }) {
		return ip
	}
	return name
}

// decorate adds the connection's fields where the event has none, then
// the input's common options.
func (in *input) decorate(e *event.Event, p *peer, out plugin.Emitter) {
	setIfAbsent(e, in.fields.host, p.host)
	setIfAbsent(e, in.fields.ip, p.ip)
	setIfAbsent(e, in.fields.port, p.port)
	if p.sslSubject != nil {
		setIfAbsent(e, in.fields.sslSubject, p.sslSubject)
	}
	out.Decorate(e)
}

// setIfAbsent sets ref unless the event has a value there that Ruby counts
// as true (Logstash's `set(f, v) unless get(f)`).
func setIfAbsent(e *event.Event, ref event.FieldRef, v any) {
	if cur, ok := e.GetRef(ref); ok && cur != nil && cur != false {
		return
	}
	e.SetRef(ref, v)
}

func emit(out plugin.Emitter, events []*event.Event) {
	if len(events) == 0 {
		return
	}
	if be, ok := out.(plugin.BatchEmitter); ok {
		be.EmitDecoratedBatch(events)
	} else {
		for _, e := range events {
			out.EmitDecorated(e)
		}
	}
	clear(events)
}
