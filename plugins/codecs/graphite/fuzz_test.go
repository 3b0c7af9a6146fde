package graphite_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/graphite"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzGraphite decodes arbitrary bytes, as a network input hands them over.
func FuzzGraphite(f *testing.F) {
	plugintest.FuzzDecode(f, "graphite",
		"metric.name 1.5 1700000000\n",
		"x y 99999999999999999999999\n",
	)
}
