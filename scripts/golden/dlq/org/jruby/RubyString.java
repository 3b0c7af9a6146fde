package org.jruby;

// A stand-in for JRuby's string class, so that Jackson's default typing
// writes and reads the type id Logstash's events carry for every string:
// "org.jruby.RubyString". It is not JRuby's class; it holds a Java string.
public final class RubyString {
    public final String value;

    public RubyString(String value) {
        this.value = value;
    }
}
