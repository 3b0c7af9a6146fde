package gostash_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/gostash/gostash/"

// TestImportDirection keeps the layers apart: imports point from cmd to
// plugins to runtime to lang, internal/ never reaches into plugins/, and a
// plugin never imports another plugin's folder (shared plugin code lives
// in plugins/internal/). Test files are left out: a plugin's tests may run
// it beside the others.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		from := strings.TrimPrefix(p.ImportPath, module)
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := strings.TrimPrefix(imp, module)
			checked++
			if why := forbidden(from, to); why != "" {
				t.Errorf("%s imports %s: %s", from, to, why)
			}
		}
	}
	if checked == 0 {
		t.Fatal("go list reported no imports between the project's packages")
	}
}

// forbidden says why package from may not import package to, or "" when it
// may. Paths are relative to the module.
func forbidden(from, to string) string {
	layer := func(p string) int {
		switch {
		case p == "lang" || strings.HasPrefix(p, "lang/"):
			return 0
		case strings.HasPrefix(p, "runtime/"):
			return 1
		case strings.HasPrefix(p, "plugins/"):
			return 2
		case strings.HasPrefix(p, "cmd/"):
			return 3
		}
		return -1 // internal/ and scripts/: helpers, checked below
	}
	switch {
	case strings.HasPrefix(to, "cmd/"):
		return "nothing imports a command"
	case strings.HasPrefix(from, "internal/") && strings.HasPrefix(to, "plugins/"):
		return "internal/ serves every layer and must not depend on plugins"
	case layer(from) >= 0 && layer(to) > layer(from):
		return "imports point cmd → plugins → runtime → lang, never upwards"
	case strings.HasPrefix(to, "internal/") && layer(from) >= 0 && layer(from) < 2 && to != "internal/ruby" && !strings.HasPrefix(to, "internal/ruby/"):
		return "lang and runtime may use internal/ruby and its packages only (Ruby semantics of the event model and its regexps)"
	}
	fromPlugin, toPlugin := pluginFolder(from), pluginFolder(to)
	if toPlugin != "" && fromPlugin != toPlugin && from != "plugins/all" {
		if fromPlugin != "" {
			return "a plugin must not import another plugin's folder; move shared code to plugins/internal/"
		}
		if strings.HasPrefix(from, "plugins/internal/") {
			return "shared plugin code must not depend on one plugin"
		}
	}
	return ""
}

// pluginFolder is plugins/<kind>/<name> for a package inside one plugin's
// folder, else "".
func pluginFolder(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) < 3 || parts[0] != "plugins" || parts[1] == "internal" || parts[2] == "internal" {
		return ""
	}
	return strings.Join(parts[:3], "/")
}
