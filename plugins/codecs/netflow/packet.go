package netflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// decode decodes one packet. Anything malformed is logged and dropped as
// Logstash drops it: a bad header or flowset layout drops the packet, a
// bad record its flowset.
func (c *Codec) decode(p []byte, exporter string, emit func(*event.Event)) {
	if len(p) < 2 {
		c.invalidPacket("the packet is shorter than a version number")
		return
	}
	version := binary.BigEndian.Uint16(p)
	if int(version) >= len(c.versions) || !c.versions[version] {
		c.log.Warn(fmt.Sprintf("Ignoring Netflow version v%d", version))
		return
	}
	switch version {
	case 5:
		c.decodeV5(p, emit)
	case 9:
		c.decodeV9(p, exporter, emit)
	case 10:
		c.decodeIPFIX(p, exporter, emit)
	}
}

func (c *Codec) invalidPacket(reason string) {
	c.log.Warn(fmt.Sprintf("Invalid netflow packet received (%s)", reason))
}

const (
	v5HeaderSize = 24
	v5RecordSize = 48
)

func (c *Codec) decodeV5(p []byte, emit func(*event.Event)) {
	if len(p) < v5HeaderSize {
		c.invalidPacket("the v5 header is cut short")
		return
	}
	count := int(binary.BigEndian.Uint16(p[2:]))
	if count < 1 || count > 30 {
		c.invalidPacket(fmt.Sprintf("v5 flow record count %d is not between 1 and 30", count))
		return
	}
	if len(p) < v5HeaderSize+count*v5RecordSize {
		c.invalidPacket(fmt.Sprintf("the packet has %d bytes, too few for %d v5 records", len(p), count))
		return
	}
	uptime := int64(binary.BigEndian.Uint32(p[4:]))
	sec := int64(binary.BigEndian.Uint32(p[8:]))
	nsec := int64(binary.BigEndian.Uint32(p[12:]))
	sampling := binary.BigEndian.Uint16(p[22:])
	header := []value{
		{"version", int64(5)},
		{"flow_seq_num", int64(binary.BigEndian.Uint32(p[16:]))},
		{"engine_type", int64(p[20])},
		{"engine_id", int64(p[21])},
		{"sampling_algorithm", int64(sampling >> 14)},
		{"sampling_interval", int64(sampling & 0x3fff)},
		{"flow_records", int64(count)},
	}
	stamp := event.Timestamp{Time: time.Unix(sec, nsec/1000*1000)}
	for i := range count {
		r := p[v5HeaderSize+i*v5RecordSize:]
		u16 := func(off int) int64 { return int64(binary.BigEndian.Uint16(r[off:])) }
		u32 := func(off int) int64 { return int64(binary.BigEndian.Uint32(r[off:])) }
		switched := func(off int) string {
			millis := uptime - u32(off)
			s := sec - floorDiv(millis, 1000)
			micros := nsec/1000 - floorMod(millis, 1000)*1000
			// Logstash borrows a second's microseconds without taking
			// the second away (its `seconds--` is no Ruby statement), so
			// such times come out a second late; so do ours.
			if micros < 0 {
				micros += 1_000_000
			}
			return iso(s, micros*1000)
		}
		vals := append(header[:len(header):len(header)],
			value{"ipv4_src_addr", ip4(r[0:4])},
			value{"ipv4_dst_addr", ip4(r[4:8])},
			value{"ipv4_next_hop", ip4(r[8:12])},
			value{"input_snmp", u16(12)},
			value{"output_snmp", u16(14)},
			value{"in_pkts", u32(16)},
			value{"in_bytes", u32(20)},
			value{"first_switched", switched(24)},
			value{"last_switched", switched(28)},
			value{"l4_src_port", u16(32)},
			value{"l4_dst_port", u16(34)},
			value{"tcp_flags", int64(r[37])},
			value{"protocol", int64(r[38])},
			value{"src_tos", int64(r[39])},
			value{"src_as", u16(40)},
			value{"dst_as", u16(42)},
			value{"src_mask", int64(r[44])},
			value{"dst_mask", int64(r[45])},
		)
		emit(c.event(stamp, vals))
	}
}

// flowset is one v9 flowset or IPFIX set of a packet.
type flowset struct {
	id   uint16
	body []byte
}

// netflowScopes name the v9 options templates' scope fields.
var netflowScopes = map[uint16]string{1: "scope_system", 2: "scope_interface", 3: "scope_line_card", 4: "scope_netflow_cache", 5: "scope_template"}

const v9HeaderSize = 20

