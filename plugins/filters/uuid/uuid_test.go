package uuid

import (
	"regexp"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	f := plugintest.Filter(t, `uuid { target => "[id][v]" }`)
	e := plugintest.Event(t, `{}`)
	f.Call(e)
	first, _ := e.Get("[id][v]")
	if !v4.MatchString(first.(string)) {
		t.Fatalf("%q is not a v4 UUID", first)
	}
	f.Call(e)
	if again, _ := e.Get("[id][v]"); again != first {
		t.Error("an existing value was replaced without overwrite")
	}
	null := plugintest.Event(t, `{"id":{"v":null}}`)
	f.Call(null)
	if v, _ := null.Get("[id][v]"); v == nil {
		t.Error("a null value must be set")
	}
	over := plugintest.Filter(t, `uuid { target => "u" overwrite => true }`)
	e2 := plugintest.Event(t, `{"u":"x"}`)
	over.Call(e2)
	if v, _ := e2.Get("u"); v == "x" || !v4.MatchString(v.(string)) {
		t.Errorf("overwrite gave %v", v)
	}
}
