package csv_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/csv"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzCsv decodes arbitrary bytes, as a network input hands them over.
func FuzzCsv(f *testing.F) {
	plugintest.FuzzDecode(f, "csv",
		"a,b,\"c,d\"\n",
		"\"unterminated\n",
	)
}
