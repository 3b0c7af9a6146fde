package org.logstash;

// A stand-in for Logstash's Timestamp, type id "org.logstash.Timestamp"
// (see org.jruby.RubyString): it keeps the ISO-8601 text it is written as.
public final class Timestamp {
    public final String text;

    public Timestamp(String text) {
        this.text = text;
    }
}
