package uuid

import (
	"regexp"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	f := filtertest.MustNew(t, "uuid", O{"target": "[id][v]"})
	e := filtertest.Event(t, `{}`)
	filtertest.Run(f, e)
	first, _ := e.Get("[id][v]")
	if !v4.MatchString(first.(string)) {
		t.Fatalf("%q is not a v4 UUID", first)
	}
	filtertest.Run(f, e)
	if again, _ := e.Get("[id][v]"); again != first {
		t.Error("an existing value was replaced without overwrite")
	}
	null := filtertest.Event(t, `{"id":{"v":null}}`)
	filtertest.Run(f, null)
	if v, _ := null.Get("[id][v]"); v == nil {
		t.Error("a null value must be set")
	}
	over := filtertest.MustNew(t, "uuid", O{"target": "u", "overwrite": true})
	e2 := filtertest.Event(t, `{"u":"x"}`)
	filtertest.Run(over, e2)
	if v, _ := e2.Get("u"); v == "x" || !v4.MatchString(v.(string)) {
		t.Errorf("overwrite gave %v", v)
	}
}
