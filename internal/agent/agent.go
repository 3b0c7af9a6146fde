// Package agent runs the process's pipelines as Logstash's agent does: it
// creates every configured pipeline, and on a reload (config.reload.automatic
// or SIGHUP) converges on the new configuration pipeline by pipeline —
// creating new ones, replacing changed ones, stopping removed ones — while
// the others keep running. A shutdown stops every pipeline, upstream ones
// delivering to downstream ones first (see pipelinebus).
package agent

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/pipelinebus"
)

// PipelineConfig is one configured pipeline, as a source gives it.
type PipelineConfig struct {
	ID string
	// Fingerprint changes whenever the config text or the pipeline's
	// settings do; an unchanged fingerprint means nothing to reload.
	Fingerprint string
	// Reloadable is pipeline.reloadable.
	Reloadable bool
	// System is pipeline.system: a system pipeline alone does not keep
	// the process running.
	System bool
	// Recoverable says a pipeline that crashed is started again on the
	// next reload (pipeline.recoverable).
	Recoverable bool
	// Build compiles the pipeline.
	Build func() (*pipeline.Pipeline, error)
}

// Source returns the pipelines as now configured.
type Source func() ([]PipelineConfig, error)

// Options configure an Agent.
type Options struct {
	Source Source
	// AutoReload is config.reload.automatic: converge every Interval, and
	// keep running when every pipeline has finished.
	AutoReload bool
	Interval   time.Duration
	Bus        *pipelinebus.Bus
	Logger     *slog.Logger
	// UnsafeShutdown is pipeline.unsafe_shutdown: quit when a shutdown
	// stalls instead of waiting for in-flight events.
	UnsafeShutdown bool
	// Exit ends the process (os.Exit); a stalled unsafe shutdown calls it.
	Exit func(code int)
}

// Agent runs pipelines.
type Agent struct {
	opts   Options
	logger *slog.Logger

	mu     sync.Mutex
	states map[string]*state
	// failedBuilds remembers the fingerprint of a config that failed to
	// compile, so an unchanged broken config is reported once, not on
	// every reload tick.
	failedBuilds map[string]string
	ended        []*state // pipelines that ended, for the loop to handle
	endedSignal  chan struct{}
	anyFailed    bool
}

// state is one registered pipeline.
type state struct {
	cfg      PipelineConfig
	p        *pipeline.Pipeline
	cancel   context.CancelFunc
	done     chan struct{}
	err      error // once done: the pipeline's error
	running  bool
	stopping bool // the agent stopped it (reload, removal, shutdown)
}

// New returns an agent.
func New(opts Options) *Agent {
	if opts.Interval <= 0 {
		opts.Interval = 3 * time.Second
	}
	return &Agent{opts: opts, logger: logging.Logger(opts.Logger, "logstash.agent"), states: map[string]*state{},
		failedBuilds: map[string]string{}, endedSignal: make(chan struct{}, 1)}
}

// ErrNoPipelines is the end of a run in which no pipeline could be created.
var ErrNoPipelines = errors.New("no pipeline could be created")

// ErrPipelineFailed is the end of a run in which a pipeline failed.
var ErrPipelineFailed = errors.New("a pipeline failed")

// Start creates the configured pipelines. The error is the source's, or
// ErrNoPipelines when none could be created.
func (a *Agent) Start() error {
	configs, err := a.opts.Source()
	if err != nil {
		return err
	}
	a.createAll(configs)
	if len(a.states) == 0 {
		return ErrNoPipelines
	}
	a.logRunning()
	return nil
}

// Run runs the pipelines Start created until they have all finished (not
// with AutoReload), or ctx is cancelled (SIGINT/SIGTERM), when it stops them
// all gracefully. reloadNow asks for a reload (SIGHUP). The error is
// ErrPipelineFailed when a pipeline failed.
func (a *Agent) Run(ctx context.Context, reloadNow <-chan struct{}) error {
	var tick <-chan time.Time
	if a.opts.AutoReload {
		t := time.NewTicker(a.opts.Interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		if !a.opts.AutoReload && a.nothingLeft() {
			break
		}
		select {
		case <-ctx.Done():
			a.shutdown()
			return a.result()
		case <-a.endedSignal:
			a.handleEnded()
		case <-tick:
			a.converge()
		case <-reloadNow:
			a.converge()
		}
	}
	// Only pipelines fed by other pipelines may still run: nothing can
	// reach them any more, so they finish what they hold and stop.
	a.shutdown()
	return a.result()
}

func (a *Agent) result() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.anyFailed {
		return ErrPipelineFailed
	}
	return nil
}

// nothingLeft reports that no running pipeline can receive new events: none
// runs but system pipelines and pipelines fed only by other pipelines.
func (a *Agent) nothingLeft() bool {
	a.handleEnded()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range a.states {
		if st.running && !st.cfg.System && !st.p.FedByPipelines() {
			return false
		}
	}
	return true
}

