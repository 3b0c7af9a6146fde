package keystore

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/term"
)

// KeystoreFile is the keystore's name in path.settings.
const KeystoreFile = "logstash.keystore"

// RunCLI is `gostash keystore`, bin/logstash-keystore's commands with its
// messages and exit codes, and returns the exit code.
//
//	create [--force]                a new keystore, or replace the one there
//	list                            the keys
//	add KEY... [--stdin] [--force]  set keys, the values read from stdin
//	remove KEY...                   delete keys
//	passwd [--stdin] [--force]      change the password (gostash only)
//
// `--path.settings DIR` anywhere in args picks the directory holding
// logstash.keystore, else settingsDir. The password is LOGSTASH_KEYSTORE_PASS,
// or the default one when it is unset. Values are read from stdin, without
// echo when stdin is a terminal; one line each otherwise (--stdin reads lines
// even from a terminal, for Logstash's flag of that name). --force answers
// yes to every [y/N] question; Logstash has no such flag and asks.
//
// Like Logstash, it prints an empty line first, reports problems with the
// arguments as "ERROR: ..." on stdout and exits 0 after them; a keystore that
// cannot be read or written is an error on stderr and exit code 1.
func RunCLI(args []string, stdin io.Reader, stdout, stderr io.Writer, settingsDir string) int {
	c := &cli{in: bufio.NewReader(stdin), out: stdout}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		c.terminal = f
	}
	args, dir, err := settingsFlag(args)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	if dir == "" {
		dir = settingsDir
	}
	if dir != "" {
		c.path = filepath.Join(dir, KeystoreFile)
	}
	fmt.Fprintln(stdout)
	if err := c.run(args); err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	return 0
}

// settingsFlag takes --path.settings DIR or --path.settings=DIR out of args,
// wherever it is, as bin/logstash-keystore does.
func settingsFlag(args []string) ([]string, string, error) {
	var rest []string
	dir := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--path.settings":
			if i+1 >= len(args) || args[i+1] == "" {
				return nil, "", errors.New("'--path.settings' found, but it is empty. Please remove '--path.settings' from arguments or provide a value")
			}
			dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--path.settings="):
			dir = strings.TrimPrefix(a, "--path.settings=")
		default:
			rest = append(rest, a)
		}
	}
	return rest, dir, nil
}

type cli struct {
	in *bufio.Reader
	// terminal is stdin when it is one: secrets are then read without echo.
	terminal *os.File
	out      io.Writer
	path     string // "" without a settings directory: only help works
}

// commandOptions are the options each command takes; every command also
// takes --help.
var commandOptions = map[string][]string{
	"create": {"--force"},
	"list":   nil,
	"add":    {"--stdin", "--force"},
	"remove": nil,
	"passwd": {"--stdin", "--force"},
}

func (c *cli) run(args []string) error {
	if len(args) == 0 {
		c.help()
		return nil
	}
	command := args[0]
	valid, ok := commandOptions[command]
	if !ok {
		c.help()
		return nil
	}
	options := map[string]bool{}
	var keys []string
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "--") {
			keys = append(keys, a)
			continue
		}
		if a != "--help" && !slices.Contains(valid, a) {
			c.println(fmt.Sprintf("ERROR: Unrecognized option '%s' for command '%s'", a, command))
			return nil
		}
		options[a] = true
	}
	if c.path == "" && !options["--help"] {
		return errors.New("the keystore lives in path.settings, the directory of logstash.yml: pass --path.settings DIR or set LS_SETTINGS_DIR")
	}
	force := options["--force"]
	switch command {
	case "create":
		if options["--help"] {
			c.println("Creates a new keystore in path.settings, replacing any there after asking (--force: without asking). For example: 'gostash keystore create'")
			return nil
		}
		return c.create(force)
	case "list":
		if options["--help"] {
			c.println("Lists the keys in the keystore, never their values. For example: 'gostash keystore list'")
			return nil
		}
		s, err := c.open()
		if err != nil {
			return err
		}
		for _, k := range s.List() {
			c.println(k)
		}
		return nil
	case "add":
		if options["--help"] {
			c.println("Adds keys to the keystore, asking for each value (read from stdin). For example: 'gostash keystore add ES_PWD', then use ${ES_PWD} in a pipeline config.")
			return nil
		}
		return c.add(keys, force, options["--stdin"])
	case "remove":
		if options["--help"] {
			c.println("Removes keys from the keystore. For example: 'gostash keystore remove ES_PWD'")
			return nil
		}
		return c.remove(keys)
	default: // passwd
		if options["--help"] {
			c.println("Changes the keystore's password: the current one comes from " + PasswordEnv + ", the new one is asked for (empty: none, the default password). For example: 'gostash keystore passwd'")
			return nil
		}
		return c.passwd(force, options["--stdin"])
	}
}

