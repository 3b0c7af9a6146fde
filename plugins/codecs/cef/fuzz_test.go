package cef_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/cef"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzCef decodes arbitrary bytes, as a network input hands them over.
func FuzzCef(f *testing.F) {
	plugintest.FuzzDecode(f, `cef { delimiter => "\\n" }`,
		"CEF:0|Vendor|Product|1.0|100|name|5|src=10.0.0.1 msg=hi\n",
		"CEF:1|a\\|b|c|d|e|f|g|k=v=w\\=x rt=Jan 01 2026 00:00:00\n",
		"nothing\n",
	)
}
