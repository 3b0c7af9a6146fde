package main

import (
	"errors"
	"flag"
	"io"
)

// Each subcommand answers -h, -help and --help with its usage on stdout
// and exit code 0, as the main command does.

const fmtUsage = `usage: gostash fmt [-w | --check] FILE...

Prints each config file in canonical form: two-space indentation, one
attribute per line, nested conditions parenthesized. Every comment is kept
where it was. The output reads as the same pipeline.

Options:
  -w          rewrite in place the files that are not in canonical form, and
              print nothing
  --check     print the name of each file that is not in canonical form, and
              exit 1 if there is one; change nothing
  -h, --help  print this help

Exits 1 when a file cannot be read or does not parse (its errors go to stderr).
`

const pluginsUsage = `usage: gostash plugins [NAME...]

Lists the plugins gostash has, by kind, or the options of the named plugins:
each option's type, default and description.
`

const docsUsage = `usage: gostash docs PLUGINS_DIR

Writes PLUGINS_DIR/<kind>s/<name>/README.md for every plugin that has a
folder there, from its option declarations.
`

// asksForHelp reports whether args hold -h, -help or --help before any "--".
func asksForHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// fmtArgs are the parsed arguments of `gostash fmt`.
type fmtArgs struct {
	write, check bool
	files        []string
}

// errFmtHelp: the arguments ask for fmt's usage.
var errFmtHelp = errors.New("help requested")

// parseFmtArgs reads fmt's flags, which may come before, between or after
// the files; after "--" everything is a file.
func parseFmtArgs(args []string, stderr io.Writer) (fmtArgs, error) {
	var a fmtArgs
	fs := flag.NewFlagSet("gostash fmt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	fs.BoolVar(&a.write, "w", false, "rewrite the files in place")
	fs.BoolVar(&a.check, "check", false, "list the files that are not formatted")
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return a, errFmtHelp
			}
			return a, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			a.files = append(a.files, rest...)
			break
		}
		a.files = append(a.files, rest[0])
		args = rest[1:]
	}
	switch {
	case a.write && a.check:
		return a, errors.New("-w and --check cannot be used together")
	case len(a.files) == 0:
		return a, errors.New("no files given")
	}
	return a, nil
}
