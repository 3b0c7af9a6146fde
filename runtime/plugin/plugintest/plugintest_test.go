package plugintest_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The plugins the kit is tried on, registered under names no real plugin has.
var (
	optCopies  = plugin.Int("copies").Default(0)
	optDrop    = plugin.Bool("drop").Default(false)
	optCount   = plugin.Int("count").Default(1)
	optWarn    = plugin.String("warn")
	optPrefix  = plugin.String("prefix").Default("")
	optFailing = plugin.Bool("fail_close").Default(false)
)

func init() {
	// kit_copy tags the event "seen", matches, emits `copies` copies and
	// cancels the original when drop is set.
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{Name: "kit_copy", Summary: "test filter", Options: []plugin.Declared{optCopies, optDrop, optWarn}},
		New: func(s *plugin.Settings) (plugin.Filter, error) {
			if w := optWarn.Get(s); w != "" {
				s.Logger().Warn(w, "option", "warn")
			}
			return copyFilter{copies: int(optCopies.Get(s)), drop: optDrop.Get(s)}, nil
		},
	})
	// kit_count emits count events numbered from 0, then returns; with
	// count => 0 it runs until cancelled.
	plugin.RegisterInput(plugin.InputSpec{
		Spec:         plugin.Spec{Name: "kit_count", Summary: "test input", Options: []plugin.Declared{optCount}},
		DefaultCodec: "kit_prefix",
		New: func(s *plugin.Settings) (plugin.Input, error) {
			return countInput{n: int(optCount.Get(s))}, nil
		},
	})
	// kit_feed emits an event for each message sent on feed until cancelled.
	plugin.RegisterInput(plugin.InputSpec{
		Spec:         plugin.Spec{Name: "kit_feed", Summary: "test input"},
		DefaultCodec: "kit_prefix",
		New:          func(*plugin.Settings) (plugin.Input, error) { return feedInput{}, nil },
	})
	// kit_prefix decodes each chunk's complete lines as messages, keeping
	// the rest for Flush, and encodes prefix + message.
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{Name: "kit_prefix", Summary: "test codec", Options: []plugin.Declared{optPrefix}},
		New: func(s *plugin.Settings) (plugin.Codec, error) {
			return &prefixCodec{prefix: optPrefix.Get(s)}, nil
		},
	})
	// kit_collect keeps the messages of the batches it gets.
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec:         plugin.Spec{Name: "kit_collect", Summary: "test output", Options: []plugin.Declared{optFailing}},
		DefaultCodec: "kit_prefix",
		New: func(s *plugin.Settings) (plugin.Output, error) {
			return &collectOutput{failClose: optFailing.Get(s)}, nil
		},
	})
}

type copyFilter struct {
	copies int
	drop   bool
}

func (f copyFilter) Filter(e *event.Event, emit func(*event.Event)) bool {
	e.AppendTag("seen")
	for i := range f.copies {
		c := e.Clone()
		c.Data().Set("copy", int64(i))
		emit(c)
	}
	if f.drop {
		e.Cancel()
	}
	return true
}

type countInput struct{ n int }

// acked counts the kit_count events released.
var acked atomic.Int32

func (in countInput) Run(ctx context.Context, out plugin.Emitter) error {
	for i := 0; in.n == 0 || i < in.n; i++ {
		e := event.NewEvent()
		e.Data().Set("n", int64(i))
		if in.n == 0 {
			e.SetAck(event.NewAck(func() { acked.Add(1) }))
		}
		out.Emit(e)
		if in.n == 0 {
			<-ctx.Done()
			return nil
		}
	}
	return nil
}

// feed carries the messages kit_feed emits.
var feed = make(chan string)

type feedInput struct{}

func (feedInput) Run(ctx context.Context, out plugin.Emitter) error {
	for {
		select {
		case m := <-feed:
			e := event.NewEvent()
			e.Data().Set("message", m)
			out.Emit(e)
		case <-ctx.Done():
			return nil
		}
	}
}

type prefixCodec struct {
	prefix  string
	pending string
}

func (c *prefixCodec) Decode(data []byte, emit func(*event.Event)) {
	c.pending += string(data)
	for {
		line, rest, ok := strings.Cut(c.pending, "\n")
		if !ok {
			return
		}
		c.pending = rest
		e := event.NewEvent()
		e.Data().Set("message", line)
		emit(e)
	}
}

func (c *prefixCodec) Flush(emit func(*event.Event)) {
	if c.pending != "" {
		e := event.NewEvent()
		e.Data().Set("message", c.pending)
		c.pending = ""
		emit(e)
	}
}

func (c *prefixCodec) Encode(dst []byte, e *event.Event) []byte {
	m, _ := e.Get("message")
	return append(append(dst, c.prefix...), event.ValueString(m)...)
}

type collectOutput struct {
	failClose bool
	messages  []string
	closes    int
}