// Pipeline is a registered pipeline as the monitoring API reports it.
type Pipeline struct {
	ID      string
	P       *pipeline.Pipeline
	Running bool
	Err     error
}

// Pipelines returns the registered pipelines, by id.
func (a *Agent) Pipelines() []Pipeline {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Pipeline, 0, len(a.states))
	for id, st := range a.states {
		out = append(out, Pipeline{ID: id, P: st.p, Running: st.running, Err: st.err})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// createAll creates pipelines, those fed by other pipelines first: their
// pipeline inputs are bound to their addresses before any upstream
// pipeline sends.
func (a *Agent) createAll(configs []PipelineConfig) {
	var downstream, rest []*pipeline.Pipeline
	var downCfg, restCfg []PipelineConfig
	for _, cfg := range configs {
		p, err := cfg.Build()
		if err != nil {
			a.failedBuilds[cfg.ID] = cfg.Fingerprint
			a.actionFailed("Create", cfg.ID, err)
			continue
		}
		delete(a.failedBuilds, cfg.ID)
		if p.FedByPipelines() {
			downstream, downCfg = append(downstream, p), append(downCfg, cfg)
		} else {
			rest, restCfg = append(rest, p), append(restCfg, cfg)
		}
	}
	for i, p := range downstream {
		a.start(downCfg[i], p)
	}
	for _, p := range downstream {
		<-p.Ready()
	}
	for i, p := range rest {
		a.start(restCfg[i], p)
	}
	for _, p := range rest {
		<-p.Ready()
	}
}

func (a *Agent) actionFailed(action, id string, err error) {
	a.logger.Error("Failed to execute action", slog.String("action", "LogStash::PipelineAction::"+action+"/pipeline_id:"+id),
		slog.String("exception", "LogStash::ConfigurationError"), slog.String("message", FirstError(err)))
}

func (a *Agent) start(cfg PipelineConfig, p *pipeline.Pipeline) {
	ctx, cancel := context.WithCancel(context.Background())
	st := &state{cfg: cfg, p: p, cancel: cancel, done: make(chan struct{}), running: true}
	a.mu.Lock()
	a.states[cfg.ID] = st
	a.mu.Unlock()
	go func() {
		err := p.Run(ctx)
		a.mu.Lock()
		st.err, st.running = err, false
		if err != nil {
			a.anyFailed = true
		}
		a.ended = append(a.ended, st)
		a.mu.Unlock()
		close(st.done)
		select {
		case a.endedSignal <- struct{}{}:
		default:
		}
	}()
}

// handleEnded logs the pipelines that ended on their own since last time.
func (a *Agent) handleEnded() {
	a.mu.Lock()
	ended := a.ended
	a.ended = nil
	a.mu.Unlock()
	for _, st := range ended {
		if st.err != nil && !st.stopping {
			a.logger.Error("Pipeline failed", slog.String("pipeline.id", st.cfg.ID), slog.String("error", st.err.Error()))
		}
	}
}

// stop stops a running pipeline and waits until it has delivered what it
// held and closed its plugins.
func (a *Agent) stop(st *state) {
	a.mu.Lock()
	st.stopping = true
	a.mu.Unlock()
	st.cancel()
	<-st.done
}

// converge fetches the configuration and brings the pipelines in line
// with it, pipeline by pipeline.
func (a *Agent) converge() {
	a.handleEnded()
	configs, err := a.opts.Source()
	if err != nil {
		a.logger.Error("Could not fetch the configuration to converge, will retry", slog.String("message", FirstError(err)))
		return
	}
	actions := 0
	seen := map[string]bool{}
	var created []PipelineConfig
	for _, cfg := range configs {
		seen[cfg.ID] = true
		a.mu.Lock()
		st := a.states[cfg.ID]
		var running bool
		var crashed bool
		if st != nil {
			running = st.running
			crashed = !st.running && st.err != nil && !st.stopping
		}
		a.mu.Unlock()
		switch {
		case st == nil:
			if a.failedBuilds[cfg.ID] == cfg.Fingerprint {
				continue
			}
			actions++
			created = append(created, cfg)
		case st.cfg.Fingerprint != cfg.Fingerprint:
			if a.failedBuilds[cfg.ID] == cfg.Fingerprint {
				continue
			}
			actions++
			a.reload(st, cfg, running)
		case crashed && cfg.Recoverable:
			actions++
			a.logger.Info("Recovering pipeline", slog.String("pipeline.id", cfg.ID))
			if p, err := cfg.Build(); err != nil {
				a.actionFailed("Recover", cfg.ID, err)
			} else {
				p.InheritReloads(st.p)
				a.start(cfg, p)
			}
		}
	}
	a.createAll(created)
	a.mu.Lock()
	var removed []*state
	for id, st := range a.states {
		if !seen[id] {
			removed = append(removed, st)
			delete(a.states, id)
		}
	}
	a.mu.Unlock()
	for _, st := range removed {
		actions++
		if st.running {
			a.stop(st)
		}
	}
	if actions > 0 {
		a.logRunning()
	}
}

// reload replaces a pipeline whose configuration changed. The new pipeline
// is compiled first: if it does not compile, or either one cannot be
// reloaded, the old one keeps running and the failure is counted.
func (a *Agent) reload(st *state, cfg PipelineConfig, running bool) {
	if running && (!st.cfg.Reloadable || !st.p.Reloadable()) {
		err := errors.New("Cannot reload pipeline, because the existing pipeline is not reloadable")
		st.p.RecordReload(err)
		a.failedBuilds[cfg.ID] = cfg.Fingerprint
		a.actionFailed("Reload", cfg.ID, err)
		return
	}
	next, err := cfg.Build()
	if err == nil && (!cfg.Reloadable || !next.Reloadable()) && running {
		err = errors.New("Cannot reload pipeline, because the new pipeline is not reloadable")
	}
	if err != nil {
		st.p.RecordReload(err)
		a.failedBuilds[cfg.ID] = cfg.Fingerprint
		a.actionFailed("Reload", cfg.ID, err)
		return
	}
	delete(a.failedBuilds, cfg.ID)
	if running {
		a.stop(st)
	}
	next.InheritReloads(st.p)
	next.RecordReload(nil)
	a.start(cfg, next)
}

// shutdown stops every running pipeline at once. Pipeline inputs wait for
// their upstream senders before leaving their address, so the pipelines
// stop in the order events flow between them and nothing in flight is lost.
func (a *Agent) shutdown() {
	if a.opts.Bus != nil {
		a.opts.Bus.SetBlockOnUnlisten(true)
	}
	a.mu.Lock()
	var running []*state
	for _, st := range a.states {
		if st.running {
			st.stopping = true
			running = append(running, st)
		}
	}
	a.mu.Unlock()
	watch := make(chan struct{})
	defer close(watch)
	go a.watchShutdown(running, watch)
	for _, st := range running {
		st.cancel()
	}
	for _, st := range running {
		<-st.done
	}
	a.handleEnded()
}

// Logstash's shutdown watcher: a reading every cyclePeriod, a report every
// reportEvery readings, and with pipeline.unsafe_shutdown a forced exit
// after abortThreshold stalled reports in a row.
const (
	cyclePeriod    = time.Second
	reportEvery    = 5
	abortThreshold = 3
)

// watchShutdown reports a shutdown that makes no progress: no pipeline
// takes in, filters or delivers an event over a whole report.
func (a *Agent) watchShutdown(states []*state, done <-chan struct{}) {
	reading := func() int64 {
		var sum int64
		for _, st := range states {
			s := st.p.Stats()
			sum += s.In.Load() + s.Filtered.Load() + s.Out.Load()
		}
		return sum
	}
	last, cycles, stalledReports := reading(), 0, 0
	progressed := false
	t := time.NewTicker(cyclePeriod)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if now := reading(); now != last {
			progressed, last = true, now
		}
		cycles++
		if cycles < reportEvery {
			continue
		}
		cycles = 0
		if progressed {
			progressed, stalledReports = false, 0
			continue
		}
		if stalledReports == 0 {
			a.logger.Error("The shutdown process appears to be stalled due to busy or blocked plugins. Check the logs for more information.")
		}
		stalledReports++
		if a.opts.UnsafeShutdown && stalledReports == abortThreshold {
			logging.Logger(a.opts.Logger, "logstash.shutdownwatcher").Log(context.Background(), logging.LevelFatal, "Forcefully quitting Logstash ...")
			a.opts.Exit(1)
			return
		}
	}
}

// logRunning is Logstash's summary after pipelines were created, reloaded
// or stopped.
func (a *Agent) logRunning() {
	a.mu.Lock()
	var running, other []string
	for id, st := range a.states {
		if st.running {
			running = append(running, ":"+id)
		} else {
			other = append(other, ":"+id)
		}
	}
	a.mu.Unlock()
	sort.Strings(running)
	sort.Strings(other)
	a.logger.Info("Pipelines running", slog.Int("count", len(running)),
		slog.String("running_pipelines", "["+strings.Join(running, ", ")+"]"),
		slog.String("non_running_pipelines", "["+strings.Join(other, ", ")+"]"))
}

// FirstError is the message Logstash would give for the first error of a
// compile: a syntax error's Logstash text (Diagnostic.Detail) when there is
// one, else the located summary.
func FirstError(err error) string {
	var diags lang.Diagnostics
	if errors.As(err, &diags) {
		for _, d := range diags {
			if d.Severity == lang.Error {
				if d.Detail != "" {
					return strings.TrimSpace(d.Detail)
				}
				return d.Error()
			}
		}
	}
	return err.Error()
}