func (c *Codec) decodeV9(p []byte, exporter string, emit func(*event.Event)) {
	if len(p) < v9HeaderSize {
		c.invalidPacket("the v9 header is cut short")
		return
	}
	uptime := int64(binary.BigEndian.Uint32(p[4:]))
	sec := int64(binary.BigEndian.Uint32(p[8:]))
	seq := int64(binary.BigEndian.Uint32(p[12:]))
	sourceID := binary.BigEndian.Uint32(p[16:])
	// The whole packet is checked before any flowset is used, as Logstash
	// reads it whole first.
	var sets []flowset
	for off := v9HeaderSize; len(p)-off >= 4; {
		id, length := binary.BigEndian.Uint16(p[off:]), int(binary.BigEndian.Uint16(p[off+2:]))
		if id > 1 && id < 256 {
			c.invalidPacket(fmt.Sprintf("flowset id %d is neither a template (0, 1) nor data (256 and up)", id))
			return
		}
		if length == 0 {
			// Exporters fill a packet up with zeros: the rest is padding.
			break
		}
		if length <= 4 || off+length > len(p) {
			c.invalidPacket(fmt.Sprintf("flowset %d's length %d does not fit the packet", id, length))
			return
		}
		sets = append(sets, flowset{id, p[off+4 : off+length]})
		off += length
	}
	for _, s := range sets {
		switch {
		case s.id == 0:
			c.v9Templates(s.body, exporter, sourceID)
		case s.id == 1:
			c.v9OptionsTemplates(s.body, exporter, sourceID)
		default:
			c.v9Data(s, exporter, sourceID, uptime, sec, seq, emit)
		}
	}
}

func (c *Codec) v9Templates(b []byte, exporter string, sourceID uint32) {
	for len(b) >= 4 {
		id, count := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+4*count {
			c.log.Warn("Invalid Netflow v9 record (template runs past its flowset)", "template_id", id)
			return
		}
		fields := make([]field, 0, count)
		size, usable := 0, true
		for i := range count {
			typ, length := binary.BigEndian.Uint16(b[4+4*i:]), binary.BigEndian.Uint16(b[6+4*i:])
			if length == 0 {
				continue
			}
			f, ok := netflowField(c.log, c.netflowDefs, typ, length, id)
			if !ok {
				usable = false
				break
			}
			fields = append(fields, f)
			size += int(length)
		}
		b = b[4+4*count:]
		// Ids below 256 name no data flowset: the rest is padding.
		if id < 256 {
			return
		}
		if usable {
			c.registerV9(templateKey{exporter, sourceID, id}, fields, size)
		}
	}
}

func (c *Codec) v9OptionsTemplates(b []byte, exporter string, sourceID uint32) {
	for len(b) >= 6 {
		id := binary.BigEndian.Uint16(b)
		scopeLen, optionLen := int(binary.BigEndian.Uint16(b[2:])), int(binary.BigEndian.Uint16(b[4:]))
		if id < 256 {
			// Padding.
			return
		}
		if scopeLen == 0 || optionLen == 0 || len(b) < 6+scopeLen+optionLen {
			c.log.Warn("Invalid Netflow v9 record (options template does not fit its flowset)", "template_id", id)
			return
		}
		var fields []field
		size, usable := 0, true
		scope := b[6 : 6+scopeLen]
		for i := 0; i+4 <= len(scope); i += 4 {
			typ, length := binary.BigEndian.Uint16(scope[i:]), int(binary.BigEndian.Uint16(scope[i+2:]))
			if length > 0 {
				fields = append(fields, field{Type: uintType(0, length), Name: netflowScopes[typ]})
			}
			size += length
		}
		options := b[6+scopeLen : 6+scopeLen+optionLen]
		for i := 0; i+4 <= len(options); i += 4 {
			typ, length := binary.BigEndian.Uint16(options[i:]), binary.BigEndian.Uint16(options[i+2:])
			if length == 0 {
				// No data: Logstash refuses the packet, we the field.
				continue
			}
			f, ok := netflowField(c.log, c.netflowDefs, typ, length, id)
			if !ok {
				usable = false
				break
			}
			fields = append(fields, f)
			size += int(length)
		}
		// What follows the template's fields up to 4-byte alignment is padding.
		b = b[min(len(b), (6+scopeLen+optionLen+3)&^3):]
		if usable {
			c.registerV9(templateKey{exporter, sourceID, id}, fields, size)
		}
	}
}

