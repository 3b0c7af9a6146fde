package cef

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The expectations follow the cef codec's documentation and its spec
// (logstash-codec-cef 6.2.8, spec/codecs/cef_spec.rb): header escapes,
// extension values with spaces, key expansion per ECS mode, timestamp
// normalization, and the failure event.
func TestDecode(t *testing.T) {
	cases := []struct {
		name, ecs string
		opts      map[string]string
		in, want  string
	}{
		{"CEF names", "disabled", nil,
			`CEF:0|Security|threatmanager|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232`,
			`{"cefVersion":"0","deviceVendor":"Security","deviceProduct":"threatmanager","deviceVersion":"1.0","deviceEventClassId":"100","name":"worm stopped","severity":"10","sourceAddress":"10.0.0.1","destinationAddress":"2.1.2.2","sourcePort":"1232"}`},
		{"escaped pipes and backslashes in the header", "disabled", nil,
			`CEF:0|a\|b|c\\d|1|2|n|3|`,
			`{"cefVersion":"0","deviceVendor":"a|b","deviceProduct":"c\\d","deviceVersion":"1","deviceEventClassId":"2","name":"n","severity":"3"}`},
		{"an escaped last pipe ends the header after all", "disabled", nil,
			`CEF:0|a|b|c|d|e|f\|`,
			`{"cefVersion":"0","deviceVendor":"a","deviceProduct":"b","deviceVersion":"c","deviceEventClassId":"d","name":"e","severity":"f\\"}`},
		{"syslog prefix, spaces in values, escapes", "disabled", nil,
			`Jun 1 host CEF:1|V|P|1|2|n|3|act=blo\=cked it msg=line\nnext\\x cs1Label=my label`,
			`{"cefVersion":"1","deviceVendor":"V","deviceProduct":"P","deviceVersion":"1","deviceEventClassId":"2","name":"n","severity":"3","syslog":"Jun 1 host","deviceAction":"blo=cked it","message":"line\nnext\\x","deviceCustomString1Label":"my label"}`},
		{"quoted payload, dotted and indexed keys", "disabled", nil,
			`"CEF:0|V|P|1|2|n|3|ad.key.x=1 arr[2]=z"`,
			`{"cefVersion":"0","deviceVendor":"V","deviceProduct":"P","deviceVersion":"1","deviceEventClassId":"2","name":"n","severity":"3","ad.key.x":"1","arr":{"2":"z"}}`},
		{"ECS fields", "v8", nil,
			`CEF:0|V|P|1.0|sig|n|7|src=1.2.3.4 dvc=5.6.7.8 dvchost=fw1 cs2=val cs2Label=lab`,
			`{"cef":{"version":"0","name":"n","device_custom_string_2":{"value":"val","label":"lab"}},"observer":{"vendor":"V","product":"P","version":"1.0","ip":"5.6.7.8","hostname":"fw1"},"event":{"code":"sig","severity":"7"},"source":{"ip":"1.2.3.4"}}`},
		{"device => host", "v1", map[string]string{"device": "host"},
			`CEF:0|V|P|1.0|sig|n|7|dvc=5.6.7.8 dvchost=fw1 deviceExternalId=x`,
			`{"cef":{"version":"0","name":"n"},"observer":{"vendor":"V","product":"P","version":"1.0"},"event":{"code":"sig","severity":"7"},"host":{"ip":"5.6.7.8","name":"fw1","id":"x"}}`},
		{"ECS timestamps: millis, device zone, empty", "v8", nil,
			`CEF:0|V|P|1|2|n|3|rt=1568881570123.4567 dtz=Europe/Berlin end=Sep 19 2019 08:26:10.250 start= art=Jan 01 2020 00:00:00 UTC`,
			`{"@timestamp":"2019-09-19T08:26:10.123456700Z","cef":{"version":"0","name":"n"},"observer":{"vendor":"V","product":"P","version":"1"},"event":{"code":"2","severity":"3","created":"2020-01-01T00:00:00.000Z","end":"2019-09-19T06:26:10.250Z","start":null,"timezone":"Europe/Berlin"}}`},
		{"a year-less timestamp is in the recent past", "v8", map[string]string{"default_timezone": "UTC"},
			`CEF:0|V|P|1|2|n|3|end=Dec 31 23:00:00`,
			`{"cef":{"version":"0","name":"n"},"observer":{"vendor":"V","product":"P","version":"1"},"event":{"code":"2","severity":"3","end":"2025-12-31T23:00:00.000Z"}}`},
		{"raw data field", "disabled", map[string]string{"raw_data_field": "raw"},
			`CEF:0|V|P|1|2|n|3|`,
			`{"raw":"CEF:0|V|P|1|2|n|3|","cefVersion":"0","deviceVendor":"V","deviceProduct":"P","deviceVersion":"1","deviceEventClassId":"2","name":"n","severity":"3"}`},
		{"too few header fields", "disabled", nil, `CEF:0|V|P|1|`, `{"message":"CEF:0|V|P|1|","tags":["_cefparsefailure"]}`},
		{"keyless value", "disabled", nil, `CEF:0|V|P|1|2|n|3| junk src=1`, `{"message":"CEF:0|V|P|1|2|n|3| junk src=1","tags":["_cefparsefailure"]}`},
		{"bad timestamp", "v8", nil, `"CEF:0|V|P|1|2|n|3|rt=yesterday"`, `{"message":"CEF:0|V|P|1|2|n|3|rt=yesterday","tags":["_cefparsefailure"]}`},
		{"unescaped newline", "disabled", nil, "CEF:0|V|P|1|2|n|3|a=b\nc=d", `{"message":"CEF:0|V|P|1|2|n|3|a=b\nc=d","tags":["_cefparsefailure"]}`},
		{"invalid UTF-8", "disabled", nil, "CEF:0|V\xff|P|1|2|n|3|", "{\"message\":\"CEF:0|V\ufffd|P|1|2|n|3|\",\"tags\":[\"_cefparsefailure\"]}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codec := buildCodec(t, "cef", c.ecs, c.opts)
			codec.Plugin.(*Codec).timestamps.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
			got := codec.Decode(c.in)
			if len(got) != 1 {
				t.Fatalf("%d events", len(got))
			}
			got[0].Data().Delete("@version")
			if c.want[:14] != `{"@timestamp":` {
				got[0].Data().Delete("@timestamp")
			}
			if s := plugintest.JSON(got[0]); s != c.want {
				t.Errorf("got  %s\nwant %s", s, c.want)
			}
		})
	}
}

