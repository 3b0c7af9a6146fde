package org.logstash;

import java.util.LinkedHashMap;

// A stand-in for Logstash's event map, type id "org.logstash.ConvertedMap"
// (see org.jruby.RubyString). Insertion-ordered, so output is repeatable.
public final class ConvertedMap extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
}
