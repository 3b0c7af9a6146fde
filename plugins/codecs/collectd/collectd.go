// Package collectd is Logstash's collectd codec: packets of collectd's
// binary network protocol decode into one event per value list (and per
// notification), with the data source names read from types.db.
package collectd

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

const (
	securityNone    = "None"
	securitySign    = "Sign"
	securityEncrypt = "Encrypt"
)

var (
	optTypesDB        = plugin.Strings("typesdb").Doc("collectd types.db files naming each type's data sources (a later file wins for a type in several). Without it, collectd's own types.db where Debian, Ubuntu and source installs put it.")
	optPruneIntervals = plugin.Bool("prune_intervals").Default(true).Doc("Leave interval parts out: no event of their own and no `interval` field.")
	optSecurityLevel  = plugin.Enum("security_level", securityNone, securitySign, securityEncrypt).Default(securityNone).Doc("As collectd's network plugin: Sign checks signed packets, Encrypt accepts only encrypted ones.")
	optNaNHandling    = plugin.Enum("nan_handling", "change_value", "warn", "drop").Default("change_value").Doc("What a NaN gauge becomes: `nan_value` and the `nan_tag` (warn also logs), or drop the packet's remaining events.")
	optNaNValue       = plugin.Float("nan_value").Default(0).Doc("The value that replaces a NaN gauge.")
	optNaNTag         = plugin.String("nan_tag").Default("_collectdNaN").Doc("The tag of an event whose NaN was replaced; empty for none.")
	optAuthFile       = plugin.String("authfile").Doc("collectd's AuthFile (`user: password` lines) for the Sign and Encrypt levels; re-read when it changes.")
	optTarget         = plugin.FieldRef("target").Doc("The field to put each decoded record under; without it its fields go to the top level of the event.")
)

// systemTypesDB are where collectd installs its types.db.
var systemTypesDB = []string{"/usr/share/collectd/types.db", "/usr/local/share/collectd/types.db", "/opt/collectd/share/collectd/types.db"}

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "collectd",
			Summary: "collectd's binary network protocol: each value list (and notification) in a packet decodes into an event.",
			Options: []plugin.Declared{optTypesDB, optPruneIntervals, optSecurityLevel, optNaNHandling, optNaNValue, optNaNTag, optAuthFile, optTarget},
		},
		New: newCodec,
	})
}

// Part types of the protocol.
const (
	partHost           = 0
	partTime           = 1
	partPlugin         = 2
	partPluginInstance = 3
	partType           = 4
	partTypeInstance   = 5
	partValues         = 6
	partInterval       = 7
	partTimeHR         = 8
	partIntervalHR     = 9
	partMessage        = 256
	partSeverity       = 257
	partSignature      = 512
	partEncryption     = 528
)

var partField = map[int]string{
	partHost: "host", partTime: "@timestamp", partPlugin: "plugin", partPluginInstance: "plugin_instance",
	partType: "collectd_type", partTypeInstance: "type_instance", partValues: "values", partInterval: "interval",
	partTimeHR: "@timestamp", partIntervalHR: "interval", partMessage: "message", partSeverity: "severity",
	partSignature: "signature", partEncryption: "encryption",
}

// baseFields stay from one value list to the next in a packet.
var baseFields = map[string]bool{"host": true, "@timestamp": true, "plugin": true, "plugin_instance": true, "collectd_type": true, "type_instance": true}

