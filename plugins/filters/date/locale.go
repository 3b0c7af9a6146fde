package date

import "strings"

// fieldNames are the texts a text field parses, each mapped to its value.
type fieldNames struct {
	values map[string]int
	maxLen int
}

// localeNames holds a locale's month, weekday, half-day and era names.
type localeNames struct {
	fields map[fieldType]*fieldNames
}

func (l *localeNames) names(f fieldType) *fieldNames { return l.fields[f] }

// newFieldNames registers every short and long name as written, lower-cased
// and upper-cased, as Joda's TextField parser accepts.
func newFieldNames(first int, short, long []string) *fieldNames {
	fn := &fieldNames{values: map[string]int{}}
	for i := range short {
		for _, name := range []string{short[i], long[i]} {
			for _, form := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
				fn.values[form] = first + i
			}
			fn.maxLen = max(fn.maxLen, len(name))
		}
	}
	return fn
}

// english is the JDK's English (en, en-US) symbols.
var english = func() *localeNames {
	era := newFieldNames(0, []string{"BC", "AD"}, []string{"BC", "AD"})
	// Joda accepts BCE/CE in English.
	for _, s := range []string{"BCE", "bce"} {
		era.values[s] = 0
	}
	for _, s := range []string{"CE", "ce"} {
		era.values[s] = 1
	}
	era.maxLen = 3
	return &localeNames{fields: map[fieldType]*fieldNames{
		fMonthOfYear: newFieldNames(1,
			[]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
			[]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}),
		fDayOfWeek: newFieldNames(1,
			[]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
			[]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}),
		fHalfdayOfDay: newFieldNames(0, []string{"AM", "PM"}, []string{"AM", "PM"}),
		fEra:          era,
	}}
}()

// lookupLocale returns the names for a BCP47 tag; only English is built in.
func lookupLocale(tag string) (*localeNames, bool) {
	lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
	if lang == "en" || lang == "" {
		return english, true
	}
	return english, false
}
