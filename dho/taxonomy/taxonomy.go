package taxonomy

import "sort"

// The taxonomy names, as constants so that callers (the taxonomy expert,
// parsers that set a taxonomy directly) get a compile error on a typo.
const (
	AbusiveContent             = "abusive-content"
	Availability               = "availability"
	Fraud                      = "fraud"
	InformationContentSecurity = "information-content-security"
	InformationGathering       = "information-gathering"
	IntrusionAttempts          = "intrusion-attempts"
	Intrusions                 = "intrusions"
	MaliciousCode              = "malicious-code"
	Other                      = "other"
	Test                       = "test"
	Vulnerable                 = "vulnerable"
)

// Undetermined is the classification type IntelMQ's taxonomy expert sets
// when an event carries no type at all; its taxonomy is Other.
const Undetermined = "undetermined"

// Type is one classification type: its name (the value of
// classification.type), the taxonomy it belongs to (the value the taxonomy
// expert puts in classification.taxonomy) and what it means.
type Type struct {
	Name        string
	Taxonomy    string
	Description string
}

// taxonomies is sorted, as IntelMQ lists them.
var taxonomies = []string{
	AbusiveContent,
	Availability,
	Fraud,
	InformationContentSecurity,
	InformationGathering,
	IntrusionAttempts,
	Intrusions,
	MaliciousCode,
	Other,
	Test,
	Vulnerable,
}

// taxonomyDescriptions says what each taxonomy groups.
var taxonomyDescriptions = map[string]string{
	AbusiveContent:             "Content that harms its recipients by itself: unsolicited bulk messages, hate or harassment, depictions of violence.",
	Availability:               "Anything that makes a system or service unavailable or degraded, deliberately or not.",
	Fraud:                      "Deceiving people or abusing resources for gain: phishing, impersonation, copyright infringement, unauthorised use.",
	InformationContentSecurity: "Information was read, changed, lost or leaked by someone not entitled to it.",
	InformationGathering:       "Reconnaissance: probing, listening in on traffic, or tricking people into revealing information.",
	IntrusionAttempts:          "Attempts to break into a system that have not (yet) been shown to succeed.",
	Intrusions:                 "A system, application or account was successfully compromised, or premises were broken into.",
	MaliciousCode:              "Software written to do harm: infected hosts, malware distribution, command-and-control infrastructure.",
	Other:                      "Everything that fits no other taxonomy, including types IntelMQ keeps outside RSIT on purpose.",
	Test:                       "Events made to test a setup; never an actual incident.",
	Vulnerable:                 "A weakness that could be exploited, found before (or without) an incident: vulnerable or exposed services, weak cryptography.",
}

