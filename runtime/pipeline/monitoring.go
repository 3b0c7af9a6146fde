package pipeline

import "time"

// ReloadSnapshot is a consistent copy of ReloadStats for the monitoring API.
type ReloadSnapshot struct {
	Successes   int64
	Failures    int64
	LastError   string
	LastSuccess time.Time
	LastFailure time.Time
}

// Snapshot copies the reload counters under their lock, so a reader never
// sees a failure count without its error.
func (r *ReloadStats) Snapshot() ReloadSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ReloadSnapshot{Successes: r.Successes, Failures: r.Failures, LastError: r.LastError,
		LastSuccess: r.LastSuccess, LastFailure: r.LastFailure}
}
