//go:build unix

package persisted

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// A checkpoint is 38 bytes, big-endian: version (2), page number (4),
// first unacknowledged page (4), first unacknowledged seq (8), first seq
// (8), records spanned (4), bytes used (4), CRC-32C of the rest (4). It is
// Logstash's checkpoint with the bytes used added, which gostash needs to
// account for a sealed page without reading it.
const (
	checkpointVersion = 1
	checkpointSize    = 38
	headCheckpoint    = "checkpoint.head"
)

type checkpoint struct {
	pageNum             int64
	firstUnackedPageNum int64
	firstUnackedSeq     uint64
	minSeq              uint64
	count               uint64
	used                int64
}

func checkpointName(num int64) string { return "checkpoint." + strconv.FormatInt(num, 10) }

func (c checkpoint) encode() []byte {
	b := make([]byte, checkpointSize)
	binary.BigEndian.PutUint16(b[0:], checkpointVersion)
	binary.BigEndian.PutUint32(b[2:], uint32(c.pageNum))
	binary.BigEndian.PutUint32(b[6:], uint32(c.firstUnackedPageNum))
	binary.BigEndian.PutUint64(b[10:], c.firstUnackedSeq)
	binary.BigEndian.PutUint64(b[18:], c.minSeq)
	binary.BigEndian.PutUint32(b[26:], uint32(c.count))
	binary.BigEndian.PutUint32(b[30:], uint32(c.used))
	binary.BigEndian.PutUint32(b[34:], crc32.Checksum(b[:34], crcTable))
	return b
}

func readCheckpoint(path string) (checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return checkpoint{}, err
	}
	if len(b) != checkpointSize {
		return checkpoint{}, fmt.Errorf("checkpoint %s has %d bytes, not %d", path, len(b), checkpointSize)
	}
	if crc32.Checksum(b[:34], crcTable) != binary.BigEndian.Uint32(b[34:]) {
		return checkpoint{}, fmt.Errorf("Checkpoint checksum mismatch in %s", path)
	}
	if v := binary.BigEndian.Uint16(b); v != checkpointVersion {
		return checkpoint{}, fmt.Errorf("Unknown file format version %d in %s", v, path)
	}
	return checkpoint{
		pageNum:             int64(binary.BigEndian.Uint32(b[2:])),
		firstUnackedPageNum: int64(binary.BigEndian.Uint32(b[6:])),
		firstUnackedSeq:     binary.BigEndian.Uint64(b[10:]),
		minSeq:              binary.BigEndian.Uint64(b[18:]),
		count:               uint64(binary.BigEndian.Uint32(b[26:])),
		used:                int64(binary.BigEndian.Uint32(b[30:])),
	}, nil
}

// writeCheckpoint replaces dir/name with c atomically: a temporary file,
// fsynced when durable is set, renamed over the old one. A failed rename
// is tried twice more, 50 then 100 ms later, when retry is set (Logstash's
// queue.checkpoint.retry, for file systems that refuse to replace a file
// another process has open).
func writeCheckpoint(dir, name string, c checkpoint, durable, retry bool) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing checkpoint %s: %w", tmp, err)
	}
	_, err = f.Write(c.encode())
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing checkpoint %s: %w", tmp, err)
	}
	err = os.Rename(tmp, path)
	for wait := 50 * time.Millisecond; err != nil && retry && wait <= 100*time.Millisecond; wait *= 2 {
		time.Sleep(wait)
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("Error writing checkpoint %s: %w", path, err)
	}
	if durable {
		return syncDir(dir)
	}
	return nil
}

// removeIfExists removes path, ignoring that it is already gone.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// overwriteCheckpoint writes c over the page's checkpoint file in place,
// keeping the file open for the next time: acknowledgements move a
// checkpoint on every queue.checkpoint.acks records, and one write of 38
// bytes costs far less than a new file and a rename. Such a write is not
// synced; torn by a machine crash, the checkpoint fails its CRC and the
// page is read again from its start: duplicates, never a loss. q.cpMu is
// held.
func (p *page) overwriteCheckpoint(dir, name string, c checkpoint) error {
	if p.cp != nil && p.cpName != name {
		p.closeCheckpoint()
	}
	if p.cp == nil {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("writing checkpoint: %w", err)
		}
		p.cp, p.cpName = f, name
	}
	if _, err := p.cp.WriteAt(c.encode(), 0); err != nil {
		p.closeCheckpoint()
		return fmt.Errorf("writing checkpoint %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// closeCheckpoint closes the page's open checkpoint file, if any. q.cpMu
// is held.
func (p *page) closeCheckpoint() {
	if p.cp != nil {
		p.cp.Close()
		p.cp, p.cpName = nil, ""
	}
}
