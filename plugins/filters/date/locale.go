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

// localeData is a locale's names as the JDK gives them.
type localeData struct {
	shortMonths, longMonths, shortDays, longDays, halfdays, eras []string
}

func (d localeData) names() *localeNames {
	return &localeNames{fields: map[fieldType]*fieldNames{
		fMonthOfYear:  newFieldNames(1, d.shortMonths, d.longMonths),
		fDayOfWeek:    newFieldNames(1, d.shortDays, d.longDays),
		fHalfdayOfDay: newFieldNames(0, d.halfdays, d.halfdays),
		fEra:          newFieldNames(0, d.eras, d.eras),
	}}
}

// english is the JDK's English (en, en-US) symbols; Joda also accepts
// BCE/CE as eras in English.
var english = func() *localeNames {
	l := localeData{
		shortMonths: []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		longMonths:  []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		shortDays:   []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
		longDays:    []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
		halfdays:    []string{"AM", "PM"},
		eras:        []string{"BC", "AD"},
	}.names()
	addEnglishEras(l)
	return l
}()

func addEnglishEras(l *localeNames) {
	era := l.fields[fEra]
	for _, s := range []string{"BCE", "bce"} {
		era.values[s] = 0
	}
	for _, s := range []string{"CE", "ce"} {
		era.values[s] = 1
	}
	era.maxLen = max(era.maxLen, 3)
}

// lookupLocale returns the names for a BCP47 tag: the exact tag, else its
// language; unknown locales get English and ok = false.
func lookupLocale(tag string) (names *localeNames, ok bool) {
	lang, _, _ := strings.Cut(tag, "-")
	for key, d := range generatedLocales {
		if strings.EqualFold(key, tag) {
			names = d.names()
			break
		}
	}
	if names == nil {
		if strings.EqualFold(lang, "en") || tag == "" {
			return english, true
		}
		for key, d := range generatedLocales {
			if strings.EqualFold(key, lang) {
				names = d.names()
				break
			}
		}
	}
	if names == nil {
		return english, false
	}
	if strings.EqualFold(lang, "en") {
		addEnglishEras(names)
	}
	return names, true
}
