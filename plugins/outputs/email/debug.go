package email

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
)

// loggedConn logs the SMTP conversation line by line (debug => true), with
// what follows AUTH masked until the server accepts or refuses the
// credentials. It sits under net/smtp's TLS, so after STARTTLS it can only
// say that the rest is encrypted.
type loggedConn struct {
	net.Conn
	log       *slog.Logger
	inAuth    bool
	startTLS  bool // STARTTLS was sent
	encrypted bool
	partialR  []byte
}

func (c *loggedConn) Write(p []byte) (int, error) {
	if c.encrypted {
		return c.Conn.Write(p)
	}
	for _, line := range strings.SplitAfter(string(p), "\n") {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		upper := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(upper, "AUTH "):
			c.inAuth = true
			mechanism := strings.Fields(line)[1]
			c.log.Info("SMTP <- AUTH " + mechanism + " <password>")
		case c.inAuth:
			c.log.Info("SMTP <- <password>")
		case upper == "STARTTLS":
			c.startTLS = true
			c.log.Info("SMTP <- " + line)
		default:
			c.log.Info("SMTP <- " + line)
		}
	}
	return c.Conn.Write(p)
}

func (c *loggedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.encrypted {
		return n, err
	}
	c.partialR = append(c.partialR, p[:n]...)
	for {
		i := bytes.IndexByte(c.partialR, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(c.partialR[:i]), "\r")
		c.partialR = c.partialR[i+1:]
		if c.inAuth && !strings.HasPrefix(line, "334") {
			c.inAuth = false
		}
		c.log.Info("SMTP -> " + line)
		if c.startTLS && strings.HasPrefix(line, "220") {
			c.encrypted = true
			c.log.Info("SMTP: TLS started; the rest of the conversation is encrypted and not logged")
			break
		}
	}
	return n, err
}
