package ruby

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// snippetFilter runs, on each event, the Ruby code in its
// [@metadata][code]: one worker serves every case of a table.
func snippetFilter(t *testing.T) *Filter {
	return build(t, `code => 'eval(event.remove("[@metadata][code]"))' tag_with_exception_message => true`).(*Filter)
}

// snippetEvent is the event of JSON text, carrying code for snippetFilter.
func snippetEvent(t *testing.T, json, code string) *event.Event {
	e := plugintest.Event(t, json)
	e.Set("[@metadata][code]", code)
	return e
}

// The Event API as Logstash's JRuby extension defines it, seen from code
// run by the worker. Each case runs code on the event
// {"message":"hello","a":{"b":1},"l":[1,2,3],"n":null} stamped
// 2026-01-02T03:04:05.678Z, and checks the data that comes back (without
// @timestamp and @version).
func TestEventAPI(t *testing.T) {
	const in = `{"message":"hello","a":{"b":1},"l":[1,2,3],"n":null}`
	const base = `"message":"hello","a":{"b":1},"l":[1,2,3],"n":null`
	cases := []struct {
		name, code, want string
	}{
		{"get nested", `event.set("r", event.get("[a][b]"))`, `{` + base + `,"r":1}`},
		{"get a list element from the end", `event.set("r", event.get("[l][-1]"))`, `{` + base + `,"r":3}`},
		{"get missing", `event.set("r", event.get("[nope][x]").inspect)`, `{` + base + `,"r":"nil"}`},
		{"set makes the levels", `event.set("[x][y][z]", 1)`, `{` + base + `,"x":{"y":{"z":1}}}`},
		{"set past a list's end pads it", `event.set("[l][5]", 9)`, `{"message":"hello","a":{"b":1},"l":[1,2,3,null,null,9],"n":null}`},
		{"set returns the value", `event.set("r", event.set("s", "v"))`, `{` + base + `,"s":"v","r":"v"}`},
		{"remove returns the value", `event.set("r", event.remove("[a][b]"))`, `{"message":"hello","a":{},"l":[1,2,3],"n":null,"r":1}`},
		{"remove a list element", `event.remove("[l][0]")`, `{"message":"hello","a":{"b":1},"l":[2,3],"n":null}`},
		{"include?", `event.set("r", [event.include?("a"), event.include?("n"), event.include?("nope"), event.include?("[@metadata]")])`, `{` + base + `,"r":[true,true,false,true]}`},
		{"tag once", `event.tag("x"); event.tag("x"); event.tag("y")`, `{` + base + `,"tags":["x","y"]}`},
		{"cancelled?", `event.set("r", [event.cancelled?, event.cancel, event.uncancel, event.cancelled?])`, `{` + base + `,"r":[false,true,false,false]}`},
		{"clone is a copy", `c = event.clone; c.set("message", "changed"); event.set("r", c.get("message"))`, `{` + base + `,"r":"changed"}`},
		{"get gives a copy of collections", `event.get("a")["b"] = 2; event.set("r", event.get("[a][b]"))`, `{` + base + `,"r":1}`},
		{"set copies collections", `h = {"k" => 1}; event.set("h", h); h["k"] = 2`, `{` + base + `,"h":{"k":1}}`},
		{"symbols become strings", `event.set("r", {:k => :v})`, `{` + base + `,"r":{"k":"v"}}`},
		{"metadata", `event.set("[@metadata][m]", 1); event.set("r", [event.get("[@metadata][m]"), event.to_hash.key?("@metadata"), event.to_hash_with_metadata["@metadata"]])`, `{` + base + `,"r":[1,false,{"m":1}]}`},
		{"to_hash", `event.set("r", event.to_hash.keys)`, `{` + base + `,"r":["@version","message","a","l","n","@timestamp"]}`},
		{"timestamp", `t = event.timestamp; event.set("r", [t.to_s, t.to_i, t.to_f, t.usec, t.nsec, t.year, t.class.name])`, `{` + base + `,"r":["2026-01-02T03:04:05.678Z",1767323045,1.767323045678E9,678000,678000000,2026,"LogStash::Timestamp"]}`},
		{"timestamp=", `event.timestamp = LogStash::Timestamp.at(1, 500); event.set("r", event.get("@timestamp").to_s)`, `{` + base + `,"r":"1970-01-01T00:00:01.000500Z"}`},
		{"a Time is set as a timestamp", `event.set("r", Time.at(0).utc); event.set("c", event.get("r").class.name)`, `{` + base + `,"r":"1970-01-01T00:00:00.000Z","c":"LogStash::Timestamp"}`},
		{"timestamp arithmetic", `event.set("r", (event.timestamp + 60).utc.iso8601(3))`, `{` + base + `,"r":"2026-01-02T03:05:05.678Z"}`},
		{"parse_iso8601", `event.set("r", LogStash::Timestamp.parse_iso8601("2020-01-01T00:00:00.123456Z").nsec)`, `{` + base + `,"r":123456000}`},
		{"sprintf", `event.set("r", event.sprintf("%{message} %{[a][b]} %{l} %{+YYYY.MM.dd}"))`, `{` + base + `,"r":"hello 1 1,2,3 2026.01.02"}`},
		{"to_json", `event.set("r", event.to_json)`, `{` + base + `,"r":"{\"@version\":\"1\",\"message\":\"hello\",\"a\":{\"b\":1},\"l\":[1,2,3],\"n\":null,\"@timestamp\":\"2026-01-02T03:04:05.678Z\"}"}`},
		{"to_s", `event.set("r", event.to_s)`, `{` + base + `,"r":"2026-01-02T03:04:05.678Z %{host} hello"}`},
		{"new event", `e = LogStash::Event.new("x" => 1, "@timestamp" => "2020-01-01T00:00:00Z"); event.set("r", [e.timestamp.to_s, e.get("@version"), e.to_hash.keys])`, `{` + base + `,"r":["2020-01-01T00:00:00.000Z","1",["@version","x","@timestamp"]]}`},
		{"new event with a bad timestamp", `e = LogStash::Event.new("@timestamp" => "nope"); event.set("r", [e.get("tags"), e.get("_@timestamp")])`, `{` + base + `,"r":[["_timestampparsefailure"],"nope"]}`},
		{"new event with bad tags", `e = LogStash::Event.new("tags" => {"a" => 1}); event.set("r", [e.get("tags"), e.get("_tags")])`, `{` + base + `,"r":[["_tagsparsefailure"],[{"a":1}]]}`},
		{"from_json", `es = LogStash::Event.from_json('[{"a":1.5},{"b":"x"}]'); event.set("r", es.map { |e| e.to_hash.reject { |k, _| k.start_with?("@") } })`, `{` + base + `,"r":[{"a":1.5},{"b":"x"}]}`},
		{"big integers", `event.set("r", [2**100, -(2**64)])`, `{` + base + `,"r":[1267650600228229401496703205376,-18446744073709551616]}`},
		{"BigDecimal", `event.set("r", BigDecimal("1.50") * 3)`, `{` + base + `,"r":4.5}`},
		{"binary strings keep their bytes", `event.set("r", "\xff\x01".b.bytes)`, `{` + base + `,"r":[255,1]}`},
		{"overwrite", `e = LogStash::Event.new("z" => 1); event.overwrite(e)`, `{"z":1}`},
		// The event comes back as its changes; the fields end in Ruby's order.
		{"new fields go last in the order first set", `event.set("z", 1); event.set("y", 2); event.set("z", 3)`, `{` + base + `,"z":3,"y":2}`},
		{"a rewritten field keeps its place", `event.set("a", 2)`, `{"message":"hello","a":2,"l":[1,2,3],"n":null}`},
		{"remove a field", `event.remove("a")`, `{"message":"hello","l":[1,2,3],"n":null}`},
		{"remove a missing field", `event.remove("nope")`, `{` + base + `}`},
		{"removed then set goes last", `event.remove("message"); event.set("x", 1); event.set("message", "again")`, `{"a":{"b":1},"l":[1,2,3],"n":null,"x":1,"message":"again"}`},
		{"set then removed", `event.set("x", 1); event.remove("x")`, `{` + base + `}`},
		{"tag a read event", `event.get("message"); event.tag("t")`, `{` + base + `,"tags":["t"]}`},
		{"replace the metadata", `event.set("[@metadata]", {"k" => 1}); event.set("r", event.get("[@metadata]"))`, `{` + base + `,"r":{"k":1}}`},
	}
	f := snippetFilter(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runBatch(f, []*event.Event{snippetEvent(t, in, c.code)})
			if len(out) != 1 {
				t.Fatalf("%d events came out", len(out))
			}
			if got := plugintest.Data(out[0]); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// Calls Logstash refuses raise, and the event is tagged as Logstash tags it.
func TestEventAPIErrors(t *testing.T) {
	cases := []struct {
		name, code, message string
	}{
		{"brackets", `event["message"]`, "Direct event field references (i.e. event['field']) have been disabled in favor of using event get and set methods (e.g. event.get('field')). Please consult the Logstash 5.0 breaking changes documentation for more details."},
		{"brackets set", `event["message"] = 1`, "Direct event field references (i.e. event['field'] = 'value') have been disabled in favor of using event get and set methods (e.g. event.set('field', 'value')). Please consult the Logstash 5.0 breaking changes documentation for more details."},
		{"bad reference", `event.get("[a")`, "Invalid FieldReference: `[a`"},
		{"@timestamp takes a Timestamp", `event.set("@timestamp", "x")`, "wrong argument type String (expected LogStash::Timestamp)"},
		{"timestamp= takes a Timestamp", `event.timestamp = 1`, "wrong argument type Integer (expected LogStash::Timestamp)"},
		{"tags take strings", `event.set("tags", 1)`, "Could not set the reserved tags field '[tags]' to value '1'. The tags field only accepts string or array of string."},
		{"nothing under tags", `event.set("[tags][0]", "x")`, "Could not set the reserved tags field '[tags][0]' to value 'x'. The tags field only accepts string or array of string."},
		{"under a scalar", `event.set("[message][x]", 1)`, "Could not set field 'x' on object 'hello' to value '1'.This is probably due to trying to set a field like [foo][bar] = someValue when [foo] is not either a map or a string"},
		{"objects events cannot hold", `event.set("r", Object.new)`, "Missing Converter handling for full class name=Object, simple name=Object"},
	}
	f := snippetFilter(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runBatch(f, []*event.Event{snippetEvent(t, `{"message":"hello"}`, c.code)})
			want := `{"message":"hello","tags":["_rubyexception: ` + c.message + `","_rubyexception"]}`
			if got := plugintest.Data(out[0]); got != string(event.AppendJSON(nil, mustJSON(t, want))) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := event.DecodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}
