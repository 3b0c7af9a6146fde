package kv

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/rubytest"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// TestScanAgainstOnigmo scans random text with the regex each configuration
// builds and compares the key/value pairs with what Ruby's Onigmo engine
// scanned (scripts/golden/ruby-semantics.sh).
func TestScanAgainstOnigmo(t *testing.T) {
	// The order matters: the golden file numbers the configurations.
	configs := []string{
		``,
		`whitespace => "strict"`,
		`field_split => "&?" value_split => ":"`,
		`field_split_pattern => ", *" value_split_pattern => "=>"`,
		`include_brackets => false`,
		`field_split => "|"`,
		`value_split => ":="`,
	}
	filters := make([]*kv, len(configs))
	for i, c := range configs {
		filters[i] = plugintest.Filter(t, "kv { "+c+" }").Plugin.(*kv)
	}
	f, err := os.Open("../../../testdata/filters/kv/onigmo.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		i, _ := strconv.Atoi(cols[0])
		input := rubytest.Uninspect(cols[1])
		pairs := []any{}
		m, err := filters[i].scan.FindStringMatch(input)
		for ; m != nil && err == nil; m, err = filters[i].scan.FindNextMatch(m) {
			groups := m.Groups()
			value := ""
			for _, g := range groups[2:] {
				if len(g.Captures) > 0 {
					value = g.String()
					break
				}
			}
			pairs = append(pairs, []any{groups[1].String(), value})
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := ruby.Inspect(pairs); got != cols[2] {
			t.Errorf("config %d on %s:\nonigmo %s\ngo     %s", i, cols[1], cols[2], got)
		}
	}
}
