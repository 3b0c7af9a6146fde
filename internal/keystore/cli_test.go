package keystore

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs `gostash keystore ARGS` with the keystore in dir.
func runCLI(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := RunCLI(args, strings.NewReader(stdin), &stdout, &stderr, dir)
	return cliResult{code, stdout.String(), stderr.String()}
}

func (r cliResult) want(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || r.stdout != stdout || !strings.Contains(r.stderr, stderr) || (stderr == "" && r.stderr != "") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr containing %q",
			r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

func withPassword(t *testing.T, pass string) {
	t.Setenv(PasswordEnv, pass)
}

// withoutPassword unsets LOGSTASH_KEYSTORE_PASS for the test.
func withoutPassword(t *testing.T) {
	t.Setenv(PasswordEnv, "")
	os.Unsetenv(PasswordEnv)
}

func keystoreIn(t *testing.T, dir, pass string) *Store {
	t.Helper()
	s, err := Open(filepath.Join(dir, KeystoreFile), pass)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCLICreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeystoreFile)
	withPassword(t, "pw")
	runCLI(t, dir, "", "create").want(t, 0, "\nCreated Logstash keystore at "+path+"\n", "")
	if got := keystoreIn(t, dir, "pw").List(); len(got) != 0 {
		t.Errorf("new keystore lists %q", got)
	}

	runCLI(t, dir, "n\n", "create").want(t, 0, "\nAn Logstash keystore already exists. Overwrite ? [y/N] ", "")
	runCLI(t, dir, "", "create").want(t, 1, "\nAn Logstash keystore already exists. Overwrite ? [y/N] ", "ERROR: no answer on standard input (--force answers yes)")
	runCLI(t, dir, "y\n", "create").want(t, 0, "\nAn Logstash keystore already exists. Overwrite ? [y/N] Created Logstash keystore at "+path+"\n", "")
	runCLI(t, dir, "", "create", "--force").want(t, 0, "\nCreated Logstash keystore at "+path+"\n", "")

	// An empty password is refused before the old keystore is touched.
	withPassword(t, "")
	runCLI(t, dir, "", "create", "--force").want(t, 1, "\n", "ERROR: Empty keystore passwords are not allowed. Please ensure configured password is not empty for Logstash keystore "+path+".")
	keystoreIn(t, dir, "pw")

	withoutPassword(t)
	other := t.TempDir()
	runCLI(t, other, "N\n", "create").want(t, 0, "\n"+noPasswordQuestion, "")
	if _, err := os.Stat(filepath.Join(other, KeystoreFile)); !os.IsNotExist(err) {
		t.Errorf("answering N created a keystore: %v", err)
	}
	runCLI(t, other, "yes\n", "create").want(t, 0, "\n"+noPasswordQuestion+"Created Logstash keystore at "+filepath.Join(other, KeystoreFile)+"\n", "")
	keystoreIn(t, other, "")
}

