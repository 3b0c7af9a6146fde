//go:build unix

package persisted

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	pageMagic      = "GSPQ"
	pageVersion    = 1
	pageHeaderSize = 8
	// A record is a CRC-32C (4 bytes) of what follows it: the length (4),
	// the sequence number (8) and the data. Integers are big-endian.
	recordHeaderSize = 16
	// logstashPageVersion is the first byte of a Logstash page file.
	logstashPageVersion = 2
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func pageName(num int64) string { return "page." + strconv.FormatInt(num, 10) }

// parseNumbered returns N for a name prefix.N.
func parseNumbered(name, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, prefix+".")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 32)
	return n, err == nil && n >= 0 && strconv.FormatInt(n, 10) == rest
}

// page is one page file, mapped into memory read only: records are read
// in the mapping. The head page is mapped at its full capacity and written
// through its open file (pwrite), which the mapping shows at once: the page
// cache is shared.
type page struct {
	num  int64
	path string
	data []byte   // the mapping
	file *os.File // the head page's file, open for writing; nil once sealed

	// Guarded by Queue.mu (written by the writer holding wmu too).
	used   int64  // bytes of header and records
	minSeq uint64 // sequence number of the first record (0 while empty)
	count  uint64 // sequence numbers spanned: minSeq .. minSeq+count-1
	sealed bool   // a tail page: no more writes

	// Acknowledgements, guarded by Queue.mu. acked has a bit per sequence
	// number from minSeq; firstUnacked is the first unset one.
	firstUnacked uint64
	acked        []uint64
	// checkpointed is firstUnacked as of the page's last checkpoint.
	checkpointed uint64

	// Reading, guarded by Queue.mu: the next record to read, at readOff.
	readSeq uint64
	readOff int64

	// synced is how far the page is on the device (the head page), guarded
	// by Queue.syncMu.
	synced int64

	// deleted is set, under Queue.cpMu, once the page's files are gone.
	deleted bool
	// cp is the page's checkpoint file, kept open for writes in place,
	// and cpName its name; under Queue.cpMu.
	cp     *os.File
	cpName string
}

// end is the sequence number after the page's last.
func (p *page) end() uint64 { return p.minSeq + p.count }

func (p *page) fullyAcked() bool { return p.firstUnacked >= p.end() }

// ack marks seq acknowledged and reports whether it was not already.
func (p *page) ack(seq uint64) bool {
	if seq < p.firstUnacked {
		return false
	}
	i := seq - p.minSeq
	w := int(i / 64)
	for w >= len(p.acked) {
		p.acked = append(p.acked, 0)
	}
	bit := uint64(1) << (i % 64)
	if p.acked[w]&bit != 0 {
		return false
	}
	p.acked[w] |= bit
	if seq == p.firstUnacked {
		p.advance()
	}
	return true
}

// advance moves firstUnacked past the acknowledged records that follow it.
func (p *page) advance() {
	for p.firstUnacked < p.end() {
		i := p.firstUnacked - p.minSeq
		w := int(i / 64)
		if w >= len(p.acked) {
			return
		}
		rest := p.acked[w] >> (i % 64)
		if rest&1 == 0 {
			return
		}
		// Skip the run of set bits at once (the shift filled the top of
		// rest with zeros, so the run ends within the word).
		run := uint64(bits.TrailingZeros64(^rest))
		p.firstUnacked = min(p.firstUnacked+run, p.end())
	}
}

// appendRecord appends the record for data with sequence number seq to b.
func appendRecord(b []byte, seq uint64, data []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, data...)
	binary.BigEndian.PutUint32(b[start:], crc32.Checksum(b[start+4:], crcTable))
	return b
}

// recordAt reads the record at off, looking no further than limit. ok is
// false when no valid record is there: a length past limit, or a CRC that
// does not match (a torn write, a flipped bit, or zeros never written).
func recordAt(b []byte, off, limit int64) (seq uint64, data []byte, next int64, ok bool) {
	if off < pageHeaderSize || off+recordHeaderSize > limit {
		return 0, nil, 0, false
	}
	h := b[off : off+recordHeaderSize]
	n := int64(binary.BigEndian.Uint32(h[4:8]))
	seq = binary.BigEndian.Uint64(h[8:16])
	if seq == 0 || n > limit-off-recordHeaderSize {
		return 0, nil, 0, false
	}
	end := off + recordHeaderSize + n
	if crc32.Checksum(b[off+4:end], crcTable) != binary.BigEndian.Uint32(h[0:4]) {
		return 0, nil, 0, false
	}
	return seq, b[off+recordHeaderSize : end], end, true
}

