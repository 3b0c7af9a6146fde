package lang

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreetopVerdicts checks every input under testdata/lang/verdicts against
// what Logstash's own grammar said about it (scripts/golden/treetop-verdicts.sh):
// the same accept/reject decision, and for rejects the same message.
func TestTreetopVerdicts(t *testing.T) {
	dir := filepath.Join(goldenDir, "verdicts")
	f, err := os.Open(filepath.Join(dir, "verdicts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if len(fields) < 2 {
			t.Fatalf("bad verdict line %q", sc.Text())
		}
		name, verdict := fields[0], fields[1]
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(name, func(t *testing.T) {
			failure, tape := recognize(src)
			switch verdict {
			case "accept":
				if failure != nil {
					t.Fatalf("Logstash accepts it; we reject with %s", failure.Message())
				}
				checkTape(t, src, tape)
			case "reject":
				if failure == nil {
					t.Fatalf("Logstash rejects it (%s); we accept", unescapeVerdict(fields[2]))
				}
				if got, want := failure.Message(), unescapeVerdict(fields[2]); got != want {
					t.Fatalf("message differs\n got: %q\nwant: %q", got, want)
				}
			default:
				t.Fatalf("unknown verdict %q", verdict)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no verdicts")
	}
}

// unescapeVerdict undoes the script's escaping of \ newline CR and tab.
func unescapeVerdict(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
