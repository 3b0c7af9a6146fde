package netflow

import (
	"encoding/binary"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// v9Packet is a NetFlow v9 packet of the given flowsets, exported at
// 2023-11-14T22:13:20Z with the device up for 10 seconds.
func v9Packet(sourceID uint32, sets ...[]byte) []byte {
	p := binary.BigEndian.AppendUint16(nil, 9)
	p = binary.BigEndian.AppendUint16(p, uint16(len(sets)))
	p = binary.BigEndian.AppendUint32(p, 10_000)
	p = binary.BigEndian.AppendUint32(p, 1_700_000_000)
	p = binary.BigEndian.AppendUint32(p, 7)
	p = binary.BigEndian.AppendUint32(p, sourceID)
	for _, s := range sets {
		p = append(p, s...)
	}
	return p
}

// ipfixPacket is an IPFIX message of the given sets.
func ipfixPacket(domain uint32, sets ...[]byte) []byte {
	var body []byte
	for _, s := range sets {
		body = append(body, s...)
	}
	p := binary.BigEndian.AppendUint16(nil, 10)
	p = binary.BigEndian.AppendUint16(p, uint16(16+len(body)))
	p = binary.BigEndian.AppendUint32(p, 1_700_000_000)
	p = binary.BigEndian.AppendUint32(p, 1)
	p = binary.BigEndian.AppendUint32(p, domain)
	return append(p, body...)
}

// set is a flowset: id, length, body.
func set(id uint16, body ...[]byte) []byte {
	var b []byte
	for _, x := range body {
		b = append(b, x...)
	}
	s := binary.BigEndian.AppendUint16(nil, id)
	s = binary.BigEndian.AppendUint16(s, uint16(4+len(b)))
	return append(s, b...)
}

// tmpl is a v9 template record: id, field count, (type, length) pairs.
func tmpl(id uint16, fields ...uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(len(fields)/2))
	for _, v := range fields {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// ipfixTmpl is an IPFIX template record: id, field count, then (type,
// length) pairs, an enterprise field's enterprise number after its pair.
func ipfixTmpl(id uint16, fields ...uint32) []byte {
	var body []byte
	n := 0
	for i := 0; i < len(fields); i += 2 {
		n++
		body = binary.BigEndian.AppendUint16(body, uint16(fields[i]))
		body = binary.BigEndian.AppendUint16(body, uint16(fields[i+1]))
		if fields[i]&0x8000 != 0 {
			body = binary.BigEndian.AppendUint32(body, fields[i+2])
			i++
		}
	}
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	return append(b, body...)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func codec(t testing.TB, options string) (*Codec, *plugintest.Logs) {
	t.Helper()
	b := plugintest.Codec(t, "netflow { "+options+" }")
	return b.Plugin.(*Codec), b.Logs
}

func decodeFrom(c *Codec, exporter string, packets ...[]byte) []*event.Event {
	var events []*event.Event
	for _, p := range packets {
		c.DecodeFrom(p, exporter, func(e *event.Event) { events = append(events, e) })
	}
	return events
}

// A v9 template of in_bytes (4 bytes), ipv4_src_addr and l4_src_port.
var (
	simpleTemplate = set(0, tmpl(256, 1, 4, 8, 4, 7, 2))
	simpleRecord   = append(append(u32(1234), 10, 0, 0, 1), u16(443)...)
)

func TestV9EventLayout(t *testing.T) {
	c, _ := codec(t, "")
	events := decodeFrom(c, "192.0.2.1", v9Packet(1, simpleTemplate, set(256, simpleRecord, simpleRecord)))
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	want := `{"@timestamp":"2023-11-14T22:13:20.000Z","@version":"1","netflow":{"version":9,"flow_seq_num":7,"flowset_id":256,"in_bytes":1234,"ipv4_src_addr":"10.0.0.1","l4_src_port":443}}`
	if got := plugintest.JSON(events[1]); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// Templates are kept per exporter and source id: another exporter's data
// for the same template id waits for its own template.
func TestTemplatesArePerExporterAndSourceID(t *testing.T) {
	c, logs := codec(t, "")
	decodeFrom(c, "192.0.2.1", v9Packet(1, simpleTemplate))
	data := v9Packet(1, set(256, simpleRecord))
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 1 {
		t.Errorf("the exporter that sent the template: %d events", n)
	}
	if n := len(decodeFrom(c, "192.0.2.2", data)); n != 0 {
		t.Errorf("another exporter: %d events", n)
	}
	if n := len(decodeFrom(c, "192.0.2.1", v9Packet(2, set(256, simpleRecord)))); n != 0 {
		t.Errorf("another source id: %d events", n)
	}
	logs.WaitFor(t, "Can't (yet) decode flowset id 256 from source id 2, because no template to decode it with has been received. This message will usually go away after 1 minute.")
}

// Data before its template is logged and dropped, not held, as Logstash
// does; the template then applies to later data.
func TestDataBeforeTemplateIsDropped(t *testing.T) {
	c, logs := codec(t, "")
	data := v9Packet(1, set(256, simpleRecord))
	if n := len(decodeFrom(c, "192.0.2.1", data, v9Packet(1, simpleTemplate))); n != 0 {
		t.Errorf("%d events", n)
	}
	logs.WaitFor(t, "Can't (yet) decode flowset id 256 from source id 1")
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 1 {
		t.Errorf("after the template: %d events", n)
	}
}

// A template lives cache_ttl seconds after it last arrived.
func TestTemplatesExpire(t *testing.T) {
	c, _ := codec(t, "cache_ttl => 60")
	now := time.Unix(1_700_000_000, 0)
	c.v9.now = func() time.Time { return now }
	decodeFrom(c, "192.0.2.1", v9Packet(1, simpleTemplate))
	data := v9Packet(1, set(256, simpleRecord))
	now = now.Add(60 * time.Second)
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 1 {
		t.Errorf("at the ttl: %d events", n)
	}
	now = now.Add(time.Second)
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 0 {
		t.Errorf("past the ttl: %d events", n)
	}
}

// A fractional cache_ttl keeps its fraction: 0.5 is half a second, not 0
// (which would expire every template as it arrives).
func TestFractionalTTL(t *testing.T) {
	c, _ := codec(t, "cache_ttl => 0.5")
	now := time.Unix(1_700_000_000, 0)
	c.v9.now = func() time.Time { return now }
	decodeFrom(c, "192.0.2.1", v9Packet(1, simpleTemplate))
	data := v9Packet(1, set(256, simpleRecord))
	now = now.Add(400 * time.Millisecond)
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 1 {
		t.Errorf("within the ttl: %d events", n)
	}
	now = now.Add(200 * time.Millisecond)
	if n := len(decodeFrom(c, "192.0.2.1", data)); n != 0 {
		t.Errorf("past the ttl: %d events", n)
	}
}

func TestVersionsOption(t *testing.T) {
	c, logs := codec(t, "versions => [9]")
	v5 := readPacket(t, "netflow5.dat")
	if n := len(decodeFrom(c, "", v5)); n != 0 {
		t.Errorf("v5 decoded: %d events", n)
	}
	logs.WaitFor(t, "Ignoring Netflow version v5")
	for _, bad := range []string{`versions => [5, 7]`, `versions => ["9"]`} {
		_, err := plugintest.TryCodec(t, "netflow { "+bad+" }")
		if err == nil || !strings.Contains(err.Error(), "is not a NetFlow version this codec decodes") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestTargetOption(t *testing.T) {
	c, _ := codec(t, `target => "flow"`)
	e := decodeFrom(c, "", readPacket(t, "netflow5.dat"))[0]
	if v, _ := e.Get("[flow][in_bytes]"); v != int64(230) {
		t.Errorf("%s", plugintest.JSON(e))
	}
}

func TestIncludeFlowsetIDForIPFIX(t *testing.T) {
	c, _ := codec(t, "include_flowset_id => true")
	events := decodeAll(c, [][]byte{readPacket(t, "ipfix_test_netscaler_tpl.dat"), readPacket(t, "ipfix_test_netscaler_data.dat")})
	var ids []any
	for _, e := range events {
		v, _ := e.Get("[netflow][flowset_id]")
		ids = append(ids, v)
	}
	if !reflect.DeepEqual(ids, []any{int64(258), int64(257), int64(258)}) {
		t.Errorf("flowset ids %v", ids)
	}
	if v, _ := events[0].Get("[netflow][flowEndMicroseconds]"); v != "2016-11-11T12:09:19.000127768Z" {
		t.Errorf("flowEndMicroseconds %v", v)
	}
}

// cache_save_path writes Logstash's template cache file, and a codec
// started later decodes data with the templates it reads from there.
func TestTemplateCacheFile(t *testing.T) {
	dir := t.TempDir()
	first, _ := codec(t, `cache_save_path => "`+dir+`"`)
	decodeAll(first, [][]byte{readPacket(t, "ipfix_test_netscaler_tpl.dat")})
	got, err := os.ReadFile(filepath.Join(dir, "ipfix_templates.cache"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/ipfix_templates_netscaler.cache")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asJSON(t, got), asJSON(t, want)) {
		t.Errorf("cache file\n got %s\nwant %s", got, want)
	}

	second, _ := codec(t, `cache_save_path => "`+dir+`"`)
	events := decodeAll(second, [][]byte{readPacket(t, "ipfix_test_netscaler_data.dat")})
	if len(events) != 3 {
		t.Fatalf("%d events from cached templates", len(events))
	}
	if v, _ := events[2].Get("[netflow][netscalerHttpReqXForwardedFor]"); v != "11.222.33.255" {
		t.Errorf("%s", plugintest.JSON(events[2]))
	}
}

// Logstash's own cache file (no exporter in its keys) serves every
// exporter, as it served every sender in Logstash.
func TestLogstashCacheFileServesEveryExporter(t *testing.T) {
	dir := t.TempDir()
	cache, err := os.ReadFile("testdata/ipfix_templates_netscaler.cache")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ipfix_templates.cache"), cache, 0o644)
	c, logs := codec(t, `cache_save_path => "`+dir+`"`)
	if n := len(decodeFrom(c, "198.51.100.7", readPacket(t, "ipfix_test_netscaler_data.dat"))); n != 3 {
		t.Errorf("%d events", n)
	}
	logs.WaitFor(t, "Template Cache does not exist")
}

func TestCacheSavePathMustBeADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "templates")
	os.WriteFile(file, nil, 0o644)
	_, err := plugintest.TryCodec(t, `netflow { cache_save_path => "`+file+`" }`)
	if err == nil || !strings.Contains(err.Error(), file+" is not a directory") {
		t.Errorf("%v", err)
	}
}

func TestNetflowDefinitions(t *testing.T) {
	defs := filepath.Join(t.TempDir(), "netflow.yaml")
	os.WriteFile(defs, []byte("---\n1:\n- :uint32\n- :bytes_in\n60000:\n- 2\n- :custom\n"), 0o644)
	c, _ := codec(t, `netflow_definitions => "`+defs+`"`)
	events := decodeFrom(c, "", v9Packet(1, set(0, tmpl(300, 1, 4, 60000, 2, 8, 4)), set(300, u32(5), u16(6), []byte{1, 2, 3, 4})))
	want := `{"version":9,"flow_seq_num":7,"flowset_id":300,"bytes_in":5,"custom":6,"ipv4_src_addr":"1.2.3.4"}`
	if len(events) != 1 || plugintest.JSON(events[0], "@timestamp", "@version") != `{"netflow":`+want+`}` {
		t.Errorf("%s", plugintest.JSONLines(events))
	}
	for text, msg := range map[string]string{
		"1:\n- :nosuchtype\n- :x\n": `unknown type "nosuchtype"`,
		"1: [\n":                    "Bad syntax in definitions file",
	} {
		os.WriteFile(defs, []byte(text), 0o644)
		if _, err := plugintest.TryCodec(t, `netflow { netflow_definitions => "`+defs+`" }`); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v", text, err)
		}
	}
	if _, err := plugintest.TryCodec(t, `netflow { netflow_definitions => "/nonexistent.yaml" }`); err == nil || !strings.Contains(err.Error(), "File does not exist or cannot be opened /nonexistent.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// An enterprise's fields come from ipfix_definitions; a variable-length
// string reads its length prefix.
func TestIPFIXDefinitions(t *testing.T) {
	defs := filepath.Join(t.TempDir(), "ipfix.yaml")
	os.WriteFile(defs, []byte("9999:\n  1:\n  - :string\n  - :vendorName\n  2:\n  - :uint32\n  - :vendorCount\n"), 0o644)
	c, _ := codec(t, `ipfix_definitions => "`+defs+`"`)
	template := set(2, ipfixTmpl(400, 0x8001, 65535, 9999, 0x8002, 4, 9999, 8, 4))
	record := append(append([]byte{5}, "hello"...), append(u32(42), 192, 0, 2, 9)...)
	events := decodeFrom(c, "192.0.2.1", ipfixPacket(3, template, set(400, record, []byte{0, 0})))
	want := `{"netflow":{"version":10,"vendorName":"hello","vendorCount":42,"sourceIPv4Address":"192.0.2.9"}}`
	if len(events) != 1 || plugintest.JSON(events[0], "@timestamp", "@version") != want {
		t.Errorf("%s", plugintest.JSONLines(events))
	}
}

// An IPFIX template record without fields withdraws the template.
func TestIPFIXTemplateWithdrawal(t *testing.T) {
	c, _ := codec(t, "")
	template := set(2, ipfixTmpl(400, 8, 4))
	data := ipfixPacket(3, set(400, []byte{192, 0, 2, 9}))
	if n := len(decodeFrom(c, "192.0.2.1", ipfixPacket(3, template), data)); n != 1 {
		t.Fatalf("%d events", n)
	}
	if n := len(decodeFrom(c, "192.0.2.1", ipfixPacket(3, set(2, ipfixTmpl(400))), data)); n != 0 {
		t.Errorf("after withdrawal: %d events", n)
	}
}

func TestIPFIXTimes(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"flowStartSeconds", int64(1_700_000_000), "2023-11-14T22:13:20.000Z"},
		{"flowEndMilliseconds", int64(1_700_000_000_123), "2023-11-14T22:13:20.123Z"},
		// 2^31 / 2^32 of a second after NTP's 3908988800.
		{"flowStartNanoseconds", new(big.Int).SetUint64(3_908_988_800<<32 | 1<<31), "2023-11-14T22:13:20.500Z"},
		{"flowEndMicroseconds", int64(1<<32 | 1<<30), "1900-01-01T00:00:01.250Z"},
		{"flowStartDeltaMicroseconds", int64(5), ""},
	} {
		got := ipfixTime(c.name, c.v)
		if c.want == "" {
			if got != c.v {
				t.Errorf("%s changed to %v", c.name, got)
			}
		} else if got != c.want {
			t.Errorf("%s: %v, want %s", c.name, got, c.want)
		}
	}
}

func TestFieldValues(t *testing.T) {
	for _, c := range []struct {
		f    field
		in   []byte
		want string
	}{
		{field{Type: "ip6_addr"}, []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, `"2001:db8::1"`},
		{field{Type: "ip6_addr"}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1}, `"::10.0.0.1"`},
		{field{Type: "ip6_addr"}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}, `"::ffff:10.0.0.1"`},
		{field{Type: "mac_addr"}, []byte{0, 0x50, 0x56, 0xc0, 0, 1}, `"00:50:56:c0:00:01"`},
		{field{Type: "uint64"}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, `18446744073709551615`},
		{field{Type: "uint24"}, []byte{1, 0, 0}, `65536`},
		{field{Type: "int8"}, []byte{0xff}, `-1`},
		{field{Type: "double"}, []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, `1.5`},
		{field{Type: "acl_id_asa"}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, `"01020304-05060708-090a0b0c"`},
		{field{Type: "forwarding_status"}, []byte{0x42}, `{"status":1,"reason":2}`},
		{field{Type: "mpls_label_stack_octets"}, []byte{0, 0x12, 0x35, 64}, `{"label":291,"experimental":2,"bottom_of_stack":1,"ttl":64}`},
		{field{Type: "Application_Id32"}, []byte{3, 0, 0, 80}, `"3..80"`},
		{field{Type: "Application_Id64"}, []byte{20, 0, 0, 0x30, 0x39, 0, 0, 7}, `"20..12345..7"`},
		{field{Type: "string", Length: 6}, []byte("ab\x00c\x00\x00"), `"ab\u0000c"`},
		{field{Type: typeVarString}, []byte("\x03h\xc3\xa9"), `"h?"`},
		{field{Type: typeOctetArray, Length: 2}, []byte{0xab, 0x01}, `"ab01"`},
	} {
		size, _ := c.f.size()
		v, n, err := readField(c.f, size, c.in)
		if err != nil || n != len(c.in) {
			t.Errorf("%s %x: %v (%d bytes)", c.f.Type, c.in, err, n)
			continue
		}
		m := event.NewMap(1)
		m.Set("v", v)
		got := string(event.AppendJSON(nil, m))
		if got != `{"v":`+c.want+`}` {
			t.Errorf("%s %x: %s, want %s", c.f.Type, c.in, got, c.want)
		}
	}
}

// Packets cut anywhere, and bytes flipped anywhere, are logged and dropped
// or decoded as far as they go; nothing panics.
func TestTruncatedAndCorruptPackets(t *testing.T) {
	sc := readSpecCases(t)
	c, logs := codec(t, "")
	for _, tc := range sc.Cases {
		var packets [][]byte
		for _, p := range tc.Packets {
			packets = append(packets, readPacket(t, p))
		}
		decodeAll(c, packets)
		for _, p := range packets {
			// Every byte of the headers, then ever more sparsely.
			for i := 0; i < len(p); i += 1 + i/32 {
				decodeAll(c, [][]byte{p[:i]})
				q := append([]byte(nil), p...)
				q[i] ^= 0xff
				decodeAll(c, [][]byte{q})
			}
		}
	}
	logs.WaitFor(t, "Invalid netflow packet received")
}

func TestEncodeWritesNothing(t *testing.T) {
	b := plugintest.Codec(t, "netflow")
	if got := b.Encode(plugintest.Event(t, `{"a":1}`)); got != "" {
		t.Errorf("%q", got)
	}
	b.Logs.WaitFor(t, "The netflow codec only decodes")
}

// FuzzDecode feeds one codec (so templates from earlier inputs apply to
// later ones) anything; it must not panic, and every event must encode.
func FuzzDecode(f *testing.F) {
	sc := readSpecCases(f)
	for _, tc := range sc.Cases {
		for _, p := range tc.Packets {
			f.Add(readPacket(f, p))
		}
	}
	log := slog.New(slog.DiscardHandler)
	c := &Codec{log: log, target: "netflow", includeFlowsetID: true, shared: &shared{
		netflowDefs: netflowFields, ipfixDefs: ipfixFields,
		v9: newRegistry(log, time.Hour, ""), ipfix: newRegistry(log, time.Hour, ""),
	}}
	for _, v := range []int{5, 9, 10} {
		c.versions[v] = true
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		c.DecodeFrom(p, "192.0.2.1", func(e *event.Event) {
			event.AppendJSON(nil, e.Data())
		})
	})
}
