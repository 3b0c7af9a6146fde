package es_bulk_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/es_bulk"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzEsBulk decodes arbitrary bytes, as a network input hands them over.
func FuzzEsBulk(f *testing.F) {
	plugintest.FuzzDecode(f, "es_bulk",
		"{\"index\":{\"_index\":\"i\"}}\n{\"a\":1}\n{\"delete\":{\"_id\":\"1\"}}\n",
		"[]\n{}\n",
	)
}
