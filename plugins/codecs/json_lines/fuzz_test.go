package json_lines_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzJsonLines decodes arbitrary bytes, as a network input hands them over.
func FuzzJsonLines(f *testing.F) {
	plugintest.FuzzDecode(f, "json_lines { decode_size_limit_bytes => 32 }",
		"{\"a\":1}\n{\"b\":[1,2]}\n",
		"not json\n\n",
		"{\"long\":\"0123456789012345678901234567890\"}\n{\"c\":3}",
	)
}
