package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// generatedConfig builds a config of about n lines mixing every construct,
// with a conditional every six lines: far more condition-heavy than real
// configs, which makes it the harder case for the parser.
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

// realWorldConfig repeats the real-world-style golden configs (apache,
// nginx, syslog, beats/kafka) until the text has at least n lines; sections
// may repeat, so the result is one valid config.
func realWorldConfig(tb testing.TB, n int) []byte {
	files, err := filepath.Glob(filepath.Join(goldenDir, "valid", "real-*.conf"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no real-world golden configs: %v", err)
	}
	var b strings.Builder
	for lines := 0; lines < n; {
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(src)
			lines += strings.Count(string(src), "\n")
		}
	}
	return []byte(b.String())
}

func benchmarkParse(b *testing.B, src []byte) {
	if got := strings.Count(string(src), "\n"); got < 9900 {
		b.Fatalf("generated %d lines", got)
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for range b.N {
		if cfg, diags := Parse("big.conf", src, ParseOptions{}); cfg == nil {
			b.Fatal(diags.Format(map[string][]byte{"big.conf": src}))
		}
	}
}

// BenchmarkParse10kLines parses 10,000 lines made of real-world-style
// configs. The goal is under 50 ms per parse on one core.
func BenchmarkParse10kLines(b *testing.B) { benchmarkParse(b, realWorldConfig(b, 10000)) }

// BenchmarkParse10kLinesConditionHeavy parses a generated 10,000-line
// config with a conditional every six lines.
func BenchmarkParse10kLinesConditionHeavy(b *testing.B) { benchmarkParse(b, generatedConfig(10000)) }
