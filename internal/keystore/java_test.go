package keystore

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// jdk is the JDK the Java tests use, compiled once per test binary.
var jdk struct {
	once    sync.Once
	java    string
	classes string // KeystoreGolden.class is here; TestMain removes it
	err     error  // why there is no JDK
	failed  string // javac's complaint
}

// javaKeystore returns a runner for scripts/golden/keystore/KeystoreGolden.java,
// the program that wrote the golden keystores. Without a JDK the test is
// skipped, except under CI=true where that is a failure: CI must prove that
// the JDK reads what gostash writes.
func javaKeystore(t *testing.T) func(password, stdin string, args ...string) string {
	t.Helper()
	jdk.once.Do(func() {
		javac, err := exec.LookPath("javac")
		if err == nil {
			jdk.java, err = exec.LookPath("java")
		}
		if err != nil {
			jdk.err = err
			return
		}
		if jdk.classes, jdk.err = os.MkdirTemp("", "keystore-java"); jdk.err != nil {
			return
		}
		if out, err := exec.Command(javac, "-d", jdk.classes, "../../scripts/golden/keystore/KeystoreGolden.java").CombinedOutput(); err != nil {
			jdk.failed = fmt.Sprintf("javac: %v\n%s", err, out)
		}
	})
	if jdk.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs a JDK to check that Java reads gostash's keystores (apt-get install -y openjdk-17-jdk-headless): %v", jdk.err)
		}
		t.Skipf("no JDK on PATH: %v", jdk.err)
	}
	if jdk.failed != "" {
		t.Fatal(jdk.failed)
	}
	return func(password, stdin string, args ...string) string {
		t.Helper()
		// A short-lived JVM starts faster with the client compiler only.
		cmd := exec.Command(jdk.java, append([]string{"-XX:TieredStopAtLevel=1", "-cp", jdk.classes, "KeystoreGolden"}, args...)...)
		cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
			return strings.HasPrefix(kv, PasswordEnv+"=") || strings.HasPrefix(kv, "LC_ALL=")
		})
		// The JDK decodes the environment by the locale.
		cmd.Env = append(cmd.Env, "LC_ALL=C.UTF-8")
		if password != "" {
			cmd.Env = append(cmd.Env, PasswordEnv+"="+password)
		}
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("java KeystoreGolden %q: %v\n%s", args, err, stderr.Bytes())
		}
		return string(out)
	}
}

func dumpLines(secrets map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(secrets)) {
		b.WriteString(k + "=" + secrets[k] + "\n")
	}
	return b.String()
}

func TestJavaReadsGoWrittenKeystores(t *testing.T) {
	java := javaKeystore(t)
	secrets := goldenSecrets(t)
	for _, password := range []string{"", "secret", nonASCIIPassword} {
		path := filepath.Join(t.TempDir(), "logstash.keystore")
		s, err := Create(path, password, false)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range secrets {
			if err := s.Add(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		if got, want := java(password, "", "dump", path), dumpLines(secrets); got != want {
			t.Errorf("password %q: Java reads\n%s\nwant\n%s", password, got, want)
		}
	}
}

func TestJavaListAndGet(t *testing.T) {
	java := javaKeystore(t)
	path := filepath.Join(t.TempDir(), "logstash.keystore")
	s, err := Create(path, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("ES_PWD", "pässwörd ✓"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("b.key", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := java("", "", "list", path); got != "b.key\nes_pwd\n" {
		t.Errorf("java list = %q", got)
	}
	if got := java("", "", "get", path, "es_pwd"); got != "pässwörd ✓\n" {
		t.Errorf("java get = %q", got)
	}
}

// Both sides edit the same file in turn: Java adds to and removes from a
// keystore gostash created (leaving stale bytes, as Logstash does), gostash
// reads that, changes the password and saves, and Java reads the result.
func TestJavaAndGoEditTheSameKeystore(t *testing.T) {
	java := javaKeystore(t)
	secrets := goldenSecrets(t)
	path := filepath.Join(t.TempDir(), "logstash.keystore")
	if _, err := Create(path, "", false); err != nil {
		t.Fatal(err)
	}
	java("", dumpLines(secrets), "add", path)
	java("", "", "remove", path, "unicode", "spaces")
	delete(secrets, "unicode")
	delete(secrets, "spaces")

	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	checkContents(t, s, secrets)
	if err := s.Add("added.by.go", "ja ✓"); err != nil {
		t.Fatal(err)
	}
	secrets["added.by.go"] = "ja ✓"
	s.ChangePassword("now explicit")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got, want := java("now explicit", "", "dump", path), dumpLines(secrets); got != want {
		t.Errorf("Java reads\n%s\nwant\n%s", got, want)
	}
}

// A legacy keystore gostash saved keeps the legacy protection; the JDK must
// still read it, and so would the older JDKs that only know that one.
func TestJavaReadsSavedLegacyKeystore(t *testing.T) {
	java := javaKeystore(t)
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
	want := goldenSecrets(t)
	want["added"] = "by gostash"
	if got := java("", "", "dump", path); got != dumpLines(want) {
		t.Errorf("Java reads\n%s\nwant\n%s", got, dumpLines(want))
	}
}
