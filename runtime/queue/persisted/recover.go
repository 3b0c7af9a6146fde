//go:build unix

package persisted

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// recover rebuilds the queue from its directory. Every page.N file is a
// page, whatever the checkpoints say (a checkpoint can be older than the
// files after a crash). A page with a checkpoint written when it was
// sealed is taken at its word (its records are read, and CRC-checked,
// when their turn comes); any other page, the last head first among them,
// is scanned record by record now. What the checkpoints add is how far
// each page was acknowledged. Every recovered page becomes a sealed tail
// page and writing goes on in a new head page, as Logstash does.
func (q *Queue) recover() error {
	entries, err := os.ReadDir(q.dir)
	if err != nil {
		return fmt.Errorf("reading the queue directory: %w", err)
	}
	var nums []int64
	sealedCPs := map[int64]checkpoint{}
	var headCP *checkpoint
	var stale []string // checkpoint files, removed if they have no page
	maxNum := int64(-1)
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(q.dir, name)
		switch {
		case strings.HasSuffix(name, ".tmp"):
			// A checkpoint write cut short: the file it was to replace is intact.
			removeIfExists(path)
		case name == headCheckpoint:
			c, err := readCheckpoint(path)
			if err != nil {
				q.log.Warn("Persisted queue ignores an unreadable checkpoint; its page is scanned instead", slog.String("error", err.Error()))
				continue
			}
			headCP = &c
			maxNum = max(maxNum, c.pageNum)
		default:
			if n, ok := parseNumbered(name, "page"); ok {
				nums = append(nums, n)
				maxNum = max(maxNum, n)
			} else if n, ok := parseNumbered(name, "checkpoint"); ok {
				stale = append(stale, name)
				maxNum = max(maxNum, n)
				c, err := readCheckpoint(path)
				switch {
				case err != nil:
					q.log.Warn("Persisted queue ignores an unreadable checkpoint; its page is scanned instead", slog.String("error", err.Error()))
				case c.pageNum != n:
					q.log.Warn("Persisted queue ignores a checkpoint naming another page", slog.String("checkpoint", path), slog.Int64("page", c.pageNum))
				default:
					sealedCPs[n] = c
				}
			}
		}
	}
	slices.Sort(nums)
	// Sequence numbers keep rising even when every page is gone.
	if headCP != nil && headCP.minSeq > 0 {
		q.lastSeq = max(q.lastSeq, headCP.minSeq+headCP.count-1)
	}
	for _, c := range sealedCPs {
		if c.minSeq > 0 {
			q.lastSeq = max(q.lastSeq, c.minSeq+c.count-1)
		}
	}
	var recovered []*page // pages scanned now, to seal
	for _, n := range nums {
		p, scanned, err := q.recoverPage(n, sealedCPs, headCP)
		if err != nil {
			return err
		}
		if p == nil {
			continue
		}
		q.lastSeq = max(q.lastSeq, p.end()-1)
		if p.fullyAcked() {
			q.cpMu.Lock()
			q.deletePage(p)
			q.cpMu.Unlock()
			continue
		}
		q.pages = append(q.pages, p)
		if scanned {
			recovered = append(recovered, p)
		}
	}
	q.nextPage = maxNum + 1
	q.durable, q.wanted = q.lastSeq, q.lastSeq
	for _, p := range q.pages {
		q.bytes += p.used
	}
	if len(q.pages) > 0 {
		q.reading = q.pages[0]
	}

	// The scanned pages were written by a process that is gone: make them
	// durable, trim them to their records and give them sealed checkpoints.
	for _, p := range recovered {
		if err := trimAndSync(p); err != nil {
			return err
		}
		q.cpMu.Lock()
		q.writePageCheckpoint(p, true)
		q.cpMu.Unlock()
	}
	for _, name := range stale {
		n, _ := parseNumbered(name, "checkpoint")
		if !slices.ContainsFunc(q.pages, func(p *page) bool { return p.num == n }) {
			removeIfExists(filepath.Join(q.dir, name))
		}
	}

	// The new head. A full disk now is not fatal: the first write waits
	// for room as any later roll does, and the events already queued can
	// be read meanwhile.
	p, err := createPage(q.dir, q.nextPage, q.s.PageCapacity)
	switch {
	case err == nil:
		p.minSeq = q.lastSeq + 1
		p.firstUnacked, p.checkpointed, p.readSeq, p.readOff = p.minSeq, p.minSeq, p.minSeq, pageHeaderSize
		q.pages = append(q.pages, p)
		q.head = p
		q.nextPage++
		q.bytes += p.used
		if q.reading == nil {
			q.reading = p
		}
		q.cpMu.Lock()
		q.writePageCheckpoint(p, true)
		q.cpMu.Unlock()
	case isDiskFull(err):
		q.log.Warn("Persisted queue cannot create its head page: the disk is full. Inputs wait until space is freed",
			slog.String("path", q.dir), slog.String("error", err.Error()))
	default:
		return err
	}
	if len(q.pages) > 0 {
		q.log.Info("Persisted queue opened", slog.String("path", q.dir), slog.Int64("queue.events", q.unacked),
			slog.Int("queue.pages", len(q.pages)), slog.Int64("queue.bytes", q.bytes))
	}
	return nil
}

