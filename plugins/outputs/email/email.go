// Package email is the email output: one message per event, sent over
// SMTP or handed to the local sendmail, with the subject, the addresses
// and the bodies sprintf'd from the event and an HTML body optionally
// rendered from a mustache template.
package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optTo             = plugin.String("to").Required().Example("ops@example.com, oncall@example.com").Doc("The recipients: one address or a comma-separated list, sprintf'd per event.")
	optFrom           = plugin.String("from").Default("logstash.alert@example.com").Doc("The From: address, sprintf'd per event; also the envelope sender.")
	optReplyTo        = plugin.String("replyto").Doc("The Reply-To: address, sprintf'd per event.")
	optCc             = plugin.String("cc").Doc("Cc: recipients, comma-separated, sprintf'd per event.")
	optBcc            = plugin.String("bcc").Doc("Blind-copy recipients, comma-separated, sprintf'd per event: they receive the message but appear in no header.")
	optVia            = plugin.Enum("via", "smtp", "sendmail").Default("smtp").Doc("smtp: deliver to the server at address:port; sendmail: pipe the message to /usr/sbin/sendmail -i, which takes none of the SMTP settings (as in Logstash; setting one warns).")
	optAddress        = plugin.String("address").Default("localhost").Doc("The SMTP server's host name or address.")
	optPort           = plugin.Int("port").Default(25).Between(1, 65535).Doc("The SMTP server's port.")
	optDomain         = plugin.String("domain").Default("localhost").Doc("The name this client gives in its HELO/EHLO greeting.")
	optUsername       = plugin.String("username").Doc("Authenticate to the server with this user name (and password).")
	optPassword       = plugin.Password("password").Doc("The password for username.")
	optAuthentication = plugin.Enum("authentication", "plain", "login", "cram_md5").Doc("The SASL mechanism used with username; plain when unset.")
	optUseTLS         = plugin.Bool("use_tls").Default(false).Doc("Upgrade the connection with STARTTLS when the server offers it, verifying the server's certificate against the system's CAs (SSL_CERT_FILE/SSL_CERT_DIR add others).")
	optDebug          = plugin.Bool("debug").Default(false).Doc("Log the SMTP conversation at info level, up to STARTTLS when use_tls upgrades the connection; the credentials of AUTH are masked.")
	optSubject        = plugin.String("subject").Default("").Doc("The subject, sprintf'd per event.")
	optBody           = plugin.String("body").Default("").Doc(`The plain-text body, sprintf'd per event; the two characters \n become a line break.`)
	optHTMLBody       = plugin.String("htmlbody").Default("").Doc("An HTML body, sprintf'd per event; with it the message is multipart/alternative with body as its text part.")
	optTemplateFile   = plugin.Path("template_file").Doc("A mustache template rendered over the event's fields as the HTML part, instead of htmlbody. Names take letters, digits and _ ? ! / . - (so not @timestamp); dotted names reach into hashes.")
	optAttachments    = plugin.Strings("attachments").Default([]string{}).Doc("Files attached to every message, read when it is sent.")
	optContentType    = plugin.String("contenttype").Default("text/html; charset=UTF-8").Ineffective("as in Logstash's email output, the HTML part is always text/html; charset=UTF-8.").Doc("Meant as the HTML part's content type.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name: "email",
			Summary: "Sends an email for each event over SMTP or through sendmail. As in Logstash, a message that " +
				"cannot be delivered is logged and dropped, not retried.",
			Options: []plugin.Declared{optTo, optFrom, optReplyTo, optCc, optBcc, optVia, optAddress, optPort,
				optDomain, optUsername, optPassword, optAuthentication, optUseTLS, optDebug, optSubject, optBody,
				optHTMLBody, optTemplateFile, optAttachments, optContentType},
			Examples: []plugin.Example{{
				Title: "Mail the events tagged for it",
				Config: `output {
  if "shouldmail" in [tags] {
    email {
      to      => "technical@example.com"
      from    => "monitor@example.com"
      subject => "Alert - %{title}"
      body    => "Tags: %{tags}\n\nContent:\n%{message}"
    }
  }
}`,
			}},
		},
		New: New,
	})
}

// Output is the email output.
type Output struct {
	to, from, replyTo, cc, bcc  *event.Template
	subject, body, htmlBody     *event.Template
	template                    *mustacheTemplate
	attachments                 []string
	via                         string
	address, domain             string
	port                        int
	username, authentication    string
	password                    plugin.Secret
	useTLS, debug               bool
	hostname                    string
	log                         *slog.Logger
	dialTimeout, commandTimeout time.Duration
	sendmailPath                string
}

