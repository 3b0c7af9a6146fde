package http

import (
	"bytes"
	nethttp "net/http"
	"testing"
)

// FuzzRequestBody feeds arbitrary bodies, plain or claiming a gzip or
// deflate encoding, to the body reader and the header and charset
// handling: none may panic, and an accepted body is never longer than
// max_content_length after inflating.
func FuzzRequestBody(f *testing.F) {
	f.Add([]byte("plain text"), uint8(0), "text/plain; charset=ISO-8859-1")
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x4b\x4c\x4a\x06\x00\xc2\x41\x24\x35\x03\x00\x00\x00"), uint8(1), "application/json")
	f.Add([]byte("\x4b\x4c\x4a\x06\x00"), uint8(2), "text/plain; charset=utf-16")
	const max = 1 << 10
	encodings := []string{"", "gzip", "deflate", "x-gzip"}
	f.Fuzz(func(t *testing.T, data []byte, encoding uint8, contentType string) {
		r, err := nethttp.NewRequest("POST", "http://127.0.0.1/path?q=1", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if e := encodings[int(encoding)%len(encodings)]; e != "" {
			r.Header.Set("Content-Encoding", e)
		}
		r.Header.Set("Content-Type", contentType)
		body, _, err := readBody(r, max)
		if err != nil {
			return
		}
		if len(body) > max {
			t.Fatalf("a body of %d bytes passed the %d-byte limit", len(body), max)
		}
		formatHeaders(r, len(body))
		decodeCharset(body, contentType)
		mimeType(contentType)
	})
}
