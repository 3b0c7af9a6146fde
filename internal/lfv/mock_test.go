package lfv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestApplyMocks(t *testing.T) {
	cfg, diags := lang.Parse("c.conf", []byte(`
input { tcp { id => "in" port => 1 } }
filter {
  if [a] { lookup { id => "l" } } else { mutate { id => "gone" add_tag => ["x"] } }
  mutate { id => "kept" add_tag => ["kept"] }
}`), lang.ParseOptions{})
	if cfg == nil {
		t.Fatal(diags.Format(nil))
	}
	mocks, _, diags := LoadMocks(writeFile(t, "m.yml", "- id: l\n  mock: |\n    mutate { add_tag => [\"mocked\"] }\n- id: gone\n- id: in\n  mock: stdin {}\n- id: unused\n"))
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	out, diags := ApplyMocks([]*Pipeline{{ID: "main", Configs: []*lang.Config{cfg}}}, mocks)
	if got := diags.Format(nil); !strings.Contains(got, `m.yml:7:3: warning: no plugin with id "unused" in the config`) || diags.HasErrors() {
		t.Errorf("diagnostics: %s", got)
	}
	want := `input {
  stdin {
    id => "in"
  }
}

filter {
  if [a] {
    mutate {
      add_tag => ["mocked"]
      id => "l"
    }
  } else {}
  mutate {
    id => "kept"
    add_tag => ["kept"]
  }
}
`
	if got := string(lang.Format(out[0].Configs[0])); got != want {
		t.Errorf("mocked config:\n%s\nwant:\n%s", got, want)
	}
	if got := string(lang.Format(cfg)); !strings.Contains(got, "lookup") {
		t.Errorf("ApplyMocks changed its input:\n%s", got)
	}
}

func TestLoadMocksErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"id: x\n", "a plugin mock file must be an array, not an object"},
		{"- mock: 'x {}'\n", "1:3: error: a plugin mock needs an id"},
		{"- 42\n", "1:3: error: a plugin mock must be an object with id and mock, not a number"},
	}
	for _, tt := range tests {
		_, _, diags := LoadMocks(writeFile(t, "m.yaml", tt.src))
		if got := diags.Format(nil); !diags.HasErrors() || !strings.Contains(got, tt.want) {
			t.Errorf("LoadMocks(%q): %s, want %q", tt.src, got, tt.want)
		}
	}
	cfg, _ := lang.Parse("c.conf", []byte(`filter { mutate { id => "m" } }`), lang.ParseOptions{})
	_, diags := ApplyMocks([]*Pipeline{{ID: "main", Configs: []*lang.Config{cfg}}}, []Mock{{ID: "m", Config: "mutate {", At: lang.Pos{File: "m.yml", Line: 1, Column: 3}.Span()}})
	if got := diags.Format(nil); !diags.HasErrors() || !strings.Contains(got, `m.yml:1:3: error: mock for "m" is not valid filter config`) {
		t.Errorf("bad mock text: %s", got)
	}
}
