package pipeline

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/onigmo"
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
)

// condition is a compiled `if` condition. An error means the event cannot
// be evaluated (comparing a missing field with <, say); Logstash drops such
// an event with a warning.
type condition func(e *event.Event) (bool, error)

// operand is a compiled rvalue: a field reference or a constant.
type operand struct {
	field   *event.FieldRef
	value   any // constant: string, int64, float64, []any
	isList  bool
	pattern matcher
	pos     lang.Pos
	src     string
}

func (o *operand) get(e *event.Event) (any, bool) {
	if o.field != nil {
		return e.GetRef(*o.field)
	}
	return o.value, true
}

func (o *operand) isConst() bool { return o.field == nil }

type compiler struct {
	lookup lang.LookupFunc
}

// compileCond compiles a condition expression. Conditions are checked the
// way Logstash's pipeline builder checks them, so what it refuses at
// startup gostash refuses at `-t`, with a location.
func (c *compiler) compileCond(x lang.Expr) (condition, error) {
	switch t := x.(type) {
	case *lang.BoolExpr:
		for _, side := range []lang.Expr{t.Left, t.Right} {
			if isConstant(side) {
				return nil, lang.Errorf(side, "Unexpected conditional input combination: a constant cannot be an operand of %q", t.Op)
			}
		}
		l, err := c.compileCond(t.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.compileCond(t.Right)
		if err != nil {
			return nil, err
		}
		return boolOp(t.Op, l, r), nil
	case *lang.NotExpr:
		inner, err := c.compileCond(t.X)
		if err != nil {
			return nil, err
		}
		return func(e *event.Event) (bool, error) {
			v, err := inner(e)
			return !v, err
		}, nil
	case *lang.CompareExpr:
		return c.compileCompare(t)
	case *lang.MatchExpr:
		return c.compileMatch(t)
	case *lang.InExpr:
		return c.compileIn(t)
	default:
		o, err := c.compileOperand(x)
		if err != nil {
			return nil, err
		}
		return func(e *event.Event) (bool, error) {
			v, ok := o.get(e)
			return ok && truthy(v), nil
		}, nil
	}
}

func isConstant(x lang.Expr) bool {
	switch x.(type) {
	case *lang.String, *lang.Number, *lang.ArrayExpr, *lang.Regexp:
		return true
	}
	return false
}

func boolOp(op string, l, r condition) condition {
	switch op {
	case "and":
		return func(e *event.Event) (bool, error) {
			a, err := l(e)
			if err != nil || !a {
				return false, err
			}
			return r(e)
		}
	case "or":
		return func(e *event.Event) (bool, error) {
			a, err := l(e)
			if err != nil || a {
				return a, err
			}
			return r(e)
		}
	case "nand":
		return func(e *event.Event) (bool, error) {
			a, err := l(e)
			if err != nil {
				return false, err
			}
			if !a {
				return true, nil
			}
			b, err := r(e)
			return !b, err
		}
	default: // xor
		return func(e *event.Event) (bool, error) {
			a, err := l(e)
			if err != nil {
				return false, err
			}
			b, err := r(e)
			return a != b, err
		}
	}
}

func (c *compiler) compileOperand(x lang.Expr) (*operand, error) {
	switch t := x.(type) {
	case *lang.Selector:
		path := strings.Join(t.Path, "][")
		ref, err := event.ParseFieldRef("[" + path + "]")
		if err != nil {
			return nil, lang.Errorf(t, "%v", err)
		}
		return &operand{field: &ref, pos: t.Pos, src: t.Raw}, nil
	case *lang.String:
		v, err := c.constString(t)
		if err != nil {
			return nil, err
		}
		return &operand{value: v, pos: t.Pos, src: fmt.Sprintf("%q", t.Value)}, nil
	case *lang.Number:
		if t.IsFloat {
			return &operand{value: t.Float, pos: t.Pos, src: t.Raw}, nil
		}
		return &operand{value: t.Int, pos: t.Pos, src: t.Raw}, nil
	case *lang.ArrayExpr:
		items := make([]any, 0, len(t.Items))
		for _, it := range t.Items {
			o, err := c.compileOperand(it)
			if err != nil {
				return nil, err
			}
			if !o.isConst() || o.isList {
				return nil, lang.Errorf(it, "Unexpected conditional input type: a list may hold only strings and numbers")
			}
			items = append(items, o.value)
		}
		return &operand{value: items, isList: true, pos: t.Pos}, nil
	case *lang.Regexp:
		m, err := compileRegex(t.Pattern)
		if err != nil {
			return nil, lang.Errorf(t, "invalid regular expression /%s/: %v", t.Pattern, err)
		}
		return &operand{pattern: m, value: t.Pattern, pos: t.Pos}, nil
	}
	return nil, lang.Errorf(x, "Unexpected conditional input: %T", x)
}

// constString substitutes a string constant that is exactly one ${VAR}
// placeholder; Logstash substitutes nothing else inside conditions.
func (c *compiler) constString(s *lang.String) (string, error) {
	if !lang.IsSinglePlaceholder(s.Value) {
		return s.Value, nil
	}
	v, _, err := lang.ExpandVars(s.Value, c.lookup)
	if err != nil {
		return "", lang.Errorf(s, "%v", err)
	}
	return v, nil
}

// firstScalar implements Logstash's comparison quirk: a list on one side of
// == and friends compares as its first string or number.
func firstScalar(x lang.Expr) lang.Expr {
	if a, ok := x.(*lang.ArrayExpr); ok {
		for _, it := range a.Items {
			switch it.(type) {
			case *lang.String, *lang.Number:
				return it
			}
		}
	}
	return x
}

func (c *compiler) compileCompare(t *lang.CompareExpr) (condition, error) {
	l, err := c.compileOperand(firstScalar(t.Left))
	if err != nil {
		return nil, err
	}
	r, err := c.compileOperand(firstScalar(t.Right))
	if err != nil {
		return nil, err
	}
	if l.pattern != nil || r.pattern != nil {
		return nil, lang.Errorf(t, "Unexpected conditional input combination: a regexp cannot be compared with %s", t.Op)
	}
	switch t.Op {
	case "==", "!=":
		neg := t.Op == "!="
		return func(e *event.Event) (bool, error) {
			a, aok := l.get(e)
			b, bok := r.get(e)
			eq := false
			switch {
			case !aok && !bok:
				eq = l.field != nil && r.field != nil
			case aok && bok && l.isConst():
				eq = strictEqual(a, b)
			case aok && bok:
				// Logstash asks the constant: 5.1 == [decimal] is false
				// though [decimal] == [float] compares numerically.
				if r.isConst() {
					a, b = b, a
				}
				eq = strictEqual(a, b)
			}
			return eq != neg, nil
		}, nil
	}
	op := t.Op
	return func(e *event.Event) (bool, error) {
		a, aok := l.get(e)
		b, bok := r.get(e)
		if !aok || !bok || a == nil || b == nil {
			return false, comboError(a, b, aok, bok)
		}
		cmp, ok := compareValues(a, b)
		if !ok {
			// A BigDecimal asked to compare itself with a string, boolean or
			// timestamp answers nil, which Logstash's compareTo takes as 0;
			// the field is asked, or the left one of two fields.
			receiver, other := a, b
			if l.isConst() && !r.isConst() {
				receiver, other = b, a
			}
			if !decimalComparesAsEqual(receiver, other) {
				return false, comboError(a, b, true, true)
			}
		}
		switch op {
		case "<":
			return cmp < 0, nil
		case ">":
			return cmp > 0, nil
		case "<=":
			return cmp <= 0, nil
		default:
			return cmp >= 0, nil
		}
	}, nil
}

func comboError(a, b any, aok, bok bool) error {
	return fmt.Errorf("Unexpected conditional input combination of '%s' (left) and '%s' (right)", describeOperand(a, aok), describeOperand(b, bok))
}

func describeOperand(v any, ok bool) string {
	if !ok || v == nil {
		return "<no-class>:<null-value>"
	}
	return fmt.Sprintf("%s:%s", javaClass(v), rubyObjectString(v))
}

// rubyObjectString is Java's toString of the Ruby object Logstash holds
// for v, where it differs from event.ValueString: a BigDecimal's is
// Ruby's to_s (0.51e1).
func rubyObjectString(v any) string {
	if d, ok := v.(event.Decimal); ok {
		return d.RubyToS()
	}
	return event.ValueString(v)
}

// decimalComparesAsEqual reports whether receiver.compareTo(other) is 0
// without an error in Logstash because receiver is a BigDecimal and other
// a string, boolean or timestamp (Ruby's <=> gives nil).
func decimalComparesAsEqual(receiver, other any) bool {
	if _, ok := receiver.(event.Decimal); !ok {
		return false
	}
	switch other.(type) {
	case string, bool, event.Timestamp:
		return true
	}
	return false
}

func javaClass(v any) string {
	switch v.(type) {
	case string:
		return "class org.jruby.RubyString"
	case int64, *big.Int:
		return "class org.jruby.RubyFixnum"
	case float64:
		return "class org.jruby.RubyFloat"
	case event.Decimal:
		return "class org.jruby.ext.bigdecimal.RubyBigDecimal"
	case bool:
		return "class org.jruby.RubyBoolean"
	case *event.Map:
		return "class org.logstash.ConvertedMap"
	case []any:
		return "class org.logstash.ConvertedList"
	case event.Timestamp:
		return "class org.logstash.Timestamp"
	}
	return fmt.Sprintf("%T", v)
}

// strictEqual is a.equals(b) on Logstash's values: type-strict (5 is not
// 5.0, "5" is not 5), deep for maps and lists, except that a BigDecimal's
// equals is Ruby's ==, which compares numerically with any number (5.10
// equals 5.1, 5.0 and 5) while no other number equals a BigDecimal.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case event.Decimal:
		cmp, ok := compareDecimal(x, b)
		return ok && cmp == 0
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case *big.Int:
			return y.IsInt64() && y.Int64() == x
		}
		return false
	case *big.Int:
		switch y := b.(type) {
		case *big.Int:
			return x.Cmp(y) == 0
		case int64:
			return x.IsInt64() && x.Int64() == y
		}
		return false
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case event.Timestamp:
		y, ok := b.(event.Timestamp)
		return ok && x.Equal(y.Time)
	case nil:
		return b == nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !strictEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *event.Map:
		y, ok := b.(*event.Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		eq := true
		x.Range(func(k string, v any) bool {
			w, ok := y.Get(k)
			eq = ok && strictEqual(v, w)
			return eq
		})
		return eq
	}
	return false
}

