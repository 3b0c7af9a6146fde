package ruby

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// typed renders a value with its Go type, so a comparison sees 1 and 1.0,
// 96 and 96.0, or a string and a timestamp as different.
func typed(v any) string {
	switch t := v.(type) {
	case *event.Map:
		var parts []string
		t.Range(func(k string, x any) bool {
			parts = append(parts, fmt.Sprintf("%q:%s", k, typed(x)))
			return true
		})
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = typed(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case event.Timestamp:
		return "ts(" + t.String() + ")"
	case event.Decimal:
		return "dec(" + t.String() + ")"
	case *big.Int:
		return "big(" + t.String() + ")"
	case string:
		return fmt.Sprintf("str(%q)", t)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

func decimal(t *testing.T, s string) event.Decimal {
	d, err := event.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Every kind of event value reaches Ruby as the Ruby class Logstash gives
// it, and comes back as the same Go value when the code leaves it alone:
// in a JSON reply, and in the Marshal reply the worker falls back to for
// a binary string or an infinite float.
func TestValuesKeepTheirTypesThroughRuby(t *testing.T) {
	t.Run("JSON reply", func(t *testing.T) { checkTypesThroughRuby(t, map[string]bool{"bin": true, "inf": true}) })
	t.Run("Marshal reply", func(t *testing.T) { checkTypesThroughRuby(t, nil) })
}

func checkTypesThroughRuby(t *testing.T, without map[string]bool) {
	e := event.NewEvent()
	e.SetTimestamp(event.Timestamp{Time: time.Unix(1700000000, 123456789)})
	big70 := new(big.Int).Lsh(big.NewInt(1), 70)
	negBig := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 80))
	nested := event.NewMap(2)
	nested.Set("x", []any{int64(1), "y", nil})
	fields := []struct {
		name  string
		value any
		class string
	}{
		{"s", "héllo", "String/UTF-8"},
		{"bin", "\xff\xfe\x00", "String/ASCII-8BIT"},
		{"i", int64(42), "Integer"},
		{"imax", int64(math.MaxInt64), "Integer"},
		{"imin", int64(math.MinInt64), "Integer"},
		{"big", big70, "Integer"},
		{"negbig", negBig, "Integer"},
		{"f", 1.5, "Float"},
		{"tiny", 1e-300, "Float"},
		{"inf", math.Inf(1), "Float"},
		{"negzero", math.Copysign(0, -1), "Float"},
		{"d1", decimal(t, "96.0"), "BigDecimal"},
		{"d2", decimal(t, "1E+10"), "BigDecimal"},
		{"d3", decimal(t, "-0.000123"), "BigDecimal"},
		{"d4", decimal(t, "0.10"), "BigDecimal"},
		{"yes", true, "TrueClass"},
		{"no", false, "FalseClass"},
		{"none", nil, "NilClass"},
		{"ts", event.Timestamp{Time: time.Unix(-1, 5)}, "LogStash::Timestamp"},
		{"map", nested, "Hash"},
		{"list", []any{}, "Array"},
		{"emptymap", event.NewMap(0), "Hash"},
	}
	var wantClasses []string
	for _, f := range fields {
		if without[f.name] {
			continue
		}
		e.Set(f.name, f.value)
		wantClasses = append(wantClasses, f.name+"="+f.class)
	}
	e.Set("[@metadata][m]", "meta")
	before := typed(e.Data())

	// Every field is written back, so each value crosses both ways (an
	// event comes back as its changes).
	f := build(t, `code => '
		classes = event.to_hash.reject { |k, _| k.start_with?("@") }.map do |k, v|
		  "#{k}=#{v.class.name}" + (v.is_a?(String) ? "/#{v.encoding}" : "")
		end
		event.to_hash.each { |k, v| event.set(k, v) }
		event.set("[@metadata][classes]", classes)
		event.set("[@metadata][seen]", event.get("[@metadata][m]"))'`)
	out := runBatch(f, []*event.Event{e})
	if len(out) != 1 {
		t.Fatalf("%d events came out", len(out))
	}
	if after := typed(out[0].Data()); after != before {
		t.Errorf("values changed on the way:\nbefore %s\nafter  %s", before, after)
	}
	classes, _ := out[0].Get("[@metadata][classes]")
	if got, want := fmt.Sprint(classes), fmt.Sprint(toAny(wantClasses)); got != want {
		t.Errorf("Ruby classes:\ngot  %s\nwant %s", got, want)
	}
	if v, _ := out[0].Get("[@metadata][seen]"); v != "meta" {
		t.Errorf("metadata seen by Ruby: %v", v)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// Ruby's decimal form of a Decimal, both ways.
func TestRubyDecimalForm(t *testing.T) {
	for java, ruby := range map[string]string{
		"96.0": "0.96e2", "1E+10": "0.1e11", "-0.000123": "-0.123e-3", "0": "0.0", "0.10": "0.1e0", "100": "0.1e3", "12.5": "0.125e2",
	} {
		if got := rubyDecimalString(decimal(t, java)); got != ruby {
			t.Errorf("%s: Ruby form %s, want %s", java, got, ruby)
		}
	}
	for ruby, java := range map[string]string{
		"0.96e2": "96", "0.15e1": "1.5", "0.1e3": "100", "-0.123e-3": "-0.000123", "0.0": "0", "-0.0": "0",
	} {
		v, err := decimalFromRuby(ruby)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.(event.Decimal).String(); got != java {
			t.Errorf("%s: Java form %s, want %s", ruby, got, java)
		}
	}
}
