package idea

import (
	"slices"

	"github.com/intelstream/intelstream/dho/taxonomy"
)

// Categories are IDEA's event categories (its classification of event
// types): a category and a subcategory, or the category alone where the
// subcategory is not known, plus Other and Test. IDEA's JSON schema checks
// only the pattern of a category name; Validate checks names against this
// list.
var Categories = []string{
	"Abusive", "Abusive.Spam", "Abusive.Harassment", "Abusive.Child", "Abusive.Sexual", "Abusive.Violence",
	"Malware", "Malware.Virus", "Malware.Worm", "Malware.Trojan", "Malware.Spyware", "Malware.Dialer", "Malware.Rootkit",
	"Recon", "Recon.Scanning", "Recon.Sniffing", "Recon.SocialEngineering", "Recon.Searching",
	"Attempt", "Attempt.Exploit", "Attempt.Login", "Attempt.NewSignature",
	"Intrusion", "Intrusion.AdminCompromise", "Intrusion.UserCompromise", "Intrusion.AppCompromise", "Intrusion.Botnet",
	"Availability", "Availability.DoS", "Availability.DDoS", "Availability.Sabotage", "Availability.Outage",
	"Information", "Information.UnauthorizedAccess", "Information.UnauthorizedModification",
	"Fraud", "Fraud.UnauthorizedUsage", "Fraud.Copyright", "Fraud.Masquerade", "Fraud.Phishing", "Fraud.Scam",
	"Vulnerable", "Vulnerable.Open", "Vulnerable.Config",
	"Anomaly", "Anomaly.Traffic", "Anomaly.Connection", "Anomaly.Protocol", "Anomaly.System", "Anomaly.Application", "Anomaly.Behaviour",
	"Other", "Test",
}

var categorySet = func() map[string]bool {
	m := make(map[string]bool, len(Categories))
	for _, c := range Categories {
		m[c] = true
	}
	return m
}()

// IsCategory reports whether c is one of IDEA's categories.
func IsCategory(c string) bool { return categorySet[c] }

// class is a DHO classification: a type, or only a taxonomy.
type class struct{ typ, taxonomy string }

// categoryClass maps every IDEA category to the DHO classification it
// becomes. A category without a subcategory becomes a taxonomy alone where
// DHO's taxonomy has one of that meaning (the taxonomy expert then makes
// the type "undetermined"); the others become a type, whose taxonomy
// follows from DHO's taxonomy table.
var categoryClass = map[string]class{
	"Abusive":                              {taxonomy: taxonomy.AbusiveContent},
	"Abusive.Spam":                         {typ: "spam"},
	"Abusive.Harassment":                   {typ: "harmful-speech"},
	"Abusive.Child":                        {typ: "violence"},
	"Abusive.Sexual":                       {typ: "violence"},
	"Abusive.Violence":                     {typ: "violence"},
	"Malware":                              {typ: "malware"},
	"Malware.Virus":                        {typ: "infected-system"},
	"Malware.Worm":                         {typ: "infected-system"},
	"Malware.Trojan":                       {typ: "infected-system"},
	"Malware.Spyware":                      {typ: "infected-system"},
	"Malware.Dialer":                       {typ: "infected-system"},
	"Malware.Rootkit":                      {typ: "infected-system"},
	"Recon":                                {taxonomy: taxonomy.InformationGathering},
	"Recon.Scanning":                       {typ: "scanner"},
	"Recon.Sniffing":                       {typ: "sniffing"},
	"Recon.SocialEngineering":              {typ: "social-engineering"},
	"Recon.Searching":                      {taxonomy: taxonomy.InformationGathering},
	"Attempt":                              {taxonomy: taxonomy.IntrusionAttempts},
	"Attempt.Exploit":                      {typ: "exploit"},
	"Attempt.Login":                        {typ: "brute-force"},
	"Attempt.NewSignature":                 {typ: "ids-alert"},
	"Intrusion":                            {taxonomy: taxonomy.Intrusions},
	"Intrusion.AdminCompromise":            {typ: "privileged-account-compromise"},
	"Intrusion.UserCompromise":             {typ: "unprivileged-account-compromise"},
	"Intrusion.AppCompromise":              {typ: "application-compromise"},
	"Intrusion.Botnet":                     {typ: "infected-system"},
	"Availability":                         {taxonomy: taxonomy.Availability},
	"Availability.DoS":                     {typ: "dos"},
	"Availability.DDoS":                    {typ: "ddos"},
	"Availability.Sabotage":                {typ: "sabotage"},
	"Availability.Outage":                  {typ: "outage"},
	"Information":                          {taxonomy: taxonomy.InformationContentSecurity},
	"Information.UnauthorizedAccess":       {typ: "unauthorised-information-access"},
	"Information.UnauthorizedModification": {typ: "unauthorised-information-modification"},
	"Fraud":                                {taxonomy: taxonomy.Fraud},
	"Fraud.UnauthorizedUsage":              {typ: "unauthorized-use-of-resources"},
	"Fraud.Copyright":                      {typ: "copyright"},
	"Fraud.Masquerade":                     {typ: "masquerade"},
	"Fraud.Phishing":                       {typ: "phishing"},
	"Fraud.Scam":                           {typ: "masquerade"},
	"Vulnerable":                           {taxonomy: taxonomy.Vulnerable},
	"Vulnerable.Open":                      {typ: "potentially-unwanted-accessible"},
	"Vulnerable.Config":                    {typ: "vulnerable-system"},
	"Anomaly":                              {typ: "other"},
	"Anomaly.Traffic":                      {typ: "other"},
	"Anomaly.Connection":                   {typ: "other"},
	"Anomaly.Protocol":                     {typ: "other"},
	"Anomaly.System":                       {typ: "other"},
	"Anomaly.Application":                  {typ: "other"},
	"Anomaly.Behaviour":                    {typ: "dga-domain"},
	"Other":                                {typ: "other"},
	"Test":                                 {typ: "test"},
}

