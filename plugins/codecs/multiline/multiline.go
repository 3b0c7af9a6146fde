// Package multiline is Logstash's multiline codec: lines that match (or,
// negated, do not match) a grok pattern are glued to the line before or
// after them, so that a stack trace or a continued statement becomes one
// event.
package multiline

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/plugins/internal/grokpattern"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optPattern      = plugin.String("pattern").Required().Doc("The grok expression a line is matched against (anywhere in the line); %{NAME} references use the legacy core patterns and patterns_dir.")
	optWhat         = plugin.Enum("what", "previous", "next").Required().Doc("Whether a matching line belongs to the line before it (previous) or after it (next).")
	optNegate       = plugin.Bool("negate").Default(false).Doc("Glue the lines that do not match instead of those that do.")
	optPatternsDir  = plugin.Strings("patterns_dir").Default([]string{}).Doc("Directories (every file in them) or globs of extra grok pattern files.")
	optCharset      = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
	optMultilineTag = plugin.String("multiline_tag").Default("multiline").Doc("The tag added to events made of more than one line; an empty string adds none.")
	optMaxLines     = plugin.Int("max_lines").Default(500).Doc("An event is closed once it holds more than this many lines; it is tagged multiline_codec_max_lines_reached and the following lines start a new event.")
	optMaxBytes     = plugin.Bytes("max_bytes").Default(10 << 20).Doc("An event is closed once its lines (newlines not counted) reach this size; it is tagged multiline_codec_max_bytes_reached and the following lines start a new event.")
	optAutoFlush    = plugin.Float("auto_flush_interval").Doc("Seconds without a new line after which the lines held are emitted as an event; unset, they wait for the line that completes the event or the end of the stream.")
)

// The tags of an event closed because it reached a limit.
const (
	maxLinesTag = "multiline_codec_max_lines_reached"
	maxBytesTag = "multiline_codec_max_bytes_reached"
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "multiline",
			Summary: "Merges consecutive lines into one event when they match (or do not match) a pattern.",
			Options: []plugin.Declared{optPattern, optWhat, optNegate, optPatternsDir, optCharset, optMultilineTag, optMaxLines, optMaxBytes, optAutoFlush, plugin.ECS},
			Examples: []plugin.Example{{
				Title:  "Indented lines continue the line before them",
				Config: "input { stdin { codec => multiline { pattern => \"^\\s\" what => \"previous\" } } }\noutput { stdout { codec => line { format => \"%{message} %{tags}\" } } }",
				Input:  "Exception in thread main\n  at com.example.A.run\n  at com.example.B.main\nnext event\n",
				Output: "Exception in thread main\n  at com.example.A.run\n  at com.example.B.main multiline\nnext event %{tags}\n",
			}},
		},
		New: newCodec,
	})
}

// legacyPatterns is the core pattern set the codec expands %{NAME} with:
// Logstash's multiline codec loads the legacy set whatever the ECS mode.
var legacyPatterns = sync.OnceValues(func() (map[string]string, error) { return grokpattern.Core("disabled") })

// Codec is one stream's multiline state. Decode, Flush and the idle timer
// take its lock, so the timer's flush never interleaves with a Decode.
type Codec struct {
	re        *regexp2.Regexp
	negate    bool
	previous  bool
	charset   *textcodec.Charset
	tag       string
	maxLines  int
	maxBytes  int64
	original  bool
	autoFlush time.Duration

	mu       sync.Mutex
	lines    []string
	bytes    int64
	listener func(*event.Event) // the emit of the latest Decode: the idle flush emits there
	calls    uint64             // Decode calls so far
	heldFrom uint64             // the call that gave the oldest held line
	lastLine time.Time
	timer    *time.Timer
	external bool // the input flushes after a pause (TakeIdleFlush)
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	defs, err := legacyPatterns()
	if err != nil {
		return nil, err
	}
	all := make(map[string]string, len(defs))
	for k, v := range defs {
		all[k] = v
	}
	files, err := grokpattern.Files(optPatternsDir.Get(s), "*")
	if err != nil {
		return nil, optPatternsDir.Errorf(s, "%v", err)
	}
	for _, f := range files {
		if err := grokpattern.ReadFile(f, all); err != nil {
			return nil, optPatternsDir.Errorf(s, "%v", err)
		}
	}
	compiled, err := grokpattern.Compile(optPattern.Get(s), all, false, 0)
	if err != nil {
		return nil, optPattern.Errorf(s, "%v", err)
	}
	charset, err := textcodec.NewCharset(s, optCharset)
	if err != nil {
		return nil, err
	}
	c := &Codec{
		re:       compiled.Re,
		negate:   optNegate.Get(s),
		previous: optWhat.Get(s) == "previous",
		charset:  charset,
		tag:      optMultilineTag.Get(s),
		maxLines: int(optMaxLines.Get(s)),
		maxBytes: optMaxBytes.Get(s),
		original: s.ECS() != "disabled",
	}
	if optAutoFlush.IsSet(s) {
		c.autoFlush = flushDelay(optAutoFlush.Get(s))
	}
	return c, nil
}

