#!/bin/sh
# Records what Logstash's own config grammar says about every input under
# testdata/lang/verdicts/*.conf, so lang's tests can check that gostash
# accepts and rejects exactly the same configs with the same message.
#
# Usage: scripts/golden/treetop-verdicts.sh PATH/TO/lscl_grammar.treetop
#
# The grammar comes from a Logstash checkout (logstash-core/lib/logstash/
# compiler/lscl/lscl_grammar.treetop) and is never copied into this
# repository. Its node classes live in Logstash's Ruby code; they are replaced
# here by empty SyntaxNode subclasses, so only the parser runs.
#
# Output: testdata/lang/verdicts/verdicts.txt, one line per input:
#   NAME<TAB>accept
#   NAME<TAB>reject<TAB>REASON
# where REASON is treetop's failure_reason with \ newline CR and tab written
# as \\ \n \r \t.
set -eu

grammar=${1:?usage: $0 path/to/lscl_grammar.treetop}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/testdata/lang/verdicts"

if ! ruby -e 'require "treetop"' 2>/dev/null; then
	apt-get install -y ruby-treetop >/dev/null
fi

ruby - "$grammar" "$dir" <<'RUBY'
require "treetop"

# Nodes the grammar instantiates are classes; labels on a choice are mixed in
# with extend, so those are modules.
module LogStash; module Compiler; module LSCL; module AST
  %w[Config Comment Whitespace PluginSection Plugins Plugin Name Attribute
     Bareword String RegExp Number Array Hash HashEntries HashEntry Branch If
     Elsif Else Condition InExpression NotInExpression MethodCall
     ComparisonExpression RegexpExpression Selector SelectorElement].each do |n|
    const_set(n, Class.new(Treetop::Runtime::SyntaxNode))
  end
  %w[Expression NegativeExpression ComparisonOperator RegExpOperator
     BooleanOperator].each do |n|
    const_set(n, Module.new)
  end
end; end; end; end

grammar_path, dir = ARGV
source = File.read(grammar_path).lines.reject { |l| l =~ /^\s*require\b/ }.join
Treetop.load_from_string(source)

def escape(s)
  s.gsub("\\", "\\\\\\\\").gsub("\n", "\\n").gsub("\r", "\\r").gsub("\t", "\\t")
end

out = Dir.glob(File.join(dir, "*.conf")).sort.map do |path|
  parser = LogStashCompilerLSCLGrammarParser.new
  text = File.read(path, encoding: "UTF-8")
  name = File.basename(path)
  if parser.parse(text)
    "#{name}\taccept\n"
  else
    # failure_reason is nil when treetop kept no failure at all (a negative
    # lookahead can drop the last one); Logstash then raises a
    # ConfigurationError whose message is just the class name.
    "#{name}\treject\t#{escape(parser.failure_reason || "LogStash::ConfigurationError")}\n"
  end
end
File.write(File.join(dir, "verdicts.txt"), out.join)
RUBY
echo "wrote $dir/verdicts.txt"
