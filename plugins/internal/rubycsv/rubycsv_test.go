package rubycsv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// The tables under testdata/filters/csv were written by Ruby's own CSV
// library (scripts/golden/filters-wave2.sh).
func readTable(t *testing.T, name string) [][]json.RawMessage {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "filters", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]json.RawMessage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return rows
}

func str(t *testing.T, raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseLineMatchesRuby(t *testing.T) {
	for _, row := range readTable(t, "parse_line.jsonl") {
		d := Dialect{Separator: str(t, row[0]), Quote: str(t, row[1])}
		input := str(t, row[2])
		got, err := d.ParseLine(input)
		var want any
		json.Unmarshal(row[3], &want)
		if want == "error" {
			if err == nil {
				t.Errorf("%q sep %q quote %q: got %q, Ruby raises", input, d.Separator, d.Quote, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q sep %q quote %q: %v, Ruby gives %s", input, d.Separator, d.Quote, err, row[3])
			continue
		}
		var gotJSON any
		b, _ := json.Marshal(got)
		if got == nil {
			b = []byte("null")
		}
		json.Unmarshal(b, &gotJSON)
		if !reflect.DeepEqual(gotJSON, want) {
			t.Errorf("%q sep %q quote %q: got %s, Ruby gives %s", input, d.Separator, d.Quote, b, row[3])
		}
	}
}

func TestGenerateLineMatchesRuby(t *testing.T) {
	for _, row := range readTable(t, "generate_line.jsonl") {
		d := Dialect{Separator: str(t, row[0]), Quote: str(t, row[1])}
		var fields []*string
		json.Unmarshal(row[2], &fields)
		got, err := d.GenerateLine(nil, fields)
		if err != nil {
			t.Fatal(err)
		}
		if want := str(t, row[3]); string(got) != want {
			t.Errorf("%s: got %q, Ruby gives %q", row[2], got, want)
		}
	}
}

func TestConvertMatchesRuby(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	saved := time.Local
	time.Local = loc
	defer func() { time.Local = saved }()
	for _, row := range readTable(t, "convert.jsonl") {
		typ := str(t, row[0])
		var in any
		json.Unmarshal(row[1], &in)
		got, err := Convert(typ, in)
		var desc string
		switch v := got.(type) {
		case nil:
			desc = "null"
		case int64, *big.Int:
			desc = fmt.Sprintf(`{"int":"%v"}`, v)
		case float64:
			desc = fmt.Sprintf(`{"float":"%s"}`, ruby.FloatToS(v))
		case event.Timestamp:
			desc = fmt.Sprintf(`{"ts":"%s"}`, v.String())
		case bool:
			desc = fmt.Sprintf(`{"bool":%v}`, v)
		case string:
			b, _ := json.Marshal(v)
			desc = `{"str":` + string(b) + `}`
		}
		if err != nil {
			desc = `"error"`
		}
		if desc != string(row[2]) {
			t.Errorf("%s of %s: got %s, Ruby gives %s", typ, row[1], desc, row[2])
		}
	}
}

func TestParseAllMatchesRuby(t *testing.T) {
	for _, row := range readTable(t, "parse_all.jsonl") {
		d := Dialect{Separator: str(t, row[0]), Quote: str(t, row[1])}
		input := str(t, row[2])
		got, err := d.ParseAll(input)
		var want any
		json.Unmarshal(row[3], &want)
		if want == "error" {
			if err == nil {
				t.Errorf("%q: got %q, Ruby raises", input, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v, Ruby gives %s", input, err, row[3])
			continue
		}
		b, _ := json.Marshal(got)
		if got == nil {
			b = []byte("[]")
		}
		var gotJSON any
		json.Unmarshal(b, &gotJSON)
		if !reflect.DeepEqual(gotJSON, want) {
			t.Errorf("%q: got %s, Ruby gives %s", input, b, row[3])
		}
	}
}
