package fluent_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/fluent"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzFluent decodes arbitrary bytes, as a network input hands them over.
func FuzzFluent(f *testing.F) {
	plugintest.FuzzDecode(f, "fluent",
		"\x93\xa1t\x0a\x81\xa7message\xa1m",
		"\x92\xa1t\x91\x92\x0a\x81\xa1a\x01",
		"\xdb\xff\xff\xff\xff",
	)
}
