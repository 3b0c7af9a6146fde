package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// part is a MIME entity: its headers, a blank line and its body.
type part interface {
	write(b *bytes.Buffer)
}

type leaf struct {
	headers []string
	body    []byte
}

func (l *leaf) write(b *bytes.Buffer) {
	for _, h := range l.headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(l.body)
}

// textPart is text in ct, sent as 7bit when it is short-lined ASCII and
// as quoted-printable otherwise.
func textPart(ct, text string) part {
	text = crlf(text)
	if sevenBit(text) {
		return &leaf{headers: []string{"Content-Type: " + ct, "Content-Transfer-Encoding: 7bit"}, body: []byte(text)}
	}
	var body bytes.Buffer
	w := quotedprintable.NewWriter(&body)
	w.Write([]byte(text))
	w.Close()
	return &leaf{headers: []string{"Content-Type: " + ct, "Content-Transfer-Encoding: quoted-printable"}, body: body.Bytes()}
}

// crlf gives every line a CRLF end.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func sevenBit(s string) bool {
	for _, line := range strings.Split(s, "\r\n") {
		if len(line) > 998 {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == 0 {
			return false
		}
	}
	return true
}

type multipartEntity struct {
	subtype  string
	boundary string
	parts    []part
}

func multipartOf(subtype string, parts ...part) part {
	return &multipartEntity{subtype: subtype, boundary: "--==_mimepart_" + randomTag(), parts: parts}
}

// alternative is a text part and an HTML part of the same content.
func alternative(text, html part) part { return multipartOf("alternative", text, html) }

func (m *multipartEntity) write(b *bytes.Buffer) {
	fmt.Fprintf(b, "Content-Type: %s\r\nContent-Transfer-Encoding: 7bit\r\n\r\n",
		mime.FormatMediaType("multipart/"+m.subtype, map[string]string{"boundary": m.boundary}))
	for _, p := range m.parts {
		fmt.Fprintf(b, "\r\n--%s\r\n", m.boundary)
		p.write(b)
	}
	fmt.Fprintf(b, "\r\n--%s--\r\n", m.boundary)
}

// attachment reads a file into a base64 part named after it.
func attachment(path string) (part, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	name := filepath.Base(path)
	ct := mime.TypeByExtension(filepath.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	mediatype, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mediatype, params = "application/octet-stream", map[string]string{}
	}
	params["filename"] = name
	var body bytes.Buffer
	encoded := base64.StdEncoding.EncodeToString(data)
	for len(encoded) > 76 {
		body.WriteString(encoded[:76] + "\r\n")
		encoded = encoded[76:]
	}
	body.WriteString(encoded + "\r\n")
	return &leaf{headers: []string{
		"Content-Type: " + mime.FormatMediaType(mediatype, params),
		"Content-Transfer-Encoding: base64",
		"Content-Disposition: " + mime.FormatMediaType("attachment", map[string]string{"filename": name}),
	}, body: body.Bytes()}, nil
}
