package msgpack

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// Encodings are MessagePack's spec (the smallest format for each value, as
// Ruby's msgpack gem packs); the codecs' testcases check whole documents
// against the gem itself (scripts/golden/msgpack-codecs.rb).
func TestAppendIntFormats(t *testing.T) {
	cases := map[int64][]byte{
		0: {0x00}, 127: {0x7f}, -1: {0xff}, -32: {0xe0}, -33: {0xd0, 0xdf}, 128: {0xcc, 0x80},
		256: {0xcd, 0x01, 0x00}, 70000: {0xce, 0x00, 0x01, 0x11, 0x70}, -129: {0xd1, 0xff, 0x7f},
		1 << 40: {0xcf, 0, 0, 1, 0, 0, 0, 0, 0}, -(1 << 40): {0xd3, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0},
	}
	for n, want := range cases {
		if got := AppendInt(nil, n); !bytes.Equal(got, want) {
			t.Errorf("%d: got % x want % x", n, got, want)
		}
	}
}

func TestRoundTripAndIncomplete(t *testing.T) {
	m := event.NewMap(3)
	m.Set("s", "é")
	m.Set("l", []any{int64(-5), 2.5, nil, true})
	inner := event.NewMap(1)
	inner.Set("k", "v")
	m.Set("m", inner)
	b, err := Append(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	var d Decoder
	for i := range b {
		if _, _, err := d.Decode(b[:i]); !errors.Is(err, ErrIncomplete) {
			t.Fatalf("prefix of %d bytes: %v, want ErrIncomplete", i, err)
		}
	}
	v, n, err := d.Decode(b)
	if err != nil || n != len(b) {
		t.Fatalf("decode: %v (%d of %d bytes)", err, n, len(b))
	}
	ev, err := ToEvent(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(event.AppendJSON(nil, ev)), `{"s":"é","l":[-5,2.5,null,true],"m":{"k":"v"}}`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestUnknownExtCannotBeStored(t *testing.T) {
	var d Decoder
	v, _, err := d.Decode([]byte{0xd4, 0x05, 0x01})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ToEvent([]any{v}); err == nil {
		t.Error("an extension value must not convert")
	}
	if _, err := Append(nil, event.Decimal{}); err == nil {
		t.Error("a BigDecimal has no to_msgpack")
	}
}
