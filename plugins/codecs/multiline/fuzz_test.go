package multiline_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/multiline"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzMultiline decodes arbitrary bytes, as a network input hands them over.
func FuzzMultiline(f *testing.F) {
	plugintest.FuzzDecode(f, `multiline { pattern => "^\\s" what => "previous" max_lines => 5 max_bytes => 64 }`,
		"a\n b\n c\nd\n",
		"x\n 1\n 2\n 3\n 4\n 5\n 6\n",
	)
}