// Codec is a collectd codec instance; it keeps no stream state.
type Codec struct {
	log       *slog.Logger
	types     map[string][]string
	prune     bool
	security  string
	nanMode   string
	nanValue  any
	nanTag    string
	target    *event.FieldRef
	auth      *authFile
	typesPath []string
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{log: s.Logger(), prune: optPruneIntervals.Get(s), security: optSecurityLevel.Get(s),
		nanMode: optNaNHandling.Get(s), nanTag: optNaNTag.Get(s)}
	if v := optNaNValue.Get(s); v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		c.nanValue = int64(v)
	} else {
		c.nanValue = v
	}
	paths := optTypesDB.Get(s)
	if !optTypesDB.IsSet(s) {
		for _, p := range systemTypesDB {
			if _, err := os.Stat(p); err == nil {
				paths = []string{p}
				break
			}
		}
		if len(paths) == 0 {
			return nil, optTypesDB.Errorf(s, "You must specify 'typesdb => ...' in your collectd input: gostash does not ship collectd's types.db, and none was found at %s (Debian and Ubuntu: apt-get install collectd-core)", strings.Join(systemTypesDB, ", "))
		}
	}
	types, err := readTypesDB(paths)
	if err != nil {
		return nil, optTypesDB.Errorf(s, "%v", err)
	}
	c.types, c.typesPath = types, paths
	if c.security != securityNone {
		if !optAuthFile.IsSet(s) {
			return nil, optSecurityLevel.Errorf(s, "Security level is set to %s, but no authfile was configured", c.security)
		}
		c.auth = &authFile{path: optAuthFile.Get(s), log: c.log}
		if err := c.auth.load(); err != nil {
			return nil, optAuthFile.Errorf(s, "%v", err)
		}
	}
	if optTarget.IsSet(s) {
		ref, _ := event.ParseFieldRef(optTarget.Get(s))
		c.target = &ref
	}
	return c, nil
}

// readTypesDB reads each type's data source names, in order.
func readTypesDB(paths []string) (map[string][]string, error) {
	types := map[string][]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			names := make([]string, 0, len(fields)-1)
			for _, ds := range fields[1:] {
				name, _, _ := strings.Cut(ds, ":")
				names = append(names, name)
			}
			types[fields[0]] = names
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return types, nil
}

// authFile is collectd's AuthFile, re-read when its modification time
// changes.
type authFile struct {
	path  string
	log   *slog.Logger
	mu    sync.Mutex
	mtime time.Time
	keys  map[string]string
}

var authLine = regexp.MustCompile(`([^:]+): (.+)`)

func (a *authFile) load() error {
	st, err := os.Stat(a.path)
	if err != nil {
		return fmt.Errorf("The file %s was not found", a.path)
	}
	data, err := os.ReadFile(a.path)
	if err != nil {
		return err
	}
	keys := map[string]string{}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		if m := authLine.FindStringSubmatch(line); m != nil {
			keys[m[1]] = m[2]
		} else {
			a.log.Info(fmt.Sprintf("Ignoring malformed authfile line '%s'", strings.TrimRight(line, "\r\n")))
		}
	}
	a.mtime, a.keys = st.ModTime(), keys
	return nil
}

func (a *authFile) key(user string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if st, err := os.Stat(a.path); err == nil && st.ModTime().After(a.mtime) {
		if err := a.load(); err != nil {
			a.log.Warn("Re-reading the authfile failed; keeping the keys read before", slog.String("error", err.Error()))
		}
	}
	k, ok := a.keys[user]
	if !ok {
		a.log.Warn(fmt.Sprintf("User %s is not found in the authfile %s", user, a.path))
	}
	return k, ok
}

// errStop ends the decoding of a packet; the events already made stay.
var errStop = errors.New("stop")

