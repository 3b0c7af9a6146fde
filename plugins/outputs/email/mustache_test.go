package email

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// TestMustacheAgainstTheGem renders each template of testdata/mustache
// and compares with what Debian's ruby-mustache rendered
// (scripts/golden/mustache.sh): the same output, or an error where the gem
// raised one.
func TestMustacheAgainstTheGem(t *testing.T) {
	raw, err := os.ReadFile("testdata/mustache/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var input struct {
		Event json.RawMessage
		Cases []struct{ Name, Template string }
	}
	if err := json.Unmarshal(raw, &input); err != nil {
		t.Fatal(err)
	}
	fields, err := event.DecodeJSON(input.Event)
	if err != nil {
		t.Fatal(err)
	}
	ev := event.NewEventFromMap(fields.(*event.Map))
	raw, err = os.ReadFile("testdata/mustache/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var expected map[string]struct{ Output, Error string }
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	if len(expected) != len(input.Cases) {
		t.Fatalf("%d cases, %d expected: regenerate with scripts/golden/mustache.sh", len(input.Cases), len(expected))
	}
	for _, c := range input.Cases {
		t.Run(c.Name, func(t *testing.T) {
			want := expected[c.Name]
			tmpl, err := parseMustache(c.Template)
			if want.Error != "" {
				if err == nil || !strings.HasPrefix(err.Error(), want.Error) {
					t.Fatalf("error %v; the gem said %q", err, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v; the gem rendered %q", err, want.Output)
			}
			if got := tmpl.render(ev); got != want.Output {
				t.Errorf("got  %q\nwant %q", got, want.Output)
			}
		})
	}
}

func TestMustachePartialsAreRefused(t *testing.T) {
	if _, err := parseMustache("a {{> footer}}"); err == nil {
		t.Fatal("a partial parsed")
	}
}
