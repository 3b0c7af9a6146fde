package email

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/plugins/internal/iotest"
	"github.com/gostash/gostash/plugins/internal/tlstest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// sink is a running smtp_sink.py: Debian's aiosmtpd on 127.0.0.1.
type sink struct {
	port  int
	lines *bufio.Scanner
}

// received is one message the sink accepted.
type received struct {
	MailFrom      string   `json:"mail_from"`
	RcptTos       []string `json:"rcpt_tos"`
	Data          string
	Authenticated bool
	TLS           bool
}

// startSink runs the sink; without python3-aiosmtpd the test is skipped,
// or fails under CI, which installs it.
func startSink(t *testing.T, args ...string) *sink {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import aiosmtpd").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Debian's python3-aiosmtpd is not installed: %v", err)
		}
		t.Skipf("Debian's python3-aiosmtpd is not installed: %v", err)
	}
	port := iotest.FreePort(t)
	cmd := exec.Command(python, append([]string{"testdata/smtp_sink.py", fmt.Sprint(port)}, args...)...)
	var stderr iotest.Log
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("the sink's stderr:\n%s", stderr.String())
		}
	})
	s := &sink{port: port, lines: bufio.NewScanner(out)}
	s.lines.Buffer(nil, 16<<20)
	if !s.lines.Scan() || s.lines.Text() != "ready" {
		t.Fatalf("the sink did not start: %q %v", s.lines.Text(), s.lines.Err())
	}
	return s
}

// next waits for the next message the sink accepted.
func (s *sink) next(t *testing.T) received {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		if s.lines.Scan() {
			got <- s.lines.Text()
		}
		close(got)
	}()
	select {
	case line, ok := <-got:
		if !ok {
			t.Fatal("the sink stopped")
		}
		var r received
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no message reached the sink")
	}
	return received{}
}

func build(t *testing.T, block string, log *iotest.Log) *Output {
	t.Helper()
	return iotest.Build(t, plugin.KindOutput, "email { "+block+" }", log).(*Output)
}

func send(t *testing.T, o *Output, events ...*event.Event) {
	t.Helper()
	if err := o.Output(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

func parse(t *testing.T, data string) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("%v in\n%s", err, data)
	}
	return m
}

func decodeHeader(t *testing.T, m *mail.Message, name string) string {
	t.Helper()
	v, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get(name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPlainMessage(t *testing.T) {
	s := startSink(t)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d
		to => "ops@example.com, Oncall Team <oncall@example.com>" cc => "%%{watcher}" bcc => "audit@example.com"
		from => "%%{sender}" replyto => "noreply@example.com"
		subject => "Alert - %%{title} – disque plein"
		body => 'Host: %%{host}\nMessage: %%{message}'`, s.port), &log)
	send(t, o, iotest.Event("watcher", "boss@example.com", "sender", "monitor@example.com", "title", "disk",
		"host", "web-1", "message", "95% used"))

	r := s.next(t)
	if r.MailFrom != "monitor@example.com" || strings.Join(r.RcptTos, " ") != "ops@example.com oncall@example.com boss@example.com audit@example.com" {
		t.Errorf("envelope from %q to %q", r.MailFrom, r.RcptTos)
	}
	m := parse(t, r.Data)
	for name, want := range map[string]string{
		"From": "<monitor@example.com>", "To": `<ops@example.com>, "Oncall Team" <oncall@example.com>`,
		"Cc": "<boss@example.com>", "Reply-To": "<noreply@example.com>", "Bcc": "", "Mime-Version": "1.0",
		"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "7bit",
	} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := decodeHeader(t, m, "Subject"); got != "Alert - disk – disque plein" {
		t.Errorf("Subject %q", got)
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if !strings.HasPrefix(m.Header.Get("Message-ID"), "<") {
		t.Errorf("Message-ID %q", m.Header.Get("Message-ID"))
	}
	body, _ := io.ReadAll(m.Body)
	if string(body) != "Host: web-1\r\nMessage: 95% used\r\n" {
		t.Errorf("body %q", body)
	}
	if strings.Contains(log.String(), "ERROR") {
		t.Errorf("logged an error: %s", log.String())
	}
}

// parts reads a multipart body into its parts' content types and decoded
// contents.
func parts(t *testing.T, contentType string, body io.Reader) (types, contents []string) {
	t.Helper()
	mediatype, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mediatype, "multipart/") {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return types, contents
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			raw, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
		}
		types = append(types, p.Header.Get("Content-Type"))
		contents = append(contents, string(raw))
	}
}

func TestHTMLBodyMakesAnAlternative(t *testing.T) {
	s := startSink(t)
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com"
		body => "plain %%{message}" htmlbody => "<b>%%{message}</b> café"`, s.port), nil)
	send(t, o, iotest.Event("message", "down"))
	m := parse(t, s.next(t).Data)
	types, contents := parts(t, m.Header.Get("Content-Type"), m.Body)
	if !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative;") ||
		strings.Join(types, "|") != "text/plain; charset=UTF-8|text/html; charset=UTF-8" ||
		contents[0] != "plain down" || contents[1] != "<b>down</b> café" {
		t.Errorf("%s: %q %q", m.Header.Get("Content-Type"), types, contents)
	}
}

