// Package persisted is the persisted queue (queue.type: persisted): the
// events between a pipeline's inputs and its workers kept on disk, so that
// what an input handed over survives a crash and is processed after a
// restart.
//
// # Why page files and not a storage library
//
// A queue only appends at one end, reads in order and forgets whole
// stretches at the other end once they are processed. Page files do exactly
// that: an append is one write at the end of a file, a read is a look at
// the file's memory mapping, and forgetting is deleting a file. An embedded
// key-value store (bbolt, Pebble, Badger) would make every event a key to
// insert and later delete: a B+tree copies pages on every commit (several
// fsyncs per transaction), an LSM tree writes each event again when it
// compacts and must skip the deletion markers of everything already
// processed, which in a queue is nearly everything. Neither gives a cheaper
// or clearer fsync than syncing the bytes just appended. So gostash keeps
// Logstash's design (segment files with checkpoints) with its own record
// format.
//
// # Files
//
// A queue is a directory, <path.queue>/<pipeline.id>, holding:
//
//   - .lock: held with flock while the queue is open, so two processes
//     never share a queue.
//   - page.N: the records, N counting up from 0. Each page is preallocated
//     to queue.page_capacity bytes of zeros when it is created (so a full
//     disk shows when a page is created, not halfway through a write, and a
//     sync of its records is a data sync only) and starts with an 8-byte
//     header, "GSPQ" and the format version. The newest page is the
//     head, the only one written to; the others are tail pages, which are
//     only read, and are truncated to their content when sealed.
//   - checkpoint.head and checkpoint.N: what is known about a page without
//     reading it: its first sequence number, how many records it spans, how
//     many bytes they take, and the first record not yet acknowledged.
//     checkpoint.N is written when page N is sealed; checkpoint.head
//     describes the head page.
//
// A record is a 16-byte header (sequence number, length, CRC-32C of both
// and of the data) and the data. Sequence numbers rise by one per record
// across the queue. A record whose CRC does not match is corrupt: it is
// reported with its page file and offset, skipped, and reading goes on at
// the next valid record, so one bad byte loses one event, not the rest.
//
// # Durability
//
// A write lays its records out in a buffer and writes them to the head
// page with one pwrite (unlike Logstash, which copies them into a writable
// mapping: each first touch of a mapped memory page is a fault, and each
// sync of a mapping makes the kernel write-protect it again). From then on
// the kernel has them, and a crash of the process (kill -9) loses nothing;
// readers see them in the page's read-only mapping at once, the page cache
// being shared. Surviving a crash of the machine needs the page synced to
// the device (fdatasync):
//
//   - queue.checkpoint.writes: 1 syncs every write: Write returns only once
//     its records are on the device (concurrent writers share a sync).
//   - queue.checkpoint.writes: N > 1 starts a sync in the background each
//     time N records were written since the last one; a Write waits only
//     when 2N records are written but not yet synced, so at most that many
//     can be lost with the machine. 0 syncs only on the interval.
//   - queue.checkpoint.interval syncs whatever is unsynced at that interval
//     (Logstash 9 no longer uses the setting; gostash keeps its documented
//     meaning, which bounds how long an input waits for its acknowledgement).
//   - A page is synced completely before it is sealed, and on Close.
//
// WhenDurable runs a callback once given records are synced: the pipeline
// releases the inputs' acknowledgements there (a Kafka commit, a Beats
// ACK), so a source is told an event is safe only when it is.
//
// The directory is the list of pages: on open every page.N file is
// recovered, whatever the checkpoints say. The head page is always scanned
// record by record (its checkpoint is not updated on every write), and so
// is any page without a sealed checkpoint. What the checkpoints add is how
// far each page was acknowledged, so they need to be durable only for
// that: when a page is sealed, and on Close, its checkpoint is written to a
// temporary file, fsynced and renamed over the old one (the rename retried
// as queue.checkpoint.retry says); the checkpoints that only record
// acknowledgements are rewritten in place and left to the kernel. A
// checkpoint lost or torn by a machine crash fails its CRC: its page is
// read from the start again, which replays processed events (duplicates)
// and loses none.
//
// # Acknowledgements
//
// Workers acknowledge records (Ack) once the outputs are done with them. A
// batch is the records a reader took, named by runs of sequence numbers:
// readers waiting for more take turns, so batches interleave.
// A page's checkpoint records the first record not yet acknowledged; it is
// rewritten each queue.checkpoint.acks acknowledgements. Records
// acknowledged after a gap are not recorded until the gap closes, as in
// Logstash: after a crash they are replayed. A sealed page whose records
// are all acknowledged is deleted with its checkpoint.
//
// # Limits and back-pressure
//
// queue.max_events bounds the records written but not yet read, and
// queue.max_bytes the bytes of all pages. As in Logstash a write appends
// first and then waits while the queue is full, so a blocked input holds
// nothing in memory. A page that cannot be created (a full disk, a
// permission) is logged and retried every second while writers wait: a
// full disk is back-pressure, not a crash and not a loss.
package persisted
