package grok

import (
	"encoding/json"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Real log lines and the fields logstash-patterns-core's own specification
// expects from them (spec/patterns/*_spec.rb), for both pattern sets.
func TestCorePatternSamples(t *testing.T) {
	const httpd24 = "[Mon Aug 31 09:30:48.958285 2015] [proxy_fcgi:error] [pid 28787:tid 140169587934976] (70008)Partial results are valid but processing is incomplete: [client 58.13.45.166:59307] AH01075: Error dispatching request to : (reading input brigade), referer: http://example.com/index.php?id_product=11&controller=product"
	const ansible = "May 11 15:40:51 meow.soy.se ansible-<stdin>: Invoked with filter=* fact_path=/etc/ansible/facts.d"
	cases := []struct {
		pattern, ecs, message string
		want                  string   // JSON object: each key must equal
		absent                []string // keys that must not be set
	}{
		{"HTTPD_COMBINEDLOG", "disabled", `10.0.0.1 - username@example.com [07/Apr/2016:18:42:24 +0000] "GET /bar/foo/users/1/username%40example.com/authenticate?token=blargh&client_id=15 HTTP/1.1" 400 75 "" "Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13E238 Safari/601.1"`,
			`{"auth":"username@example.com"}`, nil},
		{"HTTPD_COMBINEDLOG", "v1", `10.0.0.1 - username@example.com [07/Apr/2016:18:42:24 +0000] "GET /bar/foo/users/1/username%40example.com/authenticate?token=blargh&client_id=15 HTTP/1.1" 400 75 "" "Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13E238 Safari/601.1"`,
			`{"user":{"name":"username@example.com"}}`, nil},
		{"HTTPD_COMBINEDLOG", "disabled", `83.149.9.216 - a.user [11/Jan/2020:23:05:27 +0100] "OPTIONS /remote.php/ HTTP/1.1" - 7908 "-" "monitoring-client (v2.2)"`,
			`{"verb":"OPTIONS","request":"/remote.php/","httpversion":"1.1","bytes":"7908"}`, []string{"response"}},
		{"HTTPD_COMBINEDLOG", "v1", `83.149.9.216 - a.user [11/Jan/2020:23:05:27 +0100] "OPTIONS /remote.php/ HTTP/1.1" - 7908 "-" "monitoring-client (v2.2)"`,
			`{"http":{"request":{"method":"OPTIONS"},"version":"1.1","response":{"body":{"bytes":7908}}},"url":{"original":"/remote.php/"},"user_agent":{"original":"monitoring-client (v2.2)"}}`, nil},
		{"HTTPD_ERRORLOG", "disabled", httpd24,
			`{"timestamp":"Mon Aug 31 09:30:48.958285 2015","module":"proxy_fcgi","loglevel":"error","pid":"28787","tid":"140169587934976","proxy_errorcode":"70008","proxy_message":"Partial results are valid but processing is incomplete","clientip":"58.13.45.166","clientport":"59307","errorcode":"AH01075","message":[` + quote(httpd24) + `,"Error dispatching request to : (reading input brigade), referer: http://example.com/index.php?id_product=11&controller=product"]}`, nil},
		{"HTTPD_ERRORLOG", "v1", httpd24,
			`{"timestamp":"Mon Aug 31 09:30:48.958285 2015","log":{"level":"error"},"process":{"pid":28787,"thread":{"id":140169587934976}},"source":{"address":"58.13.45.166","port":59307},"error":{"code":"AH01075"},"apache":{"error":{"module":"proxy_fcgi","proxy":{"error":{"code":"70008","message":"Partial results are valid but processing is incomplete"}}}}}`, nil},
		{"SYSLOGLINE", "disabled", "May 11 15:17:02 meow.soy.se CRON[10973]: pam_unix(cron:session): session opened for user root by (uid=0)", `{"pid":"10973","program":"CRON"}`, nil},
		{"SYSLOGLINE", "v1", "May 11 15:17:02 meow.soy.se CRON[10973]: pam_unix(cron:session): session opened for user root by (uid=0)", `{"process":{"name":"CRON","pid":10973}}`, nil},
		{"SYSLOGLINE", "disabled", ansible, `{"timestamp":"May 11 15:40:51","logsource":"meow.soy.se","message":[` + quote(ansible) + `,"Invoked with filter=* fact_path=/etc/ansible/facts.d"]}`, nil},
		{"SYSLOGLINE", "v1", ansible, `{"timestamp":"May 11 15:40:51","process":{"name":"ansible-<stdin>"},"host":{"hostname":"meow.soy.se"}}`, nil},
		{"SYSLOGLINE", "v1", "Jan 11 22:33:44 su: 'su root' failed for luser on /dev/pts/8", `{"process":{"name":"su"}}`, nil},
		{"JAVASTACKTRACEPART", "disabled", "  at com.sample.stacktrace.StackTraceExample.aMethod(StackTraceExample.java:42)", `{"method":"aMethod","class":"com.sample.stacktrace.StackTraceExample","file":"StackTraceExample.java","line":"42"}`, nil},
		{"JAVASTACKTRACEPART", "v1", "  at com.sample.stacktrace.StackTraceExample.aMethod(StackTraceExample.java:42)", `{"log":{"origin":{"function":"aMethod","file":{"name":"StackTraceExample.java","line":42}}},"java":{"log":{"origin":{"class":{"name":"com.sample.stacktrace.StackTraceExample"}}}}}`, nil},
		{"JAVASTACKTRACEPART", "disabled", "  at org.jruby.RubyMethod$INVOKER$i$call.call(RubyMethod$INVOKER$i$call.gen)", `{"method":"call","class":"org.jruby.RubyMethod$INVOKER$i$call","file":"RubyMethod$INVOKER$i$call.gen"}`, nil},
		{"CATALINALOG", "disabled", "Dec 30, 2020 11:30:40 AM org.apache.struts.util.PropertyMessageResources <init>\nINFO: Initializing, config='org.apache.struts.util.LocalStrings', returnNull=true",
			`{"timestamp":"Dec 30, 2020 11:30:40 AM","class":"org.apache.struts.util.PropertyMessageResources","logmessage":"<init>\nINFO: Initializing, config='org.apache.struts.util.LocalStrings', returnNull=true"}`, nil},
		{"CATALINALOG", "v1", "Jul 30, 2020 3:00:21 PM org.apache.coyote.http11.Http11Protocol init\nINFO: Initializing Coyote HTTP/1.1 on http-8080",
			`{"timestamp":"Jul 30, 2020 3:00:21 PM","java":{"log":{"origin":{"class":{"name":"org.apache.coyote.http11.Http11Protocol"}}}},"log":{"level":"INFO","origin":{"function":"init"}}}`, nil},
	}
	for _, c := range cases {
		t.Run(c.pattern+"/"+c.ecs, func(t *testing.T) {
			f := plugintest.Filter(t, `grok { match => { "message" => "%{`+c.pattern+`}" } }`, plugintest.ECS(c.ecs))
			e := event.NewEvent()
			e.Data().Set("message", c.message)
			if matched, _ := f.Call(e); !matched {
				t.Fatalf("no match: %s", plugintest.Data(e))
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(c.want), &want); err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				got, _ := e.Get(k)
				if canon(event.AppendJSON(nil, got)) != canonValue(v) {
					t.Errorf("%s = %s, want %s", k, event.AppendJSON(nil, got), canonValue(v))
				}
			}
			for _, k := range c.absent {
				if e.Includes(k) {
					t.Errorf("%s should not be captured", k)
				}
			}
		})
	}
}

func quote(s string) string { return string(event.AppendJSONString(nil, s)) }

// canon re-encodes JSON with sorted keys, so key order does not matter.
func canon(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "invalid JSON: " + string(b)
	}
	return canonValue(v)
}

func canonValue(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}