func TestTemplateFileAndAttachments(t *testing.T) {
	s := startSink(t)
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "alert.mustache")
	os.WriteFile(tmpl, []byte("<h1>{{host.name}}</h1>\n<ul>\n  {{#tags}}\n  <li>{{.}}</li>\n  {{/tags}}\n</ul>\n{{message}}"), 0o644)
	report := filepath.Join(dir, "report.csv")
	os.WriteFile(report, []byte("a,b\n1,2\n"), 0o644)
	logo := filepath.Join(dir, "logo.bin")
	os.WriteFile(logo, []byte{0, 1, 2, 0xff}, 0o644)
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com" body => "see HTML"
		template_file => %q attachments => [%q, %q]`, s.port, tmpl, report, logo), nil)
	e := iotest.Event("message", "<disk & full>")
	e.Set("[host][name]", "web-1")
	e.Set("tags", []any{"prod", "eu"})
	send(t, o, e)

	m := parse(t, s.next(t).Data)
	types, contents := parts(t, m.Header.Get("Content-Type"), m.Body)
	if len(types) != 3 || !strings.HasPrefix(types[0], "multipart/alternative;") ||
		types[1] != "text/csv; charset=utf-8; filename=report.csv" || contents[1] != "a,b\n1,2\n" ||
		types[2] != "application/octet-stream; filename=logo.bin" || contents[2] != "\x00\x01\x02\xff" {
		t.Fatalf("%q %q", types, contents)
	}
	altTypes, alt := parts(t, types[0], strings.NewReader(contents[0]))
	want := "<h1>web-1</h1>\r\n<ul>\r\n  <li>prod</li>\r\n  <li>eu</li>\r\n</ul>\r\n&lt;disk &amp; full&gt;"
	if len(alt) != 2 || alt[0] != "see HTML" || altTypes[1] != "text/html; charset=UTF-8" || alt[1] != want {
		t.Errorf("%q %q, want the HTML part %q", altTypes, alt, want)
	}
}

func TestAuthenticationAndSecrets(t *testing.T) {
	s := startSink(t, "--auth", "alice:s3cr3t-marker")
	for _, mech := range []string{"", `authentication => "plain"`, `authentication => "login"`} {
		var log iotest.Log
		o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com" debug => true
			username => "alice" password => "s3cr3t-marker" %s`, s.port, mech), &log)
		send(t, o, iotest.Event("message", "m"))
		if r := s.next(t); !r.Authenticated {
			t.Errorf("%s: delivered without logging in", mech)
		}
		if !strings.Contains(log.String(), "<password>") || strings.Contains(log.String(), "s3cr3t-marker") ||
			strings.Contains(log.String(), base64.StdEncoding.EncodeToString([]byte("\x00alice\x00s3cr3t-marker"))) {
			t.Errorf("%s: the debug log shows the credentials or no conversation:\n%s", mech, log.String())
		}
	}

	var log iotest.Log
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com"
		username => "alice" password => "wrong-marker"`, s.port), &log)
	send(t, o, iotest.Event("message", "m"))
	if !strings.Contains(log.String(), "Something happen while delivering an email") || strings.Contains(log.String(), "wrong-marker") {
		t.Errorf("a refused login: %s", log.String())
	}
}

func TestStartTLS(t *testing.T) {
	pki := tlstest.New(t)
	// Go reads SSL_CERT_FILE once, when a certificate is first verified:
	// no other test of this package verifies one.
	t.Setenv("SSL_CERT_FILE", pki.CA)
	s := startSink(t, "--tls", pki.ServerCert, pki.ServerKey)
	var log iotest.Log
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com" use_tls => true debug => true`, s.port), &log)
	send(t, o, iotest.Event("message", "m"))
	if r := s.next(t); !r.TLS {
		t.Error("delivered without TLS")
	}
	if !strings.Contains(log.String(), "SMTP <- STARTTLS") || !strings.Contains(log.String(), "rest of the conversation is encrypted") {
		t.Errorf("debug log: %s", log.String())
	}

	// Without use_tls the message goes in clear, the plugin's default.
	o = build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com"`, s.port), nil)
	send(t, o, iotest.Event("message", "m"))
	if r := s.next(t); r.TLS {
		t.Error("use_tls => false used TLS")
	}

	// A server whose certificate no trusted CA signed is refused.
	stranger := startSink(t, "--tls", pki.OtherClientCert, pki.OtherClientKey)
	log = iotest.Log{}
	o = build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com" use_tls => true`, stranger.port), &log)
	send(t, o, iotest.Event("message", "m"))
	if !strings.Contains(log.String(), "Something happen while delivering an email") || !strings.Contains(log.String(), "certificate") {
		t.Errorf("an unknown CA: %s", log.String())
	}
}