func (c *Codec) registerV9(k templateKey, fields []field, size int) {
	t, ok := c.v9.register(k, fields)
	if !ok {
		return
	}
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug(fmt.Sprintf("Received template %d with fields %v", k.id, fields))
	}
	if size != t.minSize {
		c.log.Warn(fmt.Sprintf("Received template %d of size %d bytes doesn't match BinData representation we built (%d bytes)", k.id, size, t.minSize))
	}
}

func (c *Codec) v9Data(s flowset, exporter string, sourceID uint32, uptime, sec, seq int64, emit func(*event.Event)) {
	t := c.v9.fetch(templateKey{exporter, sourceID, s.id})
	if t == nil {
		c.log.Warn(fmt.Sprintf("Can't (yet) decode flowset id %d from source id %d, because no template to decode it with has been received. This message will usually go away after 1 minute.", s.id, sourceID))
		return
	}
	if t.minSize > len(s.body) {
		c.log.Warn("Template length exceeds flowset length, skipping", "template_id", s.id, "template_length", t.minSize, "record_length", len(s.body))
		return
	}
	if t.minSize == 0 {
		return
	}
	// As many records as the template's size fits in the flowset; the rest
	// is padding.
	count := len(s.body) / t.minSize
	records := make([][]value, 0, count)
	b := s.body
	for range count {
		vals := make([]value, 3, 3+len(t.fields))
		vals[0], vals[1], vals[2] = value{"version", int64(9)}, value{"flow_seq_num", seq}, value{"flowset_id", int64(s.id)}
		vals, n, err := t.read(b, vals)
		if err != nil {
			c.log.Warn(fmt.Sprintf("Invalid Netflow v9 record (%v)", err))
			c.log.Debug("Netflow v9 decode error", "source_id", sourceID, "flowset_id", s.id, "host", exporter)
			return
		}
		b = b[n:]
		for i := range vals {
			if ms, ok := vals[i].v.(int64); ok && strings.HasSuffix(vals[i].name, "_switched") {
				// v9 has no nanoseconds: Logstash counts back from the
				// export second, and so do we.
				millis := uptime - ms
				vals[i].v = iso(sec-floorDiv(millis, 1000), (1_000_000-floorMod(millis, 1000)*1000)*1000)
			}
		}
		records = append(records, vals)
	}
	stamp := event.Timestamp{Time: time.Unix(sec, 0)}
	for _, vals := range records {
		emit(c.event(stamp, vals))
	}
}

const ipfixHeaderSize = 16

func (c *Codec) decodeIPFIX(p []byte, exporter string, emit func(*event.Event)) {
	if len(p) < ipfixHeaderSize {
		c.invalidPacket("the IPFIX header is cut short")
		return
	}
	length := int(binary.BigEndian.Uint16(p[2:]))
	sec := int64(binary.BigEndian.Uint32(p[4:]))
	domain := binary.BigEndian.Uint32(p[12:])
	if length < ipfixHeaderSize || length > len(p) {
		c.invalidPacket(fmt.Sprintf("message length %d does not fit the %d bytes received", length, len(p)))
		return
	}
	var sets []flowset
	for off := ipfixHeaderSize; off < length; {
		if length-off < 4 {
			c.invalidPacket("a set header runs past the message length")
			return
		}
		id, n := binary.BigEndian.Uint16(p[off:]), int(binary.BigEndian.Uint16(p[off+2:]))
		if id != 2 && id != 3 && id < 256 {
			c.invalidPacket(fmt.Sprintf("set id %d is neither a template (2, 3) nor data (256 and up)", id))
			return
		}
		if n <= 4 || off+n > length {
			c.invalidPacket(fmt.Sprintf("set %d's length %d does not fit the message", id, n))
			return
		}
		sets = append(sets, flowset{id, p[off+4 : off+n]})
		off += n
	}
	for _, s := range sets {
		switch s.id {
		case 2:
			c.ipfixTemplates(s.body, exporter, domain, false)
		case 3:
			c.ipfixTemplates(s.body, exporter, domain, true)
		default:
			c.ipfixData(s, exporter, domain, sec, emit)
		}
	}
}

