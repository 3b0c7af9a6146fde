package tcp

import (
	"bytes"
	"context"
	"net"
	"testing"
)

// FuzzProxyHeader feeds arbitrary first reads to the PROXY protocol v1
// parser: it must refuse or accept without panicking, and what it hands on
// is the rest of the data after the header.
func FuzzProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\nhello\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add([]byte("PROXY TCP6 ::1 ::2 1 2"))
	f.Add([]byte("not a header\n"))
	in := &input{proxyProtocol: true, fields: legacyFields}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, rest, err := in.firstRead(context.Background(), nil, remote, data)
		if err != nil {
			return
		}
		if p == nil || !bytes.HasSuffix(data, rest) {
			t.Fatalf("peer %v, rest %q of %q", p, rest, data)
		}
	})
}