// Decode reads a packet: the parts set fields one after another, each
// value list (and each notification message) makes an event of the fields
// so far, after which only the identifying fields (host, time, plugin,
// type and their instances) carry on.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	payload := append([]byte(nil), data...)
	record := event.NewMap(8)
	encrypted := false
	for len(payload) > 0 {
		if len(payload) < 4 {
			c.log.Debug("Decode failure", slog.String("message", "a part header is cut short"))
			return
		}
		typ := int(binary.BigEndian.Uint16(payload))
		length := int(binary.BigEndian.Uint16(payload[2:])) - 4
		payload = payload[4:]
		if length > len(payload) {
			c.log.Debug("Decode failure", slog.String("message", "LogStash::Codecs::Collectd::HeaderError"))
			return
		}
		// Ruby's slice!(0..length-1): a negative end counts from the end.
		end := length - 1
		if end < 0 {
			end += len(payload)
		}
		end = max(end+1, 0)
		body := payload[:end]
		payload = payload[end:]
		field, known := partField[typ]
		if !known {
			c.log.Warn(fmt.Sprintf("Unknown typenumber: %d", typ))
			continue
		}
		switch typ {
		case partSignature:
			if !c.verify(body, payload) {
				c.log.Debug("Decode failure", slog.String("message", "LogStash::Codecs::Collectd::EncryptionError"))
				return
			}
			continue
		case partEncryption:
			plain := c.decrypt(body)
			if len(plain) == 0 {
				c.log.Debug("Decode failure", slog.String("message", "LogStash::Codecs::Collectd::EncryptionError"))
				return
			}
			payload, encrypted = plain, true
			continue
		}
		if !encrypted && c.security == securityEncrypt {
			c.log.Debug("Decode failure", slog.String("message", "LogStash::Codecs::Collectd::EncryptionError"))
			return
		}
		values, isList, drop, nanTag, err := c.values(typ, body)
		if err != nil {
			c.log.Error("Decode failure", slog.String("message", err.Error()))
			return
		}
		if isList {
			if len(values) > 1 {
				typeName, _ := record.Get("collectd_type")
				names, ok := c.types[event.ValueString(typeName)]
				for i, v := range values {
					if !ok {
						c.log.Error(fmt.Sprintf("Invalid value for type=%s, key=nil, index=%d", inspectString(typeName), i))
						continue
					}
					name := ""
					if i < len(names) {
						name = names[i]
					}
					record.Set(name, v)
				}
			} else {
				var v any
				if len(values) == 1 {
					v = values[0]
				}
				record.Set("value", v)
			}
		} else {
			record.Set(field, values[0])
		}
		if field == "interval" || field == "values" || field == "message" {
			if !c.prune || (typ != partInterval && typ != partIntervalHR) {
				if v, _ := record.Get("type_instance"); v == "" {
					record.Delete("type_instance")
				}
				if v, _ := record.Get("plugin_instance"); v == "" {
					record.Delete("plugin_instance")
				}
				if drop {
					c.log.Debug("Decode failure", slog.String("message", "LogStash::Codecs::Collectd::NaNError"))
					return
				}
				emit(c.event(record.Clone(), nanTag))
			}
			for _, k := range append([]string(nil), record.Keys()...) {
				if !baseFields[k] {
					record.Delete(k)
				}
			}
		}
	}
}

func inspectString(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return "nil"
}

func (c *Codec) event(record *event.Map, nanTag bool) *event.Event {
	var e *event.Event
	if c.target != nil {
		e = event.NewEvent()
		_ = e.SetRef(*c.target, record)
	} else {
		e = event.NewEventFromMap(record)
	}
	if nanTag {
		e.Tag(c.nanTag)
	}
	return e
}

// values decodes a part's body. A values part gives a list (isList); the
// others one value. drop and nanTag report a NaN gauge.
func (c *Codec) values(typ int, body []byte) (values []any, isList, drop, nanTag bool, err error) {
	switch typ {
	case partHost, partPlugin, partPluginInstance, partType, partTypeInstance, partMessage:
		// The string and its terminating NUL.
		if len(body) > 0 {
			body = body[:len(body)-1]
		}
		return []any{string(body)}, false, false, false, nil
	case partTime:
		if len(body) < 8 {
			return nil, false, false, false, errors.New("time part too short")
		}
		return []any{event.Timestamp{Time: time.Unix(int64(binary.BigEndian.Uint64(body)), 0).UTC()}}, false, false, false, nil
	case partTimeHR:
		if len(body) < 8 {
			return nil, false, false, false, errors.New("time part too short")
		}
		return []any{hiresTime(binary.BigEndian.Uint64(body))}, false, false, false, nil
	case partInterval:
		// Logstash reads this part as a little-endian double.
		if len(body) < 8 {
			return nil, false, false, false, errors.New("interval part too short")
		}
		return []any{math.Float64frombits(binary.LittleEndian.Uint64(body))}, false, false, false, nil
	case partIntervalHR:
		if len(body) < 8 {
			return nil, false, false, false, errors.New("interval part too short")
		}
		return []any{int64(binary.BigEndian.Uint64(body) >> 30)}, false, false, false, nil
	case partSeverity:
		if len(body) < 8 {
			return nil, false, false, false, errors.New("severity part too short")
		}
		return []any{unsigned(binary.BigEndian.Uint64(body))}, false, false, false, nil
	case partValues:
		return c.valueList(body)
	}
	return nil, false, false, false, fmt.Errorf("unhandled part %d", typ)
}