// ipfixTemplates registers a template set's (or options template set's)
// templates; a template without fields withdraws it.
func (c *Codec) ipfixTemplates(b []byte, exporter string, domain uint32, options bool) {
	hdr := 4
	if options {
		hdr = 6
	}
	for len(b) >= hdr {
		id, count := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		k := templateKey{exporter, domain, id}
		if id < 256 {
			// Set padding.
			return
		}
		if count == 0 {
			c.ipfix.withdraw(k)
			b = b[4:]
			continue
		}
		if options && int(binary.BigEndian.Uint16(b[4:])) == 0 {
			c.log.Warn("Invalid IPFIX record (options template without scope fields)", "template_id", id)
			return
		}
		off := hdr
		fields := make([]field, 0, count)
		usable := true
		for range count {
			if len(b)-off < 4 {
				c.log.Warn("Invalid IPFIX record (template runs past its set)", "template_id", id)
				return
			}
			raw, length := binary.BigEndian.Uint16(b[off:]), binary.BigEndian.Uint16(b[off+2:])
			off += 4
			var enterprise uint32
			if raw&0x8000 != 0 {
				if len(b)-off < 4 {
					c.log.Warn("Invalid IPFIX record (template runs past its set)", "template_id", id)
					return
				}
				enterprise = binary.BigEndian.Uint32(b[off:])
				off += 4
			}
			// A field of no bytes holds nothing; leaving it out keeps every
			// field at a byte or more, so a record's values never outnumber
			// its bytes.
			if !usable || length == 0 {
				continue
			}
			f, ok := ipfixField(c.log, c.ipfixDefs, raw&0x7fff, enterprise, length)
			if !ok {
				usable = false
				continue
			}
			fields = append(fields, f)
		}
		b = b[off:]
		if usable {
			c.ipfix.register(k, fields)
		}
	}
}

func (c *Codec) ipfixData(s flowset, exporter string, domain uint32, sec int64, emit func(*event.Event)) {
	t := c.ipfix.fetch(templateKey{exporter, domain, s.id})
	if t == nil {
		c.log.Warn(fmt.Sprintf("Can't (yet) decode flowset id %d from observation domain id %d, because no template to decode it with has been received. This message will usually go away after 1 minute.", s.id, domain))
		return
	}
	if t.minSize == 0 {
		return
	}
	stamp := event.Timestamp{Time: time.Unix(sec, 0)}
	var records [][]value
	// Records follow one another to the end of the set; a last one cut
	// short is the set's padding.
	for b := s.body; len(b) >= t.minSize; {
		vals := make([]value, 1, 2+len(t.fields))
		vals[0] = value{"version", int64(10)}
		if c.includeFlowsetID {
			vals = append(vals, value{"flowset_id", int64(s.id)})
		}
		vals, n, err := t.read(b, vals)
		if err != nil {
			break
		}
		b = b[n:]
		for i := range vals {
			vals[i].v = ipfixTime(vals[i].name, vals[i].v)
		}
		records = append(records, vals)
	}
	for _, vals := range records {
		emit(c.event(stamp, vals))
	}
}

// ntpEpoch is 1900-01-01T00:00:00Z in Unix seconds.
const ntpEpoch = -2208988800

// ipfixTime turns the flowStart/End Seconds, Milliseconds, Microseconds
// and Nanoseconds elements into ISO-8601 text as Logstash does; micro- and
// nanoseconds are NTP timestamps.
func ipfixTime(name string, v any) any {
	rest, ok := strings.CutPrefix(name, "flowStart")
	if !ok {
		rest, ok = strings.CutPrefix(name, "flowEnd")
	}
	if !ok {
		return v
	}
	var n uint64
	switch t := v.(type) {
	case int64:
		n = uint64(t)
	case *big.Int:
		if !t.IsUint64() {
			return v
		}
		n = t.Uint64()
	default:
		return v
	}
	switch rest {
	case "Seconds":
		return iso(int64(n), 0)
	case "Milliseconds":
		return iso(int64(n/1000), int64(n%1000)*1_000_000)
	case "Microseconds", "Nanoseconds":
		// Logstash scales the fraction to microseconds as a float and
		// keeps the nanoseconds that float holds.
		micros := float64(n&0xffffffff) / (1 << 32) * 1e6
		nanos, _ := new(big.Float).Mul(big.NewFloat(micros), big.NewFloat(1000)).Int64()
		return iso(ntpEpoch+int64(n>>32), nanos)
	}
	return v
}

func (c *Codec) event(stamp event.Timestamp, vals []value) *event.Event {
	e := event.NewEvent()
	e.SetTimestamp(stamp)
	m := event.NewMap(len(vals))
	for _, v := range vals {
		m.Set(v.name, v.v)
	}
	e.Data().Set(c.target, m)
	return e
}

func iso(sec, nsec int64) string {
	return event.Timestamp{Time: time.Unix(sec, nsec)}.String()
}

func ip4(b []byte) string {
	return netip.AddrFrom4([4]byte(b)).String()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
