package keystore

import (
	"bufio"
	"encoding/asn1"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// The passwords scripts/golden/keystore.sh gives LOGSTASH_KEYSTORE_PASS.
const (
	explicitPassword = "golden keystore pass"
	nonASCIIPassword = "pässwörd-ключ"
)

const goldenDir = "../../testdata/keystore"

// goldenSecrets is testdata/keystore/secrets.txt, the key=value lines every
// golden keystore was filled with, keyed by the lower-cased key Logstash
// stores.
func goldenSecrets(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, "secrets.txt"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{}
	for line := range strings.Lines(string(data)) {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		secrets[strings.ToLower(k)] = v
	}
	return secrets
}

// copyGolden copies a golden keystore into a temporary directory, so tests
// that write never touch testdata.
func copyGolden(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkContents(t *testing.T, s *Store, want map[string]string) {
	t.Helper()
	if got, wantKeys := s.List(), slices.Sorted(maps.Keys(want)); !slices.Equal(got, wantKeys) {
		t.Errorf("List() = %q, want %q", got, wantKeys)
	}
	for k, v := range want {
		if got, ok := s.Get(k); !ok || got != v {
			t.Errorf("Get(%q) = %q, %v, want %q", k, got, ok, v)
		}
	}
}

func TestReadJavaWrittenKeystores(t *testing.T) {
	all := goldenSecrets(t)
	shrunk := maps.Clone(all)
	delete(shrunk, "unicode")
	delete(shrunk, "spaces")
	for _, tc := range []struct {
		file, password string
		want           map[string]string
		prot           protection
	}{
		{"default.keystore", "", all, modernProtection},
		{"explicit.keystore", explicitPassword, all, modernProtection},
		{"nonascii-password.keystore", nonASCIIPassword, all, modernProtection},
		{"legacy.keystore", "", all, protection{schemePBESHA13DES, 50000, macSHA1, 100000}},
		{"shrunk.keystore", "", shrunk, modernProtection},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s, err := Open(filepath.Join(goldenDir, tc.file), tc.password)
			if err != nil {
				t.Fatal(err)
			}
			checkContents(t, s, tc.want)
			if v, ok := s.Get("ES_PWD"); !ok || v != "changeme" {
				t.Errorf(`Get("ES_PWD") = %q, %v: keys match without regard to case`, v, ok)
			}
			if _, ok := s.Get("missing"); ok {
				t.Error(`Get("missing") found a value`)
			}
			if s.UsesDefaultPassword() != (tc.password == "") {
				t.Errorf("UsesDefaultPassword() = %v", s.UsesDefaultPassword())
			}
			if s.prot.keyScheme != tc.prot.keyScheme || s.prot.keyIterations != tc.prot.keyIterations ||
				!s.prot.macHash.oid.Equal(tc.prot.macHash.oid) || s.prot.macIterations != tc.prot.macIterations {
				t.Errorf("protection = %+v, want %+v", s.prot, tc.prot)
			}
		})
	}
}

func wantKind(t *testing.T, err, kind error, msg string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("err = %q, want it to contain %q", err, msg)
	}
}

