package org.logstash;

import java.util.ArrayList;

// A stand-in for Logstash's event list, type id "org.logstash.ConvertedList"
// (see org.jruby.RubyString).
public final class ConvertedList extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;
}
