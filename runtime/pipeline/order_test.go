package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCopies = plugin.Int("copies").Default(1)
	optTag    = plugin.String("tag").Required()
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_copy", Options: []plugin.Declared{optCopies}},
		New: func(s *plugin.Settings) (plugin.Filter, error) { return testCopy(optCopies.Get(s)), nil }})
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_tag", Options: []plugin.Declared{optTag}},
		New: func(s *plugin.Settings) (plugin.Filter, error) { return testTag(optTag.Get(s)), nil }})
}

// testCopy makes copies of each event that is not a copy, numbered in
// their copy field from 1, as clone does.
type testCopy int64

func (c testCopy) Filter(e *event.Event, emit func(*event.Event)) bool {
	if e.Includes("copy") {
		return false
	}
	for i := range int64(c) {
		cp := e.Clone()
		cp.Set("copy", i+1)
		emit(cp)
	}
	return true
}

// testTag tags every event.
type testTag string

func (t testTag) Filter(e *event.Event, _ func(*event.Event)) bool {
	e.Tag(string(t))
	return true
}

// describeFamily names events by n, copy number and tags: "1", "1c2", "1c1+a".
func describeFamily(events []*event.Event) string {
	var parts []string
	for _, e := range events {
		n, _ := e.Get("n")
		s := fmt.Sprint(n)
		if c, ok := e.Get("copy"); ok {
			s += fmt.Sprintf("c%v", c)
		}
		if tags, ok := e.Get("tags"); ok {
			for _, t := range tags.([]any) {
				s += "+" + t.(string)
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// TestFamiliesFollowLogstashDatasetOrder checks the order of an event and
// the events made from it where a conditional splits them. Logstash moves
// them through its compiled datasets together: an if's true side comes
// out before its false side, and an empty side (where an event passes the
// if by) after both. LFV's integration case issue_153 (a clone, then an if
// on the clone's type) is the same order observed in Logstash.
func TestFamiliesFollowLogstashDatasetOrder(t *testing.T) {
	tests := []struct{ name, filters, want string }{
		{"no conditional: each event, then what was made from it",
			`test_copy { copies => 2 } test_tag { tag => "x" }`,
			"1+x 1c1+x 1c2+x 2+x 2c1+x 2c2+x"},
		{"the copy takes the if's body, the original passes by",
			`test_copy {} if [copy] { test_tag { tag => "a" } }`,
			"1c1+a 1 2c1+a 2"},
		{"else if chain: bodies in order, then the events of an empty body",
			`test_copy { copies => 2 } if [copy] == 1 { test_tag { tag => "a" } } else if [copy] == 2 { } else { test_tag { tag => "z" } }`,
			"1c1+a 1+z 1c2 2c1+a 2+z 2c2"},
		{"an empty true side comes after the false side",
			`test_copy {} if [copy] { } else { test_tag { tag => "z" } }`,
			"1+z 1c1 2+z 2c1"},
		{"nested: the inner if's order inside the outer's true side",
			`test_copy { copies => 2 } if [n] { if [copy] == 2 { test_tag { tag => "b" } } test_tag { tag => "x" } }`,
			"1c2+b+x 1+x 1c1+x 2c2+b+x 2+x 2c1+x"},
		{"an if with nothing in it is left out",
			`test_copy {} if [copy] { if [n] == 5 { } }`,
			"1 1c1 2 2c1"},
		{"a copy made inside a branch body",
			`if [n] == 2 { test_copy {} if [copy] { test_tag { tag => "a" } } } test_tag { tag => "x" }`,
			"1+x 2c1+a+x 2+x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := lang.Parse("p.conf", []byte("filter { "+tt.filters+" }"), lang.ParseOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Format(nil))
			}
			p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
			if diags.HasErrors() {
				t.Fatal(diags.Format(nil))
			}
			events := []*event.Event{eventWith("n", int64(1)), eventWith("n", int64(2))}
			if got := describeFamily(p.ProcessFilters(events)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			// The running pipeline gives the same order.
			events = []*event.Event{eventWith("n", int64(1)), eventWith("n", int64(2))}
			if got := describeFamily(runConfig(t, "input { test_slice {} } filter { "+tt.filters+" } output { test_collect {} }", 1, events)); got != tt.want {
				t.Errorf("pipeline: got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBatchFilterFamiliesFollowDatasetOrder(t *testing.T) {
	*batchFilter = testBatch{}
	cfg, diags := lang.Parse("p.conf", []byte(`filter { test_batch {} if [copy] { test_tag { tag => "a" } } }`), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	// 3's copy takes the if's body and comes out before 3, which passes by.
	if got, want := describeFamily(p.ProcessFilters(numbered(4))), "0ctrue+a 0 1 2 3ctrue+a 3"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