func TestDecodeDelimiterSplitsAndFlushes(t *testing.T) {
	codec := buildCodec(t, "cef", "disabled", map[string]string{"delimiter": `\r\n`})
	var names []string
	emit := func(e *event.Event) { v, _ := e.Get("name"); names = append(names, v.(string)) }
	codec.Plugin.Decode([]byte("CEF:0|V|P|1|2|one|3|\r"), emit)
	codec.Plugin.Decode([]byte("\nCEF:0|V|P|1|2|two|3|"), emit)
	if strings.Join(names, ",") != "one" {
		t.Fatalf("before flush: %v", names)
	}
	codec.Plugin.Flush(emit)
	if strings.Join(names, ",") != "one,two" {
		t.Fatalf("after flush: %v", names)
	}
}

func TestEncode(t *testing.T) {
	cases := []struct {
		name, ecs string
		opts      map[string]string
		event     string
		want      string
	}{
		{"defaults", "disabled", nil, `{"message":"hi"}`, "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|"},
		{"sprintf'd headers, escapes, full names", "disabled",
			map[string]string{"vendor": "%{v}", "product": "%{missing}x", "name": "", "severity": "%{sev}", "fields": "sourceAddress"},
			`{"v":"a|b\\c\nd","sev":"10.0","sourceAddress":"1.2.3.4"}`,
			`CEF:0|a\|b\\c d|%{missing}x|1.0|Logstash|Logstash|10|sourceAddress=1.2.3.4`},
		{"reverse mapping of ECS fields, values escaped", "v8",
			map[string]string{"reverse_mapping": "true", "fields": "[source][ip]", "severity": "1e1", "delimiter": `\n`},
			`{"source":{"ip":"1.2.3.4"}}`, "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|1|src=1.2.3.4\n"},
		{"bad severity", "disabled", map[string]string{"severity": "11"}, `{}`, "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codec := buildCodec(t, "cef", c.ecs, c.opts)
			e := event.NewEventFromMap(mustMap(t, c.event))
			if got := string(codec.Plugin.Encode(nil, e)); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestEncodeValues(t *testing.T) {
	codec := buildCodec(t, "cef", "disabled", nil)
	c := codec.Plugin.(*Codec)
	c.fields = []string{"msg", "list", "n", "f", "ts", "gone"}
	c.fieldRefs = nil
	for _, f := range c.fields {
		r := event.MustFieldRef(f)
		c.fieldRefs = append(c.fieldRefs, &r)
	}
	e := event.NewEventFromMap(mustMap(t, `{"msg":"a=b\r\nc\\d","list":["x=1",2],"n":5,"f":1.5e20,"ts":"x"}`))
	ts, _ := event.ParseTimestamp("2020-01-01T00:00:00.5Z")
	e.Data().Set("ts", ts)
	want := `CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|msg=a\=b\nc\\d list=["x\=1",2] n=5 f=1.5e+20 ts=2020-01-01T00:00:00.500Z`
	if got := string(codec.Plugin.Encode(nil, e)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func mustMap(t *testing.T, s string) *event.Map {
	t.Helper()
	v, err := event.DecodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*event.Map)
}

// codecText is the codec block with string options, in key order.
func codecText(name string, opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + plugintest.Quote(opts[k]))
	}
	b.WriteString(" }")
	return b.String()
}

func buildCodec(t *testing.T, name, ecs string, opts map[string]string) *plugintest.BuiltCodec {
	t.Helper()
	return plugintest.Codec(t, codecText(name, opts), plugintest.ECS(ecs))
}
