package geoip

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The table was written by the JDK's own InetAddress.getByName
// (scripts/golden/java-inetaddress.sh), with host names looked up in an
// empty hosts file; names are therefore not resolved here either.
// noNames is the empty hosts file the JDK ran with.
func noNames(context.Context, string) (netip.Addr, bool) { return netip.Addr{}, false }

func TestJavaAddressMatchesTheJDK(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "filters", "geoip", "inetaddress.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		in, want, _ := strings.Cut(sc.Text(), "\t")
		n++
		got := "unknown"
		if a, ok := javaAddress(context.Background(), in, noNames); ok {
			got = hostAddress(a)
		}
		if got != want {
			t.Errorf("%q: got %s, the JDK gives %s", in, got, want)
		}
	}
	if n == 0 {
		t.Fatal("empty table")
	}
}
