package line_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/line"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzLine decodes arbitrary bytes, as a network input hands them over.
func FuzzLine(f *testing.F) {
	plugintest.FuzzDecode(f, "line { decode_size_limit_bytes => 8 }",
		"a\nbb\nccc",
		"0123456789abc\nx\n",
		"caf\xe9\r\n",
	)
}
