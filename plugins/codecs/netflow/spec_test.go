package netflow

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// specCases is testdata/spec_cases.json, written by
// scripts/netflow/spec_cases.py from logstash-codec-netflow's spec.
type specCases struct {
	Source string
	Cases  []struct {
		Name    string
		Packets []string
		Size    *int
		Expect  []struct {
			Index int
			Event json.RawMessage
		}
	}
}

func readSpecCases(t testing.TB) specCases {
	b, err := os.ReadFile("testdata/spec_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var sc specCases
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	return sc
}

func readPacket(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "spec", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeAll decodes packets in order with one codec, as the spec does.
func decodeAll(c *Codec, packets [][]byte) []*event.Event {
	var events []*event.Event
	for _, p := range packets {
		c.Decode(p, func(e *event.Event) { events = append(events, e) })
	}
	return events
}

// asJSON parses JSON text into generic values, numbers kept exact, so two
// events compare whatever their key order.
func asJSON(t testing.TB, b []byte) any {
	var v any
	d := json.NewDecoder(bytesReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// Every context of the spec decodes to the number of events it expects,
// and the events it writes out are the ones we make, field for field.
func TestSpecPackets(t *testing.T) {
	sc := readSpecCases(t)
	for _, tc := range sc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			c := plugintest.Codec(t, "netflow").Plugin.(*Codec)
			var packets [][]byte
			for _, p := range tc.Packets {
				packets = append(packets, readPacket(t, p))
			}
			events := decodeAll(c, packets)
			if tc.Size != nil && len(events) != *tc.Size {
				t.Errorf("%d events, the spec expects %d", len(events), *tc.Size)
			}
			for _, want := range tc.Expect {
				if want.Index >= len(events) {
					t.Errorf("no event %d", want.Index)
					continue
				}
				got := plugintest.JSON(events[want.Index])
				if !reflect.DeepEqual(asJSON(t, []byte(got)), asJSON(t, want.Event)) {
					t.Errorf("event %d\n got %s\nwant %s", want.Index, got, compact(t, want.Event))
				}
			}
		})
	}
}

func compact(t testing.TB, b []byte) string {
	out, err := json.Marshal(asJSON(t, b))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
