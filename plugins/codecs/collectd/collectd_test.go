package collectd

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func part(typ int, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(typ))
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)+4))
	return append(b, body...)
}

func str(typ int, s string) []byte { return part(typ, append([]byte(s), 0)) }

// A value list of one derive value 42 for the "counter" type.
func valuePacket() []byte {
	p := str(partHost, "h")
	p = append(p, str(partType, "counter")...)
	return append(p, part(partValues, []byte{0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 42})...)
}

func setup(t *testing.T, level string) map[string]string {
	dir := t.TempDir()
	types := filepath.Join(dir, "types.db")
	auth := filepath.Join(dir, "auth")
	os.WriteFile(types, []byte("counter value:DERIVE:0:U\n"), 0o644)
	os.WriteFile(auth, []byte("alice: s3cret\nmalformed\n"), 0o644)
	return map[string]string{"typesdb": types, "security_level": level, "authfile": auth}
}

// Signed and encrypted packets follow collectd's network plugin: an
// HMAC-SHA256 of the user name and the rest of the packet, and AES-256-OFB
// keyed with SHA-256(password) over SHA-1(plaintext) + plaintext.
func TestSignedPackets(t *testing.T) {
	opts := setup(t, "Sign")
	codec := buildCodec(t, "collectd", "disabled", opts)
	rest := valuePacket()
	sign := func(key string) []byte {
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write([]byte("alice"))
		mac.Write(rest)
		return append(part(partSignature, append(mac.Sum(nil), "alice"...)), rest...)
	}
	if got := plugintest.JSONLines(codec.Decode(string(sign("s3cret"))), "@timestamp"); got != `{"@version":"1","host":"h","collectd_type":"counter","value":42}`+"\n" {
		t.Errorf("good signature: %s", got)
	}
	if got := codec.Decode(string(sign("wrong"))); len(got) != 0 {
		t.Errorf("a bad signature must drop the packet, got %d events", len(got))
	}
	if got := codec.Decode(string(rest)); len(got) != 1 {
		t.Errorf("an unsigned packet is accepted at the Sign level, got %d events", len(got))
	}
}

func TestEncryptedPackets(t *testing.T) {
	opts := setup(t, "Encrypt")
	codec := buildCodec(t, "collectd", "disabled", opts)
	encrypt := func(pass string) []byte {
		plain := valuePacket()
		sum := sha1.Sum(plain)
		clear := append(sum[:], plain...)
		key := sha256.Sum256([]byte(pass))
		block, _ := aes.NewCipher(key[:])
		iv := []byte("0123456789abcdef")
		out := make([]byte, len(clear))
		cipher.NewOFB(block, iv).XORKeyStream(out, clear)
		body := binary.BigEndian.AppendUint16(nil, 5)
		body = append(append(append(body, "alice"...), iv...), out...)
		return part(partEncryption, body)
	}
	if got := codec.Decode(string(encrypt("s3cret"))); len(got) != 1 {
		t.Errorf("good key: %d events", len(got))
	}
	if got := codec.Decode(string(encrypt("nope"))); len(got) != 0 {
		t.Errorf("bad key: %d events", len(got))
	}
	if got := codec.Decode(string(valuePacket())); len(got) != 0 {
		t.Errorf("the Encrypt level refuses plain packets, got %d events", len(got))
	}
}

func TestConfigErrors(t *testing.T) {
	opts := setup(t, "Sign")
	delete(opts, "authfile")
	if _, err := plugintest.TryCodec(t, codecText("collectd", opts), plugintest.ECS("disabled")); err == nil {
		t.Error("Sign without an authfile must fail")
	}
	if _, err := plugintest.TryCodec(t, codecText("collectd", map[string]string{"typesdb": "/nonexistent/types.db"}), plugintest.ECS("disabled")); err == nil {
		t.Error("a missing types.db must fail")
	}
}

func TestHeaderLongerThanPacketStops(t *testing.T) {
	codec := buildCodec(t, "collectd", "disabled", setup(t, "None"))
	p := append(valuePacket(), 0, 0, 0, 99)
	if got := codec.Decode(string(p)); len(got) != 1 {
		t.Errorf("the events before a broken part stay: got %d", len(got))
	}
}

// codecText is the codec block with string options, in key order.
func codecText(name string, opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + plugintest.Quote(opts[k]))
	}
	b.WriteString(" }")
	return b.String()
}

func buildCodec(t *testing.T, name, ecs string, opts map[string]string) *plugintest.BuiltCodec {
	t.Helper()
	return plugintest.Codec(t, codecText(name, opts), plugintest.ECS(ecs))
}
