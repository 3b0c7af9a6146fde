package ruby

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestInitSharesTheObjectWithCode(t *testing.T) {
	f := build(t, `init => "@count = 0
def double(x) x * 2 end"
		code => '@count += 1; event.set("count", @count); event.set("d", double(event.get("n")))'`)
	out := runBatch(f, []*event.Event{plugintest.Event(t, `{"n":1}`), plugintest.Event(t, `{"n":5}`)})
	var got []string
	for _, e := range out {
		got = append(got, plugintest.Data(e))
	}
	if want := `{"n":1,"count":1,"d":2} {"n":5,"count":2,"d":10}`; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

func TestNewEventsFollowTheirEventAndCancelDrops(t *testing.T) {
	f := build(t, `code => '
		event.get("message").split(",").each { |part| new_event_block.call(LogStash::Event.new("part" => part)) }
		event.cancel if event.get("drop")'`)
	in := []*event.Event{
		plugintest.Event(t, `{"message":"a,b","drop":true}`),
		plugintest.Event(t, `{"message":"c"}`),
	}
	var got []string
	for _, e := range runBatch(f, in) {
		got = append(got, plugintest.Data(e))
	}
	if want := `{"part":"a"} {"part":"b"} {"message":"c"} {"part":"c"}`; strings.Join(got, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// An exception tags the event, logs Logstash's message, and keeps what
// the code did before it, including the events it passed on.
func TestExceptionTagsAndLogs(t *testing.T) {
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{
		Code:                    `event.set("before", 1); new_event_block.call(LogStash::Event.new("made" => 1)); 1 / 0; event.set("after", 1)`,
		TagWithExceptionMessage: true,
		Logger:                  slog.New(logs),
	})
	e := plugintest.Event(t, `{"message":"x"}`)
	matched := []bool{true}
	var made []*event.Event
	f.FilterBatch([]*event.Event{e}, matched, func(_ int, n *event.Event) { made = append(made, n) })
	if matched[0] {
		t.Error("an event whose code raised matched (add_field would apply)")
	}
	if got, want := plugintest.Data(e), `{"message":"x","before":1,"tags":["_rubyexception: divided by 0","_rubyexception"]}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(made) != 1 || plugintest.Data(made[0]) != `{"made":1}` {
		t.Errorf("the event made before the exception was lost: %d events", len(made))
	}
	if !logs.has("ERROR Ruby exception occurred: divided by 0 class=ZeroDivisionError backtrace=") {
		t.Errorf("log:\n%s", logs.text())
	}
}

func TestLoggerGoesToGostashLog(t *testing.T) {
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{
		Code:   `@logger.debug("hidden"); @logger.info("seen", :n => event.get("n"), :list => [1, "a"]); event.set("debug", @logger.debug?); logger.warn("via logger")`,
		Logger: slog.New(logs),
	})
	out := runBatch(f, []*event.Event{plugintest.Event(t, `{"n":7}`)})
	if got := plugintest.Data(out[0]); got != `{"n":7,"debug":false}` {
		t.Errorf("got %s", got)
	}
	if got, want := logs.text(), "INFO seen n=7 list=[1, \"a\"]\nWARN via logger\n"; got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

func TestStandardLibraryRequires(t *testing.T) {
	// %q() is Ruby's single-quoted string: a config string holds only one
	// kind of quote.
	f := build(t, `init => 'require "digest"; require "securerandom"; require "ipaddr"; require "base64"; require "uri"'
		code => 'event.set("sha", Digest::SHA256.hexdigest("a")[0, 8]); event.set("b64", Base64.strict_encode64("hi"));
			event.set("private", IPAddr.new("10.0.0.0/8").include?(IPAddr.new(event.get("ip"))));
			event.set("host", URI.parse("http://example.org/x").host); event.set("uuid", SecureRandom.uuid.size);
			event.set("parsed", JSON.parse(%q({"a":[1]}))); event.set("t", Time.parse("2020-01-02T03:04:05Z").year); event.set("d", Date.new(2020, 1, 31).next_day.to_s)'`)
	out := runBatch(f, []*event.Event{plugintest.Event(t, `{"ip":"10.1.2.3"}`)})
	want := `{"ip":"10.1.2.3","sha":"ca978112","b64":"aGk=","private":true,"host":"example.org","uuid":36,"parsed":{"a":[1]},"t":2020,"d":"2020-02-01"}`
	if got := plugintest.Data(out[0]); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPathScript(t *testing.T) {
	params := event.NewMap(2)
	params.Set("field", "n")
	params.Set("multiplier", int64(10))
	f := start(t, Config{Path: "testdata/field_multiplier.rb", ScriptParams: params})
	out := runBatch(f, []*event.Event{plugintest.Event(t, `{"n":4}`)})
	if len(out) != 1 || plugintest.Data(out[0]) != `{"n":40}` {
		t.Errorf("got %d events, first %s", len(out), plugintest.Data(out[0]))
	}

	split := start(t, Config{Path: "testdata/split_words.rb"})
	out = runBatch(split, []*event.Event{plugintest.Event(t, `{"message":"x y"}`), plugintest.Event(t, `{"message":"z"}`)})
	var got []string
	for _, e := range out {
		got = append(got, plugintest.Data(e))
	}
	if want := `{"message":"x"} {"message":"y"} {"message":"z"}`; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

func TestPathScriptThatDoesNotReturnEvents(t *testing.T) {
	logs := &logRecords{level: slog.LevelInfo}
	f := start(t, Config{Path: "testdata/not_an_array.rb", Logger: slog.New(logs)})
	e := plugintest.Event(t, `{"n":1}`)
	matched := []bool{false}
	f.FilterBatch([]*event.Event{e}, matched, func(int, *event.Event) { t.Error("an event was emitted") })
	if got := plugintest.Data(e); got != `{"n":1,"tags":["_rubyexception"]}` {
		t.Errorf("got %s", got)
	}
	// filter ran without raising, so Logstash has already called filter_matched.
	if !matched[0] {
		t.Error("not matched")
	}
	if !logs.has("Could not process event: Custom script did not return an array from 'filter'. Only arrays may be returned!") {
		t.Errorf("log:\n%s", logs.text())
	}
}

func TestScriptsThatDoNotLoad(t *testing.T) {
	requireRuby(t)
	for path, want := range map[string]string{
		"testdata/failing_test.rb": "Script 'testdata/failing_test.rb' had 1 failing tests! Check the error log for details.",
		"testdata/no_filter.rb":    "Error during load of 'testdata/no_filter.rb': #<RuntimeError: Script does not define a filter! Please ensure that you have defined a filter method!>",
		"testdata/syntax_error.rb": "testdata/syntax_error.rb:3: syntax error, unexpected `end', expecting ']'",
	} {
		_, err := New(Config{Path: path, Logger: slog.New(&logRecords{level: slog.LevelError})})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %s", path, err, want)
		}
	}
}

func TestScriptTestEntryPoint(t *testing.T) {
	requireRuby(t)
	logs := &logRecords{level: slog.LevelInfo}
	res, err := TestScript("testdata/field_multiplier.rb", nil, slog.New(logs))
	if err != nil || res != (ScriptTestResults{Passed: 2}) {
		t.Errorf("results %+v, error %v", res, err)
	}
	res, err = TestScript("testdata/failing_test.rb", nil, slog.New(logs))
	if err == nil || res != (ScriptTestResults{Failed: 1}) {
		t.Errorf("results %+v, error %v", res, err)
	}
	if !logs.has("ERROR ***TEST FAILURE FOR: 'setting the field foo to equal baz'***") {
		t.Errorf("log:\n%s", logs.text())
	}
	var setup *SetupError
	if _, err := TestScript("testdata/syntax_error.rb", nil, slog.New(logs)); !errors.As(err, &setup) || setup.Kind != "syntax" || setup.Line != 3 {
		t.Errorf("a script with a syntax error: %v", err)
	}
}

func TestCodeAndPathTogether(t *testing.T) {
	if _, err := New(Config{Code: "x", Path: "y"}); err != errCodeOrPath {
		t.Errorf("error %v", err)
	}
}

// What the code prints goes to gostash's stdout, as Logstash's does.
func TestPutsGoesToStdout(t *testing.T) {
	var stdout bytes.Buffer
	f := start(t, Config{Code: `puts "seen #{event.get("n")}"`, Stdout: &stdout})
	runBatch(f, []*event.Event{plugintest.Event(t, `{"n":1}`), plugintest.Event(t, `{"n":2}`)})
	f.Close() // the worker's stdout is complete once it has exited
	if got := stdout.String(); got != "seen 1\nseen 2\n" {
		t.Errorf("stdout %q", got)
	}
}

// A batch is parsed in Ruby when the code first reads one of its events:
// writes made to events before then, and the events after, all come back.
func TestWritesBeforeAndAfterTheBatchIsRead(t *testing.T) {
	f := build(t, `init => "@n = 0"
		code => '@n += 1; event.set("i", @n); event.set("read", event.get("message")) if @n == 2'`)
	in := []*event.Event{plugintest.Event(t, `{"message":"a"}`), plugintest.Event(t, `{"message":"b"}`), plugintest.Event(t, `{"message":"c"}`)}
	var got []string
	for _, e := range runBatch(f, in) {
		got = append(got, plugintest.Data(e))
	}
	if want := `{"message":"a","i":1} {"message":"b","i":2,"read":"b"} {"message":"c","i":3}`; strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// An event without a @timestamp has none in Ruby, read or not; setting
// one, or the metadata, comes back.
func TestTimestampsAndMetadataComeBack(t *testing.T) {
	f := build(t, `code => '
		if event.get("[@metadata][read]")
		  event.set("had", event.include?("@timestamp"))
		else
		  event.set("had", !event.timestamp.nil?)
		end
		event.timestamp = LogStash::Timestamp.at(60)
		event.set("[@metadata][out]", 1)'`)
	withTS := plugintest.Event(t, `{"message":"a"}`)
	withoutTS := plugintest.Event(t, `{"message":"b"}`)
	withoutTS.Data().Delete(event.TimestampField)
	readWithoutTS := plugintest.Event(t, `{"message":"c"}`)
	readWithoutTS.Data().Delete(event.TimestampField)
	readWithoutTS.Set("[@metadata][read]", true)
	var got []string
	for _, e := range runBatch(f, []*event.Event{withTS, withoutTS, readWithoutTS}) {
		got = append(got, plugintest.JSON(e)+" "+string(event.AppendJSON(nil, e.Metadata())))
	}
	want := `{"@version":"1","message":"a","@timestamp":"1970-01-01T00:01:00.000Z","had":true} {"out":1}` +
		` {"@version":"1","message":"b","had":false,"@timestamp":"1970-01-01T00:01:00.000Z"} {"out":1}` +
		` {"@version":"1","message":"c","had":false,"@timestamp":"1970-01-01T00:01:00.000Z"} {"read":true,"out":1}`
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}
