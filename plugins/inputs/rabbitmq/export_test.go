package rabbitmq

import "time"

// SetDrainTimeout shortens the wait for in-flight events at shutdown.
func SetDrainTimeout(d time.Duration) { drainTimeout = d }
