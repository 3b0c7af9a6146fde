package kafka

// DrainTimeout lets tests shorten the wait for in-flight events at shutdown.
var DrainTimeout = &drainTimeout
