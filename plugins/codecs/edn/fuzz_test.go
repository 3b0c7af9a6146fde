package edn_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/edn"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzEdn decodes arbitrary bytes, as a network input hands them over.
func FuzzEdn(f *testing.F) {
	plugintest.FuzzDecode(f, "edn",
		"{:a 1 :b [1 2] :c #{\"x\"}}",
		"#inst \"2026-01-02T03:04:05Z\"",
		"{:a",
	)
}