// New builds an email output.
func New(s *plugin.Settings) (plugin.Output, error) {
	o := &Output{
		via: optVia.Get(s), address: optAddress.Get(s), port: int(optPort.Get(s)), domain: optDomain.Get(s),
		username: optUsername.Get(s), password: optPassword.Get(s), authentication: optAuthentication.Get(s),
		useTLS: optUseTLS.Get(s), debug: optDebug.Get(s), attachments: optAttachments.Get(s),
		log: s.Logger(), dialTimeout: 30 * time.Second, commandTimeout: 60 * time.Second,
		sendmailPath: "/usr/sbin/sendmail",
	}
	o.hostname, _ = os.Hostname()
	// Settings that Logstash accepts and then does not use are kept, with
	// a warning where they are set: a user who set one expects it to apply.
	if o.via == "sendmail" {
		// Logstash hands sendmail none of the SMTP settings.
		for _, opt := range []plugin.Handle{optAddress, optPort, optDomain, optUsername, optPassword, optAuthentication, optUseTLS, optDebug} {
			if opt.IsSet(s) {
				o.log.Warn(fmt.Sprintf("%s: %s has no effect with via => sendmail, which takes no SMTP settings (as in Logstash)", opt.Pos(s), opt.Name()))
			}
		}
	} else if o.username == "" {
		// Net::SMTP authenticates only when given a user name.
		for _, opt := range []plugin.Handle{optPassword, optAuthentication} {
			if opt.IsSet(s) {
				o.log.Warn(fmt.Sprintf("%s: %s is set without username, so no authentication is attempted (as in Logstash)", opt.Pos(s), opt.Name()))
			}
		}
	}
	if optTemplateFile.IsSet(s) && optHTMLBody.IsSet(s) {
		// Logstash renders template_file as the HTML part and drops htmlbody.
		o.log.Warn(fmt.Sprintf("%s: htmlbody has no effect with template_file, which is the HTML part (as in Logstash)", optHTMLBody.Pos(s)))
	}
	templates := []struct {
		opt plugin.Opt[string]
		dst **event.Template
	}{
		{optTo, &o.to}, {optFrom, &o.from}, {optReplyTo, &o.replyTo}, {optCc, &o.cc}, {optBcc, &o.bcc},
		{optSubject, &o.subject}, {optBody, &o.body}, {optHTMLBody, &o.htmlBody},
	}
	for _, t := range templates {
		if !t.opt.IsSet(s) && t.opt.Get(s) == "" {
			continue
		}
		compiled, err := event.CompileTemplate(t.opt.Get(s))
		if err != nil {
			return nil, t.opt.Errorf(s, "%v", err)
		}
		*t.dst = compiled
	}
	if optTemplateFile.IsSet(s) {
		path := optTemplateFile.Get(s)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, optTemplateFile.Errorf(s, "%v", err)
		}
		if o.template, err = parseMustache(string(src)); err != nil {
			return nil, optTemplateFile.Errorf(s, "%s: %v", path, err)
		}
	}
	return o, nil
}

// Output sends one message per event, in order. A message that cannot be
// built or delivered is logged and dropped, as Logstash's email output
// does; only a forced shutdown stops the batch.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	for _, e := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		msg, err := o.compose(e)
		if err == nil {
			err = o.deliver(ctx, msg)
		}
		if err != nil {
			o.log.Error("Something happen while delivering an email", slog.String("exception", err.Error()))
		}
	}
	return nil
}

// message is one email: its envelope and its bytes (CRLF line ends).
type message struct {
	from       string
	recipients []string
	data       []byte
}

func render(t *event.Template, e *event.Event) string {
	if t == nil {
		return ""
	}
	return t.Render(e)
}

// addresses parses a comma-separated address list; "" is no address.
func addresses(field, list string) ([]*mail.Address, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	parsed, err := mail.ParseAddressList(list)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", field, list, err)
	}
	return parsed, nil
}

