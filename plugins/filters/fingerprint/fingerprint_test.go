package fingerprint

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expected values are the published ones of the Logstash plugin's own
// specification (logstash-filter-fingerprint spec/filters/fingerprint_spec.rb).
func TestFingerprint(t *testing.T) {
	ip := `{"clientip":"123.123.123.123"}`
	cases := []struct {
		name   string
		config string
		in     string
		want   string // JSON of the target value
	}{
		{"ipv4 network", `method => "IPV4_NETWORK" key => "24" source => "clientip"`, ip, `"123.123.123.0"`},
		{"murmur3 string", `method => "MURMUR3" source => "clientip"`, ip, `4013733395`},
		{"murmur3 number", `method => "MURMUR3" source => "clientip"`, `{"clientip":123}`, `823512154`},
		{"murmur3_128 hex", `method => "MURMUR3_128" source => "clientip"`, ip, `"41cbc4056eed401d091dfbeabf7ea9e0"`},
		{"murmur3_128 base64", `method => "MURMUR3_128" source => "clientip" base64encode => true`, ip, `"QcvEBW7tQB0JHfvqv36p4A=="`},
		{"murmur3_128 int32", `method => "MURMUR3_128" source => "clientip"`, `{"clientip":123}`, `"286816c693ac410ed63e1430dcd6f6fe"`},
		{"murmur3_128 int32 base64", `method => "MURMUR3_128" source => "clientip" base64encode => true`, `{"clientip":123}`, `"KGgWxpOsQQ7WPhQw3Nb2/g=="`},
		{"murmur3_128 int64", `method => "MURMUR3_128" source => "clientip"`, `{"clientip":2148483647}`, `"fdc7699a82556c8c584131f0133ee989"`},
		{"sha1", `source => "clientip"`, ip, `"3a5076c520b4b463f43806896ea0b3978d09dcae"`},
		{"sha1 hmac", `source => "clientip" key => "longencryptionkey"`, ip, `"fdc60acc4773dc5ac569ffb78fcb93c9630797f4"`},
		{"sha1 hmac base64", `source => "clientip" key => "longencryptionkey" base64encode => true`, ip, `"/cYKzEdz3FrFaf+3j8uTyWMHl/Q="`},
		{"sha1 base64", `source => "clientip" base64encode => true`, ip, `"OlB2xSC0tGP0OAaJbqCzl40J3K4="`},
		{"sha256", `method => "SHA256" source => "clientip"`, ip, `"4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8"`},
		{"sha256 hmac base64", `method => "SHA256" source => "clientip" key => "longencryptionkey" base64encode => true`, ip, `"NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco="`},
		{"sha384", `method => "SHA384" source => "clientip"`, ip, `"fd605b0a3af3e04ce0d7a0b0d9c48d67a12dab811f60072e6eae84e35d567793ffb68a1807536f11c90874065c2a4392"`},
		{"sha512 hmac", `method => "SHA512" source => "clientip" key => "longencryptionkey"`, ip, `"11c19b326936c08d6c50a3c847d883e5a1362e6a64dd55201a25f2c1ac1b673f7d8bf15b8f112a4978276d573275e3b14166e17246f670c2a539401c5bfdace8"`},
		{"md5", `method => "MD5" source => "clientip"`, ip, `"ccdd8d3d940a01b2fb3258c059924c0d"`},
		{"md5 hmac base64", `method => "MD5" source => "clientip" key => "longencryptionkey" base64encode => true`, ip, `"kzbIeeMFyWBKOEP8PnWUjw=="`},
		{"array source values", `source => "clientip"`, `{"clientip":["123.123.123.123","223.223.223.223"]}`, `["3a5076c520b4b463f43806896ea0b3978d09dcae","47bbc4e06edebbace047fed35abeceec64968b81"]`},
		{"concatenate all fields", `concatenate_all_fields => true`, `{"@timestamp":"2017-07-26T14:44:27.064Z","clientip":"123.123.123.123","message":"This is a test message","log_level":"INFO","offset":123456789,"type":"test"}`, `"cbf022518e97860403160ed8a41847c0db104e63"`},
		{"last source wins", `source => ["field1", "field2"]`, `{"field1":"test1","field2":"test2"}`, `"109f4b3c50d7b0df729d299bc6f8e9ef9066971f"`},
		{"concatenate sources", `source => ["field1", "field2"] concatenate_sources => true`, `{"field1":"test1","field2":"test2"}`, `"e3b6b71eedc656f1d29408264e8a75535db985cb"`},
		{"utf-8 nested", `source => ["field1", "field2"]`, `{"field1":[{"inner_key":"🂡"},{"1":"2"}],"field2":"🂡"}`, `"58fa9e0e60c9f0d24b51d84cddb26732a39eeb3d"`},
		{"utf-8 nested concatenated", `source => ["field1", "field2"] concatenate_sources => true`, `{"field1":[{"inner_key":"🂡"},{"1":"2"}],"field2":"🂡"}`, `"d2a1c14e0c9ef137d67114db23b3f2fdbcc90d08"`},
		{"punctuation", `method => "PUNCTUATION" source => "field1"`, `{"field1":"PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233"}`, `":_()[<='.-'>.-</>]:-////."`},
		{"timestamp hmac", `source => "@timestamp" key => "0123"`, `{"@timestamp":"1970-01-01T00:00:00Z"}`, `"1d5379ec92d86a67cfc642d55aa050ca312d3b9a"`},
		{"timestamp murmur3", `method => "MURMUR3" source => "@timestamp"`, `{"@timestamp":"1970-01-01T00:00:00Z"}`, `743372282`},
		{"ipv4 network of a non-address keeps the value", `method => "IPV4_NETWORK" key => "24" source => "clientip"`, `{"clientip":"not-an-ip"}`, `"not-an-ip"`},
		{"ipv6 network", `method => "IPV4_NETWORK" key => "64" source => "clientip"`, `{"clientip":"2001:db8:1:2:3:4:5:6"}`, `"2001:db8:1:2::"`},
		{"custom target", `method => "MD5" source => "clientip" target => "[a][b]"`, ip, `"ccdd8d3d940a01b2fb3258c059924c0d"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "fingerprint { "+c.config+" }", plugintest.ECS("disabled"))
			e := plugintest.Event(t, c.in)
			if matched, _ := f.Call(e); !matched {
				t.Error("fingerprint did not match")
			}
			target := "fingerprint"
			if m := targetOption.FindStringSubmatch(c.config); m != nil {
				target = m[1]
			}
			got, _ := e.Get(target)
			if s := jsonOf(got); s != c.want {
				t.Errorf("got %s, want %s", s, c.want)
			}
		})
	}
}

// targetOption finds the target a case's config sets.
var targetOption = regexp.MustCompile(`target => "([^"]+)"`)

func jsonOf(v any) string { return string(event.AppendJSON(nil, v)) }

func TestFingerprintECSTargetAndUUID(t *testing.T) {
	f := plugintest.Filter(t, `fingerprint { method => "UUID" }`, plugintest.ECS("v8"))
	e := plugintest.Event(t, `{"message":"x"}`)
	f.Call(e)
	got, _ := e.Get("[event][hash]")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got.(string)) {
		t.Errorf("not a v4 UUID: %v", got)
	}
}

func TestFingerprintConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config string
		want   string
	}{
		{`method => "IPV4_NETWORK"`, "Key value is empty. please fill in a subnet prefix length"},
		{`method => "CRC32"`, "Expected one of"},
	} {
		_, err := plugintest.TryFilter(t, "fingerprint { "+c.config+" }", plugintest.ECS("disabled"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}
