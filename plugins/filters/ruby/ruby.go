package ruby

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCode = plugin.String("code").
		Doc("Ruby code run for every event, with the event as `event`; `new_event_block.call(e)` passes on a new event.").
		Example(`"event.set('bytes_kb', event.get('bytes').to_i / 1024)"`)
	optInit = plugin.String("init").
		Doc("Ruby code run once when the filter starts, in the same object as `code` (its instance variables and methods are shared).")
	optPath = plugin.Path("path").
		Doc("A Ruby script defining `filter(event)`, which returns the events to pass on, and optionally `register(params)` and `test` blocks.")
	optScriptParams = plugin.Hash("script_params").Default(event.NewMap(0)).
			Doc("The parameters given to the script's `register`.")
	optTagOnException = plugin.String("tag_on_exception").Default("_rubyexception").
				Doc("Tag added to an event when the code raises an exception on it.")
	optTagWithExceptionMessage = plugin.Bool("tag_with_exception_message").Default(false).
					Doc("Also add a tag with the exception's message: `<tag_on_exception>: <message>`.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "ruby",
			Summary: "Runs Ruby code on events, in a Ruby interpreter (MRI) gostash starts.",
			Options: []plugin.Declared{optCode, optInit, optPath, optScriptParams, optTagOnException, optTagWithExceptionMessage},
			Examples: []plugin.Example{{
				Title:  "Sum the numbers on each line",
				Config: "input { stdin {} }\nfilter { ruby { code => \"event.set('sum', event.get('message').split.sum(&:to_i))\" } }\noutput { stdout { codec => line { format => \"%{message} = %{sum}\" } } }",
				Input:  "3 4\n10 20 30\n",
				Output: "3 4 = 7\n10 20 30 = 60\n",

				Requires: []string{"ruby"},
			}},
		},
		New: newFilter,
	})
}

func newFilter(s *plugin.Settings) (plugin.Filter, error) {
	cfg := Config{
		Code:                    optCode.Get(s),
		Init:                    optInit.Get(s),
		Path:                    optPath.Get(s),
		ScriptParams:            optScriptParams.Get(s),
		TagOnException:          optTagOnException.Get(s),
		TagWithExceptionMessage: optTagWithExceptionMessage.Get(s),
		ID:                      s.ID(),
		Workers:                 s.Pipeline().Workers,
		Logger:                  s.Logger(),
	}
	main := optCode
	if optPath.IsSet(s) {
		main = optPath
	}
	if optCode.IsSet(s) == optPath.IsSet(s) {
		return nil, main.Errorf(s, "%v", errCodeOrPath)
	}
	f, err := New(cfg)
	if err == nil {
		return f, nil
	}
	var setup *SetupError
	if !errors.As(err, &setup) {
		return nil, main.Errorf(s, "%v", err)
	}
	switch {
	case setup.Kind == "syntax" && setup.File == codeFile:
		// The code is the body of a method whose first line is the
		// method's own: Ruby's line 2 is the string's first line (after a
		// space), and the method's `end` (where an unclosed block is
		// found) its last.
		line := min(max(setup.Line-1, 1), strings.Count(cfg.Code, "\n")+1)
		pos := syntaxErrorPos(optCode.ValuePos(s), line, setup, 1)
		return nil, s.ErrorfAt(pos, "syntax error in code, line %d: %s", line, rubyMessage(setup))
	case setup.Kind == "syntax" && setup.File == initFile:
		line := min(max(setup.Line, 1), strings.Count(cfg.Init, "\n")+1)
		pos := syntaxErrorPos(optInit.ValuePos(s), line, setup, 0)
		return nil, s.ErrorfAt(pos, "syntax error in init, line %d: %s", line, rubyMessage(setup))
	case setup.File == initFile:
		return nil, optInit.Errorf(s, "%s", setup.Message)
	case setup.Kind == "syntax":
		// A script's: Ruby's first line names the file and the line.
		first, _, _ := strings.Cut(setup.Message, "\n")
		return nil, main.Errorf(s, "%s", first)
	}
	return nil, main.Errorf(s, "%s", setup.Message)
}

// The names Ruby gives the inline code in errors and backtraces.
const (
	codeFile = "(ruby filter code)"
	initFile = "(ruby filter init)"
)

// syntaxErrorPos is where, in the config, Ruby found a syntax error on
// line n of a string value starting at start (its opening quote). Ruby
// shows the line with a caret under the error; the caret's column, less
// the wrapping Ruby put before the first line, is the column in the
// config. Without a caret, the position is the line's start.
func syntaxErrorPos(start lang.Pos, n int, e *SetupError, firstLineOffset int) lang.Pos {
	pos := start
	if n > 1 {
		pos.Line += n - 1
		pos.Column = 1
	}
	lines := strings.Split(e.Message, "\n")
	if len(lines) < 3 {
		return pos
	}
	caret := strings.IndexByte(lines[2], '^')
	if caret < 0 || strings.TrimSpace(lines[2][:caret]) != "" {
		return pos
	}
	if n == 1 {
		// The value's text starts after the quote.
		pos.Column += 1 + max(caret-firstLineOffset, 0)
	} else {
		pos.Column += caret
	}
	return pos
}

// rubyMessage is the first line of Ruby's syntax error message without
// the location Ruby put in front of it (the diagnostic has the config's
// location, and shows the line).
func rubyMessage(e *SetupError) string {
	msg, _, _ := strings.Cut(e.Message, "\n")
	msg = strings.TrimPrefix(msg, fmt.Sprintf("%s:%d: ", e.File, e.Line))
	return strings.TrimPrefix(msg, "syntax error, ")
}

// ScriptTestResults counts the expectations of a script's test blocks.
type ScriptTestResults struct {
	Passed, Failed, Errored int
}

// TestScript runs the `test` blocks of a `path` script with its
// parameters, as Logstash does when it loads the script, and returns the
// counts; failures are logged with the events involved. It is the entry
// point for a command that checks scripts without running a pipeline.
// A script that does not load, or has failing tests, is an error.
func TestScript(path string, params *event.Map, logger *slog.Logger) (ScriptTestResults, error) {
	f, err := prepare(Config{Path: path, ScriptParams: params, Logger: logger})
	if err != nil {
		return ScriptTestResults{}, err
	}
	setup, err := f.setupBody(false, testsReport)
	if err != nil {
		return ScriptTestResults{}, err
	}
	_, v, err := f.startWorker(setup)
	if err != nil {
		return ScriptTestResults{}, err
	}
	defer f.Close()
	m, _ := v.(*event.Map)
	if m == nil {
		return ScriptTestResults{}, errors.New("the Ruby worker did not report test results")
	}
	count := func(k string) int {
		n, _ := mapValue(m, k).(int64)
		return int(n)
	}
	res := ScriptTestResults{Passed: count("passed"), Failed: count("failed"), Errored: count("errored")}
	if bad := res.Failed + res.Errored; bad > 0 {
		return res, fmt.Errorf("Script '%s' had %d failing tests! Check the error log for details.", path, bad)
	}
	return res, nil
}