// compareValues orders numbers across int and float, strings by bytes,
// timestamps by instant. ok is false for incomparable values.
func compareValues(a, b any) (int, bool) {
	if x, ok := a.(event.Decimal); ok {
		return compareDecimal(x, b)
	}
	if y, ok := b.(event.Decimal); ok {
		cmp, ok := compareDecimal(y, a)
		return -cmp, ok
	}
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		if !ok {
			return 0, false
		}
		if ia, ok := a.(int64); ok {
			if ib, ok := b.(int64); ok {
				return cmpOrdered(ia, ib), true
			}
		}
		return cmpOrdered(fa, fb), true
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case event.Timestamp:
		y, ok := b.(event.Timestamp)
		if !ok {
			return 0, false
		}
		return x.Compare(y.Time), true
	}
	return 0, false
}

// compareDecimal is JRuby's BigDecimal <=> for a number: exact against
// integers and decimals, against a Float after rounding it to 15 digits
// (the same either way round, through coerce). ok is false for anything
// else, and for NaN.
func compareDecimal(d event.Decimal, v any) (int, bool) {
	switch t := v.(type) {
	case event.Decimal:
		return d.Cmp(t), true
	case int64, *big.Int:
		i, _ := event.DecimalFromInt(t)
		return d.Cmp(i), true
	case float64:
		if f, ok := event.DecimalFromFloat(t, event.FloatCompareDigits); ok {
			return d.Cmp(f), true
		}
		if math.IsInf(t, 0) {
			return -int(math.Copysign(1, t)), true
		}
	}
	return 0, false
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f, true
	}
	return 0, false
}

