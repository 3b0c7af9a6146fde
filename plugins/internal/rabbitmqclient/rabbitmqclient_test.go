package rabbitmqclient

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gostash/gostash/runtime/event"
)

func TestHeaderValuesBecomeEventValues(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	m := TableToMap(amqp.Table{
		"text": "a", "bytes": []byte("b\xff"), "small": int8(-3), "count": int32(7), "big": int64(1 << 40),
		"ratio": float32(0.5), "yes": true, "when": at, "price": amqp.Decimal{Scale: 2, Value: -1205},
		"nested": amqp.Table{"k": int16(1)}, "list": []any{"x", uint8(2)}, "none": nil,
	})
	want := map[string]string{
		"text": "a", "bytes": "b\uFFFD", "small": "-3", "count": "7", "big": "1099511627776", "ratio": "0.5",
		"yes": "true", "when": "2024-05-06T07:08:09.000Z", "price": "-12.05", "nested": `{"k":1}`, "list": "x,2",
	}
	for k, w := range want {
		v, ok := m.Get(k)
		if !ok {
			t.Errorf("%s missing", k)
			continue
		}
		if got := event.ValueString(v); got != w {
			t.Errorf("%s = %s (%T), want %s", k, got, v, w)
		}
	}
	if v, ok := m.Get("none"); !ok || v != nil {
		t.Errorf("none = %v, %v", v, ok)
	}
}

func TestDecimalText(t *testing.T) {
	for _, c := range []struct {
		d    amqp.Decimal
		want string
	}{{amqp.Decimal{Scale: 0, Value: 42}, "42"}, {amqp.Decimal{Scale: 3, Value: 5}, "0.005"}, {amqp.Decimal{Scale: 1, Value: -15}, "-1.5"}} {
		if got := decimalText(c.d); got != c.want {
			t.Errorf("%+v = %s, want %s", c.d, got, c.want)
		}
	}
}

func TestArgumentsMustBeAHash(t *testing.T) {
	m := event.NewMap(2)
	m.Set("x-max-length", int64(10))
	m.Set("x-queue-type", "quorum")
	table, err := tableFrom(m)
	if err != nil || table["x-max-length"] != int64(10) || table["x-queue-type"] != "quorum" {
		t.Errorf("hash: %v, %v", table, err)
	}
	if table, err := tableFrom([]any{}); err != nil || table != nil {
		t.Errorf("empty default: %v, %v", table, err)
	}
	if _, err := tableFrom([]any{"x"}); err == nil {
		t.Error("a list is accepted")
	}
}