// resync looks for the first valid record after a bad one at bad, below
// limit, whose sequence number is after `after` and at most maxSeq (0: no
// bound). Records are at least recordHeaderSize bytes, so a record k bytes
// further on is at most k/recordHeaderSize records later: that bound
// rejects nearly every offset before the CRC is computed.
func resync(b []byte, bad, limit int64, after, maxSeq uint64) (off int64, seq uint64, ok bool) {
	for o := bad + 1; o+recordHeaderSize <= limit; o++ {
		// Skip zeros (space never written) eight bytes at a time: when the
		// 24 bytes from o are zero, a record starting at o to o+8 would
		// have sequence number 0, which none has.
		if o%8 == 0 {
			for o+24 <= limit && binary.BigEndian.Uint64(b[o:]) == 0 && binary.BigEndian.Uint64(b[o+8:]) == 0 && binary.BigEndian.Uint64(b[o+16:]) == 0 {
				o += 8
			}
		}
		s := binary.BigEndian.Uint64(b[o+8 : o+16])
		bound := after + 1 + uint64(o-bad)/recordHeaderSize
		if maxSeq != 0 {
			bound = min(bound, maxSeq)
		}
		if s <= after || s > bound {
			continue
		}
		if got, _, _, valid := recordAt(b, o, limit); valid && got == s {
			return o, s, true
		}
	}
	return 0, 0, false
}

// checkHeader validates a page's header: empty is true for a page whose
// header was never written (created, then a crash).
func checkHeader(path string, b []byte) (empty bool, err error) {
	if len(b) < pageHeaderSize {
		if len(b) == 0 {
			return true, nil
		}
		return false, fmt.Errorf("page file %s is too small (%d bytes) to hold a header", path, len(b))
	}
	h := b[:pageHeaderSize]
	switch {
	case string(h[:4]) == pageMagic && binary.BigEndian.Uint32(h[4:8]) == pageVersion:
		return false, nil
	case string(h[:4]) == pageMagic:
		return false, fmt.Errorf("page file %s has format version %d; this gostash reads version %d", path, binary.BigEndian.Uint32(h[4:8]), pageVersion)
	case allZero(h):
		return true, nil
	case h[0] == logstashPageVersion:
		return false, fmt.Errorf("page file %s was written by Logstash, whose events gostash cannot read: drain the queue with Logstash (queue.drain: true) or remove it", path)
	}
	return false, fmt.Errorf("page file %s has a corrupt header", path)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// createPage creates page file num in dir, preallocated to capacity and
// durable with its header, and maps it. The page keeps the file open for
// writing.
func createPage(dir string, num, capacity int64) (*page, error) {
	path := filepath.Join(dir, pageName(num))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*page, error) {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := preallocate(f, capacity); err != nil {
		return fail(fmt.Errorf("allocating %d bytes for %s: %w", capacity, path, err))
	}
	var h [pageHeaderSize]byte
	copy(h[:], pageMagic)
	binary.BigEndian.PutUint32(h[4:], pageVersion)
	if _, err := f.WriteAt(h[:], 0); err != nil {
		return fail(fmt.Errorf("writing %s: %w", path, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("syncing %s: %w", path, err))
	}
	if err := syncDir(dir); err != nil {
		return fail(fmt.Errorf("syncing %s: %w", dir, err))
	}
	data, err := mapFile(f, capacity)
	if err != nil {
		return fail(fmt.Errorf("mapping %s: %w", path, err))
	}
	return &page{num: num, path: path, data: data, file: f, used: pageHeaderSize, synced: pageHeaderSize}, nil
}

// openPage maps an existing page file read only. A zero-length file maps
// to nothing.
func openPage(dir string, num int64) (*page, error) {
	path := filepath.Join(dir, pageName(num))
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	p := &page{num: num, path: path}
	if st.Size() > 0 {
		if p.data, err = mapFile(f, st.Size()); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", path, err)
		}
	}
	return p, nil
}

// syncTo makes the head page durable up to used bytes, which writes
// reached. Queue.syncMu is held.
func (p *page) syncTo(used int64) error {
	if used <= p.synced {
		return nil
	}
	if err := syncData(p.file); err != nil {
		return err
	}
	p.synced = used
	return nil
}

// closeFile closes the head page's file, once it is sealed or the queue
// closes.
func (p *page) closeFile() error {
	if p.file == nil {
		return nil
	}
	err := p.file.Close()
	p.file = nil
	return err
}

// release closes and unmaps the page.
func (p *page) release() error {
	err := p.closeFile()
	if p.data == nil {
		return err
	}
	err = errors.Join(err, unmap(p.data))
	p.data = nil
	return err
}
