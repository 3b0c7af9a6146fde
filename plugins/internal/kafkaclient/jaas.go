package kafkaclient

import (
	"fmt"
	"os"
	"strings"

	"github.com/gostash/gostash/runtime/plugin"
)

type loginKind int

const (
	loginPassword loginKind = iota + 1 // PlainLoginModule, ScramLoginModule
	loginKerberos                      // Krb5LoginModule
)

// login is one JAAS login module entry: `<class> <flag> key=value ...;`.
type login struct {
	kind    loginKind
	module  string
	options map[string]string
}

// loginModule reads the login module from sasl_jaas_config, or else from
// the KafkaClient section of the jaas_path file; nil when neither is set.
func loginModule(s *plugin.Settings) (*login, error) {
	var option plugin.Handle = SASLJAASConfig
	text := SASLJAASConfig.Get(s).Reveal()
	if text == "" && JAASPath.IsSet(s) {
		option = JAASPath
		data, err := os.ReadFile(JAASPath.Get(s))
		if err != nil {
			return nil, option.Errorf(s, "%v", err)
		}
		section, ok := jaasSection(string(data), "KafkaClient")
		if !ok {
			return nil, option.Errorf(s, "%s has no KafkaClient section", JAASPath.Get(s))
		}
		text = section
	}
	if text == "" {
		return nil, nil
	}
	l, err := parseLogin(text)
	if err != nil {
		// The text may hold a password: describe the problem, never echo it.
		return nil, option.Errorf(s, "%v", err)
	}
	return l, nil
}

// jaasSection returns the body of `name { ... };` in a JAAS file.
func jaasSection(file, name string) (string, bool) {
	for rest := file; ; {
		i := strings.Index(rest, name)
		if i < 0 {
			return "", false
		}
		after := strings.TrimLeft(rest[i+len(name):], " \t\r\n")
		if strings.HasPrefix(after, "{") {
			body, _, ok := strings.Cut(after[1:], "}")
			return body, ok
		}
		rest = rest[i+len(name):]
	}
}

// parseLogin reads the first entry of a JAAS configuration text.
func parseLogin(text string) (*login, error) {
	p := jaasScanner{src: text}
	module := p.word()
	flag := p.word()
	if module == "" || flag == "" {
		return nil, fmt.Errorf("expected `<LoginModule class> <required|requisite|sufficient|optional> key=value ...;`")
	}
	l := &login{module: module, options: map[string]string{}}
	for {
		p.space()
		if p.done() || p.peek() == ';' {
			break
		}
		key := p.word()
		p.space()
		if key == "" || p.done() || p.peek() != '=' {
			return nil, fmt.Errorf("login module %s: expected key=value", module)
		}
		p.pos++
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("login module %s: %w", module, err)
		}
		l.options[key] = val
	}
	switch module[strings.LastIndex(module, ".")+1:] {
	case "PlainLoginModule", "ScramLoginModule":
		l.kind = loginPassword
		if l.options["username"] == "" {
			return nil, fmt.Errorf("login module %s has no username", module)
		}
	case "Krb5LoginModule":
		l.kind = loginKerberos
	default:
		return nil, fmt.Errorf("unsupported login module %s: gostash understands PlainLoginModule, ScramLoginModule and Krb5LoginModule", module)
	}
	return l, nil
}

type jaasScanner struct {
	src string
	pos int
}

func (p *jaasScanner) done() bool { return p.pos >= len(p.src) }
func (p *jaasScanner) peek() byte { return p.src[p.pos] }

func (p *jaasScanner) space() {
	for !p.done() && strings.IndexByte(" \t\r\n", p.peek()) >= 0 {
		p.pos++
	}
}

func (p *jaasScanner) word() string {
	p.space()
	start := p.pos
	for !p.done() && strings.IndexByte(" \t\r\n=;\"'", p.peek()) < 0 {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *jaasScanner) value() (string, error) {
	if p.done() {
		return "", fmt.Errorf("missing value")
	}
	// Kafka reads JAAS text with Java's StreamTokenizer, which takes both
	// quote characters.
	quote := p.peek()
	if quote != '"' && quote != '\'' {
		return p.word(), nil
	}
	var b strings.Builder
	for p.pos++; !p.done(); p.pos++ {
		c := p.peek()
		switch {
		case c == '\\' && p.pos+1 < len(p.src):
			p.pos++
			b.WriteByte(p.src[p.pos])
		case c == quote:
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated quoted value")
}
