// Package lang parses the Logstash pipeline configuration language (LSCL)
// into an AST whose every node knows where it came from (file, line,
// column), and reports problems as located diagnostics.
//
// It accepts exactly what Logstash's treetop grammar accepts. Parse works in
// three steps:
//
//  1. A character-level recognizer (peg.go) follows Logstash's grammar rule
//     for rule. It decides acceptance and, for a rejected config, reproduces
//     treetop's "Expected one of ... at line L, column C (byte B) after ..."
//     message byte for byte (the Detail of the syntax-error diagnostic).
//     For an accepted config it reports where its branches put `if` and
//     `else`, which only a backtracking parser can know.
//  2. A context-aware lexer (lexer.go) and a participle grammar (grammar.go)
//     build a parse tree; plugin bodies parse through participle.Parseable
//     hooks, for speed.
//  3. The builder (parse.go) converts that tree into the public AST,
//     applying Logstash's compile-time rules: Ruby Integer()/Float() number
//     conversion (leading 0 is octal), 64-bit limits, duplicate hash keys,
//     the one-pop shunting-yard precedence of and/or, the xor/nand chain
//     error, method calls, escape processing; and warns about legal but
//     surprising constructs.
//
// LoadPath and ParseString read -f paths (Ruby Dir.glob rules) and -e
// strings (with Logstash's default input and output). Format prints a
// tree as a canonical config that parses back to the same tree;
// FormatSource does the same for a config's text and keeps its comments,
// which the lexer collects on the side for it (the tree has no comments).
// Dump prints the tree for golden tests. The treetop verdicts under testdata/lang/verdicts,
// written by scripts/golden/treetop-verdicts.sh from Logstash's own grammar,
// keep the recognizer honest.
package lang
