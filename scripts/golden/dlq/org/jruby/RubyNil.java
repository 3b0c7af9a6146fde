package org.jruby;

// A stand-in for JRuby's nil, type id "org.jruby.RubyNil" (see RubyString).
public final class RubyNil {
    public static final RubyNil NIL = new RubyNil();

    private RubyNil() {
    }
}
