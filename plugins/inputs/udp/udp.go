// Package udp is the udp input: every datagram is decoded on its own (the
// codec is flushed after each), by a pool of workers fed through a bounded
// queue, and tagged with the sender's IP address.
package udp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost               = plugin.String("host").Default("0.0.0.0").Doc("The address to listen on.")
	optPort               = plugin.Int("port").Required().Between(0, 65535).Doc("The port to listen on.")
	optBufferSize         = plugin.Int("buffer_size").Default(65536).AtLeast(1).Doc("The most bytes read of one datagram; the rest of a longer one is lost.")
	optReceiveBufferBytes = plugin.Int("receive_buffer_bytes").AtLeast(1).Doc("The socket's receive buffer (SO_RCVBUF); the operating system's default when unset.")
	optWorkers            = plugin.Int("workers").Default(2).AtLeast(1).Doc("Goroutines decoding datagrams, each with its own codec.")
	optQueueSize          = plugin.Int("queue_size").Default(2000).AtLeast(1).Doc("Datagrams read but not yet decoded that are held before reading waits (and the kernel starts dropping).")
	optSourceIPFieldname  = plugin.String("source_ip_fieldname").Doc("Field for the sender's IP address instead of host (ECS: [host][ip]).")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "udp",
			Summary: "Reads events from UDP datagrams, each decoded on its own.",
			Options: []plugin.Declared{optHost, optPort, optBufferSize, optReceiveBufferBytes, optWorkers, optQueueSize, optSourceIPFieldname, plugin.ECS},
		},
		New: newInput,
	})
}

type input struct {
	s   *plugin.Settings
	log *slog.Logger

	host       string
	port       int
	bufferSize int
	rcvbuf     int
	workers    int
	queueSize  int
	sourceIP   event.FieldRef
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{
		s:          s,
		log:        s.Logger(),
		host:       optHost.Get(s),
		port:       int(optPort.Get(s)),
		bufferSize: int(optBufferSize.Get(s)),
		rcvbuf:     int(optReceiveBufferBytes.Get(s)),
		workers:    int(optWorkers.Get(s)),
		queueSize:  int(optQueueSize.Get(s)),
	}
	field := "host"
	if s.ECS() != "disabled" {
		field = "[host][ip]"
	}
	if optSourceIPFieldname.IsSet(s) {
		field = optSourceIPFieldname.Get(s)
		if s.ECS() != "disabled" {
			in.log.Warn("'source_ip_fieldname' is user customized, please check is has an ECS compatible name ")
		}
	}
	ref, err := event.ParseFieldRef(field)
	if err != nil {
		return nil, optSourceIPFieldname.Errorf(s, "%v", err)
	}
	in.sourceIP = ref
	return in, nil
}

// datagram is one received datagram and its sender.
type datagram struct {
	data []byte
	from netip.Addr
}

// Run reads datagrams until ctx is done, then lets the workers decode
// every datagram already read before returning.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	addr := net.JoinHostPort(in.host, fmt.Sprint(in.port))
	in.log.Info("Starting UDP listener", slog.String("address", addr))
	conn, obtained, err := in.listen(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if in.rcvbuf > 0 && obtained != in.rcvbuf {
		in.log.Warn(fmt.Sprintf("Unable to set receive_buffer_bytes to desired size. Requested %d but obtained %d bytes.", in.rcvbuf, obtained))
	}
	in.log.Info("UDP listener started", slog.String("address", addr), slog.String("receive_buffer_bytes", fmt.Sprint(obtained)),
		slog.String("queue_size", fmt.Sprint(in.queueSize)))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	queue := make(chan datagram, in.queueSize)
	var wg sync.WaitGroup
	for range in.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.work(queue, out)
		}()
	}
	buf := make([]byte, in.bufferSize)
	var readErr error
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				readErr = err
			}
			break
		}
		if n == 0 {
			continue
		}
		queue <- datagram{data: append([]byte(nil), buf[:n]...), from: from.Addr().Unmap()}
	}
	close(queue)
	wg.Wait()
	if readErr != nil {
		in.log.Error("UDP listener died", slog.String("exception", readErr.Error()))
		return readErr
	}
	return nil
}

// listen binds the socket, setting SO_RCVBUF before the bind as Logstash
// does, and returns the receive buffer size the kernel reports.
func (in *input) listen(ctx context.Context, addr string) (*net.UDPConn, int, error) {
	var obtained int
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			if in.rcvbuf > 0 {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, in.rcvbuf)
			}
			if serr == nil {
				obtained, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, 0, fmt.Errorf("could not bind to %s; %w", addr, err)
	}
	return pc.(*net.UDPConn), obtained, nil
}

// work decodes datagrams with the worker's own codec, flushing it after
// each so no datagram continues in the next.
func (in *input) work(queue <-chan datagram, out plugin.Emitter) {
	codec := in.s.NewCodec()
	senderAware, _ := codec.(plugin.SenderAwareCodec)
	var events []*event.Event
	collect := func(e *event.Event) { events = append(events, e) }
	for d := range queue {
		ip := d.from.String()
		if senderAware != nil {
			senderAware.DecodeFrom(d.data, ip, collect)
		} else {
			codec.Decode(d.data, collect)
		}
		codec.Flush(collect)
		for _, e := range events {
			out.Decorate(e)
			if v, ok := e.GetRef(in.sourceIP); !ok || v == nil {
				e.SetRef(in.sourceIP, ip)
			}
		}
		if be, ok := out.(plugin.BatchEmitter); ok {
			be.EmitDecoratedBatch(events)
		} else {
			for _, e := range events {
				out.EmitDecorated(e)
			}
		}
		clear(events)
		events = events[:0]
	}
}
