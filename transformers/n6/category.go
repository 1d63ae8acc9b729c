package n6

// Categories are n6's 27 event categories.
var Categories = []string{
	"amplifier", "bots", "backdoor", "cnc", "deface", "dns-query", "dos-attacker", "dos-victim",
	"exposed", "flow", "flow-anomaly", "fraud", "leak", "malurl", "malware-action", "other",
	"phish", "proxy", "sandbox-url", "scam", "scanning", "server-exploit", "spam", "spam-url",
	"tor", "vulnerable", "webinject",
}

// categoryType maps every n6 category to the DHO classification type it
// becomes (the taxonomy follows from DHO's taxonomy table). Categories
// that share a type (dos-attacker and dos-victim, say) keep their n6 name
// in extra.n6.category.
var categoryType = map[string]string{
	"amplifier":      "ddos-amplifier",
	"bots":           "infected-system",
	"backdoor":       "system-compromise",
	"cnc":            "c2-server",
	"deface":         "unauthorised-information-modification",
	"dns-query":      "other",
	"dos-attacker":   "ddos",
	"dos-victim":     "ddos",
	"exposed":        "potentially-unwanted-accessible",
	"flow":           "other",
	"flow-anomaly":   "other",
	"fraud":          "unauthorized-use-of-resources",
	"leak":           "data-leak",
	"malurl":         "malware-distribution",
	"malware-action": "malware-configuration",
	"other":          "other",
	"phish":          "phishing",
	"proxy":          "proxy",
	"sandbox-url":    "infected-system",
	"scam":           "masquerade",
	"scanning":       "scanner",
	"server-exploit": "exploit",
	"spam":           "spam",
	"spam-url":       "spam",
	"tor":            "tor",
	"vulnerable":     "vulnerable-system",
	"webinject":      "malware-configuration",
}

// typeCategory maps DHO classification types to the n6 category they
// become; types missing here become "other" and are reported lost.
var typeCategory = func() map[string]string {
	m := map[string]string{}
	for _, c := range Categories {
		t := categoryType[c]
		if _, dup := m[t]; !dup {
			m[t] = c
		}
	}
	// The first category of a shared type is the one a DHO event becomes,
	// except where a later one says it better.
	m["other"] = "other"
	return m
}()

// IsCategory reports whether c is an n6 category.
func IsCategory(c string) bool { _, ok := categoryType[c]; return ok }