// recoverPage opens page n. It returns nil for a page with nothing in it
// (removed), and scanned when the page was read now rather than taken from
// its sealed checkpoint. Only a page gostash cannot read at all (another
// format) is an error: a corrupt one is reported and set aside.
func (q *Queue) recoverPage(n int64, sealedCPs map[int64]checkpoint, headCP *checkpoint) (p *page, scanned bool, err error) {
	p, err = openPage(q.dir, n)
	if err != nil {
		return nil, false, fmt.Errorf("opening the queue: %w", err)
	}
	empty, err := checkHeader(p.path, p.data)
	if err != nil && strings.Contains(err.Error(), "corrupt header") {
		p.release()
		aside := p.path + ".corrupt"
		q.log.Error("Persisted queue page has a corrupt header: its events are lost. The file is kept for inspection",
			slog.String("page", p.path), slog.String("moved.to", aside))
		if err := os.Rename(p.path, aside); err != nil {
			return nil, false, fmt.Errorf("moving the corrupt page %s aside: %w", p.path, err)
		}
		return nil, false, nil
	}
	if err != nil {
		p.release()
		return nil, false, err
	}
	if empty {
		// Created, then a crash before its header was durable.
		p.release()
		removeIfExists(p.path)
		return nil, false, nil
	}
	p.sealed = true
	var firstUnacked uint64
	if c, ok := sealedCPs[n]; ok && c.used >= pageHeaderSize && c.used <= int64(len(p.data)) && c.count > 0 {
		p.minSeq, p.count, p.used = c.minSeq, c.count, c.used
		firstUnacked = c.firstUnackedSeq
	} else {
		var expect uint64
		if headCP != nil && headCP.pageNum == n && headCP.count > 0 {
			expect = headCP.minSeq
		}
		q.scanPage(p, expect)
		scanned = true
		if p.count == 0 {
			p.release()
			removeIfExists(p.path)
			return nil, false, nil
		}
	}
	if headCP != nil && headCP.pageNum == n {
		firstUnacked = max(firstUnacked, headCP.firstUnackedSeq)
	}
	// Records lost in the scan are acknowledged already; firstUnacked only
	// grows.
	p.firstUnacked = max(p.firstUnacked, p.minSeq, min(firstUnacked, p.end()))
	p.advance()
	p.checkpointed = p.firstUnacked
	p.readSeq, p.readOff = p.minSeq, pageHeaderSize
	var unacked int64
	for s := p.minSeq; s < p.end(); s++ {
		if !p.isAcked(s) {
			unacked++
		}
	}
	q.unacked += unacked
	q.unread += unacked
	return p, scanned, nil
}

// scanPage reads a page record by record, CRC-checking each, to learn its
// first sequence number, how many it spans and where its records end.
// expect is the first sequence number when a checkpoint says so (0: the
// first valid record tells). A bad record followed by valid ones is
// corruption: reported, its events lost (marked acknowledged), and the scan
// goes on. A bad record with nothing valid after it is a write cut short,
// or the end of what was written.
func (q *Queue) scanPage(p *page, expect uint64) {
	limit := int64(len(p.data))
	off := int64(pageHeaderSize)
	var lost []uint64 // pairs: first lost, first after
	for off < limit {
		seq, _, next, ok := recordAt(p.data, off, limit)
		if ok && (p.count == 0 && (expect == 0 || seq == expect) || p.count > 0 && seq == p.end()) {
			if p.count == 0 {
				p.minSeq = seq
			}
			p.count++
			off = next
			continue
		}
		after := uint64(0)
		switch {
		case p.count > 0:
			after = p.end() - 1
		case expect > 0:
			after = expect - 1
		}
		found, fseq, ok := resync(p.data, off, limit, after, 0)
		if !ok {
			if !allZero(p.data[off:min(off+recordHeaderSize, limit)]) {
				q.log.Warn("Persisted queue page ends with an incomplete record (a write cut short by a crash); it is dropped",
					slog.String("page", p.path), slog.Int64("offset", off))
			}
			break
		}
		firstLost := after + 1
		if p.count == 0 && expect == 0 {
			// The page's first records are unreadable and nothing says
			// where it started.
			firstLost = fseq
		}
		q.log.Error("Persisted queue page is corrupt: events are lost, the rest of the page is recovered",
			slog.String("page", p.path), slog.Int64("offset", off), slog.Uint64("lost.first_seq", firstLost),
			slog.Uint64("lost.events", fseq-firstLost), slog.Int64("resumed.offset", found))
		if p.count == 0 {
			p.minSeq = firstLost
		}
		lost = append(lost, firstLost, fseq)
		p.count = fseq - p.minSeq
		off = found
	}
	p.used = off
	p.firstUnacked = p.minSeq
	for i := 0; i < len(lost); i += 2 {
		for s := lost[i]; s < lost[i+1]; s++ {
			p.ack(s)
		}
	}
}

// trimAndSync makes a recovered page durable and cuts it to its records.
func trimAndSync(p *page) error {
	f, err := os.OpenFile(p.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("opening the queue: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(p.used); err != nil {
		return fmt.Errorf("trimming %s: %w", p.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", p.path, err)
	}
	return nil
}