func formatAddresses(list []*mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// compose builds the message of an event.
func (o *Output) compose(e *event.Event) (*message, error) {
	from, err := addresses("from", render(o.from, e))
	if err != nil {
		return nil, err
	}
	if len(from) == 0 {
		return nil, errors.New("SMTP From address may not be blank")
	}
	to, err := addresses("to", render(o.to, e))
	if err != nil {
		return nil, err
	}
	cc, err := addresses("cc", render(o.cc, e))
	if err != nil {
		return nil, err
	}
	bcc, err := addresses("bcc", render(o.bcc, e))
	if err != nil {
		return nil, err
	}
	replyTo, err := addresses("replyto", render(o.replyTo, e))
	if err != nil {
		return nil, err
	}
	m := &message{from: from[0].Address}
	for _, list := range [][]*mail.Address{to, cc, bcc} {
		for _, a := range list {
			m.recipients = append(m.recipients, a.Address)
		}
	}
	if len(m.recipients) == 0 {
		return nil, errors.New("SMTP To address may not be blank")
	}

	var b bytes.Buffer
	header := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", name, value)
		}
	}
	header("Date", time.Now().Format(time.RFC1123Z))
	header("From", formatAddresses(from))
	header("Reply-To", formatAddresses(replyTo))
	header("To", formatAddresses(to))
	header("Cc", formatAddresses(cc))
	header("Message-ID", "<"+randomTag()+"@"+o.hostname+".mail>")
	header("Subject", mime.QEncoding.Encode("UTF-8", render(o.subject, e)))
	header("Mime-Version", "1.0")

	// A literal backslash-n in the body is a line break, as the plugin has
	// always read it.
	body := strings.ReplaceAll(render(o.body, e), `\n`, "\n")
	html := ""
	multipart := o.template != nil || o.htmlBody != nil && o.htmlBody.String() != ""
	if o.template != nil {
		html = o.template.render(e)
	} else if multipart {
		html = render(o.htmlBody, e)
	}

	var content part
	if multipart {
		content = alternative(textPart("text/plain; charset=UTF-8", body), textPart("text/html; charset=UTF-8", html))
	} else {
		content = textPart("text/plain; charset=UTF-8", body)
	}
	if len(o.attachments) > 0 {
		parts := []part{content}
		for _, path := range o.attachments {
			a, err := attachment(path)
			if err != nil {
				return nil, err
			}
			parts = append(parts, a)
		}
		content = multipartOf("mixed", parts...)
	}
	content.write(&b)
	m.data = b.Bytes()
	return m, nil
}

// randomTag is the unique part of a Message-ID.
func randomTag() string {
	var r [12]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// deliver hands the message to the server or to sendmail.
func (o *Output) deliver(ctx context.Context, m *message) error {
	if o.via == "sendmail" {
		return o.sendmail(ctx, m)
	}
	return o.smtp(ctx, m)
}

// sendmail pipes the message to the local sendmail, as the mail gem runs
// it: sendmail -i -f FROM -- RECIPIENTS, with LF line ends.
func (o *Output) sendmail(ctx context.Context, m *message) error {
	args := append([]string{"-i", "-f", m.from, "--"}, m.recipients...)
	cmd := osexec.CommandContext(ctx, o.sendmailPath, args...)
	cmd.Stdin = bytes.NewReader(bytes.ReplaceAll(m.data, []byte("\r\n"), []byte("\n")))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(o.sendmailPath), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// smtp sends the message over one SMTP connection.
func (o *Output) smtp(ctx context.Context, m *message) error {
	addr := net.JoinHostPort(o.address, strconv.Itoa(o.port))
	dialer := net.Dialer{Timeout: o.dialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(o.commandTimeout))
	var c *smtp.Client
	if o.debug {
		c, err = smtp.NewClient(&loggedConn{Conn: conn, log: o.log}, o.address)
	} else {
		c, err = smtp.NewClient(conn, o.address)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(o.domain); err != nil {
		return fmt.Errorf("%s: EHLO %s: %w", addr, o.domain, err)
	}
	if o.useTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: o.address}); err != nil {
				return fmt.Errorf("%s: STARTTLS: %w", addr, err)
			}
		}
	}
	if o.username != "" {
		if err := c.Auth(o.auth()); err != nil {
			return fmt.Errorf("%s: authentication as %s: %w", addr, o.username, err)
		}
	}
	if err := c.Mail(m.from); err != nil {
		return fmt.Errorf("%s: sender %s: %w", addr, m.from, err)
	}
	for _, r := range m.recipients {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("%s: recipient %s: %w", addr, r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("%s: DATA: %w", addr, err)
	}
	if _, err := w.Write(m.data); err != nil {
		return fmt.Errorf("%s: sending the message: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: the message was refused: %w", addr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("%s: QUIT: %w", addr, err)
	}
	return nil
}

// auth is the mechanism for username. Like Ruby's Net::SMTP, PLAIN and
// LOGIN are sent whether or not the connection is encrypted (Go's
// smtp.PlainAuth refuses that off localhost); use_tls is what protects
// them.
func (o *Output) auth() smtp.Auth {
	switch o.authentication {
	case "login":
		return &loginAuth{user: o.username, password: o.password.Reveal()}
	case "cram_md5":
		return smtp.CRAMMD5Auth(o.username, o.password.Reveal())
	}
	return &plainAuth{user: o.username, password: o.password.Reveal()}
}

type plainAuth struct{ user, password string }

func (a *plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
}

func (a *plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}

type loginAuth struct{ user, password string }

func (a *loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

// Next answers the server's two prompts: the user name, then the password.
func (a *loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	if strings.Contains(strings.ToLower(string(challenge)), "password") {
		return []byte(a.password), nil
	}
	return []byte(a.user), nil
}
