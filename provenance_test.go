package gostash_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryGoldenDirectorySaysWhereItComesFrom: a directory of testdata/
// or of a plugin's testcases/ that holds files (other than a README) needs
// a one-line PROVENANCE, in itself or in a directory above it there,
// saying whether a reference library's script, a named Logstash document
// (by hand) or gostash itself (a regression snapshot) wrote them.
func TestEveryGoldenDirectorySaysWhereItComesFrom(t *testing.T) {
	roots, err := filepath.Glob(filepath.Join("plugins", "*", "*", "testcases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range append(roots, "testdata") {
		filepath.WalkDir(root, func(dir string, d os.DirEntry, err error) error {
			if err != nil {
				t.Error(err)
				return nil
			}
			if !d.IsDir() || !holdsGoldenFiles(t, dir) {
				return nil
			}
			for up := dir; ; up = filepath.Dir(up) {
				if _, err := os.Stat(filepath.Join(up, "PROVENANCE")); err == nil {
					return nil
				}
				if up == root {
					break
				}
			}
			t.Errorf("%s has no PROVENANCE (here or above it in %s) saying where its files come from", dir, root)
			return nil
		})
	}
}

func holdsGoldenFiles(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), "README") && e.Name() != "PROVENANCE" {
			return true
		}
	}
	return false
}
