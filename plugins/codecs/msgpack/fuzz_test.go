package msgpack_test

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/msgpack"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// FuzzMsgpack decodes arbitrary bytes, as a network input hands them over.
func FuzzMsgpack(f *testing.F) {
	plugintest.FuzzDecode(f, "msgpack",
		"\x81\xa1a\x01",
		"\x82\xa7message\xa2hi\xa4tags\x91\xa1t",
		"\xc1",
	)
}