func TestUndeliverableIsLoggedAndDropped(t *testing.T) {
	s := startSink(t)
	var log iotest.Log
	down := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "ops@example.com"`, iotest.FreePort(t)), &log)
	send(t, down, iotest.Event("message", "lost"))
	if !strings.Contains(log.String(), "Something happen while delivering an email") {
		t.Errorf("a server that is down: %s", log.String())
	}

	log = iotest.Log{}
	o := build(t, fmt.Sprintf(`address => "127.0.0.1" port => %d to => "%%{rcpt}"`, s.port), &log)
	send(t, o, iotest.Event("rcpt", "not an address"), iotest.Event("rcpt", "ok@example.com"))
	if !strings.Contains(log.String(), "not an address") {
		t.Errorf("a bad address: %s", log.String())
	}
	if r := s.next(t); strings.Join(r.RcptTos, " ") != "ok@example.com" {
		t.Errorf("the next event went to %q", r.RcptTos)
	}
}

// TestSendmail pipes the message to /usr/sbin/sendmail as the mail gem
// does; Debian's msmtp-mta provides it and relays to the sink, configured
// through $HOME/.msmtprc.
func TestSendmail(t *testing.T) {
	target, err := os.Readlink("/usr/sbin/sendmail")
	if err != nil || !strings.Contains(target, "msmtp") {
		if os.Getenv("CI") == "true" {
			t.Fatalf("/usr/sbin/sendmail is not Debian's msmtp-mta (%q, %v)", target, err)
		}
		t.Skipf("/usr/sbin/sendmail is not Debian's msmtp-mta (%q, %v)", target, err)
	}
	s := startSink(t)
	home := t.TempDir()
	rc := filepath.Join(home, ".msmtprc")
	os.WriteFile(rc, []byte(fmt.Sprintf("account default\nhost 127.0.0.1\nport %d\nauto_from off\n", s.port)), 0o600)
	t.Setenv("HOME", home)
	o := build(t, `via => "sendmail" to => "ops@example.com" from => "monitor@example.com" subject => "via sendmail"`, nil)
	send(t, o, iotest.Event("message", "m"))
	r := s.next(t)
	if r.MailFrom != "monitor@example.com" || strings.Join(r.RcptTos, " ") != "ops@example.com" || decodeHeader(t, parse(t, r.Data), "Subject") != "via sendmail" {
		t.Errorf("%+v", r)
	}
}