// truthy is Logstash's truthiness: missing, nil, false, "false" and ""
// are false; everything else (0, [], {}) is true.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != "" && t != "false"
	}
	return true
}

func (c *compiler) compileMatch(t *lang.MatchExpr) (condition, error) {
	l, err := c.compileOperand(t.Left)
	if err != nil {
		return nil, err
	}
	var m matcher
	switch r := t.Right.(type) {
	case *lang.Regexp:
		if m, err = compileRegex(r.Pattern); err != nil {
			return nil, lang.Errorf(r, "invalid regular expression /%s/: %v", r.Pattern, err)
		}
	case *lang.String:
		src, err := c.constString(r)
		if err != nil {
			return nil, err
		}
		if m, err = compileRegex(src); err != nil {
			return nil, lang.Errorf(r, "invalid regular expression %q: %v", src, err)
		}
	default:
		return nil, lang.Errorf(t.Right, "the right side of %s must be a /regexp/ or a string", t.Op)
	}
	neg := t.Op == "!~"
	return func(e *event.Event) (bool, error) {
		v, ok := l.get(e)
		s, isStr := v.(string)
		matched := ok && isStr && m.MatchString(s)
		return matched != neg, nil
	}, nil
}

func (c *compiler) compileIn(t *lang.InExpr) (condition, error) {
	l, err := c.compileOperand(t.Left)
	if err != nil {
		return nil, err
	}
	r, err := c.compileOperand(t.Right)
	if err != nil {
		return nil, err
	}
	if l.isList {
		return nil, lang.Errorf(t.Left, "Unexpected conditional input combination: a list constant cannot stand on the left of `in`")
	}
	if l.pattern != nil || r.pattern != nil {
		return nil, lang.Errorf(t, "Unexpected conditional input combination: a regexp cannot be used with `in`")
	}
	var in func(e *event.Event) bool
	switch {
	case l.isConst() && r.isConst():
		// Constant in constant is plain equality in Logstash's compiled
		// conditions: "a" in "abc" and "a" in ["a","b"] are both false.
		eq := strictEqual(l.value, r.value)
		in = func(*event.Event) bool { return eq }
	case !l.isConst() && r.isConst() && r.isList:
		items := make([]string, len(r.value.([]any)))
		for i, it := range r.value.([]any) {
			items[i] = event.ValueString(it)
		}
		in = func(e *event.Event) bool {
			v, ok := l.get(e)
			if !ok || v == nil {
				return false
			}
			s := rubyObjectString(v)
			for _, it := range items {
				if it == s {
					return true
				}
			}
			return false
		}
	case !l.isConst() && r.isConst():
		hay := event.ValueString(r.value)
		in = func(e *event.Event) bool {
			v, _ := l.get(e)
			s, ok := v.(string)
			return ok && strings.Contains(hay, s)
		}
	case l.isConst():
		needle := l.value
		in = func(e *event.Event) bool {
			v, _ := r.get(e)
			switch h := v.(type) {
			case string:
				s, ok := needle.(string)
				return ok && strings.Contains(h, s)
			case []any:
				for _, it := range h {
					if strictEqual(needle, it) {
						return true
					}
				}
			}
			return false
		}
	default:
		in = func(e *event.Event) bool {
			a, aok := l.get(e)
			b, _ := r.get(e)
			switch a.(type) {
			case []any, *event.Map:
				return false
			}
			if as, ok := a.(string); ok {
				if bs, ok := b.(string); ok {
					return strings.Contains(bs, as)
				}
			}
			if list, ok := b.([]any); ok {
				for _, it := range list {
					if strictEqual(a, it) {
						return true
					}
				}
				return false
			}
			return aok && a != nil && strictEqual(a, b)
		}
	}
	neg := t.Not
	return func(e *event.Event) (bool, error) { return in(e) != neg, nil }, nil
}

