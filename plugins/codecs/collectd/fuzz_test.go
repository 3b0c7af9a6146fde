package collectd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/collectd"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzCollectd decodes arbitrary bytes, as the udp input hands a datagram
// over, with a types.db of its own (gostash ships none).
func FuzzCollectd(f *testing.F) {
	types := filepath.Join(f.TempDir(), "types.db")
	if err := os.WriteFile(types, []byte("load shortterm:GAUGE:0:5000, midterm:GAUGE:0:5000, longterm:GAUGE:0:5000\ncounter value:DERIVE:0:U\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	plugintest.FuzzDecode(f, fmt.Sprintf(`collectd { typesdb => [%q] }`, types),
		"\x00\x00\x00\x09host\x00\x00\x01\x00\x0c\x00\x00\x00\x00\x65\x00\x00\x00\x00\x02\x00\x08load\x00\x00\x04\x00\x08load\x00\x00\x06\x00\x0f\x00\x01\x01\x00\x00\x00\x00\x00\x00\xf0\x3f",
		"\x00\x06\x00\xff",
	)
}
