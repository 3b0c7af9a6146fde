package edn_lines_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/edn_lines"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzEdnLines decodes arbitrary bytes, as a network input hands them over.
func FuzzEdnLines(f *testing.F) {
	plugintest.FuzzDecode(f, "edn_lines",
		"{:a 1 :b [1 2]}\n{:c nil}\n",
		"(1 2\n",
	)
}
