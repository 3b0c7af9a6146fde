package httpclient

import (
	"strings"
	"testing"
)

func TestReadBodyIsBounded(t *testing.T) {
	if body, err := readBody(strings.NewReader("0123456789"), 10); err != nil || string(body) != "0123456789" {
		t.Errorf("a body at the limit: %q, %v", body, err)
	}
	if _, err := readBody(strings.NewReader("0123456789x"), 10); err == nil || err.Error() != "the response body is larger than 10 bytes" {
		t.Errorf("a body over the limit: %v", err)
	}
}
