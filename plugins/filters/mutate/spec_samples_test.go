package mutate

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Samples and expectations from the Logstash plugin's own specification
// (logstash-filter-mutate spec/filters/mutate_spec.rb).
func TestMutateSpecSamples(t *testing.T) {
	cases := []struct {
		name   string
		config string
		in     string
		want   string
	}{
		{"basics", `lowercase => ["lowerme", "Lowerme", "lowerMe"] uppercase => ["upperme", "Upperme", "upperMe"] capitalize => ["capitalizeme", "Capitalizeme", "capitalizeMe"] convert => ["intme", "integer", "floatme", "float"] rename => ["rename1", "rename2"] replace => { "replaceme" => "hello world" "newfield" => "newnew" } update => { "nosuchfield" => "weee" "updateme" => "updated" }`, `{"lowerme":"example","upperme":"EXAMPLE","capitalizeme":"Example","Lowerme":"ExAmPlE","Upperme":"ExAmPlE","Capitalizeme":"ExAmPlE","lowerMe":["ExAmPlE","example"],"upperMe":["ExAmPlE","EXAMPLE"],"capitalizeMe":["ExAmPlE","Example"],"intme":["1234","7890.4","7.9"],"floatme":["1234.455"],"rename1":["hello world"],"updateme":["who cares"],"replaceme":["who cares"]}`,
			`{"lowerme":"example","upperme":"EXAMPLE","capitalizeme":"Example","Lowerme":"example","Upperme":"EXAMPLE","Capitalizeme":"Example","lowerMe":["example","example"],"upperMe":["EXAMPLE","EXAMPLE"],"capitalizeMe":["Example","Example"],"intme":[1234,7890,7],"floatme":[1234.455],"updateme":"updated","replaceme":"hello world","rename2":["hello world"],"newfield":"newnew"}`},
		{"multibyte case mapping", `lowercase => ["lowerme"] uppercase => ["upperme"] capitalize => ["capitalizeme"]`,
			`{"lowerme":["АБВГД\u0000MMM","こにちわ","XyZółć","NÎcË GÛŸ"],"upperme":["аБвгд\u0000mmm","こにちわ","xYzółć","Nîcë gûÿ"],"capitalizeme":["АБВГД\u0000mmm","こにちわ","xyzółć","nÎcË gÛŸ"]}`,
			`{"lowerme":["абвгд\u0000mmm","こにちわ","xyzółć","nîcë gûÿ"],"upperme":["АБВГД\u0000MMM","こにちわ","XYZÓŁĆ","NÎCË GÛŸ"],"capitalizeme":["Абвгд\u0000mmm","こにちわ","Xyzółć","Nîcë gûÿ"]}`},
		{"booleans", `convert => { "true_field" => "boolean" "false_field" => "boolean" "true_upper" => "boolean" "false_upper" => "boolean" "true_one" => "boolean" "false_zero" => "boolean" "true_yes" => "boolean" "false_no" => "boolean" "true_y" => "boolean" "false_n" => "boolean" "wrong_field" => "boolean" "integer_false" => "boolean" "integer_true" => "boolean" "integer_negative" => "boolean" "integer_wrong" => "boolean" "float_true" => "boolean" "float_false" => "boolean" "float_negative" => "boolean" "float_wrong" => "boolean" "float_wrong2" => "boolean" "array" => "boolean" "hash" => "boolean" }`,
			`{"true_field":"true","false_field":"false","true_upper":"True","false_upper":"False","true_one":"1","false_zero":"0","true_yes":"yes","false_no":"no","true_y":"Y","false_n":"N","wrong_field":"none of the above","integer_false":0,"integer_true":1,"integer_negative":-1,"integer_wrong":2,"float_true":1.0,"float_false":0.0,"float_negative":-1.0,"float_wrong":1.0123,"float_wrong2":0.01,"array":["1","0",0,1,2],"hash":{"a":0}}`,
			`{"true_field":true,"false_field":false,"true_upper":true,"false_upper":false,"true_one":true,"false_zero":false,"true_yes":true,"false_no":false,"true_y":true,"false_n":false,"wrong_field":"none of the above","integer_false":false,"integer_true":true,"integer_negative":-1,"integer_wrong":2,"float_true":true,"float_false":false,"float_negative":-1.0,"float_wrong":1.0123,"float_wrong2":0.01,"array":[true,false,false,true,2],"hash":{"a":0}}`},
		{"floats", `convert => { "a" => "float" "b" => "float" "c" => "float" "d" => "float" "e" => "float" "f" => "float" "g" => "float" "h" => "float" }`,
			`{"a":"3141.5926","b":"3,141.5926","c":"3,141","d":"3141","e":3.1415926,"f":3,"g":true,"h":false,"i":null}`,
			`{"a":3141.5926,"b":3141.5926,"c":3141.0,"d":3141.0,"e":3.1415926,"f":3.0,"g":1.0,"h":0.0,"i":null}`},
		{"float_eu", `convert => { "a" => "float_eu" "b" => "float_eu" "c" => "float_eu" "d" => "float_eu" }`,
			`{"a":"3141,5926","b":"3.141,5926","c":"3.141","d":"3141"}`, `{"a":3141.5926,"b":3141.5926,"c":3141.0,"d":3141.0}`},
		{"nested and indexed fields", `convert => { "[foo][bar]" => "integer" "[list][0]" => "integer" }`, `{"foo":{"bar":"1000"},"list":["100","200"]}`, `{"foo":{"bar":1000},"list":[100,"200"]}`},
		{"booleans to integers", `convert => { "[foo][0]" => "integer" "[foo][1]" => "integer" "[foo][2]" => "integer" "[foo][3]" => "integer" "[foo][4]" => "integer" }`,
			`{"foo":[false,true,"0","1","2"]}`, `{"foo":[0,1,0,1,2]}`},
		{"US/UK strings", `convert => { "[i][0]" => "integer" "[i][1]" => "integer" "[i][2]" => "integer" "[f][0]" => "float" "[f][1]" => "float" "[f][2]" => "float" }`,
			`{"i":["1,000","1,234,567.8","123.4"],"f":["1,000","1,234,567.8","123.4"]}`, `{"i":[1000,1234567,123],"f":[1000.0,1234567.8,123.4]}`},
		{"EU strings", `convert => { "[i][0]" => "integer_eu" "[i][1]" => "integer_eu" "[i][2]" => "integer_eu" "[f][0]" => "float_eu" "[f][1]" => "float_eu" "[f][2]" => "float_eu" }`,
			`{"i":["1.000","1.234.567,8","123,4"],"f":["1.000","1.234.567,8","123,4"]}`, `{"i":[1000,1234567,123],"f":[1000.0,1234567.8,123.4]}`},
		{"gsub on a string", `gsub => ["unicorns", "but extinct", "and common"]`, `{"unicorns":"Magnificient, but extinct, animals"}`, `{"unicorns":"Magnificient, and common, animals"}`},
		{"gsub on multiple fields", `gsub => ["colors", "red", "blue", "shapes", "squares", "circles"]`, `{"colors":"One red car","shapes":"Four red squares"}`, `{"colors":"One blue car","shapes":"Four red circles"}`},
		{"gsub regex", `gsub => ["colors", "\d$", "blue"]`, `{"colors":"red3"}`, `{"colors":"redblue"}`},
		{"rename from a dynamic name", `rename => { "field_%{x}" => "destination" }`, `{"field_one":"value","x":"one"}`, `{"x":"one","destination":"value"}`},
		{"rename to a dynamic name", `rename => { "origin" => "field_%{x}" }`, `{"origin":"value","x":"one"}`, `{"x":"one","field_one":"value"}`},
		{"strip", `strip => ["path", "foo", "bar"]`, `{"path":"/store.php ","foo":" /bar.php","bar":" foo "}`, `{"path":"/store.php","foo":"/bar.php","bar":"foo"}`},
		{"split", `split => { "a" => "," "b" => "," "c" => "," "d" => "," "e" => "," "f" => "," }`, `{"a":"foo,bar,baz","b":"foo","c":"foo,","e":["foo","bar"],"f":{"foo":"bar,baz"}}`, `{"a":["foo","bar","baz"],"b":["foo"],"c":["foo"],"e":["foo","bar"],"f":{"foo":"bar,baz"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "mutate { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			f.Call(e)
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