// typeCategory maps every DHO classification type to the IDEA category it
// becomes. Where IDEA has no category of the same meaning, the closest is
// taken, and the conversion reports classification.type as lost (the
// category reads back as another type).
var typeCategory = map[string]string{
	"application-compromise":                "Intrusion.AppCompromise",
	"blacklist":                             "Other",
	"brute-force":                           "Attempt.Login",
	"burglary":                              "Intrusion",
	"c2-server":                             "Intrusion.Botnet",
	"copyright":                             "Fraud.Copyright",
	"data-leak":                             "Information.UnauthorizedAccess",
	"data-loss":                             "Information",
	"ddos":                                  "Availability.DDoS",
	"ddos-amplifier":                        "Vulnerable.Open",
	"dga-domain":                            "Anomaly.Behaviour",
	"dos":                                   "Availability.DoS",
	"exploit":                               "Attempt.Exploit",
	"harmful-speech":                        "Abusive.Harassment",
	"ids-alert":                             "Attempt.NewSignature",
	"infected-system":                       "Intrusion.Botnet",
	"information-disclosure":                "Vulnerable.Config",
	"malware":                               "Malware",
	"malware-configuration":                 "Malware",
	"malware-distribution":                  "Malware",
	"masquerade":                            "Fraud.Masquerade",
	"misconfiguration":                      "Vulnerable.Config",
	"other":                                 "Other",
	"outage":                                "Availability.Outage",
	"phishing":                              "Fraud.Phishing",
	"potentially-unwanted-accessible":       "Vulnerable.Open",
	"privileged-account-compromise":         "Intrusion.AdminCompromise",
	"proxy":                                 "Vulnerable.Open",
	"sabotage":                              "Availability.Sabotage",
	"scanner":                               "Recon.Scanning",
	"sniffing":                              "Recon.Sniffing",
	"social-engineering":                    "Recon.SocialEngineering",
	"spam":                                  "Abusive.Spam",
	"system-compromise":                     "Intrusion.AdminCompromise",
	"test":                                  "Test",
	"tor":                                   "Other",
	"unauthorised-information-access":       "Information.UnauthorizedAccess",
	"unauthorised-information-modification": "Information.UnauthorizedModification",
	"unauthorized-use-of-resources":         "Fraud.UnauthorizedUsage",
	"undetermined":                          "Other",
	"unprivileged-account-compromise":       "Intrusion.UserCompromise",
	"violence":                              "Abusive.Violence",
	"vulnerable-system":                     "Vulnerable.Config",
	"weak-crypto":                           "Vulnerable.Config",
}

// taxonomyCategory maps a DHO taxonomy to the IDEA category of an event
// that has a taxonomy but no type.
var taxonomyCategory = map[string]string{
	taxonomy.AbusiveContent:             "Abusive",
	taxonomy.Availability:               "Availability",
	taxonomy.Fraud:                      "Fraud",
	taxonomy.InformationContentSecurity: "Information",
	taxonomy.InformationGathering:       "Recon",
	taxonomy.IntrusionAttempts:          "Attempt",
	taxonomy.Intrusions:                 "Intrusion",
	taxonomy.MaliciousCode:              "Malware",
	taxonomy.Other:                      "Other",
	taxonomy.Test:                       "Test",
	taxonomy.Vulnerable:                 "Vulnerable",
}

// categoryOf returns the IDEA category of a DHO classification ("Other"
// when it has none).
func categoryOf(typ, tax string) string {
	if c, ok := typeCategory[typ]; ok {
		return c
	}
	if c, ok := taxonomyCategory[tax]; ok {
		return c
	}
	return "Other"
}

// classOf returns the DHO classification of a list of IDEA categories: that
// of the first category with a subcategory, else that of the first one.
// ok is false when no category is known.
func classOf(cats []string) (typ, tax string, ok bool) {
	var first *class
	for _, c := range cats {
		cl, known := categoryClass[c]
		if !known {
			continue
		}
		if cl.typ != "" {
			return cl.typ, taxonomyOf(cl), true
		}
		if first == nil {
			first = &cl
		}
	}
	if first == nil {
		return "", "", false
	}
	return first.typ, taxonomyOf(*first), true
}

func taxonomyOf(cl class) string {
	if cl.typ != "" {
		t, _ := taxonomy.TaxonomyOf(cl.typ)
		return t
	}
	return cl.taxonomy
}

// sameCategories reports whether cats is exactly the one category c.
func sameCategories(cats []string, c string) bool { return slices.Equal(cats, []string{c}) }