// types is sorted by name. The taxonomy of each type follows IntelMQ's
// taxonomy expert (intelmq/bots/experts/taxonomy/expert.py, 3.3).
var types = []Type{
	{"application-compromise", Intrusions, "An application (not the whole system) was compromised, typically through an exploited vulnerability."},
	{"blacklist", Other, "The resource appears on a block list without a more specific reason given; kept outside RSIT by IntelMQ."},
	{"brute-force", IntrusionAttempts, "Many login attempts guessing or replaying credentials against a service."},
	{"burglary", Intrusions, "Physical intrusion into premises, for example to take or tamper with equipment."},
	{"c2-server", MaliciousCode, "A command-and-control server that steers infected systems (a botnet controller)."},
	{"copyright", Fraud, "Material offered or shared in breach of copyright."},
	{"data-leak", InformationContentSecurity, "Confidential data was disclosed to people who should not have it."},
	{"data-loss", InformationContentSecurity, "Data was lost, for example through a failure, deletion or ransomware."},
	{"ddos", Availability, "A distributed denial-of-service attack: many sources overwhelming one target."},
	{"ddos-amplifier", Vulnerable, "A publicly reachable service that can be abused to amplify denial-of-service traffic (open resolvers, NTP monlist ...)."},
	{"dga-domain", Other, "A domain name produced by a malware domain generation algorithm; IntelMQ keeps it outside RSIT on purpose."},
	{"dos", Availability, "A denial-of-service attack from one or few sources."},
	{"exploit", IntrusionAttempts, "An attempt to exploit a known vulnerability, whatever its outcome."},
	{"harmful-speech", AbusiveContent, "Discrimination, harassment, bullying, defamation or similar harmful statements."},
	{"ids-alert", IntrusionAttempts, "An intrusion detection system raised an alert about a possible attack."},
	{"infected-system", MaliciousCode, "A system that runs malware, for example a bot seen connecting to a sinkhole."},
	{"information-disclosure", Vulnerable, "A service reveals information it should not, such as versions, configuration or internal data."},
	{"malware", Other, "A malware sample or indicator without a more specific role; IntelMQ moved it out of malicious-code."},
	{"malware-configuration", MaliciousCode, "Configuration data of malware, such as the targets or servers a sample uses."},
	{"malware-distribution", MaliciousCode, "A resource (usually a URL) that serves malware for download."},
	{"masquerade", Fraud, "Impersonating another party or entity to deceive, other than by phishing."},
	{"misconfiguration", Availability, "A configuration error that disrupts or endangers a service."},
	{"other", Other, "An incident that fits none of the other types."},
	{"outage", Availability, "A service is unavailable without an attack being involved, for example a power failure."},
	{"phishing", Fraud, "Luring people into giving credentials or other sensitive data through a fake site or message."},
	{"potentially-unwanted-accessible", Vulnerable, "A service reachable from the internet that should not be, even if not vulnerable in itself."},
	{"privileged-account-compromise", Intrusions, "An administrator or other privileged account was taken over."},
	{"proxy", Other, "An open proxy that lets anyone relay traffic; IntelMQ keeps it outside RSIT."},
	{"sabotage", Availability, "Deliberate physical or logical action to disrupt a service, other than denial of service."},
	{"scanner", InformationGathering, "A host that scans networks for open ports or vulnerable services."},
	{"sniffing", InformationGathering, "Observing or recording network traffic (wiretapping)."},
	{"social-engineering", InformationGathering, "Gathering information from people by manipulation, without technical means."},
	{"spam", AbusiveContent, "Unsolicited bulk messages, or a host that sends them."},
	{"system-compromise", Intrusions, "A whole system was compromised, for example a defaced web server or a backdoored host."},
	{"test", Test, "An event made for testing."},
	{"tor", Other, "A Tor exit or relay node; IntelMQ keeps it outside RSIT."},
	{"unauthorised-information-access", InformationContentSecurity, "Information was accessed by someone not entitled to it, for example through stolen credentials."},
	{"unauthorised-information-modification", InformationContentSecurity, "Information was changed by someone not entitled to it, for example a defacement."},
	{"unauthorized-use-of-resources", Fraud, "Resources were used for purposes their owner did not allow, such as mining or hosting illegal content."},
	{"undetermined", Other, "The kind of incident is not known (yet); set when an event carries no type."},
	{"unprivileged-account-compromise", Intrusions, "An ordinary user account was taken over."},
	{"violence", AbusiveContent, "Content depicting or inciting violence, including child sexual abuse material."},
	{"vulnerable-system", Vulnerable, "A system or service with a known vulnerability, found by a scan or a report."},
	{"weak-crypto", Vulnerable, "A service that offers broken or weak cryptography (old protocols, weak ciphers, bad certificates)."},
}

// index maps a type name to its position in types.
var index = func() map[string]int {
	m := make(map[string]int, len(types))
	for i, t := range types {
		m[t.Name] = i
	}
	return m
}()

// legacyTypes are the old type names IntelMQ's ClassificationType
// sanitizer still accepts (after lowercasing) and the names it renames them
// to. Most date from IntelMQ 2.x, some from the RSIT revision of 2020.
var legacyTypes = map[string]string{
	"botnet drone":          "infected-system",
	"ids alert":             "ids-alert",
	"c&c":                   "c2-server",
	"c2server":              "c2-server",
	"infected system":       "infected-system",
	"malware configuration": "malware-configuration",
	"vulnerable client":     "vulnerable-system",
	"vulnerable service":    "vulnerable-system",
	"leak":                  "data-leak",
	"ransomware":            "infected-system",
	"unknown":               "undetermined",
	"dga domain":            "dga-domain",
	"unauthorized-login":    "system-compromise",
	"unauthorized-command":  "system-compromise",
	"compromised":           "system-compromise",
	"defacement":            "unauthorised-information-modification",
	"backdoor":              "system-compromise",
	"dropzone":              "other",
}