func TestCLIAddListRemove(t *testing.T) {
	dir := t.TempDir()
	withPassword(t, "pw")
	runCLI(t, dir, "v\n", "add", "a").want(t, 0, "\nERROR: Logstash keystore not found. Use 'create' command to create one.\n", "")
	runCLI(t, dir, "", "create")

	runCLI(t, dir, "changeme\nelastic\n", "add", "ES_PWD", "--stdin", "es.user").want(t, 0,
		"\nEnter value for ES_PWD: Added 'es_pwd' to the Logstash keystore.\nEnter value for es.user: Added 'es.user' to the Logstash keystore.\n", "")
	runCLI(t, dir, "\nnaïve\n  spaced out \r\n", "add", "k").want(t, 0,
		"\nEnter value for k: ERROR: Value cannot be empty\nEnter value for k: ERROR: Value must contain only ASCII characters\nEnter value for k: Added 'k' to the Logstash keystore.\n", "")
	runCLI(t, dir, "n\n", "add", "es_pwd").want(t, 0, "\nes_pwd already exists. Overwrite ? [y/N] ", "")
	runCLI(t, dir, "y\nrotated\n", "add", "es_pwd").want(t, 0,
		"\nes_pwd already exists. Overwrite ? [y/N] Enter value for es_pwd: Added 'es_pwd' to the Logstash keystore.\n", "")
	runCLI(t, dir, "again\n", "add", "--force", "es.user").want(t, 0, "\nEnter value for es.user: Added 'es.user' to the Logstash keystore.\n", "")
	runCLI(t, dir, "", "add", "x").want(t, 1, "\nEnter value for x: ", "ERROR: no value on standard input")
	runCLI(t, dir, "v\n", "add", "my-secret").want(t, 1, "\n",
		"ERROR: Invalid secret key name `my-secret` provided. Key names are limited to ASCII letters (`a`-`z`, `A`-`Z`), numbers (`0`-`9`), underscores (`_`), and dots (`.`); they must be at least one character long and cannot begin with a number")
	runCLI(t, dir, "", "add").want(t, 0, "\nERROR: You must supply an identifier to add. (e.g. gostash keystore add my-secret)\n", "")
	runCLI(t, dir, "", "add", "a", "--bogus").want(t, 0, "\nERROR: Unrecognized option '--bogus' for command 'add'\n", "")
	runCLI(t, dir, "", "list", "--stdin").want(t, 0, "\nERROR: Unrecognized option '--stdin' for command 'list'\n", "")

	s := keystoreIn(t, dir, "pw")
	for k, want := range map[string]string{"es_pwd": "rotated", "es.user": "again", "k": "  spaced out "} {
		if got, _ := s.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	runCLI(t, dir, "", "list").want(t, 0, "\nes.user\nes_pwd\nk\n", "")

	runCLI(t, dir, "", "remove", "K", "nope", "es_pwd").want(t, 0,
		"\nRemoved 'k' from the Logstash keystore.\nERROR: 'nope' does not exist in the Logstash keystore.\nRemoved 'es_pwd' from the Logstash keystore.\n", "")
	runCLI(t, dir, "", "remove").want(t, 0, "\nERROR: You must supply a value to remove. (e.g. gostash keystore remove my-secret)\n", "")
	runCLI(t, dir, "", "list").want(t, 0, "\nes.user\n", "")

	withPassword(t, "wrong")
	runCLI(t, dir, "", "list").want(t, 1, "\n", "ERROR: Can not access Logstash keystore at "+filepath.Join(dir, KeystoreFile)+". Please verify correct file permissions and keystore password.")
	runCLI(t, t.TempDir(), "", "remove", "a").want(t, 1, "\n", "ERROR: Can not find Logstash keystore at ")
}

// The command reads a keystore Logstash's JDK wrote, found through
// --path.settings as bin/logstash-keystore takes it.
func TestCLIOnJavaKeystore(t *testing.T) {
	withoutPassword(t)
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(goldenDir, "default.keystore"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeystoreFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "\napi_key\nes.user\nes_pwd\nspaces\nunicode\n"
	runCLI(t, "elsewhere", "", "--path.settings", dir, "list").want(t, 0, want, "")
	runCLI(t, "elsewhere", "", "list", "--path.settings="+dir).want(t, 0, want, "")
	runCLI(t, "", "", "list", "--path.settings").want(t, 1, "", "ERROR: '--path.settings' found, but it is empty.")
	runCLI(t, "", "", "list").want(t, 1, "\n", "pass --path.settings DIR or set LS_SETTINGS_DIR")
	runCLI(t, "", "", "list", "--help").want(t, 0, "\nLists the keys in the keystore, never their values. For example: 'gostash keystore list'\n", "")
}

func TestCLIPasswd(t *testing.T) {
	dir := t.TempDir()
	withPassword(t, "old")
	runCLI(t, dir, "", "create")
	runCLI(t, dir, "v\n", "add", "k")
	path := filepath.Join(dir, KeystoreFile)

	runCLI(t, dir, "new pass\n", "passwd").want(t, 0, "\nEnter the new keystore password (empty for none): Changed the password of the Logstash keystore at "+path+
		".\nSet "+PasswordEnv+" to the new password wherever Logstash or gostash use this keystore.\n", "")
	if v, _ := keystoreIn(t, dir, "new pass").Get("k"); v != "v" {
		t.Errorf("k = %q after passwd", v)
	}
	runCLI(t, dir, "x\n", "passwd").want(t, 1, "\n", "ERROR: Can not access Logstash keystore")

	withPassword(t, "new pass")
	runCLI(t, dir, "\nn\n", "passwd").want(t, 0, "\nEnter the new keystore password (empty for none): "+noPasswordQuestion, "")
	keystoreIn(t, dir, "new pass")
	runCLI(t, dir, "\n", "passwd", "--force").want(t, 0, "\nEnter the new keystore password (empty for none): Changed the password of the Logstash keystore at "+path+
		".\nUnset "+PasswordEnv+" wherever Logstash or gostash use this keystore.\n", "")
	if !keystoreIn(t, dir, "").UsesDefaultPassword() {
		t.Error("passwd to empty did not switch to the default password")
	}
}

func TestCLIHelp(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{nil, {"bogus"}, {"--help"}} {
		r := runCLI(t, "", "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "\nUsage: gostash keystore") {
			t.Errorf("%q: exit %d, %q", args, r.code, r.stdout)
		}
	}
	for command := range commandOptions {
		r := runCLI(t, dir, "", command, "--help")
		lines := strings.Split(r.stdout, "\n")
		if r.code != 0 || len(lines) != 3 || !strings.Contains(lines[1], "gostash keystore "+command) {
			t.Errorf("%s --help: exit %d, %q", command, r.code, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, KeystoreFile)); !os.IsNotExist(err) {
		t.Error("--help touched the keystore")
	}
	if got := slices.Sorted(maps.Keys(commandOptions)); !slices.Equal(got, []string{"add", "create", "list", "passwd", "remove"}) {
		t.Errorf("commands = %q", got)
	}
}
