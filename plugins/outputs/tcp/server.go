package tcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// clientQueue is how many batches may wait for one slow client before
// the output waits for it: Logstash queues without bound, which a client
// that stops reading turns into a memory leak.
const clientQueue = 1024

// handshakeTimeout bounds a TLS handshake, and closeTimeout how long a
// closing output keeps writing to a client that does not read.
const (
	handshakeTimeout = 10 * time.Second
	closeTimeout     = 10 * time.Second
)

// server listens and writes every event to each connected client. Events
// that arrive while no client is connected reach no one, as in Logstash.
type server struct {
	addr     string
	listener net.Listener
	tls      *tls.Config
	codec    plugin.Codec
	log      *slog.Logger

	mu      sync.Mutex
	clients map[*peer]struct{}
	closed  bool
	wg      sync.WaitGroup
}

// peer is one connected client and the writes waiting for it.
type peer struct {
	conn   net.Conn
	queue  chan []byte
	gone   chan struct{}
	closed sync.Once
}

func newServer(addr string, tlsConfig *tls.Config, codec plugin.Codec, log *slog.Logger) *server {
	return &server{addr: addr, tls: tlsConfig, codec: codec, log: log, clients: map[*peer]struct{}{}}
}

// Start listens, when the pipeline starts, as Logstash's output does when
// it registers: a port in use stops the pipeline from starting.
func (s *server) Start() error {
	s.log.Info("Starting tcp output listener", slog.String("address", s.addr))
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.log.Error("Could not start tcp server", slog.String("address", s.addr), slog.String("message", err.Error()))
		return fmt.Errorf("Could not start tcp server: %w", err)
	}
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept()
	return nil
}

func (s *server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("IO Error", slog.String("message", err.Error()))
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(conn)
		}()
	}
}

// serve completes a client's handshake and writes its queue to it until
// a write fails or the output closes.
func (s *server) serve(conn net.Conn) {
	if s.tls != nil {
		tc := tls.Server(conn, s.tls)
		conn.SetDeadline(time.Now().Add(handshakeTimeout))
		err := tc.Handshake()
		conn.SetDeadline(time.Time{})
		if err != nil {
			s.log.Warn("SSL Error", slog.String("client", conn.RemoteAddr().String()), slog.String("message", err.Error()))
			conn.Close()
			return
		}
		conn = tc
	}
	s.log.Debug("accepted connection", slog.String("client", conn.RemoteAddr().String()), slog.String("server", s.addr))
	p := &peer{conn: conn, queue: make(chan []byte, clientQueue), gone: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.clients[p] = struct{}{}
	s.mu.Unlock()
	defer s.drop(p)
	for data := range p.queue {
		if _, err := conn.Write(data); err != nil {
			s.log.Warn("socket write failed:", slog.String("client", conn.RemoteAddr().String()), slog.String("message", err.Error()))
			return
		}
	}
}

func (s *server) drop(p *peer) {
	s.mu.Lock()
	delete(s.clients, p)
	s.mu.Unlock()
	p.closed.Do(func() {
		close(p.gone)
		p.conn.Close()
	})
}

// Output hands the batch's encodings to every client connected now. A
// client whose queue is full holds the pipeline back until it catches up
// or goes away; only a forced shutdown (ctx) gives up on it.
func (s *server) Output(ctx context.Context, events []*event.Event) error {
	var data []byte
	for _, e := range events {
		data = s.codec.Encode(data, e)
	}
	s.mu.Lock()
	peers := make([]*peer, 0, len(s.clients))
	for p := range s.clients {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	for _, p := range peers {
		select {
		case p.queue <- data:
		case <-p.gone:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close stops listening and disconnects the clients once their queues
// are written.
func (s *server) Close() error {
	s.mu.Lock()
	s.closed = true
	for p := range s.clients {
		close(p.queue)
		p.conn.SetWriteDeadline(time.Now().Add(closeTimeout))
	}
	l := s.listener
	s.mu.Unlock()
	var err error
	if l != nil {
		err = l.Close()
	}
	s.wg.Wait()
	return err
}
