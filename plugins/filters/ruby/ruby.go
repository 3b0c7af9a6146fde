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
				Title:  "Epoch seconds from @timestamp",
				Config: "input { stdin {} }\nfilter { ruby { code => \"event.set('epoch', event.timestamp.to_i)\" } }\noutput { stdout { codec => json_lines } }",
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
	if cfg.Code == "" {
		main = optPath
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
		// method's own: Ruby's line 2 is the string's first line, and the
		// method's `end` (where an unclosed block is found) its last.
		line := min(max(setup.Line-1, 1), strings.Count(cfg.Code, "\n")+1)
		return nil, s.ErrorfAt(lineWithin(s.ValuePos(optCode.Name()), line), "syntax error in code, line %d: %s", line, rubyMessage(setup))
	case setup.Kind == "syntax" && setup.File == initFile:
		line := min(max(setup.Line, 1), strings.Count(cfg.Init, "\n")+1)
		return nil, s.ErrorfAt(lineWithin(s.ValuePos(optInit.Name()), line), "syntax error in init, line %d: %s", line, rubyMessage(setup))
	case setup.File == initFile:
		return nil, optInit.Errorf(s, "%s", setup.Message)
	}
	return nil, main.Errorf(s, "%s", setup.Message)
}

// The names Ruby gives the inline code in errors and backtraces.
const (
	codeFile = "(ruby filter code)"
	initFile = "(ruby filter init)"
)

// lineWithin is the position of the n-th line (from 1) of a value that
// starts at start: the start itself for the first line, column 1 after.
func lineWithin(start lang.Pos, n int) lang.Pos {
	if n <= 1 {
		return start
	}
	start.Line += n - 1
	start.Column = 1
	return start
}

// rubyMessage is Ruby's syntax error message without the location Ruby
// put in front of it (the diagnostic has the config's location).
func rubyMessage(e *SetupError) string {
	msg := e.Message
	prefix := fmt.Sprintf("%s:%d: ", e.File, e.Line)
	msg = strings.TrimPrefix(msg, prefix)
	msg = strings.TrimPrefix(msg, "syntax error, ")
	return strings.TrimRight(msg, "\n")
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
