package lang

import (
	"fmt"
	"strings"
	"testing"
)

// generatedConfig builds a config of about n lines mixing every construct.
func generatedConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("input {\n  beats { port => 5044 }\n  file { path => [\"/var/log/*.log\", \"/tmp/x.log\"] }\n}\nfilter {\n")
	lines := 8
	for i := 0; lines < n-10; i++ {
		fmt.Fprintf(&b, "  # rule %d\n", i)
		fmt.Fprintf(&b, "  if [type] == \"t%d\" and ([status] >= 400 or [tags] =~ /err\\/x/) {\n", i)
		fmt.Fprintf(&b, "    grok {\n      match => { \"message\" => \"%%{COMBINEDAPACHELOG} %d\" }\n      tag_on_failure => [\"_grok%d\", \"other\"]\n    }\n", i, i)
		fmt.Fprintf(&b, "    mutate { add_field => { \"[@metadata][n]\" => %d } remove_field => [\"a\", \"b\"] }\n", i)
		fmt.Fprintf(&b, "  } else if \"x%d\" in [tags] {\n    drop {}\n  } else {\n    date { match => [\"ts\", \"ISO8601\"] }\n  }\n", i)
		lines += 12
	}
	b.WriteString("}\noutput {\n  elasticsearch { hosts => [\"http://127.0.0.1:9200\"] index => \"logs-%{+YYYY.MM.dd}\" }\n  stdout { codec => rubydebug }\n}\n")
	return []byte(b.String())
}

// BenchmarkParse10kLines parses a generated 10,000-line config. The goal is
// under 50 ms per parse on one core.
func BenchmarkParse10kLines(b *testing.B) {
	src := generatedConfig(10000)
	if got := strings.Count(string(src), "\n"); got < 9900 {
		b.Fatalf("generated %d lines", got)
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for range b.N {
		if cfg, diags := Parse("big.conf", src, ParseOptions{}); cfg == nil {
			b.Fatal(diags.Format())
		}
	}
}
