// Package lang parses the Logstash pipeline configuration language (LSCL)
// into an AST whose every node knows where it came from (file, line,
// column), and reports problems as located diagnostics.
//
// It accepts exactly what Logstash's treetop grammar accepts. Parse works in
// two steps over one grammar:
//
//  1. A character-level recognizer (peg.go) follows Logstash's grammar rule
//     for rule. It decides acceptance and, for a rejected config, reproduces
//     treetop's "Expected one of ... at line L, column C (byte B) after ..."
//     message byte for byte (the Detail of the syntax-error diagnostic).
//     For an accepted config it hands over its tape: the rules the
//     accepted parse matched, with the text each one covers, in source
//     order.
//  2. The builder (parse.go) reads that tape into the public AST, applying
//     Logstash's compile-time rules: Ruby Integer()/Float() number
//     conversion (leading 0 is octal), 64-bit limits, duplicate hash keys,
//     the one-pop shunting-yard precedence of and/or, the xor/nand chain
//     error, method calls, escape processing; and warns about legal but
//     surprising constructs.
//
// There used to be three copies of the grammar: the recognizer, a
// context-aware lexer and a participle grammar that built the tree from the
// lexer's tokens. The recognizer is the one that has to stay, because only
// a parser that tries treetop's terminals in treetop's order reproduces its
// error messages, and because LSCL cannot be tokenized without the grammar
// (`["a"]` is a field reference in a condition but an array in a value,
// `if0 {}` is a branch and `if0 { x => 1 }` a plugin, which only
// backtracking decides). Once the recognizer records what it matched, the
// tape already says which text is a plugin name, a string or an operator,
// and where every bracket closes, so the lexer had nothing left to decide
// and the participle grammar nothing left to parse: the builder walks a
// tree whose shape the recognizer fixed, with no alternatives of its own.
// Both went; parsing allocates about an eighth of what it did.
//
// LoadPath and ParseString read -f paths (Ruby Dir.glob rules) and -e
// strings (with Logstash's default input and output). Format prints a
// tree as a canonical config that parses back to the same tree;
// FormatSource does the same for a config's text and keeps its comments,
// which a parse for it collects from the tape on the side (the tree has no
// comments). Dump prints the tree for golden tests. The treetop verdicts
// under testdata/lang/verdicts, written by scripts/golden/treetop-verdicts.sh
// from Logstash's own grammar, keep the recognizer honest.
package lang
