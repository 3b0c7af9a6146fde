// Package netserver is the accept loop of the TCP-based inputs (beats, tcp,
// syslog): one goroutine per connection, and a shutdown that drains rather
// than drops.
package netserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Listen binds a TCP listener. keepAlive turns on TCP keep-alives with the
// operating system's timings on accepted connections (the tcp input's
// tcp_keep_alive); otherwise they are off, as on Logstash's sockets. A bind
// failure reads as Logstash's: "could not bind to <host>:<port>; <cause>".
func Listen(ctx context.Context, host string, port int, keepAlive bool) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	if keepAlive {
		lc.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}
	}
	addr := net.JoinHostPort(host, fmt.Sprint(port))
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("could not bind to %s; %w", addr, unwrapOp(err))
	}
	return ln, nil
}

// unwrapOp drops the "listen tcp <addr>:" prefix Go puts on bind errors,
// since the message names the address already.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// Serve accepts connections on ln and runs handle for each in its own
// goroutine until ctx is done. Then it closes ln, interrupts every
// connection's pending read (its deadline is set to now, so handlers see a
// timeout, finish what they have already read and return) and waits for the
// handlers. Handlers tell a shutdown from a failing peer by ctx.Err().
// Accept errors other than the listener closing are logged and retried with
// a growing pause (running out of file descriptors must not end the input).
func Serve(ctx context.Context, ln net.Listener, log *slog.Logger, handle func(ctx context.Context, conn net.Conn)) {
	var (
		mu       sync.Mutex
		conns    = map[net.Conn]struct{}{}
		stopping bool
		wg       sync.WaitGroup
	)
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		stopping = true
		for c := range conns {
			c.SetReadDeadline(time.Now())
		}
		mu.Unlock()
	})
	defer stop()
	var pause time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				break
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			log.Warn("Error accepting a connection, retrying", slog.String("error", err.Error()), slog.Duration("pause", pause))
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			continue
		}
		pause = 0
		mu.Lock()
		if stopping {
			c.SetReadDeadline(time.Now())
		}
		conns[c] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
			handle(ctx, c)
		}()
	}
	ln.Close()
	wg.Wait()
}

// IsTimeout reports whether err is a read deadline passing, which is how a
// connection learns of shutdown.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// PeerIP is the text form of a remote address's IP ("127.0.0.1", "::1").
func PeerIP(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	if ua, ok := addr.(*net.UDPAddr); ok {
		return ua.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// PeerPort is a remote address's port.
func PeerPort(addr net.Addr) int {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.Port
	}
	return 0
}
