package file

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// glob returns the paths matching pattern the way Ruby's Dir.glob finds
// them: {a,b} alternatives, `**/` for any depth of directories (hidden ones
// and symbolic links to directories are not descended into), and `*`, `?`
// and `[...]` within one name, where a leading dot must be matched
// literally. The result is sorted.
func glob(pattern string) []string {
	var out []string
	for _, p := range expandBraces(pattern) {
		root := "/"
		rest := strings.TrimPrefix(filepath.ToSlash(p), "/")
		var segs []string
		for _, s := range strings.Split(rest, "/") {
			if s != "" {
				segs = append(segs, s)
			}
		}
		walkGlob(root, segs, &out)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func walkGlob(dir string, segs []string, out *[]string) {
	if len(segs) == 0 {
		*out = append(*out, dir)
		return
	}
	seg, rest := segs[0], segs[1:]
	if seg == "**" && len(rest) > 0 {
		walkGlob(dir, rest, out)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			// DirEntry's type comes from lstat: a link to a directory is not a directory here.
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				walkGlob(filepath.Join(dir, e.Name()), segs, out)
			}
		}
		return
	}
	if !hasGlobMeta(seg) {
		next := filepath.Join(dir, unescapeGlob(seg))
		if _, err := os.Lstat(next); err == nil {
			walkGlob(next, rest, out)
		}
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !nameMatches(seg, e.Name()) {
			continue
		}
		next := filepath.Join(dir, e.Name())
		if len(rest) > 0 {
			if st, err := os.Stat(next); err != nil || !st.IsDir() {
				continue
			}
		}
		walkGlob(next, rest, out)
	}
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func unescapeGlob(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nameMatches is fnmatch of one name without FNM_DOTMATCH: a name starting
// with a dot only matches a pattern that starts with one. `**` within a name
// is `*`, and `[!...]` negates like `[^...]`.
func nameMatches(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") && !strings.HasPrefix(pattern, `\.`) {
		return false
	}
	pattern = strings.ReplaceAll(pattern, "[!", "[^")
	ok, err := filepath.Match(pattern, name)
	return ok && err == nil
}

// expandBraces expands {a,b} alternatives (nested ones too) into every
// pattern they stand for, in order; a backslash escapes a brace or comma.
func expandBraces(p string) []string {
	open := -1
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				open = i
			}
			depth++
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth > 0 {
				continue
			}
			var alts []string
			start, d := open+1, 0
			for j := open + 1; j < i; j++ {
				switch p[j] {
				case '\\':
					j++
				case '{':
					d++
				case '}':
					d--
				case ',':
					if d == 0 {
						alts = append(alts, p[start:j])
						start = j + 1
					}
				}
			}
			alts = append(alts, p[start:i])
			var out []string
			for _, a := range alts {
				out = append(out, expandBraces(p[:open]+a+p[i+1:])...)
			}
			return out
		}
	}
	return []string{p}
}
