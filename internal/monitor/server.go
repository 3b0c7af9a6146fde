// Package monitor serves Logstash's monitoring API (GET /, /_node,
// /_node/stats, /_node/plugins, /_health_report) with Logstash's field
// names, so tools written for Logstash — its benchmark-cli, Metricbeat's
// logstash module — read gostash unchanged.
package monitor

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// sampleEvery is how often the flow rates' history takes a reading.
const sampleEvery = time.Second

// Config holds the api.* settings and what the API reports about the node.
type Config struct {
	Host     string // api.http.host; default 127.0.0.1
	Port     string // api.http.port: "9600" or a range "9600-9700"; default 9600-9700
	NodeName string // node.name; default the host name
	// DataPath is path.data. When set, the node id is kept in DataPath/uuid
	// and survives restarts, as Logstash's does.
	DataPath        string
	Version         string
	ReloadAutomatic bool
	ReloadInterval  time.Duration
	Logger          *slog.Logger
	// Username and Password, when Username is set, make every request
	// authenticate with HTTP basic auth (api.auth.type: basic).
	Username, Password string
	// TLS, when set, serves HTTPS (api.ssl.enabled).
	TLS *tls.Config
	// Defaults are the process-level pipeline settings (logstash.yml and the
	// command line) every response's "pipeline" shows; when Workers is 0,
	// the first pipeline's settings are shown instead.
	Defaults plugin.PipelineSettings
	// MonitoringClusterUUID is monitoring.cluster_uuid, shown under
	// "monitoring" when set.
	MonitoringClusterUUID string
}

// Pipeline is one of the process's pipelines, as the API reports it.
type Pipeline struct {
	P *pipeline.Pipeline
	// Ended is true once the pipeline stopped running; Err is why, when it failed.
	Ended bool
	Err   error
}

// Source lists the process's pipelines in the order the API reports them.
// It is called on every request, so pipelines created, replaced by a
// reload or removed are picked up.
type Source func() []Pipeline

// Server is the monitoring API of one gostash process.
type Server struct {
	cfg         Config
	pipelines   Source
	logger      *slog.Logger
	hostname    string
	id          string
	ephemeralID string
	started     time.Time
	now         func() time.Time

	httpServer *http.Server
	listener   net.Listener
	stopSample chan struct{}
	sampleDone chan struct{}

	mu        sync.Mutex
	tracked   map[string]*trackedPipeline // by pipeline id
	retired   counters                    // counters of pipelines replaced by reloads or removed
	nodeHist  *history
	peakFDs   int64
	closeOnce sync.Once
}

// trackedPipeline is a pipeline the API reports on, with its flow history.
type trackedPipeline struct {
	p           *pipeline.Pipeline
	ended       bool
	err         error
	ephemeralID string
	hist        *history
}

// New prepares the API for the pipelines source lists.
func New(cfg Config, source Source) (*Server, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Port == "" {
		cfg.Port = "9600-9700"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ReloadInterval == 0 {
		cfg.ReloadInterval = 3 * time.Second
	}
	if _, _, err := parsePortRange(cfg.Port); err != nil {
		return nil, err
	}
	hostname, _ := os.Hostname()
	if cfg.NodeName == "" {
		cfg.NodeName = hostname
	}
	s := &Server{cfg: cfg, pipelines: source, logger: logging.Logger(cfg.Logger, "logstash.agent"), hostname: hostname,
		ephemeralID: newUUID(), started: time.Now(), now: time.Now, nodeHist: newHistory(), tracked: map[string]*trackedPipeline{}}
	s.id = s.nodeID()
	return s, nil
}

// parsePortRange reads api.http.port: one port, or first-last.
func parsePortRange(spec string) (first, last int, err error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(spec), "-")
	first, err1 := strconv.Atoi(strings.TrimSpace(lo))
	last = first
	var err2 error
	if isRange {
		last, err2 = strconv.Atoi(strings.TrimSpace(hi))
	}
	if err1 != nil || err2 != nil || first < 1 || last > 65535 || first > last {
		return 0, 0, fmt.Errorf("setting api.http.port: invalid value %q: expected a port or a range like 9600-9700", spec)
	}
	return first, last, nil
}

