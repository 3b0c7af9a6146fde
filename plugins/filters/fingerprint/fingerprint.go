// Package fingerprint is Logstash's fingerprint filter: a hash (or UUID,
// network or punctuation) of one or more fields, for de-duplication.
package fingerprint

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"math"
	"net/netip"
	"sort"
	"strings"
	"unicode"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var methods = []string{"SHA1", "SHA256", "SHA384", "SHA512", "MD5", "MURMUR3", "MURMUR3_128", "IPV4_NETWORK", "UUID", "PUNCTUATION"}

var (
	optSource               = plugin.Strings("source").Default([]string{"message"}).Doc("The fields to fingerprint.")
	optTarget               = plugin.String("target").Doc("Where the fingerprint goes: fingerprint (ECS disabled) or [event][hash] (ECS).")
	optMethod               = plugin.Enum("method", methods...).Default("SHA1").Doc("The fingerprint method.")
	optKey                  = plugin.Password("key").Doc("HMAC key for the SHA and MD5 methods; the prefix length for IPV4_NETWORK.")
	optBase64encode         = plugin.Bool("base64encode").Default(false).Doc("Base64 instead of hex for hash methods.")
	optConcatenateSources   = plugin.Bool("concatenate_sources").Default(false).Doc("Fingerprint the sources together as one string.")
	optConcatenateAllFields = plugin.Bool("concatenate_all_fields").Default(false).Doc("Fingerprint every field of the event together.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "fingerprint",
			Summary: "Computes a fingerprint (hash) of fields, for de-duplication.",
			Options: []plugin.Declared{optSource, optTarget, optMethod, optKey, optBase64encode, optConcatenateSources, optConcatenateAllFields, plugin.ECS},
		},
		New: newFingerprint,
	})
}

type fingerprint struct {
	log           *slog.Logger
	sources       []string
	sortedSources []string
	target        string
	method        string
	key           []byte
	hasKey        bool
	base64        bool
	concatSources bool
	concatAll     bool
	newHash       func() hash.Hash
	prefixLen     int
}

func newFingerprint(s *plugin.Settings) (plugin.Filter, error) {
	f := &fingerprint{
		log:           s.Logger(),
		sources:       optSource.Get(s),
		method:        optMethod.Get(s),
		hasKey:        optKey.IsSet(s),
		key:           []byte(optKey.Get(s).Reveal()),
		base64:        optBase64encode.Get(s),
		concatSources: optConcatenateSources.Get(s),
		concatAll:     optConcatenateAllFields.Get(s),
	}
	f.sortedSources = append([]string(nil), f.sources...)
	sort.Strings(f.sortedSources)
	switch {
	case optTarget.IsSet(s):
		f.target = optTarget.Get(s)
	case s.ECS() == "disabled":
		f.target = "fingerprint"
	default:
		f.target = "[event][hash]"
	}
	switch f.method {
	case "SHA1":
		f.newHash = sha1.New
	case "SHA256":
		f.newHash = sha256.New
	case "SHA384":
		f.newHash = sha512.New384
	case "SHA512":
		f.newHash = sha512.New
	case "MD5":
		f.newHash = md5.New
	case "IPV4_NETWORK":
		if !f.hasKey {
			return nil, optKey.Errorf(s, "Key value is empty. please fill in a subnet prefix length")
		}
		n, ok := ruby.ToI(string(f.key)).(int64)
		if !ok || n > 128 || n < 0 {
			return nil, optKey.Errorf(s, "invalid subnet prefix length")
		}
		f.prefixLen = int(n)
	}
	return f, nil
}

// Filter sets the target and always counts as a match.
func (f *fingerprint) Filter(e *event.Event, _ func(*event.Event)) bool {
	switch f.method {
	case "UUID":
		f.set(e, newUUID())
	case "PUNCTUATION":
		for _, field := range f.sortedSources {
			if v, ok := e.Get(field); ok {
				f.set(e, punctuation(ruby.ToS(v)))
			}
		}
	default:
		if f.concatSources || f.concatAll {
			var b strings.Builder
			if f.concatAll {
				data := e.Data()
				keys := append([]string(nil), data.Keys()...)
				sort.Strings(keys)
				for _, k := range keys {
					v, _ := data.Get(k)
					b.WriteString("|" + k + "|" + canonicalString(v))
				}
			} else {
				for _, k := range f.sortedSources {
					v, _ := e.Get(k)
					b.WriteString("|" + k + "|" + canonicalString(v))
				}
			}
			b.WriteString("|")
			f.set(e, f.fingerprint(b.String()))
			break
		}
		for _, field := range f.sources {
			v, ok := e.Get(field)
			if !ok {
				continue
			}
			if list, isList := v.([]any); isList {
				out := make([]any, len(list))
				for i, x := range list {
					out[i] = f.fingerprint(canonical(x))
				}
				f.set(e, out)
			} else {
				f.set(e, f.fingerprint(canonical(v)))
			}
		}
	}
	return true
}

func (f *fingerprint) set(e *event.Event, v any) {
	if err := e.Set(f.target, v); err != nil {
		f.log.Warn("fingerprint could not set its target", slog.String("target", f.target), slog.String("exception", err.Error()))
	}
}

// canonical flattens hashes (sorted by key) and lists into "a|b" text, as
// the Ruby plugin's to_canonical_value; scalars stay as they are.
func canonical(v any) any {
	switch t := v.(type) {
	case *event.Map:
		keys := append([]string(nil), t.Keys()...)
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			x, _ := t.Get(k)
			parts[i] = k + "|" + canonicalString(x)
		}
		return strings.Join(parts, "|")
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = canonicalString(x)
		}
		return strings.Join(parts, "|")
	}
	return v
}

func canonicalString(v any) string { return ruby.ToS(canonical(v)) }

func (f *fingerprint) fingerprint(v any) any {
	switch f.method {
	case "MURMUR3":
		if n, ok := v.(int64); ok {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], uint64(n))
			return int64(murmur3x86_32(b[:], 0))
		}
		return int64(murmur3x86_32([]byte(ruby.ToS(v)), 0))
	case "MURMUR3_128":
		var data []byte
		if n, ok := v.(int64); ok {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				data = binary.LittleEndian.AppendUint32(nil, uint32(int32(n)))
			} else {
				data = binary.LittleEndian.AppendUint64(nil, uint64(n))
			}
		} else {
			data = []byte(ruby.ToS(v))
		}
		sum := murmur3x64_128(data, 2)
		if f.base64 {
			return base64.StdEncoding.EncodeToString(sum)
		}
		return hex.EncodeToString(sum)
	case "IPV4_NETWORK":
		return f.network(ruby.ToS(v))
	}
	data := []byte(ruby.ToS(v))
	var sum []byte
	if f.hasKey {
		m := hmac.New(f.newHash, f.key)
		m.Write(data)
		sum = m.Sum(nil)
	} else {
		h := f.newHash()
		h.Write(data)
		sum = h.Sum(nil)
	}
	if f.base64 {
		return base64.StdEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

// network masks an IP address to the key's prefix length (Ruby's IPAddr#mask).
func (f *fingerprint) network(s string) any {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		f.log.Warn("fingerprint IPV4_NETWORK: invalid address", slog.String("value", s))
		return s
	}
	p, err := addr.Prefix(f.prefixLen)
	if err != nil {
		f.log.Warn("fingerprint IPV4_NETWORK: invalid prefix length", slog.Int("prefix", f.prefixLen))
		return s
	}
	return p.Addr().String()
}

// punctuation keeps only punctuation and symbol characters.
func punctuation(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return r
		}
		return -1
	}, s)
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("fingerprint: no randomness: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