func TestOpenErrors(t *testing.T) {
	golden := func(name string) string { return filepath.Join(goldenDir, name) }
	abs := func(name string) string { return absPath(golden(name)) }

	_, err := Open(golden("explicit.keystore"), "not the password")
	wantKind(t, err, ErrWrongPassword, "Can not access Logstash keystore at "+abs("explicit.keystore")+
		". Please verify correct file permissions and keystore password.")

	// Without LOGSTASH_KEYSTORE_PASS Logstash takes the end of the PKCS12
	// data for the obfuscated default password, which then fails the MAC.
	_, err = Open(golden("explicit.keystore"), "")
	wantKind(t, err, ErrWrongPassword, "Can not access Logstash keystore")
	_, err = Open(golden("default.keystore"), "some password")
	wantKind(t, err, ErrWrongPassword, "Can not access Logstash keystore")

	_, err = Open(golden("nomarker.keystore"), "")
	wantKind(t, err, ErrCorrupt, "Found a keystore at "+abs("nomarker.keystore")+", but it is not a Logstash keystore.")

	missing := filepath.Join(t.TempDir(), "logstash.keystore")
	_, err = Open(missing, "")
	wantKind(t, err, ErrNotFound, "Can not find Logstash keystore at "+missing+
		". Please verify this file exists and is a valid Logstash keystore.")

	data, err := os.ReadFile(golden("explicit.keystore"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) string {
		path := filepath.Join(t.TempDir(), "logstash.keystore")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	truncated := write(data[:len(data)/2])
	_, err = Open(truncated, explicitPassword)
	wantKind(t, err, ErrCorrupt, "Found a file at "+truncated+", but it is not a valid Logstash keystore.")

	flipped := slices.Clone(data)
	flipped[len(flipped)/2] ^= 1 // inside the authSafe: the MAC no longer matches
	_, err = Open(write(flipped), explicitPassword)
	wantKind(t, err, ErrWrongPassword, "Can not access Logstash keystore")

	_, err = Open(write([]byte("input { stdin {} }\n")), explicitPassword)
	wantKind(t, err, ErrCorrupt, "but it is not a valid Logstash keystore.")

	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 1 << 30
	crafted, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(write(crafted), explicitPassword)
	wantKind(t, err, ErrCorrupt, "MAC iteration count 1073741824 is outside 1..5000000")

	empty := write(nil)
	_, err = Open(empty, "")
	wantKind(t, err, ErrCorrupt, "Could not determine keystore password. Keystore file is empty. Please ensure the file at "+empty+" is a valid Logstash keystore")
	_, err = Open(write([]byte{1, 2, 0}), "")
	wantKind(t, err, ErrCorrupt, "Could not determine keystore password. Please ensure the file at")
}

func TestEnvPassword(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if p, err := EnvPassword("x", env(nil)); p != "" || err != nil {
		t.Errorf("unset: %q, %v", p, err)
	}
	if p, err := EnvPassword("x", env(map[string]string{PasswordEnv: "pw"})); p != "pw" || err != nil {
		t.Errorf("set: %q, %v", p, err)
	}
	_, err := EnvPassword("ks", env(map[string]string{PasswordEnv: ""}))
	wantKind(t, err, ErrEmptyPassword, "Empty keystore passwords are not allowed. Please ensure configured password is not empty for Logstash keystore "+absPath("ks")+".")

	missing := filepath.Join(t.TempDir(), "logstash.keystore")
	none, err := OpenIfExists(missing, env(nil))
	if none != nil || err != nil {
		t.Errorf("OpenIfExists(no file) = %v, %v, want nil, nil", none, err)
	}
	if v, ok := none.Get("es_pwd"); ok {
		t.Errorf("no keystore has es_pwd = %q", v)
	}
	s, err := OpenIfExists(filepath.Join(goldenDir, "explicit.keystore"), env(map[string]string{PasswordEnv: explicitPassword}))
	if err != nil {
		t.Fatal(err)
	}
	checkContents(t, s, goldenSecrets(t))
}

func TestCreateAddSaveOpen(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	for _, password := range []string{"", "secret", nonASCIIPassword} {
		path := filepath.Join(t.TempDir(), "logstash.keystore")
		s, err := Create(path, password, false)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
			t.Fatalf("mode after Create = %v, %v, want -rw-r--r-- whatever the umask", st.Mode(), err)
		}
		if got := s.List(); len(got) != 0 {
			t.Errorf("new store lists %q", got)
		}
		secrets := goldenSecrets(t)
		for k, v := range secrets {
			if err := s.Add(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path, password)
		if err != nil {
			t.Fatalf("password %q: %v", password, err)
		}
		checkContents(t, s2, secrets)

		if err := s2.Add("ES_PWD", "rotated"); err != nil {
			t.Fatal(err)
		}
		if err := s2.Remove("Unicode"); err != nil {
			t.Fatal(err)
		}
		if err := s2.Save(); err != nil {
			t.Fatal(err)
		}
		s3, err := Open(path, password)
		if err != nil {
			t.Fatal(err)
		}
		secrets["es_pwd"] = "rotated"
		delete(secrets, "unicode")
		checkContents(t, s3, secrets)
	}
}

func TestCreateExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logstash.keystore")
	s, err := Create(path, "pw", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("a", "1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	_, err = Create(path, "pw", false)
	wantKind(t, err, ErrExists, "Logstash keystore at "+path+" already exists.")
	if _, err := Create(path, "", true); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.List(); len(got) != 0 {
		t.Errorf("forced Create kept %q", got)
	}

	_, err = Create(filepath.Join(t.TempDir(), "no", "such", "dir", "logstash.keystore"), "", false)
	if err == nil || !strings.Contains(err.Error(), "Error while trying to create the Logstash keystore. Please ensure that path to") {
		t.Errorf("Create in a missing directory: %v", err)
	}
}

func TestAddRemoveRules(t *testing.T) {
	s, err := Create(filepath.Join(t.TempDir(), "logstash.keystore"), "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "1abc", "my-secret", "a b", "ключ", "${X}"} {
		wantKind(t, s.Add(key, "v"), ErrInvalidKey, "Invalid secret key name `"+key+"` provided. Key names are limited to ASCII letters")
	}
	for _, key := range []string{"a", "_", ".", "ES_PWD", "x.y_z9"} {
		if err := s.Add(key, "v"); err != nil {
			t.Errorf("Add(%q): %v", key, err)
		}
	}
	wantKind(t, s.Add("KEYSTORE.SEED", "v"), ErrInvalidKey, "marker")
	wantKind(t, s.Add("k", ""), ErrEmptyValue, "Value cannot be empty")
	wantKind(t, s.Remove("Missing"), ErrNoSuchKey, "'Missing' does not exist in the Logstash keystore.")
	wantKind(t, s.Remove("keystore.seed"), ErrNoSuchKey, "does not exist")
	if err := s.Remove("es_pwd"); err != nil {
		t.Fatal(err)
	}
	if got, want := s.List(), []string{".", "_", "a", "x.y_z9"}; !slices.Equal(got, want) {
		t.Errorf("List() = %q, want %q", got, want)
	}
}

func TestChangePassword(t *testing.T) {
	path := copyGolden(t, "default.keystore")
	for _, step := range []struct{ from, to string }{
		{"", "new pass"}, {"new pass", ""}, {"", nonASCIIPassword}, {nonASCIIPassword, "secret"},
	} {
		s, err := Open(path, step.from)
		if err != nil {
			t.Fatal(err)
		}
		s.ChangePassword(step.to)
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path, step.to)
		if err != nil {
			t.Fatalf("after ChangePassword(%q): %v", step.to, err)
		}
		checkContents(t, s2, goldenSecrets(t))
		if _, err := Open(path, step.from); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("the old password %q still opens it: %v", step.from, err)
		}
	}
}

// A store read from a keystore an older JDK wrote is saved with the same
// protection, so that JDK can still read it.
func TestSaveKeepsLegacyProtection(t *testing.T) {
	path := copyGolden(t, "legacy.keystore")
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("added", "by gostash"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if s2.prot.keyScheme != schemePBESHA13DES || s2.prot.keyIterations != 50000 ||
		!s2.prot.macHash.oid.Equal(oidSHA1) || s2.prot.macIterations != 100000 {
		t.Errorf("protection after save = %+v", s2.prot)
	}
	want := goldenSecrets(t)
	want["added"] = "by gostash"
	checkContents(t, s2, want)
}

// TestMain doubles as the helper process of TestSaveWhileLocked: run with
// GOSTASH_TEST_HOLD_LOCK set, the test binary holds an fcntl lock on that
// keystore until its stdin closes.
func TestMain(m *testing.M) {
	if path := os.Getenv("GOSTASH_TEST_HOLD_LOCK"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			err = lockFile(f)
		}
		if err != nil {
			os.Stdout.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}
	code := m.Run()
	if jdk.classes != "" {
		os.RemoveAll(jdk.classes)
	}
	os.Exit(code)
}

func TestSaveWhileLocked(t *testing.T) {
	path := copyGolden(t, "default.keystore")
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GOSTASH_TEST_HOLD_LOCK="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	wantKind(t, s.Save(), ErrLocked, "Can not save Logstash keystore. Some other process has locked on the file: "+path)
}