// legacyTaxonomies are the old, space-separated taxonomy spellings that
// IntelMQ's ClassificationTaxonomy sanitizer renames.
var legacyTaxonomies = map[string]string{
	"abusive content":       AbusiveContent,
	"information gathering": InformationGathering,
	"intrusion attempts":    IntrusionAttempts,
	"malicious code":        MaliciousCode,
}

// Types returns every classification type, sorted by name. The slice is a
// copy, so callers may keep or change it.
func Types() []Type {
	out := make([]Type, len(types))
	copy(out, types)
	return out
}

// Taxonomies returns every classification taxonomy, sorted. The slice is a
// copy.
func Taxonomies() []string {
	out := make([]string, len(taxonomies))
	copy(out, taxonomies)
	return out
}

// TypesOf returns the types whose taxonomy is taxonomy, sorted by name; none
// for an unknown taxonomy. Useful for documentation and for checking that a
// (taxonomy, type) pair given by a feed is consistent.
func TypesOf(taxonomy string) []Type {
	var out []Type
	for _, t := range types {
		if t.Taxonomy == taxonomy {
			out = append(out, t)
		}
	}
	return out
}

// Lookup returns the type named name.
func Lookup(name string) (Type, bool) {
	i, ok := index[name]
	if !ok {
		return Type{}, false
	}
	return types[i], true
}

// TaxonomyOf returns the taxonomy of the classification type typ, as
// IntelMQ's taxonomy expert assigns it. typ must be a current type name
// (see Canonical for old names); for anything else it returns "", false,
// and a caller that wants IntelMQ's fallback uses Other.
func TaxonomyOf(typ string) (string, bool) {
	i, ok := index[typ]
	if !ok {
		return "", false
	}
	return types[i].Taxonomy, true
}

// TaxonomyDescription says what a taxonomy groups; "" for an unknown one.
func TaxonomyDescription(taxonomy string) string {
	return taxonomyDescriptions[taxonomy]
}

// IsTaxonomy reports whether s is a current taxonomy name, exactly as
// written (lowercase, hyphenated).
func IsTaxonomy(s string) bool {
	i := sort.SearchStrings(taxonomies, s)
	return i < len(taxonomies) && taxonomies[i] == s
}

// IsType reports whether s is a current classification type name, exactly
// as written.
func IsType(s string) bool {
	_, ok := index[s]
	return ok
}

// LegacyType returns the current name of an old classification type name
// that IntelMQ still accepts, for example "botnet drone" → infected-system.
// old must already be lowercase, as IntelMQ lowercases before renaming.
func LegacyType(old string) (string, bool) {
	s, ok := legacyTypes[old]
	return s, ok
}

// LegacyTaxonomy returns the current name of an old taxonomy spelling, for
// example "malicious code" → malicious-code. old must already be lowercase.
func LegacyTaxonomy(old string) (string, bool) {
	s, ok := legacyTaxonomies[old]
	return s, ok
}

// LegacyTypes returns a copy of the old → current type renames.
func LegacyTypes() map[string]string {
	out := make(map[string]string, len(legacyTypes))
	for k, v := range legacyTypes {
		out[k] = v
	}
	return out
}

// LegacyTaxonomies returns a copy of the old → current taxonomy renames.
func LegacyTaxonomies() map[string]string {
	out := make(map[string]string, len(legacyTaxonomies))
	for k, v := range legacyTaxonomies {
		out[k] = v
	}
	return out
}

// CanonicalType returns the current name for a (lowercase) type name: the
// name itself when current, its rename when legacy.
func CanonicalType(s string) (string, bool) {
	if _, ok := index[s]; ok {
		return s, true
	}
	return LegacyType(s)
}

// CanonicalTaxonomy returns the current name for a (lowercase) taxonomy
// name: the name itself when current, its rename when legacy.
func CanonicalTaxonomy(s string) (string, bool) {
	if IsTaxonomy(s) {
		return s, true
	}
	return LegacyTaxonomy(s)
}