func (c *cli) help() {
	for _, line := range []string{
		"Usage: gostash keystore [--path.settings DIR] COMMAND [ARGUMENTS]",
		"",
		"Commands:",
		"  create            create the keystore, or replace it (e.g. gostash keystore create)",
		"  list              list its keys (e.g. gostash keystore list)",
		"  add KEY...        add keys, reading their values from stdin (e.g. gostash keystore add ES_USER ES_PWD)",
		"  remove KEY...     remove keys (e.g. gostash keystore remove ES_USER ES_PWD)",
		"  passwd            change its password",
		"",
		"Options:",
		"  --help            what one command does (e.g. gostash keystore add --help)",
		"  --stdin           read values from stdin, one line each, even from a terminal",
		"  --force           answer yes to every question (create, add, passwd)",
		"  --path.settings   the directory of logstash.yml, where logstash.keystore is",
		"",
		"The password is " + PasswordEnv + "; without it the keystore uses a default password kept in the file.",
	} {
		c.println(line)
	}
}

func (c *cli) println(line string) { fmt.Fprintln(c.out, line) }

// open loads the keystore with the password from the environment.
func (c *cli) open() (*Store, error) {
	pass, err := EnvPassword(c.path, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	return Open(c.path, pass)
}

func (c *cli) exists() bool {
	_, err := os.Stat(c.path)
	return !errors.Is(err, fs.ErrNotExist)
}

// confirm asks a [y/N] question; --force answers it.
func (c *cli) confirm(question string, force bool) (bool, error) {
	if force {
		return true, nil
	}
	fmt.Fprint(c.out, question)
	line, err := c.in.ReadString('\n')
	if err != nil && line == "" {
		return false, errors.New("no answer on standard input (--force answers yes)")
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

const noPasswordQuestion = "WARNING: The keystore password is not set. Please set the environment variable `" + PasswordEnv +
	"`. Failure to do so will result in reduced security. Continue without password protection on the keystore? [y/N] "

func (c *cli) create(force bool) error {
	// Checked before anything is replaced: Logstash deletes the old
	// keystore first and then fails on an empty password.
	pass, err := EnvPassword(c.path, os.LookupEnv)
	if err != nil {
		return err
	}
	if c.exists() {
		if ok, err := c.confirm("An Logstash keystore already exists. Overwrite ? [y/N] ", force); !ok || err != nil {
			return err
		}
	}
	if pass == "" {
		if ok, err := c.confirm(noPasswordQuestion, force); !ok || err != nil {
			return err
		}
	}
	if _, err := Create(c.path, pass, true); err != nil {
		return err
	}
	c.println("Created Logstash keystore at " + c.path)
	return nil
}

// readSecret reads one value: from the terminal without echo, else a line.
func (c *cli) readSecret(prompt string, lines bool) (string, error) {
	fmt.Fprint(c.out, prompt)
	if c.terminal != nil && !lines {
		b, err := term.ReadPassword(int(c.terminal.Fd()))
		fmt.Fprintln(c.out)
		return string(b), err
	}
	line, err := c.in.ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no value on standard input")
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (c *cli) add(keys []string, force, lines bool) error {
	if len(keys) == 0 {
		c.println("ERROR: You must supply an identifier to add. (e.g. gostash keystore add my-secret)")
		return nil
	}
	if !c.exists() {
		c.println("ERROR: Logstash keystore not found. Use 'create' command to create one.")
		return nil
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := CheckKey(key); err != nil {
			return err
		}
		if _, ok := s.Get(key); ok {
			if ok, err := c.confirm(key+" already exists. Overwrite ? [y/N] ", force); err != nil {
				return err
			} else if !ok {
				continue
			}
		}
		var value string
		for value == "" {
			v, err := c.readSecret("Enter value for "+key+": ", lines)
			switch {
			case err != nil:
				return err
			case v == "":
				c.println("ERROR: Value cannot be empty")
			case !isASCII(v):
				c.println("ERROR: Value must contain only ASCII characters")
			default:
				value = v
			}
		}
		if err := s.Add(key, value); err != nil {
			return err
		}
		if err := s.Save(); err != nil {
			return err
		}
		c.println(fmt.Sprintf("Added '%s' to the Logstash keystore.", strings.ToLower(key)))
	}
	return nil
}

func (c *cli) remove(keys []string) error {
	if len(keys) == 0 {
		c.println("ERROR: You must supply a value to remove. (e.g. gostash keystore remove my-secret)")
		return nil
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := s.Remove(key); err != nil {
			c.println("ERROR: " + err.Error())
			continue
		}
		if err := s.Save(); err != nil {
			return err
		}
		c.println(fmt.Sprintf("Removed '%s' from the Logstash keystore.", strings.ToLower(key)))
	}
	return nil
}

func (c *cli) passwd(force, lines bool) error {
	s, err := c.open()
	if err != nil {
		return err
	}
	pass, err := c.readSecret("Enter the new keystore password (empty for none): ", lines)
	if err != nil {
		return err
	}
	if c.terminal != nil && !lines {
		again, err := c.readSecret("Enter the new keystore password again: ", lines)
		if err != nil {
			return err
		}
		if again != pass {
			return errors.New("the two passwords differ; the keystore is unchanged")
		}
	}
	if pass == "" {
		if ok, err := c.confirm(noPasswordQuestion, force); !ok || err != nil {
			return err
		}
	}
	s.ChangePassword(pass)
	if err := s.Save(); err != nil {
		return err
	}
	c.println("Changed the password of the Logstash keystore at " + c.path + ".")
	if pass == "" {
		c.println("Unset " + PasswordEnv + " wherever Logstash or gostash use this keystore.")
	} else {
		c.println("Set " + PasswordEnv + " to the new password wherever Logstash or gostash use this keystore.")
	}
	return nil
}