func (o *collectOutput) Output(_ context.Context, events []*event.Event) error {
	for _, e := range events {
		m, _ := e.Get("message")
		o.messages = append(o.messages, event.ValueString(m))
	}
	return nil
}

func (o *collectOutput) Close() error {
	o.closes++
	if o.failClose {
		return errors.New("close failed")
	}
	return nil
}

func TestFilterRunAppliesCommonOptionsAsThePipelineDoes(t *testing.T) {
	f := plugintest.Filter(t, `kit_copy { copies => 2 add_tag => ["done_%{x}"] add_field => { "by" => "kit" } }`)
	out := f.Run(plugintest.Event(t, `{"x":"a"}`), plugintest.Event(t, `{"x":"b"}`))
	got := plugintest.JSONLines(out, "@timestamp", "@version")
	want := `{"x":"a","tags":["seen","done_a"],"by":"kit"}` + "\n" +
		`{"x":"a","tags":["seen","done_a"],"copy":0,"by":"kit"}` + "\n" +
		`{"x":"a","tags":["seen","done_a"],"copy":1,"by":"kit"}` + "\n" +
		`{"x":"b","tags":["seen","done_b"],"by":"kit"}` + "\n" +
		`{"x":"b","tags":["seen","done_b"],"copy":0,"by":"kit"}` + "\n" +
		`{"x":"b","tags":["seen","done_b"],"copy":1,"by":"kit"}` + "\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

func TestFilterRunDropsCancelledEvents(t *testing.T) {
	f := plugintest.Filter(t, `kit_copy { copies => 1 drop => true }`)
	if got := plugintest.JSONLines(f.Run(plugintest.Event(t, `{"m":1}`))); got != `{"@version":"1","m":1,"@timestamp":"2026-01-02T03:04:05.678Z","tags":["seen"],"copy":0}`+"\n" {
		t.Errorf("got %s", got)
	}
}

func TestFilterCallLeavesOutTheCommonOptions(t *testing.T) {
	f := plugintest.Filter(t, `kit_copy { copies => 1 drop => true add_tag => ["never"] }`)
	e := plugintest.Event(t, `{}`)
	matched, emitted := f.Call(e)
	if !matched || !e.Cancelled() || len(emitted) != 1 || plugintest.Data(e) != `{"tags":["seen"]}` || plugintest.Data(emitted[0]) != `{"tags":["seen"],"copy":0}` {
		t.Errorf("matched %v, cancelled %v, event %s, emitted %d", matched, e.Cancelled(), plugintest.Data(e), len(emitted))
	}
}

func TestConfigErrorsAreLocatedInTheTextAsLaidOut(t *testing.T) {
	_, err := plugintest.TryFilter(t, `kit_copy { nope => 1 }`)
	if err == nil || !strings.HasPrefix(err.Error(), "test.conf:2:14: Unknown setting 'nope' for kit_copy") {
		t.Errorf("error %v", err)
	}
	_, err = plugintest.TryCodec(t, `kit_prefix {`)
	if err == nil || !strings.HasPrefix(err.Error(), "test.conf:") {
		t.Errorf("a syntax error must come back as a located error: %v", err)
	}
	if _, err := plugintest.TryInput(t, `no_such_input { }`); err == nil || !strings.Contains(err.Error(), "test.conf:2:3") {
		t.Errorf("error %v", err)
	}
	_, err = plugintest.TryFilter(t, `kit_copy { copies => "many" }`)
	var diags lang.Diagnostics
	if !errors.As(err, &diags) || len(diags) != 1 {
		t.Errorf("a config error must unwrap to its lang.Diagnostics: %#v", err)
	}
}

func TestLogsAreRecorded(t *testing.T) {
	f := plugintest.Filter(t, `kit_copy { warn => "careful" }`)
	if got := f.Logs.Lines("careful"); len(got) != 1 || got[0] != "WARN careful option=warn" {
		t.Errorf("lines %q", got)
	}
	if got := f.Logs.Lines("absent"); got != nil {
		t.Errorf("lines %q", got)
	}
}

func TestInputRunToEndDecoratesAndCollects(t *testing.T) {
	in := plugintest.Input(t, `kit_count { count => 3 type => "t" add_field => { "f" => "%{n}" } tags => ["x"] }`)
	got := plugintest.JSONLines(in.RunToEnd(), "@timestamp", "@version")
	want := `{"n":0,"type":"t","f":"0","tags":["x"]}` + "\n" + `{"n":1,"type":"t","f":"1","tags":["x"]}` + "\n" + `{"n":2,"type":"t","f":"2","tags":["x"]}` + "\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

func TestInputStartHoldsEventsInFlight(t *testing.T) {
	in := plugintest.Input(t, `kit_count { count => 0 }`)
	acked.Store(0)
	r := in.StartHolding()
	e := r.WaitFor(1)[0]
	if acked.Load() != 0 {
		t.Fatal("a held event was released")
	}
	e.Release()
	r.Stop()
	r.Stop()
	if acked.Load() != 1 {
		t.Fatal("releasing the held event did not reach its input")
	}
	plugintest.Input(t, `kit_count { count => 0 }`).Start().WaitFor(1)
	if acked.Load() != 2 {
		t.Error("Start must release events as the pipeline does after the outputs")
	}
}

func TestCodec(t *testing.T) {
	c := plugintest.Codec(t, `kit_prefix { prefix => "> " }`)
	events := c.Decode("a\nb", "c\nd")
	if got := plugintest.JSONLines(events, "@timestamp", "@version"); got != `{"message":"a"}`+"\n"+`{"message":"bc"}`+"\n" {
		t.Errorf("decoded %s", got)
	}
	if got := plugintest.JSONLines(c.Flush(), "@timestamp", "@version"); got != `{"message":"d"}`+"\n" {
		t.Errorf("flushed %s", got)
	}
	if got := c.Encode(events[0]); got != "> a" {
		t.Errorf("encoded %q", got)
	}
	if got := plugintest.Codec(t, "kit_prefix").Encode(events[0]); got != "a" {
		t.Errorf("a codec named alone encoded %q", got)
	}
}

func TestOutputIsClosedOnce(t *testing.T) {
	o := plugintest.Output(t, `kit_collect { fail_close => true }`)
	if err := o.Output(plugintest.Event(t, `{"message":"m1"}`), plugintest.Event(t, `{"message":"m2"}`)); err != nil {
		t.Fatal(err)
	}
	c := o.Plugin.(*collectOutput)
	if strings.Join(c.messages, ",") != "m1,m2" {
		t.Errorf("messages %q", c.messages)
	}
	if err := o.Close(); err == nil || o.Close() == nil || c.closes != 1 {
		t.Errorf("close error %v, %d closes", err, c.closes)
	}
}

func TestECSOption(t *testing.T) {
	in := plugintest.Input(t, `kit_count { }`, plugintest.ECS("disabled"))
	if got := in.Settings.Pipeline().ECSCompatibility; got != "disabled" {
		t.Errorf("ECS %q", got)
	}
	if got := plugintest.Input(t, `kit_count { }`).Settings.Pipeline().ECSCompatibility; got != "v8" {
		t.Errorf("default ECS %q, want Logstash's v8", got)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{`a\b`: `"a\b"`, `say "hi"`: `'say "hi"'`, `it's`: `"it's"`} {
		if got := plugintest.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	c := plugintest.Codec(t, `kit_prefix { prefix => `+plugintest.Quote(`"\n`)+` }`)
	if got := c.Encode(plugintest.Event(t, `{"message":"x"}`)); got != `"\nx` {
		t.Errorf("a quoted prefix came back as %q", got)
	}
}

func TestEventKeepsItsTimestamp(t *testing.T) {
	e := plugintest.Event(t, `{"@timestamp":"2022-04-13T11:15:32.000Z","a":1}`)
	if got := plugintest.JSON(e); got != `{"@version":"1","@timestamp":"2022-04-13T11:15:32.000Z","a":1}` {
		t.Errorf("got %s", got)
	}
	if got := plugintest.JSON(plugintest.Event(t, `{"a":1}`), "a", "@version"); got != `{"@timestamp":"2026-01-02T03:04:05.678Z"}` {
		t.Errorf("got %s", got)
	}
}

func TestInputNextPendingAndBlock(t *testing.T) {
	r := plugintest.Input(t, `kit_feed { }`).Start()
	r.Block()
	feed <- "a"
	r.WaitBlocked()
	if n := r.Pending(); n != 0 {
		t.Fatalf("%d events arrived while the input was held back", n)
	}
	r.Unblock()
	if m, _ := r.Next().Get("message"); m != "a" {
		t.Errorf("next event %v, want a", m)
	}
	feed <- "b"
	feed <- "c"
	got := r.NextN(2)
	if m0, _ := got[0].Get("message"); m0 != "b" {
		t.Errorf("events %s", plugintest.JSONLines(got))
	}
	if n := r.Pending(); n != 0 {
		t.Errorf("%d events pending after Next took them all", n)
	}
	r.Block()
	feed <- "d"
	r.WaitBlocked()
	stopped := make(chan struct{})
	go func() {
		r.Stop()
		close(stopped)
	}()
	r.Unblock() // the held emit goes through, so Run can see the cancel
	<-stopped
	if m, _ := r.Next().Get("message"); m != "d" {
		t.Errorf("the held event came out as %v", m)
	}
}

func TestLogsInLogstashShape(t *testing.T) {
	f := plugintest.Filter(t, `kit_copy { warn => "careful" }`)
	f.Logs.WaitFor(t, `careful {"option"=>"warn"}`)
	if got := f.Logs.Logstash(); !strings.Contains(got, "[WARN ][logstash.filters.kit_copy]") {
		t.Errorf("log %q", got)
	}
}
