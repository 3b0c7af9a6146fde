// Package packaging holds what `make package` builds the .deb and .rpm
// from: the nfpm configuration, the systemd unit, the default settings and
// the maintainer scripts. Its test builds both packages as make package
// does and checks what they install.
package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/settings"
	"github.com/gostash/gostash/lang"
)

// run runs a command in dir and returns its combined output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// need returns a tool's path; a missing tool fails the test under CI=true
// (CI installs it) and skips it elsewhere.
func need(t *testing.T, tool, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (apt-get install -y %s)", tool, pkg)
		}
		t.Skipf("%s is not installed (apt-get install -y %s)", tool, pkg)
	}
	return path
}

// TestPackages builds the binary and both packages with nfpm (the version
// in NFPM_VERSION, from the Go module proxy), then checks the .deb's files,
// owners and conffiles, and verifies its systemd unit with
// systemd-analyze.
func TestPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gostash and both packages")
	}
	analyze := need(t, "systemd-analyze", "systemd")
	dpkgDeb := need(t, "dpkg-deb", "dpkg")
	version, err := os.ReadFile("NFPM_VERSION")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	run(t, "..", []string{"CGO_ENABLED=0"}, "go", "build", "-o", filepath.Join(work, "bin", "gostash"), "./cmd/gostash")
	if err := os.CopyFS(filepath.Join(work, "packaging"), os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	// nfpm takes --target as a directory only when it exists.
	if err := os.MkdirAll(filepath.Join(work, "dist"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"VERSION=0.1.0", "GOARCH=" + runtime.GOARCH}
	nfpm := "github.com/goreleaser/nfpm/v2/cmd/nfpm@" + strings.TrimSpace(string(version))
	for _, packager := range []string{"deb", "rpm"} {
		run(t, work, env, "go", "run", nfpm, "package", "--config", "packaging/nfpm.yaml", "--packager", packager, "--target", "dist/")
	}
	debs, _ := filepath.Glob(filepath.Join(work, "dist", "gostash_0.1.0_*.deb"))
	rpms, _ := filepath.Glob(filepath.Join(work, "dist", "gostash-0.1.0-1.*.rpm"))
	if len(debs) != 1 || len(rpms) != 1 {
		t.Fatalf("packages: %v %v", debs, rpms)
	}
	if st, err := os.Stat(rpms[0]); err != nil || st.Size() < 1<<20 {
		t.Errorf("rpm %s: %v", rpms[0], err)
	}

	listing := run(t, work, nil, dpkgDeb, "--contents", debs[0])
	for _, want := range []string{
		"-rwxr-xr-x root/root", "./usr/bin/gostash",
		"drwxr-x--- root/gostash      0", "./etc/gostash/\n",
		"-rw-r----- root/gostash", "./etc/gostash/logstash.yml", "./etc/gostash/pipelines.yml", "./etc/gostash/conf.d/",
		"drwxr-x--- gostash/gostash   0", "./var/lib/gostash/", "./var/log/gostash/",
		"./usr/lib/systemd/system/gostash.service", "./etc/logrotate.d/gostash", "./usr/share/gostash/patterns/",
	} {
		if !strings.Contains(listing, want) {
			t.Errorf("the .deb lacks %q:\n%s", want, listing)
		}
	}
	control := filepath.Join(work, "control")
	run(t, work, nil, dpkgDeb, "--control", debs[0], control)
	conffiles, _ := os.ReadFile(filepath.Join(control, "conffiles"))
	if string(conffiles) != "/etc/gostash/logstash.yml\n/etc/gostash/pipelines.yml\n/etc/logrotate.d/gostash\n" {
		t.Errorf("conffiles:\n%s", conffiles)
	}
	for _, script := range []string{"preinst", "postinst", "prerm", "postrm"} {
		if _, err := os.Stat(filepath.Join(control, script)); err != nil {
			t.Errorf("maintainer script %s: %v", script, err)
		}
	}
	if preinst, _ := os.ReadFile(filepath.Join(control, "preinst")); !bytes.Contains(preinst, []byte("useradd -r -M -g gostash")) {
		t.Errorf("preinst does not create the service user:\n%s", preinst)
	}

	// systemd-analyze verify checks that ExecStart's program exists: the
	// unpacked package's binary stands in for /usr/bin/gostash, the rest of
	// the unit is verified as packaged. Any message is a failure, since it
	// reports a directive systemd would ignore.
	root := filepath.Join(work, "root")
	run(t, work, nil, dpkgDeb, "--extract", debs[0], root)
	unit, err := os.ReadFile(filepath.Join(root, "usr", "lib", "systemd", "system", "gostash.service"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte(`ExecStart=/usr/bin/gostash "--path.settings" "/etc/gostash"`)) {
		t.Fatalf("the unit does not start /usr/bin/gostash with the packaged settings:\n%s", unit)
	}
	check := filepath.Join(work, "verify", "gostash.service")
	if err := os.MkdirAll(filepath.Dir(check), 0o755); err != nil {
		t.Fatal(err)
	}
	unit = bytes.Replace(unit, []byte("ExecStart=/usr/bin/gostash"), []byte("ExecStart="+filepath.Join(root, "usr", "bin", "gostash")), 1)
	if err := os.WriteFile(check, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, work, nil, analyze, "verify", check); strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify:\n%s", out)
	}
}

// TestPackagedSettingsLoad: the logstash.yml and pipelines.yml the package
// installs are read without error, with the package's paths.
func TestPackagedSettingsLoad(t *testing.T) {
	st, missing, err := settings.Load("etc", nil, lang.EnvLookup)
	if err != nil || missing {
		t.Fatalf("logstash.yml: %v (missing %v)", err, missing)
	}
	if st.String("path.data") != "/var/lib/gostash" || st.String("path.dead_letter_queue") != "/var/lib/gostash/dead_letter_queue" {
		t.Errorf("path.data %q, path.dead_letter_queue %q", st.String("path.data"), st.String("path.dead_letter_queue"))
	}
	ps, warnings, err := settings.LoadPipelines(st, lang.EnvLookup)
	if err != nil || len(warnings) != 0 || len(ps) != 1 {
		t.Fatalf("pipelines.yml: %v %v %v", ps, warnings, err)
	}
	if ps[0].ID() != "main" || ps[0].String("path.config") != "/etc/gostash/conf.d/*.conf" {
		t.Errorf("pipeline %s reads %s", ps[0].ID(), ps[0].String("path.config"))
	}
}