func (c *Codec) valueList(body []byte) (values []any, isList, drop, nanTag bool, err error) {
	if len(body) >= 2 {
		body = body[2:]
	} else {
		body = nil
	}
	if len(body)%9 != 0 {
		c.log.Error("Incorrect number of data fields for collectd record", slog.String("body", string(body)))
		// The value list is then nil: Logstash stores it as `values`.
		return []any{nil}, false, false, false, nil
	}
	n := len(body) / 9
	kinds, data := body[:n], body[n:]
	values = []any{}
	for i := 0; i < n; i++ {
		raw := data[8*i : 8*i+8]
		switch kinds[i] {
		case 0, 3: // counter, absolute
			values = append(values, unsigned(binary.BigEndian.Uint64(raw)))
		case 1: // gauge
			g := math.Float64frombits(binary.LittleEndian.Uint64(raw))
			if !math.IsNaN(g) {
				values = append(values, g)
				continue
			}
			if c.nanMode == "drop" {
				drop = true
				values = append(values, g)
				continue
			}
			nanTag = true
			if c.nanMode == "warn" {
				c.log.Warn(fmt.Sprintf("NaN replaced by %s", event.ValueString(c.nanValue)))
			}
			values = append(values, c.nanValue)
		case 2: // derive
			values = append(values, int64(binary.BigEndian.Uint64(raw)))
		default:
			return nil, false, false, false, fmt.Errorf("undefined method `call' for nil (data source type %d)", kinds[i])
		}
	}
	return values, true, drop, nanTag, nil
}

func unsigned(v uint64) any {
	if v > math.MaxInt64 {
		return new(big.Int).SetUint64(v)
	}
	return int64(v)
}

// hiresTime is a 2^-30 second count as an instant, to the nanosecond
// (truncated).
func hiresTime(n uint64) event.Timestamp {
	sec := n >> 30
	frac := n & (1<<30 - 1)
	ns := new(big.Int).Mul(new(big.Int).SetUint64(frac), big.NewInt(1_000_000_000))
	ns.Rsh(ns, 30)
	return event.Timestamp{Time: time.Unix(int64(sec), ns.Int64()).UTC()}
}

// verify checks a signature part (HMAC-SHA256 of the user name and the
// rest of the packet) when the security level asks for it.
func (c *Codec) verify(body, rest []byte) bool {
	if c.security == securityNone {
		return true
	}
	if len(body) < 33 {
		c.log.Warn("collectd signature part too short or without a user name")
		return false
	}
	sig, user := body[:32], string(body[32:])
	key, ok := c.auth.key(user)
	if !ok {
		return false
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(user))
	mac.Write(rest)
	return hmac.Equal(mac.Sum(nil), sig)
}

// decrypt opens an encryption part: AES-256 in OFB mode keyed with the
// SHA-256 of the user's password, the plaintext starting with the SHA-1 of
// the rest. Anything wrong gives nil.
func (c *Codec) decrypt(body []byte) []byte {
	if len(body) < 2 {
		return nil
	}
	ulen := int(binary.BigEndian.Uint16(body))
	body = body[2:]
	if ulen > len(body) || c.auth == nil {
		return nil
	}
	user := string(body[:ulen])
	body = body[ulen:]
	if len(body) < 16 {
		return nil
	}
	iv, content := body[:16], body[16:]
	if len(content) < 26 {
		return nil
	}
	pass, ok := c.auth.key(user)
	if !ok {
		return nil
	}
	key := sha256.Sum256([]byte(pass))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil
	}
	plain := make([]byte, len(content))
	//lint:ignore SA1019 collectd's network protocol uses OFB.
	cipher.NewOFB(block, iv).XORKeyStream(plain, content)
	sum := sha1.Sum(plain[20:])
	if !hmac.Equal(sum[:], plain[:20]) {
		c.log.Warn("Unable to decrypt packet, checksum mismatch")
		return nil
	}
	return plain[20:]
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode writes nothing: like Logstash's, the codec only decodes.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	warnEncodeOnce.Do(func() { c.log.Error("The collectd codec only decodes; events given to it to encode are not written") })
	return dst
}

var warnEncodeOnce sync.Once