// flushDelay is the pause auto_flush_interval stands for. Logstash counts
// it down in quarter seconds, so it is a whole number of quarters, at
// least one.
func flushDelay(seconds float64) time.Duration {
	quarters := math.Floor(seconds / 0.25)
	if quarters < 1 || math.IsNaN(quarters) {
		quarters = 1
	}
	return time.Duration(quarters) * 250 * time.Millisecond
}

// Decode converts data to UTF-8 and handles each of its lines; like
// Logstash, it splits the data it is given on "\n" and drops empty pieces
// at the end, so an input that hands over one line at a time (file) never
// adds an empty line to an event.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.listener = emit
	for _, line := range ruby.Split(c.charset.Text(data), "\n") {
		c.handle(line, c.matches(line) != c.negate, emit)
	}
}

func (c *Codec) matches(line string) bool {
	ok, err := c.re.MatchString(line)
	return ok && err == nil
}

// handle is Logstash's do_previous / do_next: a line glued backwards is
// added after flushing what came before unless it continues it; a line
// glued forwards is added, then flushed unless it continues.
func (c *Codec) handle(line string, continues bool, emit func(*event.Event)) {
	if c.previous {
		if !continues || c.overLimits() {
			c.flush(emit)
		}
		c.hold(line)
	} else {
		c.hold(line)
		if !continues || c.overLimits() {
			c.flush(emit)
		}
	}
}

func (c *Codec) hold(line string) {
	if len(c.lines) == 0 {
		c.heldFrom = c.calls
	}
	c.lines = append(c.lines, line)
	c.bytes += int64(len(line))
	if c.autoFlush > 0 && !c.external {
		c.lastLine = time.Now()
		if c.timer == nil {
			c.timer = time.AfterFunc(c.autoFlush, c.idle)
		} else {
			c.timer.Reset(c.autoFlush)
		}
	}
}

func (c *Codec) overLimits() bool {
	return len(c.lines) > c.maxLines || c.bytes >= c.maxBytes
}

// idle runs on the timer: a pause of auto_flush_interval since the last
// line emits what is held to the latest Decode's emit. A timer that fired
// while a Decode was adding a line waits for the rest of the pause.
func (c *Codec) idle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.external || len(c.lines) == 0 || c.listener == nil {
		return
	}
	if left := c.autoFlush - time.Since(c.lastLine); left > 0 {
		c.timer.Reset(left)
		return
	}
	c.flush(c.listener)
}

// flush emits the held lines as one event.
func (c *Codec) flush(emit func(*event.Event)) {
	if len(c.lines) == 0 {
		return
	}
	message := strings.Join(c.lines, "\n")
	e := event.NewEvent()
	e.Data().Set("message", message)
	if c.original {
		e.Set("[event][original]", message)
	}
	if c.tag != "" && len(c.lines) > 1 {
		e.Tag(c.tag)
	}
	if c.bytes >= c.maxBytes {
		e.Tag(maxBytesTag)
	}
	if len(c.lines) > c.maxLines {
		e.Tag(maxLinesTag)
	}
	c.lines = c.lines[:0]
	c.bytes = 0
	emit(e)
}

// Flush emits the lines held, at the end of the stream, and stops the
// idle timer.
func (c *Codec) Flush(emit func(*event.Event)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.flush(emit)
}

// Held is how many of the latest Decode calls gave lines still held.
func (c *Codec) Held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return 0
	}
	return int(c.calls - c.heldFrom + 1)
}

// TakeIdleFlush stops the codec's own idle timer and returns the pause
// after which the caller flushes instead.
func (c *Codec) TakeIdleFlush() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.external = true
	if c.timer != nil {
		c.timer.Stop()
	}
	return c.autoFlush
}

// Encode appends Event#to_s, which is what Logstash's outputs write for a
// multiline codec (it hands the event itself on as the encoded data).
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return textcodec.AppendEventString(dst, e)
}

var _ plugin.HoldingCodec = (*Codec)(nil)
