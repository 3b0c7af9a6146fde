package json_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzJson decodes arbitrary bytes, as a network input hands them over.
func FuzzJson(f *testing.F) {
	plugintest.FuzzDecode(f, "json",
		"{\"a\":1}",
		"[{\"a\":1},{\"b\":2}]",
		"nope",
		"{\"@timestamp\":\"2026-01-02T03:04:05Z\",\"tags\":\"x\"}",
	)
}
