package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/goldencase"
	"github.com/gostash/gostash/runtime/plugin"
)

// secretMarker is the value every password option gets; it must never be
// printed.
const secretMarker = "S3cr3t-marker-4f9c"

// TestNoSecretInAnyOutput configures every password option of every plugin
// (and puts passwords in the URLs of every uri option or option declared
// CarriesPasswords)
// (from the plugins' declarations, so new plugins are covered as they are
// registered) with a marker value and runs the binary three ways: a
// config check at debug level with --config.debug, a config whose other
// option is wrong (so errors are printed beside the secret), and a secret
// of the wrong shape (a list). The marker must appear in none of stdout
// and stderr.
func TestNoSecretInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, k := range pluginKinds {
		for _, d := range plugin.Plugins(k) {
			var secrets []plugin.Option
			for _, o := range d.Options {
				if o.Type == plugin.TypePassword || o.Type == plugin.TypeURI || o.CarriesPasswords {
					secrets = append(secrets, o)
				}
			}
			if len(secrets) == 0 {
				continue
			}
			for _, o := range secrets {
				checked++
				base := requiredOptions(d, existing, o.Name)
				bodies := []string{
					base + fmt.Sprintf(" %s => %q", o.Name, secretMarker),
					base + fmt.Sprintf(" %s => %q no_such_option_here => 1", o.Name, secretMarker),
					base + fmt.Sprintf(" %s => [%q, %q]", o.Name, secretMarker, secretMarker),
				}
				if o.Type != plugin.TypePassword {
					// A URL's passwords: the user info's and a password parameter.
					url := fmt.Sprintf("jdbc:postgresql://user:%s@127.0.0.1:1/db?ssl=false&password=%s", secretMarker, secretMarker)
					bodies = []string{
						base + fmt.Sprintf(" %s => %q", o.Name, url),
						base + fmt.Sprintf(" %s => %q no_such_option_here => 1", o.Name, url),
					}
				}
				for _, body := range bodies {
					config := wrapPlugin(k, d.Name, body)
					out := runForSecrets(t, "-t", "--log.level", "debug", "--config.debug", "-e", config)
					if strings.Contains(out, secretMarker) {
						t.Errorf("%s %s: the value of %s was printed:\n%s", d.Name, k, o.Name, out)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no plugin declares a password option: the test checked nothing")
	}
}

// requiredOptions gives every other required option of d a value of its
// type, so the config gets as far as building the plugin.
func requiredOptions(d plugin.PluginDoc, existingFile, except string) string {
	var b strings.Builder
	for _, o := range d.Options {
		if !o.Required || o.Name == except {
			continue
		}
		var v string
		switch o.Type {
		case plugin.TypeNumber, plugin.TypeBytes:
			v = "1"
		case plugin.TypeBoolean:
			v = "true"
		case plugin.TypeArray:
			v = `["x"]`
		case plugin.TypeHash:
			v = `{ "x" => "y" }`
		case plugin.TypePath:
			v = fmt.Sprintf("%q", existingFile)
		case plugin.TypeEnum:
			v = fmt.Sprintf("%q", o.Enum[0])
		default:
			v = `"x"`
		}
		fmt.Fprintf(&b, " %s => %s", o.Name, v)
	}
	return b.String()
}

func wrapPlugin(kind plugin.Kind, name, body string) string {
	block := fmt.Sprintf("%s {%s }", name, body)
	switch kind {
	case plugin.KindInput:
		return "input { " + block + " } output { stdout { codec => dots } }"
	case plugin.KindFilter:
		return "input { generator { count => 1 } } filter { " + block + " } output { stdout { codec => dots } }"
	case plugin.KindOutput:
		return "input { generator { count => 1 } } output { " + block + " }"
	}
	return "input { generator { count => 1 codec => " + block + " } } output { stdout { codec => dots } }"
}

func runForSecrets(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, goldencase.Binary(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("running gostash: %v", err)
		}
	}
	return out.String()
}
