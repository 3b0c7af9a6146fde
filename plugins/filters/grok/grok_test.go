package grok

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

const apacheLine = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`

// run builds grok with the options in config and returns what it makes of
// the event, and whether it matched.
func run(t *testing.T, ecs string, config string, event string) (string, bool) {
	t.Helper()
	f := plugintest.Filter(t, "grok { "+config+" }", plugintest.ECS(ecs))
	e := plugintest.Event(t, event)
	matched, _ := f.Call(e)
	return plugintest.Data(e), matched
}

func jsonString(s string) string { return string(event.AppendJSONString(nil, s)) }

func TestGrok(t *testing.T) {
	cases := []struct {
		name    string
		ecs     string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"apache combined legacy", "disabled", `match => { "message" => "%{COMBINEDAPACHELOG}" }`, `{"message":` + jsonString(apacheLine) + `}`,
			`{"message":` + jsonString(apacheLine) + `,"clientip":"83.149.9.216","ident":"-","auth":"-","timestamp":"17/May/2015:10:05:03 +0000","verb":"GET","request":"/presentations/logstash-monitorama-2013/images/kibana-search.png","httpversion":"1.1","response":"200","bytes":"203023","referrer":"\"http://semicomplete.com/presentations/logstash-monitorama-2013/\"","agent":"\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\""}`, true},
		{"apache combined ecs", "v8", `match => { "message" => "%{COMBINEDAPACHELOG}" }`, `{"message":` + jsonString(apacheLine) + `}`,
			`{"message":` + jsonString(apacheLine) + `,"source":{"address":"83.149.9.216"},"timestamp":"17/May/2015:10:05:03 +0000","http":{"request":{"method":"GET","referrer":"http://semicomplete.com/presentations/logstash-monitorama-2013/"},"version":"1.1","response":{"status_code":200,"body":{"bytes":203023}}},"url":{"original":"/presentations/logstash-monitorama-2013/images/kibana-search.png"},"user_agent":{"original":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}}`, true},
		{"syslog legacy", "disabled", `match => { "message" => "%{SYSLOGLINE}" }`, `{"message":"Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]"}`,
			`{"message":["Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]","connect from camomile.cloud9.net[168.100.1.3]"],"timestamp":"Mar 16 00:01:25","logsource":"evita","program":"postfix/smtpd","pid":"1713"}`, true},
		{"syslog ecs", "v1", `match => { "message" => "%{SYSLOGLINE}" } overwrite => ["message"]`, `{"message":"Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]"}`,
			`{"message":"connect from camomile.cloud9.net[168.100.1.3]","timestamp":"Mar 16 00:01:25","host":{"hostname":"evita"},"process":{"name":"postfix/smtpd","pid":1713}}`, true},
		{"java stack trace line", "disabled", `match => { "message" => "%{JAVASTACKTRACEPART}" }`, `{"message":"  at org.elasticsearch.action.search.Foo.bar(Foo.java:123)"}`,
			`{"message":"  at org.elasticsearch.action.search.Foo.bar(Foo.java:123)","class":"org.elasticsearch.action.search.Foo","method":"bar","file":"Foo.java","line":"123"}`, true},
		{"typed and nested captures", "disabled", `match => { "message" => "%{NUMBER:[n][i]:int} %{NUMBER:f:float} %{WORD:w:other}" }`, `{"message":"12.5 3 x"}`,
			`{"message":"12.5 3 x","n":{"i":12},"f":3.0,"w":"x"}`, true},
		{"no match tags", "disabled", `match => { "message" => "%{INT:x}" }`, `{"message":"abc","tags":["_grokparsefailure"]}`, `{"message":"abc","tags":["_grokparsefailure"]}`, false},
		{"empty match always fails", "disabled", ``, `{"message":"abc"}`, `{"message":"abc","tags":["_grokparsefailure"]}`, false},
		{"missing field is empty string", "disabled", `match => { "nope" => "^%{DATA:x}$" }`, `{"message":"abc"}`, `{"message":"abc"}`, true},
		{"keep empty captures", "disabled", `match => { "nope" => "^%{DATA:x}$" } keep_empty_captures => true`, `{"message":"abc"}`, `{"message":"abc","x":""}`, true},
		{"append to existing string then array", "disabled", `match => { "message" => "%{WORD:a} %{WORD:a}" }`, `{"message":"x y","a":"z"}`, `{"message":"x y","a":["z","x","y"]}`, true},
		{"number not overwritten without overwrite", "disabled", `match => { "message" => "%{INT:n}" }`, `{"message":"5","n":1}`, `{"message":"5","n":1}`, true},
		{"overwrite", "disabled", `match => { "message" => "%{INT:n}" } overwrite => ["n"]`, `{"message":"5","n":1}`, `{"message":"5","n":"5"}`, true},
		{"target wraps bare name", "disabled", `match => { "message" => "%{WORD:a} %{WORD:[b][c]}" } target => "t"`, `{"message":"x y"}`, `{"message":"x y","t":{"a":"x","b":{"c":"y"}}}`, true},
		{"break_on_match stops at first pattern", "disabled", `match => { "message" => ["%{WORD:a}", "%{WORD:b}"] }`, `{"message":"x"}`, `{"message":"x","a":"x"}`, true},
		{"break_on_match false tries all", "disabled", `match => { "message" => ["%{WORD:a}", "%{WORD:b}"] "other" => "%{INT:c}" } break_on_match => false`, `{"message":"x","other":"7"}`, `{"message":"x","other":"7","a":"x","b":"x","c":"7"}`, true},
		{"named_captures_only false", "disabled", `match => { "message" => "%{WORD} %{INT:n}" } named_captures_only => false`, `{"message":"ab 12"}`, `{"message":"ab 12","WORD":"ab","n":"12"}`, true},
		{"inline pattern and raw group", "disabled", `match => { "message" => "%{FOO:f} (?<raw>\d+) %{BAR:b=z+}" } pattern_definitions => { "FOO" => "[a-c]+" }`, `{"message":"abc 42 zzz"}`, `{"message":"abc 42 zzz","f":"abc","raw":"42","b":"zzz"}`, true},
		{"array field: a number is not appended to", "disabled", `match => { "message" => "%{INT:n:int}" }`, `{"message":["a","1","2"]}`, `{"message":["a","1","2"],"n":1}`, true},
		{"ruby to_i leniency", "disabled", `match => { "message" => "(?<n:x:int>.*)" }`, `{"message":" 1_000abc"}`, `{"message":" 1_000abc","x":1000}`, true},
		{"uri port nested capture legacy", "disabled", `match => { "message" => "%{URI:url}" }`, `{"message":"http://example.com:8080/a?b=1"}`, `{"message":"http://example.com:8080/a?b=1","url":"http://example.com:8080/a?b=1","port":"8080"}`, true},
		{"dot matches newline", "disabled", `match => { "message" => "^%{WORD:a}.%{GREEDYDATA:rest}" }`, `{"message":"x\ny\nz"}`, `{"message":"x\ny\nz","a":"x","rest":"y\nz"}`, true},
		{"line anchors", "disabled", `match => { "message" => "^%{INT:n}$" }`, `{"message":"x\n12\ny"}`, `{"message":"x\n12\ny","n":"12"}`, true},
		{"capture into an invalid field reference counts as no match", "disabled", `match => { "message" => "(?<[a>\w+)" }`, `{"message":"x"}`, `{"message":"x","tags":["_grokparsefailure"]}`, false},
		{"custom failure tags", "disabled", `match => { "message" => "%{INT:x}" } tag_on_failure => ["a", "b"]`, `{"message":"q"}`, `{"message":"q","tags":["a","b"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, matched := run(t, c.ecs, c.config, c.in)
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}

func TestGrokTimeout(t *testing.T) {
	got, matched := run(t, "disabled", `match => { "message" => "^(?<w>a+)+$" } timeout_millis => 20`, `{"message":"`+strings.Repeat("a", 40)+`!"}`)
	if matched || got != `{"message":"`+strings.Repeat("a", 40)+`!","tags":["_groktimeout"]}` {
		t.Errorf("got %s matched=%v", got, matched)
	}
}

func TestGrokPatternsDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("# comment\n  MYNUM \\d{3}\nEMPTY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other"), []byte("MYNUM \\d{2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := run(t, "disabled", `match => { "message" => "%{MYNUM:n}" } patterns_dir => [`+plugintest.Quote(dir)+`] patterns_files_glob => "*.txt"`, `{"message":"12345"}`)
	if got != `{"message":"12345","n":"123"}` {
		t.Errorf("got %s", got)
	}
	got, _ = run(t, "disabled", `match => { "message" => "%{MYNUM:n}" } patterns_dir => [`+plugintest.Quote(dir)+`] pattern_definitions => { "MYNUM" => "\d" }`, `{"message":"12345"}`)
	if got != `{"message":"12345","n":"1"}` {
		t.Errorf("pattern_definitions should win: got %s", got)
	}
}

func TestGrokConfigErrors(t *testing.T) {
	cases := []struct {
		config string
		want   string
	}{
		{`match => { "message" => "%{NOPE:x}" }`, "pattern %{NOPE:x} not defined"},
		{`match => { "message" => "%{A}" } pattern_definitions => { "A" => "%{A}" }`, "Deep recursion pattern compilation"},
		{`match => { "message" => "(unclosed" }`, "invalid regular expression"},
		{`timeout_scope => "forever"`, "Expected one of"},
	}
	for _, c := range cases {
		_, err := plugintest.TryFilter(t, "grok { "+c.config+" }", plugintest.ECS("disabled"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}

func TestGrokBackReference(t *testing.T) {
	// A config string cannot hold both quotes; \" keeps its backslash
	// (escapes are off), which the regex reads as a plain ".
	got, matched := run(t, "disabled", `match => { "message" => "(?<q>[\"'])%{WORD:w}\k<q>" }`, `{"message":"say 'hi' now"}`)
	if !matched || got != `{"message":"say 'hi' now","q":"'","w":"hi"}` {
		t.Errorf("got %s matched=%v", got, matched)
	}
}

// TestRegexp2Fallbacks covers the texts the onigmo matcher hands to regexp2:
// text that is not valid UTF-8 (each bad byte reads as U+FFFD, as before),
// and a repeat nested deeper than the goroutine stack should hold.
func TestRegexp2Fallbacks(t *testing.T) {
	cases := []struct{ pattern, in, field, want string }{
		{"%{WORD:w} %{GREEDYDATA:rest}", "caf\xe9 x \xff", "rest", "\uFFFD"},
		{"^(?<all>(?:%{WORD} )*)$", strings.Repeat("ab ", 30000), "all", strings.Repeat("ab ", 30000)},
	}
	for _, c := range cases {
		g := plugintest.Filter(t, `grok { match => { "message" => "`+c.pattern+`" } }`)
		e := event.NewEvent()
		e.Data().Set("message", c.in)
		if matched, _ := g.Call(e); !matched {
			t.Fatalf("%s: no match", c.pattern)
		}
		if got, _ := e.Get(c.field); got != c.want {
			t.Errorf("%s: %s = %.40q, want %.40q", c.pattern, c.field, got, c.want)
		}
	}
}
