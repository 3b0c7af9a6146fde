package grok

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Samples and expectations from the Logstash plugin's own specification
// (logstash-filter-grok spec/filters/grok_spec.rb, non-ECS part).
func TestGrokSpecSamples(t *testing.T) {
	const unicodeLine = `<22>Jan  4 07:50:46 mailmaster postfix/policy-spf[9454]: : SPF permerror (Junk encountered in record 'v=spf1 mx a:mail.domain.no ip4:192.168.0.4 �all'): Envelope-from: email@domain.no`
	cases := []struct {
		name    string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"array of messages", `match => { "message" => "(?:hello|world) %{NUMBER:num}" }`, `{"message":["hello 12345","world 23456"]}`, `{"message":["hello 12345","world 23456"],"num":["12345","23456"]}`, true},
		{"coercion", `match => { "message" => "%{NUMBER:foo:int} %{NUMBER:bar:float}" }`, `{"message":"400 454.33"}`, `{"message":"400 454.33","foo":400,"bar":454.33}`, true},
		{"inline definition", `match => { "message" => "%{FIZZLE=\d+}" } named_captures_only => false`, `{"message":"hello 1234"}`, `{"message":"hello 1234","FIZZLE":"1234"}`, true},
		{"selected fields", `match => { "message" => "%{WORD:word}" "examplefield" => "%{NUMBER:num}" } break_on_match => false`, `{"message":"hello world","examplefield":"12345"}`, `{"message":"hello world","examplefield":"12345","word":"hello","num":"12345"}`, true},
		{"empty capture dropped", `match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" }`, `{"message":"1=test"}`, `{"message":"1=test","foo1":"test"}`, true},
		{"empty capture kept", `match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" } keep_empty_captures => true`, `{"message":"1=test"}`, `{"message":"1=test","foo1":"test","foo2":null}`, true},
		{"bare pattern captured", `match => { "message" => "Hello %{WORD}. %{WORD:foo}" } named_captures_only => false`, `{"message":"Hello World, yo!"}`, `{"message":"Hello World, yo!","WORD":"World","foo":"yo"}`, true},
		{"oniguruma named capture", `match => { "message" => "(?<foo>\w+)" }`, `{"message":"hello world"}`, `{"message":"hello world","foo":"hello"}`, true},
		{"named capture around patterns", `match => { "message" => "(?<timestamp>%{DATE_EU} %{TIME})" }`, `{"message":"fancy 12-12-12 12:12:12"}`, `{"message":"fancy 12-12-12 12:12:12","timestamp":"12-12-12 12:12:12"}`, true},
		{"integer subject", `match => { "status" => "^403$" }`, `{"status":403}`, `{"status":403}`, true},
		{"float subject", `match => { "version" => "^1.0$" }`, `{"version":1.0}`, `{"version":1.0}`, true},
		{"whole text", `match => { "message" => "%{DATE_EU:stimestamp}" }`, `{"message":"11/01/01"}`, `{"message":"11/01/01","stimestamp":"11/01/01"}`, true},
		{"dash in capture name", `match => { "message" => "%{WORD:foo-bar}" }`, `{"message":"hello world"}`, `{"message":"hello world","foo-bar":"hello"}`, true},
		{"duplicate names, word", `match => { "message" => "%{INT:foo}|%{WORD:foo}" }`, `{"message":"hello world"}`, `{"message":"hello world","foo":"hello"}`, true},
		{"duplicate names, int", `match => { "message" => "%{INT:foo}|%{WORD:foo}" }`, `{"message":"123 world"}`, `{"message":"123 world","foo":"123"}`, true},
		{"break_on_match default", `match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" }`, `{"message":"hello world 123","somefield":"testme abc 999"}`, `{"message":"hello world 123","somefield":"testme abc 999","foo":"123"}`, true},
		{"break_on_match false", `match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" } break_on_match => false`, `{"message":"hello world 123","somefield":"testme abc 999"}`, `{"message":"hello world 123","somefield":"testme abc 999","foo":"123","bar":"999"}`, true},
		{"array, one pattern, all match", `match => { "message" => "%{INT:foo}" } break_on_match => false`, `{"message":["hello world 123","line 23"]}`, `{"message":["hello world 123","line 23"],"foo":["123","23"]}`, true},
		{"array, one pattern, some match", `match => { "message" => "%{INT:foo}" } break_on_match => false`, `{"message":["hello world 123","abc"]}`, `{"message":["hello world 123","abc"],"foo":"123"}`, true},
		{"array, patterns, break", `match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] }`, `{"message":["hello world 123","line 23"]}`, `{"message":["hello world 123","line 23"],"foo":["123","23"]}`, true},
		{"array, patterns, break, partial", `match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] }`, `{"message":["hello world","line 23"]}`, `{"message":["hello world","line 23"],"bar":"hello","foo":"23"}`, true},
		{"array, patterns, no break", `match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] } break_on_match => false`, `{"message":["hello world 123","line 23"]}`, `{"message":["hello world 123","line 23"],"foo":["123","23"],"bar":["hello","line"]}`, true},
		{"array, patterns, no break, partial", `match => { "message" => ["%{INT:foo}", "%{WORD:bar}"] } break_on_match => false`, `{"message":["hello world","line 23"]}`, `{"message":["hello world","line 23"],"bar":["hello","line"],"foo":"23"}`, true},
		{"unicode", `match => { "message" => "<%{POSINT:syslog_pri}>%{SPACE}%{SYSLOGTIMESTAMP:syslog_timestamp} %{SYSLOGHOST:syslog_hostname} %{PROG:syslog_program}(:?)(?:\[%{GREEDYDATA:syslog_pid}\])?(:?) %{GREEDYDATA:syslog_message}" }`, `{"message":` + quote(unicodeLine) + `}`,
			`{"message":` + quote(unicodeLine) + `,"syslog_pri":"22","syslog_timestamp":"Jan  4 07:50:46","syslog_hostname":"mailmaster","syslog_program":"postfix/policy-spf","syslog_pid":"9454","syslog_message":": SPF permerror (Junk encountered in record 'v=spf1 mx a:mail.domain.no ip4:192.168.0.4 �all'): Envelope-from: email@domain.no"}`, true},
		{"coerced float", `match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" }`, `{"message":"test 28.4ms"}`, `{"message":"test 28.4ms","duration":28.4}`, true},
		{"coerced nil dropped", `match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" }`, `{"message":"test N/A"}`, `{"message":"test N/A"}`, true},
		{"coerced no match", `match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" }`, `{"message":"test abc"}`, `{"message":"test abc","tags":["_grokparsefailure"]}`, false},
		{"coerced nil kept", `match => { "message" => "test (N/A|%{BASE10NUM:duration:float}ms)" } keep_empty_captures => true`, `{"message":"test N/A"}`, `{"message":"test N/A","duration":null}`, true},
		{"no coercion", `match => { "message" => "test (N/A|%{BASE10NUM:duration}ms)" }`, `{"message":"test 28.4ms"}`, `{"message":"test 28.4ms","duration":"28.4"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, matched := run(t, "disabled", c.config, c.in)
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}

// TestGrokSpecLogLevels is the specification's %{LOGLEVEL} list.
func TestGrokSpecLogLevels(t *testing.T) {
	f := plugintest.Filter(t, `grok { match => { "message" => "%{LOGLEVEL:level}: error!" } }`, plugintest.ECS("disabled"))
	for _, level := range []string{"trace", "Trace", "TRACE", "debug", "Debug", "DEBUG", "notice", "Notice", "info", "Info", "INFO",
		"warn", "warning", "Warn", "Warning", "WARN", "WARNING", "err", "error", "Err", "Error", "ERR", "ERROR",
		"crit", "critical", "Crit", "Critical", "CRIT", "CRITICAL", "fatal", "Fatal", "FATAL", "severe", "Severe", "SEVERE",
		"emerg", "emergency", "Emerg", "Emergency", "EMERG", "EMERGENCY"} {
		e := plugintest.Event(t, `{"message":"`+level+`: error!"}`)
		if matched, _ := f.Call(e); !matched {
			t.Errorf("%s: no match", level)
		}
		if v, _ := e.Get("level"); v != level {
			t.Errorf("%s: level = %v", level, v)
		}
	}
}
