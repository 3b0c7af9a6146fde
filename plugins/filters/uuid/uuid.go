// Package uuid is Logstash's uuid filter: it sets a field to a random
// (version 4) UUID.
package uuid

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optTarget    = plugin.String("target").Required().Doc("The field that receives the UUID.")
	optOverwrite = plugin.Bool("overwrite").Default(false).Doc("Replace a value the field already has; otherwise only a missing or null field is set.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "uuid",
			Summary: "Adds a random version 4 UUID to each event.",
			Options: []plugin.Declared{optTarget, optOverwrite},
		},
		New: newUUID,
	})
}

type uuidFilter struct {
	target    event.FieldRef
	overwrite bool
}

func newUUID(s *plugin.Settings) (plugin.Filter, error) {
	ref, err := event.ParseFieldRef(optTarget.Get(s))
	if err != nil {
		return nil, optTarget.Errorf(s, "%v", err)
	}
	return &uuidFilter{target: ref, overwrite: optOverwrite.Get(s)}, nil
}

// newV4 is a random UUID in its lowercase hyphenated form.
func newV4() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	hex.Encode(b[9:13], u[4:6])
	hex.Encode(b[14:18], u[6:8])
	hex.Encode(b[19:23], u[8:10])
	hex.Encode(b[24:], u[10:])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// Filter always matches.
func (f *uuidFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	if v, _ := e.GetRef(f.target); f.overwrite || v == nil {
		_ = e.SetRef(f.target, newV4())
	}
	return true
}