// nodeID is the node's persistent UUID: kept in path.data/uuid when
// path.data is set, otherwise made up for this run.
func (s *Server) nodeID() string {
	if s.cfg.DataPath == "" {
		return newUUID()
	}
	path := filepath.Join(s.cfg.DataPath, "uuid")
	if data, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(data))) > 0 {
		return strings.TrimSpace(string(data))
	}
	id := newUUID()
	if err := os.MkdirAll(s.cfg.DataPath, 0o755); err == nil {
		err = os.WriteFile(path, []byte(id), 0o644)
		if err == nil {
			return id
		}
		s.logger.Warn("Could not persist the node id", slog.String("path", path), slog.String("error", err.Error()))
	}
	return id
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Start binds the first free port of the configured range, logs the
// endpoint as Logstash does, and serves until Shutdown or ctx ends.
func (s *Server) Start(ctx context.Context) error {
	first, last, err := parsePortRange(s.cfg.Port)
	if err != nil {
		return err
	}
	var ln net.Listener
	for port := first; port <= last; port++ {
		ln, err = net.Listen("tcp", net.JoinHostPort(s.cfg.Host, strconv.Itoa(port)))
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("starting the API on %s: %w", net.JoinHostPort(s.cfg.Host, strconv.Itoa(port)), err)
		}
	}
	if err != nil {
		return fmt.Errorf("starting the API: no free port in %s on %s: %w", s.cfg.Port, s.cfg.Host, err)
	}
	s.listener = ln
	handler := s.Handler()
	if s.cfg.Username != "" {
		handler = basicAuth(handler, s.cfg.Username, s.cfg.Password)
	}
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.httpServer = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	s.stopSample = make(chan struct{})
	s.sampleDone = make(chan struct{})
	go s.sampleLoop()
	go func() {
		if err := s.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("The API endpoint stopped", slog.String("error", err.Error()))
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = s.Shutdown(shutdownCtx)
		case <-s.stopSample:
		}
	}()
	s.logger.Info("Successfully started Logstash API endpoint", slog.Int("port", s.Port()), slog.Bool("ssl_enabled", s.cfg.TLS != nil))
	return nil
}

// Port is the port the API listens on, once started.
func (s *Server) Port() int {
	if s.listener == nil {
		return 0
	}
	return s.listener.Addr().(*net.TCPAddr).Port
}

// Addr is host:port of the API, as http_address reports it.
func (s *Server) Addr() string {
	if s.listener == nil {
		return net.JoinHostPort(s.cfg.Host, "")
	}
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.Port()))
}

// Shutdown stops serving, letting requests in progress finish until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.httpServer == nil {
		return nil
	}
	var err error
	s.closeOnce.Do(func() {
		close(s.stopSample)
		<-s.sampleDone
		err = s.httpServer.Shutdown(ctx)
	})
	return err
}

func (s *Server) sampleLoop() {
	defer close(s.sampleDone)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopSample:
			return
		case <-t.C:
			s.mu.Lock()
			tps := s.track()
			now := s.now()
			for _, tp := range tps {
				if started(tp.p) {
					tp.hist.add(readPipeline(tp.p, now))
				}
			}
			s.nodeHist.add(s.nodeReading(tps, now))
			s.noteFDs()
			s.mu.Unlock()
		}
	}
}

// track brings the reported pipelines in line with the source. A reload's
// new pipeline is reported from the moment it starts; until then the old
// one, still draining, is. The counters of a pipeline replaced or removed
// are kept for the node totals, which Logstash counts across reloads.
// Callers hold s.mu.
func (s *Server) track() []*trackedPipeline {
	var list []Pipeline
	if s.pipelines != nil {
		list = s.pipelines()
	}
	seen := map[string]bool{}
	out := make([]*trackedPipeline, 0, len(list))
	for _, sp := range list {
		id := sp.P.Settings().ID
		seen[id] = true
		tp := s.tracked[id]
		switch {
		case tp == nil:
			tp = &trackedPipeline{p: sp.P, ephemeralID: newUUID(), hist: newHistory()}
			s.tracked[id] = tp
		case tp.p != sp.P && (started(sp.P) || !started(tp.p)):
			s.retired = s.retired.plus(readPipeline(tp.p, s.now()))
			tp.p, tp.ephemeralID, tp.hist = sp.P, newUUID(), newHistory()
		}
		if tp.p == sp.P {
			tp.ended, tp.err = sp.Ended, sp.Err
		}
		out = append(out, tp)
	}
	for id, tp := range s.tracked {
		if !seen[id] {
			s.retired = s.retired.plus(readPipeline(tp.p, s.now()))
			delete(s.tracked, id)
		}
	}
	return out
}

func started(p *pipeline.Pipeline) bool { return p.Stats().StartedUnixNano.Load() != 0 }

func startedAt(p *pipeline.Pipeline) time.Time {
	return time.Unix(0, p.Stats().StartedUnixNano.Load())
}

// nodeReading is the node's counters now: replaced pipelines plus the
// current ones, and the process CPU time.
func (s *Server) nodeReading(tps []*trackedPipeline, now time.Time) counters {
	c := s.retired
	for _, tp := range tps {
		if started(tp.p) {
			c = c.plus(readPipeline(tp.p, now))
		}
	}
	c.at = now
	c.cpu = cpuTime()
	c.plugins = nil
	return c
}

func (s *Server) noteFDs() {
	if n := openFileDescriptors(); n > s.peakFDs {
		s.peakFDs = n
	}
}
