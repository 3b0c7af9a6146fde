package ruby

import (
	"bytes"
	"math"
	"math/big"
	"os/exec"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// The Marshal codec against MRI's own: what the writer writes, Ruby
// loads, dumps again (with its own links and symbol links), and the
// reader reads back as the same values.
func TestMarshalRoundTripThroughMRI(t *testing.T) {
	requireRuby(t)
	inner := event.NewMap(2)
	inner.Set("k", "v")
	inner.Set("again", "v")
	m := event.NewMap(16)
	for _, kv := range []struct {
		k string
		v any
	}{
		{"s", "héllo"}, {"bin", "\xff\x00"}, {"empty", ""},
		{"small", int64(-123)}, {"fixmax", int64(1<<30 - 1)}, {"fixover", int64(1 << 30)},
		{"imax", int64(math.MaxInt64)}, {"imin", int64(math.MinInt64)},
		{"big", new(big.Int).Lsh(big.NewInt(3), 100)}, {"negbig", new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 65))},
		{"f", 1.5}, {"f2", 1.5}, {"inf", math.Inf(-1)}, {"tiny", 5e-324},
		{"d", decimal(t, "96.0")}, {"ts", event.Timestamp{Time: time.Unix(1700000000, 123456789)}},
		{"t", true}, {"n", nil}, {"list", []any{inner, inner, []any{}}},
	} {
		m.Set(kv.k, kv.v)
	}
	w := newMarshalWriter()
	w.begin()
	if err := w.value(m); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ruby", "-rbigdecimal", "-e", `
		module LogStash; class Timestamp; end; end
		STDOUT.binmode.write(Marshal.dump(Marshal.load(STDIN.binmode.read)))`)
	cmd.Stdin = bytes.NewReader(w.b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ruby: %v", err)
	}
	r := marshalReader{keys: map[string]string{}, decimals: w.decimals}
	if err := r.reset(out); err != nil {
		t.Fatal(err)
	}
	back, err := r.value()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := typed(back), typed(m); got != want {
		t.Errorf("round trip:\ngot  %s\nwant %s", got, want)
	}
}
