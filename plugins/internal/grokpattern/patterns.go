// Package grokpattern holds what grok patterns need wherever they are
// used (the grok filter, the multiline codec): Logstash's core pattern
// sets, pattern files, and the expansion of %{NAME} references into a
// regular expression that runs with Ruby's semantics.
package grokpattern

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The core pattern sets Logstash ships (logstash-patterns-core): legacy
// field names, and ECS v1 names used for ecs_compatibility v1 and v8.
//
//go:embed patterns/legacy/* patterns/ecs-v1/*
var corePatterns embed.FS

// Read adds the NAME REGEX lines of a pattern file to defs, as
// jls-grok reads them: leading blanks and #-comment lines are skipped, the
// name ends at the first whitespace and the regex runs to the end of line.
func Read(r io.Reader, defs map[string]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t\v\f\r")
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.IndexAny(line, " \t\v\f\r")
		if i < 0 {
			continue
		}
		name := line[:i]
		regex := strings.TrimLeft(line[i:], " \t\v\f\r")
		defs[name] = strings.TrimSuffix(regex, "\r")
	}
	return sc.Err()
}

// ErrUndefined is a %{NAME} no pattern set defines.
var ErrUndefined = errors.New("not defined")

// InstalledDir is the installation's patterns directory, which
// Logstash reads by default: $LOGSTASH_HOME/patterns when LOGSTASH_HOME is
// set, else the gostash package's /usr/share/gostash/patterns.
func InstalledDir() string {
	if home := os.Getenv("LOGSTASH_HOME"); home != "" {
		return filepath.Join(home, "patterns")
	}
	return "/usr/share/gostash/patterns"
}

// LookedIn says where pattern definitions came from, for the error about
// an undefined one.
func LookedIn(ecs, installed string, patternsDir []string) string {
	set := "legacy"
	if ecs != "disabled" {
		set = "ecs-v1"
	}
	where := fmt.Sprintf("the built-in %s patterns, %s", set, filepath.Join(installed, "*"))
	if len(patternsDir) > 0 {
		where += ", patterns_dir " + strings.Join(patternsDir, ", ")
	}
	return where
}

// Core returns the embedded set for an ECS mode.
func Core(ecs string) (map[string]string, error) {
	dir := "patterns/legacy"
	if ecs != "disabled" {
		dir = "patterns/ecs-v1"
	}
	entries, err := fs.ReadDir(corePatterns, dir)
	if err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for _, e := range entries {
		f, err := corePatterns.Open(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		err = Read(f, defs)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("pattern file %s: %w", e.Name(), err)
		}
	}
	return defs, nil
}

// Files lists the files of patterns_dir: a directory contributes the
// files matching glob in it, anything else is itself a glob.
func Files(paths []string, glob string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			p = filepath.Join(p, glob)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("bad pattern path %q: %w", p, err)
		}
		sort.Strings(matches)
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && !st.IsDir() {
				files = append(files, m)
			}
		}
	}
	return files, nil
}

// ReadFile adds the definitions of a pattern file to defs.
func ReadFile(path string, defs map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("Grok pattern file does not exist: %s", path)
	}
	defer f.Close()
	return Read(f, defs)
}
