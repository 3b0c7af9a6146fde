package plain_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzPlain decodes arbitrary bytes, as a network input hands them over.
func FuzzPlain(f *testing.F) {
	plugintest.FuzzDecode(f, "plain",
		"hello",
		"\xff\xfe",
	)
}
