package lfv

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

func mustParse(t testing.TB, name, src string) *Suite {
	t.Helper()
	s, diags := Parse(name, []byte(src))
	if s == nil {
		t.Fatalf("Parse: %s", diags.Format(nil))
	}
	return s
}

func eventFrom(t *testing.T, json string) *event.Event {
	t.Helper()
	v, err := event.DecodeJSON([]byte(json))
	if err != nil {
		t.Fatal(err)
	}
	return event.NewEventFromMap(v.(*event.Map))
}

// standaloneDiffs compares events as a standalone-mode run does.
func standaloneDiffs(s *Suite, events ...*event.Event) []Difference {
	r := &Runner{opts: Options{MetadataKey: event.MetadataField}}
	var actual []*event.Map
	for _, e := range events {
		actual = append(actual, r.standaloneReport(s, e))
	}
	return compareEvents(s.Cases[0], s.trimAll(s.Cases[0], actual))
}

func diffText(diffs []Difference) string {
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "%d %s: %s / %s\n", d.Event, d.Path, d.Expected, d.Got)
	}
	return b.String()
}

func TestCompareEvents(t *testing.T) {
	tests := []struct {
		name, suite, actual, want string
	}{
		{"key order, @version and numbers by value",
			`{"testcases": [{"expected": [{"b": 1, "a": {"y": 2.50, "x": [1, 2.0]}, "@timestamp": "2026-01-02T03:04:05.678Z"}]}]}`,
			`{"@timestamp": "2026-01-02T03:04:05.678Z", "@version": "1", "a": {"x": [1.0, 2], "y": 2.5}, "b": 1}`, ""},
		{"@timestamp only counts when expected",
			`{"testcases": [{"expected": [{"a": 1}]}]}`,
			`{"@timestamp": "2026-01-02T03:04:05.678Z", "a": 1}`, ""},
		{"@timestamp compared as text",
			`{"testcases": [{"expected": [{"@timestamp": "2015-10-06T20:55:29Z"}]}]}`,
			`{"@timestamp": "2015-10-06T20:55:29.000Z"}`,
			"1 [@timestamp]: \"2015-10-06T20:55:29Z\" / \"2015-10-06T20:55:29.000Z\"\n"},
		{"types differ",
			`{"testcases": [{"expected": [{"pid": "31993", "ok": true, "n": null, "list": [1]}]}]}`,
			`{"pid": 31993, "ok": "true", "n": 0, "list": [1, 2]}`,
			"1 [pid]: \"31993\" / 31993\n1 [ok]: true / \"true\"\n1 [n]: null / 0\n1 [list]: [1] / [1,2]\n"},
		{"missing and unexpected fields",
			`{"testcases": [{"expected": [{"a": {"b": 1, "c": 2}}]}]}`,
			`{"a": {"b": 1, "d": 3}, "tags": ["_grokparsefailure"]}`,
			"1 [a][c]: 2 / none\n1 [a][d]: none / 3\n1 [tags]: none / [\"_grokparsefailure\"]\n"},
		{"ignore removes nested fields and the objects they empty",
			`{"ignore": ["host", "[log][offset]", "[event][original]"], "testcases": [{"expected": [{"log": {"level": "x"}}]}]}`,
			`{"host": "h", "log": {"level": "x", "offset": 5}, "event": {"original": "o"}}`, ""},
		{"ignore applies to the actual event only",
			`{"ignore": ["host"], "testcases": [{"expected": [{"host": "h"}]}]}`,
			`{"host": "h"}`, "1 [host]: \"h\" / none\n"},
		{"an empty tags list counts as none",
			`{"testcases": [{"expected": [{"a": 1}]}]}`,
			`{"a": 1, "tags": []}`, ""},
		{"integers past 64 bits compare exactly",
			`{"testcases": [{"expected": [{"n": 18446744073709551617}]}]}`,
			`{"n": 18446744073709551616}`, "1 [n]: 18446744073709551617 / 18446744073709551616\n"},
		{"@metadata hidden without export_metadata",
			`{"testcases": [{"expected": [{"@metadata": {"a": 1}}]}]}`,
			`{"@metadata": {"a": 1}}`, "1 [@metadata]: {\"a\":1} / none\n"},
		{"@metadata exported without LFV's own keys",
			`{"export_metadata": true, "testcases": [{"expected": [{"@metadata": {"a": 1}}]}]}`,
			`{"@metadata": {"a": 1, "__lfv_id": "3", "__tmp_x": 1}}`, ""},
		{"a bracket key in an expected event is a literal key",
			`{"testcases": [{"expected": [{"[a][b]": 1}]}]}`,
			`{"a": {"b": 1}}`, "1 [[a][b]]: 1 / none\n1 [a]: none / {\"b\":1}\n"},
		{"and matches a field named so",
			`{"testcases": [{"expected": [{"[a][b]": 1}]}]}`,
			`{"[a][b]": 1}`, ""},
		{"surplus and missing events",
			`{"testcases": [{"expected": [{"a": 1}, {"a": 2}]}]}`,
			`{"a": 1}`, "2 : {\"a\":2} / none\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, "t.json", tt.suite)
			got := diffText(standaloneDiffs(s, eventFrom(t, tt.actual)))
			if got != tt.want {
				t.Errorf("differences:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestCompareSurplusEvent(t *testing.T) {
	s := mustParse(t, "t.yaml", "testcases:\n  - expected: []\n")
	got := diffText(standaloneDiffs(s, eventFrom(t, `{"@timestamp": "2026-01-02T03:04:05.678Z", "@version": "1", "message": "m"}`)))
	if want := "1 : none / {\"@timestamp\":\"2026-01-02T03:04:05.678Z\",\"message\":\"m\"}\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNumbersEqual(t *testing.T) {
	big1 := new(big.Int).Lsh(big.NewInt(1), 70)
	tests := []struct {
		exp, act any
		want     bool
	}{
		{int64(1), float64(1), true},
		{float64(1), int64(1), true},
		{int64(1), int64(2), false},
		{float64(0.1), float64(0.1), true},
		{big1, new(big.Int).Set(big1), true},
		{big1, float64(1 << 62 * 256), true},
		{int64(1), "1", false},
		// The json filter's decimals compare by their double value.
		{float64(5.1), mustDecimal(t, "5.10"), true},
		{int64(100), mustDecimal(t, "1e2"), true},
		{float64(5.1), mustDecimal(t, "5.1000001"), false},
	}
	for _, tt := range tests {
		if got := numbersEqual(tt.exp, tt.act); got != tt.want {
			t.Errorf("numbersEqual(%v, %v) = %v", tt.exp, tt.act, got)
		}
	}
}

func mustDecimal(t *testing.T, s string) event.Decimal {
	t.Helper()
	d, err := event.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