// matcher is a compiled regular expression.
type matcher interface {
	MatchString(s string) bool
}

type regexp2Matcher struct{ re *regexp2.Regexp }

func (m regexp2Matcher) MatchString(s string) bool {
	ok, err := m.re.MatchString(s)
	return err == nil && ok
}

// onigmoMatcher runs a condition regexp on the matcher grok runs on, so a
// pattern means the same in both; text that is not valid UTF-8, or a match
// that would backtrack past the matcher's depth, goes to the translated
// engine.
type onigmoMatcher struct {
	re       *onigmo.Regexp
	fallback matcher
}

func (m onigmoMatcher) MatchString(s string) bool {
	if !utf8.ValidString(s) {
		return m.fallback.MatchString(s)
	}
	var buf [16]int
	caps := buf[:]
	if n := 2 * (m.re.NumGroups() + 1); n > len(buf) {
		caps = make([]int, n)
	}
	ok, err := m.re.Match(s, 0, caps, 0)
	if err != nil {
		return m.fallback.MatchString(s)
	}
	return ok
}

// compileRegex compiles a condition regexp with Ruby's meaning: on grok's
// onigmo matcher when it takes the pattern, else through the same Onigmo
// translation grok and kv fall back to (internal/ruby), so a pattern means
// one thing everywhere. Go's RE2 engine runs the translation when it can
// (linear time; a boolean match means the same in both engines); what it
// cannot run (look-around, backreferences, atomic groups, Ruby's
// line-start guard) goes to regexp2.
func compileRegex(src string) (matcher, error) {
	translated, err := ruby.Translate(src, nil)
	if err != nil {
		return nil, err
	}
	var fallback matcher
	// RE2's \b is ASCII; Ruby's (and regexp2's) is Unicode-aware.
	if !strings.Contains(translated, `\b`) && !strings.Contains(translated, `\B`) {
		if re, err := regexp.Compile("(?m)" + translated); err == nil {
			fallback = re
		}
	}
	if fallback == nil {
		re, err := regexp2.Compile(translated, regexp2.Multiline)
		if err != nil {
			return nil, err
		}
		fallback = regexp2Matcher{re}
	}
	if re, err := onigmo.Compile(src, false); err == nil {
		return onigmoMatcher{re: re, fallback: fallback}, nil
	}
	return fallback, nil
}
